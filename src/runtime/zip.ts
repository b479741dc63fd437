// A zip reader for the browser, like Python's zipimport. Archive bytes are untrusted: the parse
// refuses anything ambiguous before a single entry is read (APPNOTE 6.3.x subset: store and deflate,
// one disk, no ZIP64, no encryption). Written for size: it ships to browsers, and the platform's
// DecompressionStream does the inflating.
import { ArchiveFormatError, IntegrityError } from './errors'

export interface ZipEntry {
  /** Path inside the archive, decoded as UTF-8. Directories end in `/`. */
  name: string
  /** Offset of the local file header. */
  offset: number
  /** Offset of the entry's (compressed) data, after the local header. Set by `parseZip`. */
  dataOffset?: number
  /** 0 = stored, 8 = deflated. */
  method: number
  compressedSize: number
  size: number
  crc: number
}

let table: Int32Array | undefined

export function crc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Int32Array(256)
    for (let i = 0; i < 256; i++) {
      let c = i
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1
      table[i] = c
    }
  }
  let c = -1
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 255] ^ (c >>> 8)
  return ~c >>> 0
}

/** True for names that could escape the folder they are unpacked into, or mean two things. */
export const isUnsafeName = (name: string): boolean => !name || /(?:^|\/)\.\.(?:\/|$)|^\/|^[a-z]:|[\\\0\uFFFD]/i.test(name)

const u16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8)
const u32 = (b: Uint8Array, o: number): number => (u16(b, o) | (u16(b, o + 2) << 16)) >>> 0
// Non-fatal: a name that is not UTF-8 decodes with U+FFFD, which isUnsafeName refuses.
const text = (b: Uint8Array, o: number, n: number): string => new TextDecoder().decode(b.subarray(o, o + n))
const TRUNCATED = 'truncated or not a zip'
const SIZE = 'data and declared size differ'
const MULTI_DISK = 'multi-disk is not supported'
const ZIP64 = 'ZIP64 is not supported'
const MAX = 0xFFFFFFFF

/**
 * Lists the entries of a zip archive from its central directory, in archive order, after checking
 * the whole structure (every local header too). Throws `ArchiveFormatError` for anything malformed
 * or unsupported. Entry data is checked when read.
 */
export function parseZip(bytes: Uint8Array, archive: string): ZipEntry[] {
  const bad = (reason: string, entry?: string) => new ArchiveFormatError(archive, entry, reason)
  const len = bytes.length
  // The end record is 22 bytes plus a comment of up to 65535; take the last one whose comment
  // length reaches exactly the end of the file, so a comment cannot fake a second one.
  let e = len - 22
  while (e >= 0 && (u32(bytes, e) !== 0x06054B50 || e + 22 + u16(bytes, e + 20) !== len)) {
    if (--e < len - 65557) e = -1
  }
  if (e < 0) throw bad(TRUNCATED)
  const count = u16(bytes, e + 10)
  const cd = u32(bytes, e + 16)
  // A ZIP64 locator sits just before the end record, whose fields then say 0xFFFF(FFFF).
  if (u32(bytes, e - 20) === 0x07064B50 || count === 0xFFFF || cd === MAX) throw bad(ZIP64)
  if (u16(bytes, e + 4) || u16(bytes, e + 6) || u16(bytes, e + 8) !== count) throw bad(MULTI_DISK)
  if (cd + u32(bytes, e + 12) !== e) throw bad(TRUNCATED)
  const entries: ZipEntry[] = []
  const names = new Set<string>()
  let p = cd
  for (let i = 0; i < count; i++) {
    const next = p + 46 + u16(bytes, p + 28) + u16(bytes, p + 30) + u16(bytes, p + 32)
    if (next > e || u32(bytes, p) !== 0x02014B50) throw bad(TRUNCATED)
    const name = text(bytes, p + 46, u16(bytes, p + 28))
    const entry: ZipEntry = {
      name,
      offset: u32(bytes, p + 42),
      method: u16(bytes, p + 10),
      compressedSize: u32(bytes, p + 20),
      size: u32(bytes, p + 24),
      crc: u32(bytes, p + 16),
    }
    if (isUnsafeName(name)) throw bad('unsafe name', name)
    if (names.has(name)) throw bad('duplicate name', name)
    if (u16(bytes, p + 34)) throw bad(MULTI_DISK, name)
    if (Math.max(entry.offset, entry.compressedSize, entry.size) === MAX) throw bad(ZIP64, name)
    if (entry.size && name.endsWith('/')) throw bad('directory with data', name)
    entry.dataOffset = local(bytes, entry, archive, cd)
    names.add(name)
    entries.push(entry)
    p = next
  }
  if (p !== e) throw bad(TRUNCATED)
  // Overlapping entries are how zip bombs get their ratio (Fifield 2019) and how one archive shows
  // different files to different readers; a zip that any writer made honestly has none.
  const sorted = [...entries].sort((a, b) => a.offset - b.offset)
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]
    if (sorted[i].offset < prev.dataOffset! + prev.compressedSize) throw bad('overlapping entries', sorted[i].name)
  }
  return entries
}

