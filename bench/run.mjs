// `npm run bench` (after `npm run build`): transform throughput, then the Vite build benchmark, then a
// hook profile. Prints tables and writes bench/results.json. See bench/README.md.
//
// Env:
//   BENCH_ONLY=transform|build    run one part (default both; "build" includes the profile)
//   BENCH_PAIRS=15                timed rounds of the build benchmark (one build per variant per round)
//   BENCH_WARMUP=1                untimed rounds first
//   BENCH_MODULES=2000            modules in the generated app
//   BENCH_VARIANTS=with-nofilter,noop   extra build variants, timed in the same rounds (see build-once.mjs)
//   BENCH_PROFILE_RUNS=3          profiled builds (0: none)
//   BENCH_MAX_OTHER_CORES=0.25    a round is "uncontended" if the rest of the machine used at most this
//                                 many cores meanwhile (/proc/stat); their ratios are also reported apart
//   BENCH_QUIET=1, BENCH_MIN_IDLE=0.75, BENCH_QUIET_MS=20000   before each round, wait (at most
//                                 BENCH_QUIET_MS) until the CPUs are BENCH_MIN_IDLE idle, then one
//                                 untimed build (off by default: rounds run back to back)
//   BENCH_COST_RUNS=7             fresh processes timing the plugin's fixed costs (0: none)
//   BENCH_OUT=bench/results.json  where to write the results
//   BENCH_VITE_REPORT=1           builds log at level info with Vite's gzip sizes (default: warn, no sizes)
//   BENCH_FILTER_ROUNDS=15, BENCH_PARSE_ROUNDS=5, BENCH_PARSE_MB=8, BENCH_CORPUS=dir,dir   (transform part)
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runBuildBench } from './build.mjs'
import { runCosts } from './costs.mjs'
import { generateApp } from './gen-app.mjs'
import { runProfile } from './profile.mjs'
import { copyDist } from './lib/dist.mjs'
import { runTransformBench } from './transform.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '..')
const only = process.env.BENCH_ONLY
const env = (name, fallback) => Number(process.env[name] ?? fallback)

const dist = join(here, '.tmp', 'dist')
const distInfo = copyDist(join(root, 'dist'), dist)
const childEnv = { BENCH_DIST: dist, BENCH_APP: join(here, '.tmp', 'app') }
const viteReport = process.env.BENCH_VITE_REPORT === '1'
const version = pkg => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version

const results = {
  date: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, loadavgAtStart: loadavg().map(v => +v.toFixed(2)) },
  versions: { vite: version('vite'), rolldown: version('rolldown'), rollup: version('rollup'), unplugin: version('unplugin'), acorn: version('acorn') },
  plugin: distInfo,
}
console.log(`unplugin-lazy-modules bench: node ${process.version}, vite ${results.versions.vite} (rolldown ${results.versions.rolldown}), ${results.machine.cpus} CPUs, load ${results.machine.loadavgAtStart.join(' ')}; dist built ${distInfo.builtAt}\n`)

if (!only || only === 'transform') {
  results.transform = await runTransformBench({ dist })
  console.log()
}

if (!only || only === 'build') {
  const modules = env('BENCH_MODULES', 2000)
  const app = generateApp({ dir: childEnv.BENCH_APP, modules })
  const extra = (process.env.BENCH_VARIANTS ?? '').split(',').map(name => name.trim()).filter(Boolean)
  const variants = ['without', 'with', ...extra.filter(name => name !== 'with' && name !== 'without')]
  const rounds = env('BENCH_PAIRS', 15)
  console.log(`build: app of ${app.modulesPerBuild} modules per build (${app.tsModules} TypeScript, ${(app.bytes / 1e6).toFixed(1)} MB of source); ${rounds} rounds of [${variants.join(', ')}] in random order, each build a fresh process\n`)
  const quiet = process.env.BENCH_QUIET === '1' ? { minIdle: env('BENCH_MIN_IDLE', 0.75), timeoutMs: env('BENCH_QUIET_MS', 20_000) } : false
  const build = await runBuildBench({ variants, rounds, warmup: env('BENCH_WARMUP', 1), env: childEnv, quiet, maxOtherCores: env('BENCH_MAX_OTHER_CORES', 0.25) })
  results.build = { app, goal: 1.03, viteConfig: viteReport ? 'logLevel info, reportCompressedSize true' : 'logLevel warn, reportCompressedSize false', ...build }
  const ratio = build.ratios['with/without'].wall.median
  console.log(`\nwith/without: median of per-round ratios ${ratio.toFixed(3)}× (goal ≤ 1.03×): ${ratio <= 1.03 ? 'met' : 'NOT met'}\n`)

  const profileRuns = env('BENCH_PROFILE_RUNS', 3)
  if (profileRuns > 0)
    results.profile = await runProfile({ runs: profileRuns, env: childEnv })
  const costRuns = env('BENCH_COST_RUNS', 7)
  if (costRuns > 0) {
    console.log()
    results.costs = runCosts({ runs: costRuns, env: childEnv })
  }
}

results.machine.loadavgAtEnd = loadavg().map(v => +v.toFixed(2))
const out = process.env.BENCH_OUT ?? join(here, 'results.json')
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`)
console.log(`\nwrote ${out} (load average at end: ${results.machine.loadavgAtEnd.join(' ')})`)
