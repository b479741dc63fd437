// A zip reader for the browser, like Python's zipimport. Archive bytes are untrusted: the parse
// refuses anything ambiguous before a single entry is read (APPNOTE 6.3.x subset: store and deflate,
// one disk, ZIP64 where it agrees with the rest, no encryption). Written for size, measured by
// bench/zip-size.mjs: it ships to browsers, and the platform's DecompressionStream does the inflating.
import { ArchiveFormatError, IntegrityError } from './check-errors'
import { remember } from './remember'

export interface ZipEntry {
  /** Path inside the archive, decoded as UTF-8. Directories end in `/`. */
  name: string
  /** Offset of the local file header. */
  offset: number
  /** Offset of the entry's (compressed) data, after the local header. */
  dataOffset: number
  /** 0 = stored, 8 = deflated. */
  method: number
  compressedSize: number
  size: number
  crc32: number
}

let table: Int32Array | undefined
let decoder: TextDecoder | undefined

/** UTF-8, non-fatal (bad bytes become U+FFFD); one decoder for every name and entry, not one each. */
export const decode = (bytes: Uint8Array): string => (decoder ||= new TextDecoder()).decode(bytes)

export function crc32(bytes: Uint8Array): number {
  table ||= new Int32Array(256).map((_, c) => {
    for (let k = 8; k--;) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1
    return c
  })
  let c = -1
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 255] ^ (c >>> 8)
  return ~c >>> 0
}

/** True for names that could escape the folder they are unpacked into, or mean two things. */
export const isUnsafeName = (name: string): boolean => /^($|\/|[a-z]:)|(^|\/)\.\.(\/|$)|[\\\0\uFFFD]/i.test(name)

// Refusal reasons are short and stable, for code to branch on; ships to browsers, so every byte counts.
const TRUNCATED = 'truncated'
const MULTI_DISK = 'multi-disk'
const ZIP64 = 'ZIP64'
const SIZE = 'size mismatch'
const MAX = 0xFFFFFFFF

type Read = (o: number) => number
type Refuse = (when: unknown, reason: string, entry?: string) => void

/**
 * What `parseZip` needs to read ZIP64 (APPNOTE 4.3.14-15 and 4.5.3), which tools write for entries
 * or archives past 4 GiB, and some always (Info-ZIP's `zip` reading a pipe, Python's `force_zip64`).
 * Apart, so that the archive loader leaves it out: archives the build writes never need it.
 * A 64-bit value is exact below 2^53; a larger one cannot agree with the file's length, so the checks
 * that use it refuse it.
 */
export function zip64(u16: Read, u32: Read, refuse: Refuse) {
  const u64 = (o: number): number => u32(o) + u32(o + 4) * 2 ** 32
  return {
    /**
     * `[where the central directory ends, entries on this disk, entries, its size, its offset]`, from
     * the ZIP64 end record before the locator that ends 20 bytes before the end record at `e`, if
     * there is one. Each value of the end record is the same, or all ones.
     */
    end(e: number): number[] | undefined {
      if (u32(e - 20) !== 0x07064B50)
        return
      const z = e - 76
      refuse(u32(e - 16) || u32(e - 4) > 1, MULTI_DISK)
      // 56 bytes: the extensible data that may follow is PKWARE's, for encryption.
      refuse(u64(e - 12) !== z || u32(z) !== 0x06064B50 || u64(z + 4) !== 44, TRUNCATED)
      return [z, ...[u16(e + 8), u16(e + 10), u32(e + 12), u32(e + 16)].map((value, i) => {
        refuse(value !== u64(z + 24 + 8 * i) && value !== (i < 2 ? 0xFFFF : MAX), ZIP64)
        return u64(z + 24 + 8 * i)
      })]
    },
    /**
     * `values`, each one that is all ones read instead from the ZIP64 field, which must then be the
     * first of the `n` bytes of extra fields at `o` and hold them all: 8 bytes each, in order.
     */
    extra(o: number, n: number, values: number[], entry: string): number[] {
      let q = o + 4
      values = values.map(value => value < MAX ? value : u64((q += 8) - 8))
      refuse(q > o + 4 && (u16(o) !== 1 || q > o + 4 + u16(o + 2) || u16(o + 2) + 4 > n), ZIP64, entry)
      return values
    },
  }
}

/**
 * Lists the entries of a zip archive from its central directory, by name in archive order, after
 * checking the whole structure (every local header too). Throws `ArchiveFormatError` for anything
 * malformed or unsupported, ZIP64 too unless given `zip64`. Entry data is checked when read. Longer
 * than usual on purpose: one pass over the records in file order, each check beside the field it reads.
 */
