// Writes the `archives` zips with node:zlib and a small writer (why not fflate: bench/zip-writer.md).
// Output is deterministic (sorted names, fixed time, no extra fields) so builds are reproducible.
import type { ZipEntry } from '../runtime/zip'
import { crc32, deflateRawSync } from 'node:zlib'
import { isUnsafeName } from '../runtime/zip'

/** `method` is 0 (stored) or 8 (deflated, only when that is smaller). */
export type WrittenEntry = ZipEntry

export interface WriteZipOptions {
  /** `deflate` stores an entry anyway when deflating does not make it smaller, as zip(1) does. */
  compression: 'store' | 'deflate'
}

// 1980-01-01 00:00, the earliest DOS date: no build time leaks into the archive.
const DOS_TIME = 0
const DOS_DATE = (1 << 5) | 1
// "Made by" Unix, spec 2.0, so the Unix modes in the external attributes are honoured by unzip.
const MADE_BY = (3 << 8) | 20
const FILE_MODE = 0o100644 << 16
const DIR_MODE = (0o40755 << 16) | 0x10

/**
 * Builds a zip archive in memory. Entries are sorted by name; names ending in `/` are
 * directories and must be empty. Throws on names the runtime reader would refuse.
 * One function past the usual length on purpose: it writes the format's records in file order,
 * so it reads top to bottom beside APPNOTE 4.3.
 */
export function writeZip(files: { name: string, data: Uint8Array }[], options: WriteZipOptions): { bytes: Uint8Array, entries: WrittenEntry[] } {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const encoder = new TextEncoder()
  const prepared = sorted.map(({ name, data }, i) => {
    if (isUnsafeName(name)) throw new Error(`Cannot write zip entry ${JSON.stringify(name)}: empty, absolute, with a .. segment, a drive letter, \\, NUL or U+FFFD.`)
    if (i && sorted[i - 1].name === name) throw new Error(`Cannot write zip entry ${JSON.stringify(name)} twice.`)
    const directory = name.endsWith('/')
    if (directory && data.length) throw new Error(`Zip directory entry ${JSON.stringify(name)} cannot have data.`)
    let body = data
    let method: 0 | 8 = 0
    if (options.compression === 'deflate' && data.length) {
      const deflated = deflateRawSync(data)
      if (deflated.length < data.length) {
        body = deflated
        method = 8
      }
    }
    const nameBytes = encoder.encode(name)
    if (nameBytes.length > 0xFFFF) throw new Error(`Zip entry name is too long: ${JSON.stringify(name.slice(0, 100))}…`)
    return { name, nameBytes, data, body, method, directory, crc32: crc32(data) }
  })

  let size = 22
  for (const e of prepared) size += 30 + 46 + 2 * e.nameBytes.length + e.body.length
  // No ZIP64: the runtime refuses it, and lazy chunks come nowhere near 4 GiB or 65535 files.
  if (prepared.length >= 0xFFFF || size >= 0xFFFFFFFF) throw new Error(`Zip archive too large (${prepared.length} entries, ${size} bytes): ZIP64 is not supported.`)

  const bytes = new Uint8Array(size)
  const view = new DataView(bytes.buffer)
  let p = 0
  const u16 = (v: number) => {
    view.setUint16(p, v, true)
    p += 2
  }
  const u32 = (v: number) => {
    view.setUint32(p, v >>> 0, true)
    p += 4
  }
  const header = (e: typeof prepared[number], central: boolean) => {
    u32(central ? 0x02014B50 : 0x04034B50)
    if (central) u16(MADE_BY)
    u16(e.method === 8 || e.directory ? 20 : 10) // version needed: 2.0 for deflate and folders
    u16(/[^\x00-\x7F]/.test(e.name) ? 0x800 : 0) // bit 11: the name is UTF-8
    u16(e.method)
    u16(DOS_TIME)
    u16(DOS_DATE)
    u32(e.crc32)
    u32(e.body.length)
    u32(e.data.length)
    u16(e.nameBytes.length)
    u16(0) // extra field length
  }

  const entries: WrittenEntry[] = []
  for (const e of prepared) {
    const offset = p
    header(e, false)
    bytes.set(e.nameBytes, p)
    p += e.nameBytes.length
    entries.push({ name: e.name, offset, dataOffset: p, compressedSize: e.body.length, size: e.data.length, crc32: e.crc32, method: e.method })
    bytes.set(e.body, p)
    p += e.body.length
  }
  const cd = p
  prepared.forEach((e, i) => {
    header(e, true)
    u16(0) // comment length
    u16(0) // disk number start
    u16(0) // internal attributes
    u32(e.directory ? DIR_MODE : FILE_MODE)
    u32(entries[i].offset)
    bytes.set(e.nameBytes, p)
    p += e.nameBytes.length
  })
  const cdSize = p - cd
  u32(0x06054B50)
  u16(0) // this disk
  u16(0) // disk with the central directory
  u16(prepared.length)
  u16(prepared.length)
  u32(cdSize)
  u32(cd)
  u16(0) // comment length
  return { bytes, entries }
}
