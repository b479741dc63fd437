// The plugin's fixed costs in one fresh process, each timed on its own (what a build pays once, cold):
// importing the plugin after Vite, creating it, the first transform of a marked file and of the runtime
// (JIT-cold), the same again warm, and the per-build hashing and gzip of lazy chunks in generateBundle.
// Prints one JSON line. Run by bench/costs.mjs, which repeats it in fresh processes.
// Needs a finished "with" build of the generated app (bench/.tmp/app/dist-with).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'

const app = process.env.BENCH_APP
const dist = process.env.BENCH_DIST
const times = {}
const time = async (name, fn) => {
  const t0 = performance.now()
  const out = await fn()
  times[name] = performance.now() - t0
  return out
}

await time('import vite', () => import('vite'))
const { unpluginFactory } = await time('import plugin (dist/index.mjs and its dependencies)', () => import(pathToFileURL(join(dist, 'index.mjs')).href))
const hooks = await time('create plugin', () => unpluginFactory({ modules: { 'charts/*': 'src/charts/*.js' }, root: app }, { framework: 'vite' }))
await time('buildStart (glob scan)', () => hooks.buildStart.call({}))

const entryId = join(app, 'src/variant-with/lazy-entry.js')
const entry = readFileSync(entryId, 'utf8')
const runtimeId = join(dist, 'runtime/index.mjs')
const runtime = readFileSync(runtimeId, 'utf8')
// A resolver that answers at once, so this measures the handler's own work, not waiting on the bundler.
const context = {
  resolve: async (source, importer) => ({ id: join(importer, '..', source), external: false }),
  error: (error) => { throw new Error(error.message) },
}
const transform = hooks.transform.handler
await time('transform marked file, cold', () => transform.call(context, entry, entryId))
await time('transform runtime (marker text in a message), cold', () => transform.call(context, runtime, runtimeId))
await time('transform marked file, warm', () => transform.call(context, entry, entryId))
await time('transform runtime, warm', () => transform.call(context, runtime, runtimeId))

// generateBundle: sha-384 and gzip -9 of each lazy module's chunk, as collectFacts does.
const manifest = JSON.parse(readFileSync(join(app, 'dist-with', 'lazy-manifest.json'), 'utf8'))
const chunks = Object.values(manifest.modules).map(module => readFileSync(join(app, 'dist-with', module.file), 'utf8'))
await time(`gzip -9 of ${chunks.length} lazy chunks`, () => chunks.forEach(code => gzipSync(code, { level: 9 })))
await time(`sha-384 of ${chunks.length} lazy chunks`, () => chunks.forEach(code => createHash('sha384').update(code).digest('base64')))
times['lazy chunk bytes'] = chunks.reduce((sum, code) => sum + Buffer.byteLength(code), 0)

console.log(JSON.stringify(times))
