// One Vite build of the generated app, in this process, then exit. The parent (bench/build.mjs) times
// the whole process; this script also prints one JSON line with what it saw.
//
// Usage: node bench/build-once.mjs <variant>
//   with            the plugin, `modules: { 'charts/*': 'src/charts/*.js' }`, app variant "with"
//   without         no plugin, app variant "without" (hand-written import() and import.meta.glob)
//   with-nofilter   as "with", but the transform hook's `filter` removed (diagnosis: every module reaches JS)
//   with-no-<hook>  as "with", without that hook (diagnosis: what one hook costs), e.g. with-no-generateBundle
//   with:<json>     as "with", with these plugin options merged in, e.g. 'with:{"report":false}'
//   noop            no lazy plugin; a do-nothing plugin whose transform returns null for every module, app "without"
//   noop-filtered   as "noop", with a `filter: { code }` that never matches
//   gb-empty, gb-read, gb-write   app "without" plus one JS generateBundle hook: empty, reading every
//                   chunk's code, appending a line to the entry chunk (diagnosis)
//   import-only     app "without", the plugin imported and created but not used (its load-time cost)
//   plugin          app "without" with the plugin in `plugins`, default options: what adding the plugin
//                   costs a 2,000-module build before any import is marked (the issue's ≤ 1.03× goal)
//   ids-filtered    app "without" plus resolveId (order: pre) and load hooks whose id filters never match
// Env: BENCH_APP (app folder, default bench/.tmp/app), BENCH_DIST (plugin build, default bench/.tmp/dist,
//      else dist/), BENCH_PROFILE=1 (count and time every plugin hook call; adds overhead),
//      BENCH_COLD_SIZES=1 (delete the report's size cache, <app>/node_modules/.cache/unplugin-lazy-modules,
//      before building: the report compresses every file, as in a first build or after a change),
//      BENCH_VITE_REPORT=1 (Vite's log at level info with its compressed sizes, as by default; the bench
//      otherwise logs warnings only and sets build.reportCompressedSize: false, in both variants).
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const variant = process.argv[2]
const VARIANTS = ['with', 'without', 'plugin', 'with-nofilter', 'with-no-<hook>', 'noop', 'noop-filtered', 'gb-empty', 'gb-read', 'gb-write', 'import-only', 'ids-filtered']
const ablated = /^with-no-(\w+)$/.exec(variant)?.[1]
// `with:{"report":false}`: the "with" build with these options merged into the plugin's.
const extraOptions = variant.startsWith('with:') ? JSON.parse(variant.slice(5)) : undefined
if (!VARIANTS.includes(variant) && !(ablated && ablated !== 'filter') && !extraOptions) {
  console.error(`usage: node bench/build-once.mjs <${VARIANTS.join('|')}>`)
  process.exit(2)
}
const app = process.env.BENCH_APP ?? join(here, '.tmp', 'app')
const dist = process.env.BENCH_DIST ?? (existsSync(join(here, '.tmp', 'dist', 'vite.mjs')) ? join(here, '.tmp', 'dist') : join(here, '..', 'dist'))
const profile = process.env.BENCH_PROFILE === '1'
const viteReport = process.env.BENCH_VITE_REPORT === '1'

if (process.env.BENCH_COLD_SIZES === '1')
  rmSync(join(app, 'node_modules', '.cache', 'unplugin-lazy-modules'), { recursive: true, force: true })

const started = performance.now()
const { build, version: viteVersion } = await import('vite')
const plugins = []
const usesPlugin = variant.startsWith('with-') || variant.startsWith('with:') || variant === 'with'
if (usesPlugin) {
  const { default: LazyModules } = await import(pathToFileURL(join(dist, 'vite.mjs')).href)
  const plugin = LazyModules({ modules: { 'charts/*': 'src/charts/*.js' }, ...extraOptions })
  if (variant === 'with-nofilter')
    delete plugin.transform.filter
  else if (ablated) {
    // Diagnosis only: the build without one of the plugin's hooks (its output is then incomplete).
    if (!(ablated in plugin))
      throw new Error(`the plugin has no hook ${ablated}: ${Object.keys(plugin).join(', ')}`)
    delete plugin[ablated]
  }
  plugins.push(plugin)
}
// A JavaScript generateBundle hook alone, on the "without" app: empty; reading every chunk's code;
// appending a line to one chunk (what the plugin does to fill the registry).
if (variant === 'plugin') // the plugin on the unmarked app: every hook runs, nothing to rewrite
  plugins.push(await import(pathToFileURL(join(dist, 'vite.mjs')).href).then(({ default: LazyModules }) => LazyModules()))
if (variant === 'import-only') // the plugin's import and creation, but not used
  await import(pathToFileURL(join(dist, 'vite.mjs')).href).then(({ default: LazyModules }) => LazyModules({ modules: { 'charts/*': 'src/charts/*.js' } }))
if (variant === 'ids-filtered') { // resolveId (order: pre) and load hooks whose id filters never match
  plugins.push({
    name: 'ids-filtered',
    resolveId: { order: 'pre', filter: { id: /^never-such-id$/ }, handler: () => null },
    load: { filter: { id: /^\0never-such-id$/ }, handler: () => null },
  })
}
if (variant === 'gb-empty')
  plugins.push({ name: 'gb-empty', generateBundle() {} })