export function parseZip(bytes: Uint8Array, archive: string, wide?: typeof zip64): Map<string, ZipEntry> {
  const refuse: Refuse = (when, reason, entry) => {
    if (when) throw new ArchiveFormatError(archive, entry, reason)
  }
  // Reads past either end give 0, which no check below accepts where it matters.
  const u16 = (o: number): number => bytes[o] | (bytes[o + 1] << 8)
  const u32 = (o: number): number => (u16(o) | (u16(o + 2) << 16)) >>> 0
  // Without it, ZIP64 values (all ones) are taken as they are, and fail the checks that use them.
  const z64 = wide?.(u16, u32, refuse)
  const wider = z64?.extra ?? ((_o: number, _n: number, values: number[]) => values)
  // Non-fatal decoding: a name that is not UTF-8 gets U+FFFD, which isUnsafeName refuses.
  const text = (o: number, n: number): string => decode(bytes.subarray(o, o + n))
  const len = bytes.length
  // The end record is 22 bytes plus a comment of up to 65535; take the last one whose comment
  // length reaches exactly the end of the file (as Python does), so trailing bytes cannot pose as one.
  let e = len - 22
  while (e >= 0 && (u32(e) !== 0x06054B50 || e + 22 + u16(e + 20) !== len)) {
    if (--e < len - 65557) e = -1
  }
  refuse(e < 0, TRUNCATED)
  const [cdEnd, here, count, cdSize, cd] = z64?.end(e) ?? [e, u16(e + 8), u16(e + 10), u32(e + 12), u32(e + 16)]
  refuse(u16(e + 4) || u16(e + 6) || here !== count, MULTI_DISK)
  refuse(cd + cdSize !== cdEnd, TRUNCATED)
  const entries = new Map<string, ZipEntry>()
  let p = cd
  for (let i = 0; i < count; i++) {
    const nameLength = u16(p + 28)
    const next = p + 46 + nameLength + u16(p + 30) + u16(p + 32)
    refuse(next > cdEnd || u32(p) !== 0x02014B50, TRUNCATED)
    const name = text(p + 46, nameLength)
    const [size, compressedSize, offset] = wider(p + 46 + nameLength, u16(p + 30), [u32(p + 24), u32(p + 20), u32(p + 42)], name)
    const method = u16(p + 10)
    const flags = u16(offset + 6)
    const localExtra = offset + 30 + u16(offset + 26)
    const dataOffset = localExtra + u16(offset + 28)
    const [localSize, localCompressedSize] = wider(localExtra, u16(offset + 28), [u32(offset + 22), u32(offset + 18)], name)
    refuse(isUnsafeName(name), 'unsafe name', name)
    refuse(entries.has(name), 'duplicate name', name)
    refuse(u16(p + 34), MULTI_DISK, name)
    refuse(size && name.endsWith('/'), 'directory with data', name)
    refuse(dataOffset + compressedSize > cd, 'out of bounds', name)
    // Either header saying "encrypted" (bit 0, or bit 6 for strong encryption) is enough: other
    // readers trust one or the other, and one archive must not mean two things.
    refuse((flags | u16(p + 8)) & 0x41, 'encrypted', name)
    // Method, name and (unless bit 3 moved them behind the data) CRC and sizes must match the
    // central header byte for byte.
    refuse(u32(offset) !== 0x04034B50 || u16(offset + 8) !== method || (!(flags & 8) && (u32(offset + 14) !== u32(p + 16) || localCompressedSize !== compressedSize || localSize !== size))
      || text(offset + 30, u16(offset + 26)) !== name, 'local header mismatch', name)
    refuse(method && method !== 8, `method ${method}`, name)
    // Deflate cannot beat 1032:1 (a 258-byte match in 2 bits), so a larger size is a lie.
    refuse(method ? size > compressedSize * 1032 : compressedSize !== size, SIZE, name)
    entries.set(name, { name, offset, dataOffset, method, compressedSize, size, crc32: u32(p + 16) })
    p = next
  }
  refuse(p !== cdEnd, TRUNCATED)
  // Overlapping entries are how zip bombs get their ratio (Fifield 2019) and how one archive shows
  // different files to different readers; a zip that any writer made honestly has none.
  let end = 0
  for (const entry of [...entries.values()].sort((a, b) => a.offset - b.offset)) {
    refuse(entry.offset < end, 'overlap', entry.name)
    end = entry.dataOffset + entry.compressedSize
  }
  return entries
}

/**
 * Reads one entry's bytes, verified: size, and CRC-32 or, when given, a `sha384-<base64>` integrity
 * digest (`IntegrityError`). `entry` must come from `parseZip` of the same bytes, which checked its
 * headers and bounds. Never allocates more than the declared size.
 */
export const readEntry = (bytes: Uint8Array, entry: ZipEntry, archive: string, integrity?: string): Promise<Uint8Array<ArrayBuffer>> =>
  readStoredEntry(bytes, entry, archive, integrity, inflate)

