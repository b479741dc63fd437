// Bytes over the wire: the lazy chunks of a loose build, each compressed alone (as a server compresses
// each response), against one archive compressed as one response.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

export const brotli = bytes => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length
export const gzip = bytes => gzipSync(bytes, { level: 9 }).length
const measure = bytes => ({ raw: bytes.length, gzip: gzip(bytes), brotli: brotli(bytes) })
const sum = list => list.reduce((total, item) => ({ raw: total.raw + item.raw, gzip: total.gzip + item.gzip, brotli: total.brotli + item.brotli }), { raw: 0, gzip: 0, brotli: 0 })

/** builds: { loose, store, deflate } from buildApp(). */
export function compareSizes(builds) {
  const { loose, store, deflate } = builds
  const perChunk = loose.looseLazy.map(file => ({ file, ...measure(loose.code(file)) }))
  const looseTotal = sum(perChunk)
  // The same chunks as the store build archived them, compressed one by one (a cross-check: the loose
  // and archive builds should chunk alike).
  const archivedPerChunk = sum(store.archived.map(file => measure(store.code(file))))
  const concatenated = measure(Buffer.concat(store.archived.map(file => store.code(file))))
  const zipOf = build => readFileSync(join(build.outDir, build.archives[0]))
  const stored = measure(zipOf(store))
  const deflated = measure(zipOf(deflate))
  // Reference: the same modules in one ordinary chunk (what a bundler's chunk groups give).
  const grouped = builds.grouped ? sum(builds.grouped.looseLazy.map(file => measure(builds.grouped.code(file)))) : undefined
  // What archives add elsewhere: the archive loader chunk, and the registry's archive facts in the entry chunk.
  const entry = build => sum(build.initial.map(file => measure(build.code(file))))
  const loader = build => sum(build.archiveLoader.map(file => measure(build.code(file))))
  const ratio = (a, b) => +(a / b).toFixed(3)
  return {
    modules: Object.keys(loose.manifest.modules).length,
    looseChunks: loose.looseLazy.length,
    archivedEntries: store.archived.length,
    perChunk: looseTotal,
    perChunkOfArchivedEntries: archivedPerChunk,
    concatenated,
    storedZip: stored,
    deflatedZip: deflated,
    grouped,
    groupedChunks: builds.grouped?.looseLazy.length,
    ratios: {
      storedBrotliVsPerChunkBrotli: ratio(stored.brotli, looseTotal.brotli),
      storedGzipVsPerChunkGzip: ratio(stored.gzip, looseTotal.gzip),
      deflatedBrotliVsPerChunkBrotli: ratio(deflated.brotli, looseTotal.brotli),
      deflatedGzipVsPerChunkGzip: ratio(deflated.gzip, looseTotal.gzip),
      deflatedRawVsPerChunkBrotli: ratio(deflated.raw, looseTotal.brotli),
      concatenatedBrotliVsPerChunkBrotli: ratio(concatenated.brotli, looseTotal.brotli),
      storedRawVsPerChunkRaw: ratio(stored.raw, looseTotal.raw),
    },
    extra: {
      entryChunk: { loose: entry(loose), store: entry(store), deflate: entry(deflate), grouped: builds.grouped && entry(builds.grouped) },
      archiveLoaderChunk: loader(store),
    },
    largestChunks: perChunk.sort((a, b) => b.raw - a.raw).slice(0, 3),
    smallestChunks: perChunk.slice(-3),
  }
}
