// The build-cost goal of issue 12, as one command: the same app built by Vite 8 with the plugin (marked
// imports, the registry and the default report) and without it (hand-written `import()` and
// `import.meta.glob`), at 2,000 and at 5,000 modules. Per size and config: one untimed round, then 11
// rounds whose order alternates (without first, then with first, ...), each build a fresh process. The
// goal is a median per-round ratio of at most 1.05× in CPU time and in wall time. Writes
// bench/results-build.json.
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
//                   (the baseline pays no compression of its own);
//          off      Vite's defaults, and the "with" build with `report: false`: what the plugin costs
//                   without its report (not run unless named).
//        BENCH_BEFORE_DIST=<dir>   an earlier `dist/` of the plugin, timed as a third build in the same rounds
//                                  (configs default and lean): before and after, side by side
//        BENCH_OUT=bench/results-build.json
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildOnce } from './build.mjs'
import { generateApp } from './gen-app.mjs'
import { copyDist } from './lib/dist.mjs'
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
  off: { env: { BENCH_VITE_REPORT: '1' }, with: 'with:{"report":false}' },
}

const dist = join(here, '.tmp', 'dist')
const plugin = copyDist(join(root, 'dist'), dist)
// BENCH_BEFORE_DIST: an earlier build of the plugin, copied aside too, timed in the same rounds.
const before = process.env.BENCH_BEFORE_DIST && join(here, '.tmp', 'dist-before')
if (before) {
  plugin.before = { from: process.env.BENCH_BEFORE_DIST, sha256: copyDist(process.env.BENCH_BEFORE_DIST, before).sha256 }
}
const version = pkg => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version
const results = {
  date: new Date().toISOString(),
  goal: GOAL,
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, loadavgAtStart: loadavg().map(v => +v.toFixed(2)) },
  versions: { vite: version('vite'), rolldown: version('vite/node_modules/rolldown') }, // the Rolldown Vite builds with
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
    // The builds of a round: "without" first in the list, ratios are taken against it.
    const sides = [{ side: 'without', variant: 'without', env }, { side: 'with', variant: withVariant, env }]
    if (before && config !== 'cold') // the earlier plugin has no size cache: "cold" would measure it again
      sides.unshift({ side: 'before', variant: withVariant, env: { ...env, BENCH_DIST: before } })
    const run = { modules: app.modulesPerBuild, config, rounds: [] }
    console.log(`\n${app.modulesPerBuild} modules, config "${config}": 1 untimed round, then ${pairs} rounds of [${sides.map(s => s.side).join(', ')}], "without" and "with" alternating which goes first`)
    for (let round = -1; round < pairs; round++) {
      // "without" and "with" alternate which goes first; "before", when there, goes first then last.
      const order = round % 2 === 0 ? sides : [...sides].reverse()
      const out = {}
      for (const { side, variant, env: sideEnv } of order)
        out[side] = await buildOnce(variant, sideEnv)
      if (round < 0) {
        if (out.with.manifestModules !== 55)
          throw new Error(`the "with" build registered ${out.with.manifestModules} lazy modules, expected 55`)
        continue
      }
      const record = { order: order.map(s => s.side) }
      for (const { side } of sides)
        record[side] = { wallMs: round1(out[side].wallMs), cpuMs: round1(out[side].cpuMs), userMs: round1(out[side].rusage.userMs) }
      run.rounds.push(record)
      console.log(`  round ${String(round + 1).padStart(2)}/${pairs}  ${order.map(({ side }) => `${side} ${out[side].wallMs.toFixed(0)} ms (cpu ${out[side].cpuMs.toFixed(0)})`).join('  ')}`)
    }
    const med = (side, key) => round1(median(run.rounds.map(r => r[side][key])))
    run.median = Object.fromEntries(sides.map(({ side }) => [side, { wallMs: med(side, 'wallMs'), cpuMs: med(side, 'cpuMs'), userMs: med(side, 'userMs') }]))
    run.ratio = {}
    for (const { side } of sides.filter(({ side }) => side !== 'without')) {
      const ratio = key => round3(median(run.rounds.map(r => r[side][key] / r.without[key])))
      run.ratio[side] = { cpu: ratio('cpuMs'), wall: ratio('wallMs'), userCpu: ratio('userMs') }
      rows.push([`${app.modulesPerBuild}`, config, side, `${run.median.without.cpuMs.toFixed(0)} / ${run.median[side].cpuMs.toFixed(0)} ms`, `${run.ratio[side].cpu.toFixed(3)}×`, `${run.median.without.wallMs.toFixed(0)} / ${run.median[side].wallMs.toFixed(0)} ms`, `${run.ratio[side].wall.toFixed(3)}×`, `${run.ratio[side].userCpu.toFixed(3)}×`, run.ratio[side].cpu <= GOAL && run.ratio[side].wall <= GOAL ? 'met' : 'NOT met'])
    }
    run.met = run.ratio.with.cpu <= GOAL && run.ratio.with.wall <= GOAL
    results.runs.push(run)
  }
}

console.log(`\nmedians of ${pairs} rounds; ratio = median of the per-round ratios to "without" (goal ≤ ${GOAL}×)`)
console.log(table([['modules', 'config', 'plugin', 'CPU without / with', 'CPU ratio', 'wall without / with', 'wall ratio', 'user CPU ratio', 'goal'], ...rows]))
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