/**
 * `readEntry` that refuses deflated entries unless given `inflater`, so a bundle that never inflates
 * leaves the inflate code out.
 */
export async function readStoredEntry(bytes: Uint8Array, entry: ZipEntry, archive: string, integrity?: string, inflater?: typeof inflate): Promise<Uint8Array<ArrayBuffer>> {
  const { name, dataOffset, method } = entry
  const bad = (reason: string) => new ArchiveFormatError(archive, name, reason)
  let out: Uint8Array<ArrayBuffer> | void = bytes.slice(dataOffset, dataOffset + entry.compressedSize)
  if (method && !(out = await inflater?.(out, entry.size).catch(() => {})))
    throw bad(inflater ? SIZE : `method ${method}`)
  // A digest decides alone: bytes with the build's sha-384 are the build's bytes, and the platform
  // computes it off the main thread, where the CRC-32 loop would run (6 ms for the 296 kB of
  // bench/archives.md). The CRC-32 still names a failure: a corrupted entry stays an ArchiveFormatError.
  const error = integrity && await verifyIntegrity(out, integrity, archive, name).catch(error => error)
  if ((!integrity || error) && crc32(out) !== entry.crc32)
    throw bad('CRC-32 mismatch')
  if (error)
    throw error
  return out
}

/** Rejects with `IntegrityError` unless the bytes' sha-384 is `integrity` (`sha384-<base64>`). */
export async function verifyIntegrity(bytes: Uint8Array<ArrayBuffer>, integrity: string, source: string, entry?: string): Promise<void> {
  const actual = `sha384-${btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-384', bytes))))}`
  if (actual !== integrity) throw new IntegrityError(source, entry, integrity, actual)
}

/**
 * Inflates raw deflate data into exactly `size` bytes: resolves to nothing if there are fewer, and
 * rejects on bad data and at the first byte past the end (`set` throws, so the pipe cancels the
 * inflating).
 */
async function inflate(data: Uint8Array<ArrayBuffer>, size: number): Promise<Uint8Array<ArrayBuffer> | void> {
  const out = new Uint8Array(size)
  let n = 0
  await new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw')).pipeTo(new WritableStream({
    write(chunk) {
      out.set(chunk, n)
      n += chunk.length
    },
  }))
  if (n === size)
    return out
}

/**
 * Reads modules and files out of one zip archive, like Python's `zipimport.zipimporter`.
 * The archive is fetched and parsed once, on first use, by all callers together; a failed fetch
 * is not kept, so the next call fetches again.
 */
export class ZipImporter {
  /** The archive's name in errors: `options.name`, else the URL. */
  readonly name: string
  #open: () => Promise<[Uint8Array, Map<string, ZipEntry>]>
  #opened = new Map<0, Promise<[Uint8Array, Map<string, ZipEntry>]>>()
  #modules = new Map<string, Promise<any>>()

  constructor(source: string | URL | Uint8Array | ArrayBuffer, options: { fetch?: typeof fetch, name?: string } = {}) {
    const remote = source instanceof URL || typeof source === 'string'
    const name = this.name = options.name || (remote ? `${source}` : 'zip archive')
    this.#open = () => remember(this.#opened, 0, async () => {
      let data = source as Uint8Array | ArrayBuffer
      if (remote) {
        const response = await (options.fetch || fetch)(source)
        if (!response.ok) throw new Error(`Fetching zip archive ${source} failed: HTTP ${response.status} ${response.statusText}`, { cause: response })
        data = await response.arrayBuffer()
      }
      const bytes = new Uint8Array(data)
      return [bytes, new Map([...parseZip(bytes, name, zip64)].filter(([file]) => !file.endsWith('/')))] as [Uint8Array, Map<string, ZipEntry>]
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

  /**
   * Imports one entry as an ES module; the same name gives the same module instance. Its code runs
   * from a `data:` URL, named `<archive>/<name>` in stack traces and devtools.
   */
  importModule<T = any>(name: string, integrity?: string): Promise<T> {
    // The sourceURL also keeps two entries with the same code two modules: a data: URL is its content.
    return remember(this.#modules, name, () => this.read(name, integrity).then((code) => {
      const url = moduleUrl(`${decode(code)}\n//# sourceURL=${this.name}/${name}\n`)
      return import(/* @vite-ignore */ /* webpackIgnore: true */ url)
    }))
  }
}

/**
 * A URL that imports `code` as a module. A data: URL, not a Blob URL: it is cheap to make, where each
 * Blob costs about 0.7 ms of main thread in Chromium (bench/archives.md), and Node's loader accepts it
 * too. Module scripts are always UTF-8, so no charset is needed.
 */
export const moduleUrl = (code: string): string => `data:text/javascript,${encodeURIComponent(code)}`