if (variant === 'gb-read') {
  plugins.push({ name: 'gb-read', generateBundle(_, bundle) {
    let bytes = 0
    for (const file of Object.values(bundle))
      bytes += file.type === 'chunk' ? file.code.length : 0
    globalThis.__benchBytes = bytes
  } })
}
if (variant === 'gb-write') {
  plugins.push({ name: 'gb-write', generateBundle(_, bundle) {
    const entry = Object.values(bundle).find(file => file.type === 'chunk' && file.isEntry)
    entry.code += '\nfunction __benchFacts() { return null }\n'
  } })
}
if (variant === 'noop')
  plugins.push({ name: 'noop', transform: () => null })
if (variant === 'noop-filtered')
  plugins.push({ name: 'noop-filtered', transform: { filter: { code: /\bwith\s*\{[^}]*?\bnever_in_this_app\b/ }, handler: () => null } })

const calls = profile ? instrument(plugins) : undefined
const imported = performance.now()

const result = await build({
  configFile: false,
  root: app,
  // BENCH_VITE_REPORT=1: Vite's own defaults for the log, which include gzip sizes of every chunk.
  logLevel: viteReport ? 'info' : 'warn',
  plugins,
  resolve: { alias: { '@variant': join(app, 'src', usesPlugin ? 'variant-with' : 'variant-without') } },
  build: { outDir: `dist-${variant.replace(/[^\w-]+/g, '_')}`, emptyOutDir: true, reportCompressedSize: viteReport, chunkSizeWarningLimit: 100_000 },
})
const built = performance.now()

const output = (Array.isArray(result) ? result[0] : result).output
const chunks = output.filter(file => file.type === 'chunk')
const outDir = join(app, `dist-${variant.replace(/[^\w-]+/g, '_')}`)
const manifestFile = join(outDir, 'lazy-manifest.json')
const manifest = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')) : undefined

console.log(JSON.stringify({
  variant,
  vite: viteVersion,
  node: process.version,
  // Since this process started (performance.timeOrigin), so it includes Node's own start-up.
  totalMs: performance.now(),
  // CPU time of every thread of this process (Rolldown's workers too): steadier than wall time when
  // other tenants take the cores, but it misses time a thread spends waiting on another.
  cpuMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage()),
  rusage: (({ userCPUTime, systemCPUTime, minorPageFault, majorPageFault, voluntaryContextSwitches, involuntaryContextSwitches, maxRSS }) =>
    ({ userMs: userCPUTime / 1000, systemMs: systemCPUTime / 1000, minorPageFault, majorPageFault, voluntaryContextSwitches, involuntaryContextSwitches, maxRssMB: Math.round(maxRSS / 1024) }))(process.resourceUsage()),
  importMs: imported - started,
  buildMs: built - imported,
  chunks: chunks.length,
  modules: new Set(chunks.flatMap(chunk => chunk.moduleIds)).size,
  outputBytes: folderBytes(outDir),
  manifestModules: manifest ? Object.keys(manifest.modules).length : undefined,
  calls,
}))

/** Wraps each hook handler to count calls and time them (async ones until they settle). */
function instrument(list) {
  const stats = {}
  for (const plugin of list) {
    for (const [hook, value] of Object.entries(plugin)) {
      const isHook = typeof value === 'function' || (value && typeof value === 'object' && typeof value.handler === 'function')
      if (!isHook || hook === 'api' || hook === 'name')
        continue
      const key = `${plugin.name}:${hook}`
      const entry = stats[key] = { calls: 0, ms: 0, returned: 0, resolveCalls: 0, resolveMs: 0, nativeFilter: typeof value === 'object' && 'filter' in value, each: [] }
      const original = typeof value === 'function' ? value : value.handler
      const wrapped = function (...args) {
        entry.calls++
        const t0 = performance.now()
        const subject = hook === 'transform' ? args[1] : typeof args[0] === 'string' ? args[0] : undefined
        const done = (out) => {
          const ms = performance.now() - t0
          entry.ms += ms
          // The first calls one by one: which ids reached JavaScript, and what each cost.
          if (subject !== undefined && entry.each.length < 20)
            entry.each.push({ id: relative(app, subject), ms: Math.round(ms * 10) / 10, changed: out != null })
          if (out != null)
            entry.returned++
          return out
        }
        // Time spent awaiting the bundler's resolver inside the hook is counted apart: it is waiting, not work.
        const context = hook === 'transform' ? timedResolve(this, entry) : this
        const out = original.apply(context, args)
        return out && typeof out.then === 'function' ? out.then(done, (error) => { done(); throw error }) : done(out)
      }
      if (typeof value === 'function')
        plugin[hook] = wrapped
      else
        value.handler = wrapped
    }
  }
  return stats
}

function timedResolve(context, entry) {
  return new Proxy(context, {
    get(target, key) {
      const value = Reflect.get(target, key, target)
      if (key !== 'resolve')
        return typeof value === 'function' ? value.bind(target) : value
      return async (...args) => {
        const t0 = performance.now()
        try {
          return await value.apply(target, args)
        }
        finally {
          entry.resolveCalls++
          entry.resolveMs += performance.now() - t0
        }
      }
    },
  })
}

function folderBytes(dir) {
  let total = 0
  for (const name of readdirSync(dir, { recursive: true })) {
    const stat = statSync(join(dir, name))
    if (stat.isFile())
      total += stat.size
  }
  return total
}