/** Checks the local header against the central one and returns where the entry's data starts. */
function local(bytes: Uint8Array, entry: ZipEntry, archive: string, limit: number): number {
  const { name, offset: o, method, compressedSize: cs, size } = entry
  const bad = (reason: string) => new ArchiveFormatError(archive, name, reason)
  const flags = u16(bytes, o + 6)
  const data = o + 30 + u16(bytes, o + 26) + u16(bytes, o + 28)
  if (data + cs > limit) throw bad('outside the archive')
  if (flags & 1) throw bad('encryption is not supported')
  // Bit 3: sizes and CRC follow the data, and only the central directory has them.
  if (u32(bytes, o) !== 0x04034B50 || u16(bytes, o + 8) !== method || text(bytes, o + 30, u16(bytes, o + 26)) !== name
    || (!(flags & 8) && (u32(bytes, o + 14) !== entry.crc || u32(bytes, o + 18) !== cs || u32(bytes, o + 22) !== size))) {
    throw bad('local header mismatch')
  }
  if (method && method !== 8) throw bad(`method ${method} is not supported`)
  // Deflate cannot beat 1032:1 (a 258-byte match in 2 bits), so a larger size is a lie.
  if (method ? size > cs * 1032 : cs !== size) throw bad(SIZE)
  return data
}

/**
 * Reads one entry's bytes, verified: local header, size, CRC-32 and, when given, a
 * `sha384-<base64>` integrity digest (`IntegrityError`). Never allocates more than the declared size.
 */
export async function readEntry(bytes: Uint8Array, entry: ZipEntry, archive: string, integrity?: string): Promise<Uint8Array<ArrayBuffer>> {
  const { name, size } = entry
  const bad = (reason: string) => new ArchiveFormatError(archive, name, reason)
  const data = local(bytes, entry, archive, bytes.length)
  const raw = bytes.subarray(data, data + entry.compressedSize) as Uint8Array<ArrayBuffer>
  let out = raw
  if (entry.method) {
    // Inflate into exactly the declared size and stop at the first byte past it.
    out = new Uint8Array(size)
    const reader = new Blob([raw]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader()
    let n = 0
    let chunk
    try {
      while (!(chunk = await reader.read()).done && n + chunk.value.length <= size) {
        out.set(chunk.value, n)
        n += chunk.value.length
      }
    }
    catch {
      throw bad('bad deflate data')
    }
    if (!chunk.done) reader.cancel().catch(() => {})
    if (!chunk.done || n < size) throw bad(SIZE)
  }
  else out = raw.slice()
  if (crc32(out) !== entry.crc) throw bad('CRC-32 mismatch')
  if (integrity) {
    const actual = `sha384-${base64(new Uint8Array(await crypto.subtle.digest('SHA-384', out)))}`
    if (actual !== integrity) throw new IntegrityError(archive, name, integrity, actual)
  }
  return out
}

function base64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192))
  return btoa(s)
}

/**
 * Reads modules and files out of one zip archive, like Python's `zipimport.zipimporter`.
 * The archive is fetched and parsed once, on first use, by all callers together; a failed fetch
 * is not kept, so the next call fetches again.
 */
export class ZipImporter {
  /** The archive's name in errors: `options.name`, else the URL. */
  readonly name: string
  #source: string | URL | Uint8Array | ArrayBuffer
  #fetch?: typeof fetch
  #archive?: Promise<[Uint8Array, Map<string, ZipEntry>]>
  #modules = new Map<string, Promise<any>>()

  constructor(source: string | URL | Uint8Array | ArrayBuffer, options: { fetch?: typeof fetch, name?: string } = {}) {
    this.#source = source
    this.#fetch = options.fetch
    this.name = options.name || (source instanceof URL || typeof source === 'string' ? `${source}` : 'zip archive')
  }

  #open(): Promise<[Uint8Array, Map<string, ZipEntry>]> {
    return this.#archive ||= (async () => {
      let source = this.#source
      if (source instanceof URL || typeof source === 'string') {
        const get = this.#fetch || fetch
        const response = await get(source)
        if (!response.ok) throw new Error(`Fetching zip archive ${source} failed: HTTP ${response.status} ${response.statusText}`, { cause: response })
        source = await response.arrayBuffer()
      }
      const bytes = new Uint8Array(source)
      const files = parseZip(bytes, this.name).filter(e => !e.name.endsWith('/'))
      return [bytes, new Map(files.map(e => [e.name, e]))] as [Uint8Array, Map<string, ZipEntry>]
    })().catch((error) => {
      this.#archive = undefined
      throw error
    })
  }

  /** Names of the files (not directories) in the archive, in archive order. */
  async list(): Promise<string[]> {
    return [...(await this.#open())[1].keys()]
  }

  async has(name: string): Promise<boolean> {
    return (await this.#open())[1].has(name)
  }

  /** The verified bytes of one file. `integrity` is an optional `sha384-<base64>` digest. */
  async read(name: string, integrity?: string): Promise<Uint8Array<ArrayBuffer>> {
    const [bytes, files] = await this.#open()
    const entry = files.get(name)
    if (!entry) throw new ArchiveFormatError(this.name, name, 'no such file')
    return readEntry(bytes, entry, this.name, integrity)
  }

  /** Imports one entry as an ES module; the same name gives the same module instance. */
  importModule<T = any>(name: string, integrity?: string): Promise<T> {
    let module = this.#modules.get(name)
    if (!module) {
      this.#modules.set(name, module = this.read(name, integrity).then(load))
      module.catch(() => this.#modules.delete(name))
    }
    return module
  }
}

async function load(code: Uint8Array<ArrayBuffer>): Promise<any> {
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }))
  try {
    // Node makes blob: URLs (blob:nodedata:…) that its module loader refuses; it accepts data: URLs.
    return await import(/* @vite-ignore */ /* webpackIgnore: true */ url.startsWith('blob:nodedata:') ? `data:text/javascript;base64,${base64(code)}` : url)
  }
  finally {
    URL.revokeObjectURL(url)
  }
}
