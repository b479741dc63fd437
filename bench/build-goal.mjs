// The build-cost goal of issue 12, as one command: the same app built by Vite 8 with the plugin (marked
// imports, the registry and the default report) and without it (hand-written `import()` and
// `import.meta.glob`), at 2,000 and at 5,000 modules. Per size: one untimed pair, then 11 pairs whose
// order alternates (without first, then with first, ...), each build a fresh process. The goal is a
// median per-pair ratio of at most 1.05× in CPU time and in wall time. Writes bench/results-build.json.
//
// Usage: npm run build && node bench/build-goal.mjs
// Env:   BENCH_SIZES=2000,5000  BENCH_PAIRS=11
//        BENCH_CONFIGS=default,cold,lean   which configs to measure (default: all three):
//          default  Vite's defaults in both builds (log level info, reportCompressedSize: true), so the
//                   plugin's report is on as a user gets it; its size cache (in the app's
//                   node_modules/.cache) is warm from the untimed pair, as in a rebuild of the same code;
//          cold     the same, with the size cache deleted before each build: a first build, or one
//                   after a change to the first load's code, where the report compresses every file;
//          lean     both builds with reportCompressedSize: false and log level warn, and the "with" build
//                   with `report: true`, which turns the plugin's report back on: the stricter comparison
//                   (the baseline pays no compression of its own).
//        BENCH_OUT=bench/results-build.json
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHash } from 'node:crypto'
import { buildOnce } from './build.mjs'
import { generateApp } from './gen-app.mjs'
import { median, table } from './lib/stats.mjs'

const GOAL = 1.05
const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '..')
const sizes = (process.env.BENCH_SIZES ?? '2000,5000').split(',').map(Number)
const pairs = Number(process.env.BENCH_PAIRS ?? 11)
const configs = (process.env.BENCH_CONFIGS ?? 'default,cold,lean').split(',')
const CONFIGS = {
  default: { env: { BENCH_VITE_REPORT: '1' }, with: 'with' },
  cold: { env: { BENCH_VITE_REPORT: '1', BENCH_COLD_SIZES: '1' }, with: 'with' },
  lean: { env: {}, with: 'with:{"report":true}' },
}

// The plugin as built, copied aside so a rebuild of dist/ during the run cannot change it under the builds.
const built = join(root, 'dist')
if (!existsSync(join(built, 'vite.mjs'))) {
  console.error('dist/ is missing: run `npm run build` first.')
  process.exit(1)
}
const dist = join(here, '.tmp', 'dist')
rmSync(dist, { recursive: true, force: true })
cpSync(built, dist, { recursive: true })
const plugin = {
  builtAt: statSync(join(built, 'index.mjs')).mtime.toISOString(),
  sha256: createHash('sha256').update(readFileSync(join(dist, 'index.mjs'))).update(readFileSync(join(dist, 'runtime', 'index.mjs'))).digest('hex').slice(0, 16),
}
const version = pkg => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version
const results = {
  date: new Date().toISOString(),
  goal: GOAL,
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, loadavgAtStart: loadavg().map(v => +v.toFixed(2)) },
  versions: { vite: version('vite'), rolldown: version('rolldown') },
  plugin,
  pairs,
  runs: [],
}
console.log(`issue 12 build goal: node ${process.version}, vite ${results.versions.vite}, ${results.machine.cpus} CPUs, load ${results.machine.loadavgAtStart.join(' ')}; plugin ${plugin.sha256} built ${plugin.builtAt}`)

const rows = []
for (const modules of sizes) {
  const appDir = join(here, '.tmp', `app-${modules}`)
  const app = generateApp({ dir: appDir, modules })
  for (const config of configs) {
    const { env: configEnv, with: withVariant } = CONFIGS[config]
    const env = { BENCH_DIST: dist, BENCH_APP: appDir, ...configEnv }
    const run = { modules: app.modulesPerBuild, config, pairs: [] }
    console.log(`\n${app.modulesPerBuild} modules, config "${config}": 1 untimed pair, then ${pairs} alternating pairs`)
    for (let pair = -1; pair < pairs; pair++) {
      const order = pair % 2 === 0 ? ['without', withVariant] : [withVariant, 'without']
      const out = {}
      for (const variant of order)
        out[variant] = await buildOnce(variant, env)
      if (pair < 0) {
        if (out[withVariant].manifestModules !== 55)
          throw new Error(`the "with" build registered ${out[withVariant].manifestModules} lazy modules, expected 55`)
        continue
      }
      const [w, wo] = [out[withVariant], out.without]
      run.pairs.push({
        first: order[0] === 'without' ? 'without' : 'with',
        with: { wallMs: round1(w.wallMs), cpuMs: round1(w.cpuMs), userMs: round1(w.rusage.userMs) },
        without: { wallMs: round1(wo.wallMs), cpuMs: round1(wo.cpuMs), userMs: round1(wo.rusage.userMs) },
      })
      console.log(`  pair ${String(pair + 1).padStart(2)}/${pairs}  without ${wo.wallMs.toFixed(0)} ms (cpu ${wo.cpuMs.toFixed(0)})  with ${w.wallMs.toFixed(0)} ms (cpu ${w.cpuMs.toFixed(0)})`)
    }
    const ratio = key => round3(median(run.pairs.map(p => p.with[key] / p.without[key])))
    const med = (side, key) => round1(median(run.pairs.map(p => p[side][key])))
    run.median = {
      without: { wallMs: med('without', 'wallMs'), cpuMs: med('without', 'cpuMs'), userMs: med('without', 'userMs') },
      with: { wallMs: med('with', 'wallMs'), cpuMs: med('with', 'cpuMs'), userMs: med('with', 'userMs') },
    }
    run.ratio = { cpu: ratio('cpuMs'), wall: ratio('wallMs'), userCpu: ratio('userMs') }
    run.met = run.ratio.cpu <= GOAL && run.ratio.wall <= GOAL
    results.runs.push(run)
    rows.push([`${app.modulesPerBuild}`, config, `${run.median.without.cpuMs.toFixed(0)} / ${run.median.with.cpuMs.toFixed(0)} ms`, `${run.ratio.cpu.toFixed(3)}×`, `${run.median.without.wallMs.toFixed(0)} / ${run.median.with.wallMs.toFixed(0)} ms`, `${run.ratio.wall.toFixed(3)}×`, `${run.ratio.userCpu.toFixed(3)}×`, run.met ? 'met' : 'NOT met'])
  }
}

console.log(`\nmedians of ${pairs} pairs; ratio = median of the per-pair ratios with/without (goal ≤ ${GOAL}×)`)
console.log(table([['modules', 'config', 'CPU without / with', 'CPU ratio', 'wall without / with', 'wall ratio', 'user CPU ratio', 'goal'], ...rows]))
results.machine.loadavgAtEnd = loadavg().map(v => +v.toFixed(2))
const out = process.env.BENCH_OUT ?? join(here, 'results-build.json')
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`)
console.log(`\nwrote ${out} (load average at end: ${results.machine.loadavgAtEnd.join(' ')})`)

function round1(value) {
  return Math.round(value * 10) / 10
}
function round3(value) {
  return Math.round(value * 1000) / 1000
}
