// Time to parse (and fully check) the index of an archive of 1,000 small entries, as ZipImporter
// does once per archive. Usage: node bench/zip-index.mjs [entries] [runs]
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'rolldown'

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, '.tmp', 'zip-index')
mkdirSync(out, { recursive: true })
// Node 20 cannot import .ts, so bundle the sources first (unminified, as the app's bundler would not change the work).
await build({ input: { zip: join(here, '../src/runtime/zip.ts'), writer: join(here, '../src/core/zip-writer.ts') }, platform: 'node', logLevel: 'silent', external: [/^node:/], output: { dir: out, format: 'es', entryFileNames: '[name].mjs' } })
const { parseZip, readEntry } = await import(pathToFileURL(join(out, 'zip.mjs')).href)
const { writeZip } = await import(pathToFileURL(join(out, 'writer.mjs')).href)

const count = Number(process.argv[2] || 1000)
const runs = Number(process.argv[3] || 200)
const files = Array.from({ length: count }, (_, i) => ({
  name: `chunks/module-${String(i).padStart(4, '0')}-${(i * 2654435761 >>> 0).toString(36)}.js`,
  data: new TextEncoder().encode(`export default function m${i}() { return ${i} }\n`),
}))
const { bytes } = writeZip(files, { compression: 'store' })

const time = (fn) => {
  for (let i = 0; i < 20; i++) fn() // warm up the JIT
  const t = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    fn()
    t.push(performance.now() - start)
  }
  t.sort((a, b) => a - b)
  return { median: t[runs >> 1], p90: t[Math.floor(runs * 0.9)] }
}
const parse = time(() => parseZip(bytes, 'bench.zip'))
const entries = [...parseZip(bytes, 'bench.zip').values()]
const last = entries.at(-1)
const reads = []
for (let i = 0; i < runs; i++) {
  const start = performance.now()
  await readEntry(bytes, last, 'bench.zip')
  reads.push(performance.now() - start)
}
reads.sort((a, b) => a - b)
console.log(`archive: ${count} stored entries, ${bytes.length} bytes; ${runs} runs, Node ${process.version}`)
console.log(`parseZip:  median ${parse.median.toFixed(3)} ms, p90 ${parse.p90.toFixed(3)} ms (${(parse.median * 1000 / count).toFixed(2)} µs/entry)`)
console.log(`readEntry (one stored entry): median ${(reads[runs >> 1] * 1000).toFixed(1)} µs`)
