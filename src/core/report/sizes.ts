// Measuring files: raw, gzip and brotli bytes, and their sums. Costs and the choice of brotli
// quality are in docs/report.md.
import type { Sizes } from './types'
import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'

/** What servers use when they compress on the fly; quality 11 is far slower (docs/report.md). */
export const BROTLI_QUALITY = 5

const gzipAsync = promisify(gzip)
const brotliAsync = promisify(brotliCompress)

/**
 * Compresses on libuv's thread pool, so files are measured in parallel. Holds the sizes of the last
 * report, so a watch rebuild measures only the files whose bytes changed.
 */
export class SizeCache {
  private previous = new Map<string, Promise<Sizes>>()
  private current = new Map<string, Promise<Sizes>>()

  /** Gzip level 9, as in the manifest; brotli only when asked for (`null` otherwise). */
  measure(data: string | Uint8Array, brotli = true): Promise<Sizes> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data
    const key = `${brotli}:${createHash('sha1').update(bytes).digest('base64')}`
    const sizes = this.current.get(key) ?? this.previous.get(key) ?? Promise.all([
      gzipAsync(bytes, { level: 9 }),
      brotli ? brotliAsync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }) : null,
    ]).then(([gzipped, brotlied]) => ({ raw: bytes.length, gzip: gzipped.length, brotli: brotlied?.length ?? null }))
    this.current.set(key, sizes)
    return sizes
  }

  /** Starts a report: the sizes the previous one did not ask for are forgotten. */
  nextBuild(): void {
    this.previous = this.current
    this.current = new Map()
  }
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
