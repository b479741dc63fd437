// Measuring files: raw, gzip and brotli bytes, and their sums. Costs and the choice of brotli
// quality are in docs/report.md.
import type { Sizes } from './types'
import { createHash } from 'node:crypto'
import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import { sizeOf } from '../bytes'

/** What servers use when they compress on the fly; quality 11 is far slower (docs/report.md). */
export const BROTLI_QUALITY = 5

const gzipAsync = promisify(gzip)
const brotliAsync = promisify(brotliCompress)

/**
 * Sizes kept on disk depend on the bytes and on the compressors: another zlib or brotli, or another
 * level, could give other numbers, so it starts afresh.
 */
const DISK_VERSION = `1 gzip-9 brotli-${BROTLI_QUALITY} zlib ${process.versions.zlib} brotli ${process.versions.brotli}`
/** Entries kept on disk: this build's, then earlier ones up to this many (about 60 B each). */
const DISK_ENTRIES = 4000

/**
 * Where sizes are kept between builds: the root's own `node_modules/.cache`, where other tools keep
 * theirs; none when the root has no `node_modules` folder of its own (a link belongs to another tree).
 */
export function sizeCacheFile(root: string): string | undefined {
  try {
    return lstatSync(join(root, 'node_modules')).isDirectory() ? join(root, 'node_modules', '.cache', 'unplugin-lazy-modules', 'sizes.json') : undefined
  }
  catch {
    return undefined
  }
}

/**
 * Compresses on libuv's thread pool, so files are measured in parallel. Holds the sizes of the last
 * report, so a watch rebuild measures only the files whose bytes changed; with a file on disk
 * (`useDisk`), so does the next build. Compressing the first load's chunk is most of a report's cost
 * (bench/build.md), and its bytes are the same from one build to the next until its code changes.
 */
export class SizeCache {
  private previous = new Map<string, Promise<Sizes>>()
  private current = new Map<string, Promise<Sizes>>()
  private disk?: { file: string, sizes: Map<string, Sizes>, measured: boolean }

  /** Gzip level 9, as in the manifest; brotli only when asked for (`null` otherwise). */
  measure(data: string | Uint8Array, brotli = true): Promise<Sizes> {
    const key = `${brotli}:${digestOf(data)}`
    const stored = this.disk?.sizes.get(key)
    const sizes = this.current.get(key) ?? this.previous.get(key) ?? (stored ? Promise.resolve(stored) : this.compress(data, brotli))
    this.current.set(key, sizes)
    return sizes
  }

  /**
   * The gzip size of these bytes (level 9, as the report's): an earlier build's, kept on disk
   * (`useDisk`), else measured now and kept for the next build, with or without a report. The
   * manifest's sizes come from here, so an unchanged lazy chunk is not compressed again.
   */
  gzipOf(data: string | Uint8Array): number {
    if (!this.disk)
      return sizeOf(data).gzip
    const digest = digestOf(data)
    const known = this.disk.sizes.get(`true:${digest}`) ?? this.disk.sizes.get(`false:${digest}`)
    if (known)
      return known.gzip
    const sizes = { ...sizeOf(data), brotli: null }
    this.disk.sizes.set(`false:${digest}`, sizes)
    this.disk.measured = true
    return sizes.gzip
  }

  private compress(data: string | Uint8Array, brotli: boolean): Promise<Sizes> {
    if (this.disk)
      this.disk.measured = true
    const bytes = typeof data === 'string' ? Buffer.from(data) : data
    return Promise.all([
      gzipAsync(bytes, { level: 9 }),
      brotli ? brotliAsync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }) : null,
    ]).then(([gzipped, brotlied]) => ({ raw: bytes.length, gzip: gzipped.length, brotli: brotlied?.length ?? null }))
  }

  /** Starts a report: the sizes the previous one did not ask for are forgotten. */
  nextBuild(): void {
    this.previous = this.current
    this.current = new Map()
  }

  /** Reads sizes from earlier builds out of `file` (once); a missing or unreadable file is an empty one. */
  useDisk(file: string | undefined): void {
    if (!file || this.disk?.file === file)
      return
    const sizes = new Map<string, Sizes>()
    try {
      const data = JSON.parse(readFileSync(file, 'utf8'))
      if (data.version === DISK_VERSION) {
        for (const [key, [raw, gzip, brotli]] of Object.entries<[number, number, number | null]>(data.sizes))
          sizes.set(key, { raw, gzip, brotli })
      }
    }
    catch {}
    this.disk = { file, sizes, measured: false }
  }

  /**
   * Writes this build's sizes first, then earlier ones, when anything was measured anew. Written
   * aside and renamed, so a build reading at the same time sees the old file or the new one; a
   * failure to write (a read-only folder) only costs the next build its head start.
   */
  async saveDisk(): Promise<void> {
    if (!this.disk?.measured)
      return
    const { file, sizes: old } = this.disk
    const sizes = new Map<string, Sizes>()
    for (const [key, size] of this.current)
      sizes.set(key, await size)
    for (const [key, size] of old) {
      if (sizes.size >= DISK_ENTRIES)
        break
      if (!sizes.has(key))
        sizes.set(key, size)
    }
    this.disk = { file, sizes, measured: false }
    try {
      mkdirSync(dirname(file), { recursive: true })
      const temporary = `${file}.${process.pid}.tmp`
      writeFileSync(temporary, JSON.stringify({ version: DISK_VERSION, sizes: Object.fromEntries([...sizes].map(([key, { raw, gzip, brotli }]) => [key, [raw, gzip, brotli]])) }))
      renameSync(temporary, file)
    }
    catch {}
  }
}

/** The key is the hash of the bytes as written: a string hashes as its UTF-8, without a copy. */
function digestOf(data: string | Uint8Array): string {
  return createHash('sha1').update(data).digest('base64')
}

/** Brotli is `null` when it was not measured, and so is any sum that includes it. */
export function sumOf(sizes: Iterable<Sizes>): Sizes {
  const total: Sizes = { raw: 0, gzip: 0, brotli: 0 }
  for (const size of sizes) {
    total.raw += size.raw
    total.gzip += size.gzip
    total.brotli = total.brotli === null || size.brotli === null ? null : total.brotli + size.brotli
  }
  return total
}
