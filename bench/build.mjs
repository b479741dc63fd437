// The build benchmark: whole-process wall time of `node bench/build-once.mjs <variant>`, each build in a
// fresh child process, variants interleaved in rounds (each round runs every variant once, in a random
// order), so drift on a noisy machine hits all variants alike. Ratios are taken within a round.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fmt, median, summary, table } from './lib/stats.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))

export function buildOnce(variant, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, [join(here, 'build-once.mjs'), variant], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => { stdout += chunk })
    child.stderr.on('data', (chunk) => { stderr += chunk })
    child.on('error', reject)
    child.on('exit', (code) => {
      const wallMs = performance.now() - t0
      const line = stdout.trim().split('\n').findLast(text => text.startsWith('{'))
      if (code !== 0 || !line)
        return reject(new Error(`build-once ${variant} exited with ${code}:\n${stderr || stdout}`))
      resolve({ wallMs, ...JSON.parse(line), warnings: stderr.trim() || undefined })
    })
  })
}

/** Busy and total CPU time of the machine so far, in ms (Linux /proc/stat; undefined elsewhere). */
function machineCpu() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    const total = fields.reduce((sum, value) => sum + value, 0)
    const idle = fields[3] + (fields[4] ?? 0)
    const tick = 10 // USER_HZ is 100 on Linux
    return { busyMs: (total - idle) * tick, totalMs: total * tick }
  }
  catch {
    return undefined
  }
}

/**
 * Waits until the machine looks quiet (at least `minIdle` of the CPUs idle over 0.4 s), at most
 * `timeoutMs`. Then one untimed build, because here a build that follows an idle pause runs up to
 * 1.4× slower than one that follows another build (measured; see README).
 */
async function waitQuiet({ minIdle, timeoutMs }, warmVariant, env) {
  const t0 = performance.now()
  let idle
  do {
    const a = machineCpu()
    await new Promise(resolve => setTimeout(resolve, 400))
    const b = machineCpu()
    idle = a && b && b.totalMs > a.totalMs ? 1 - (b.busyMs - a.busyMs) / (b.totalMs - a.totalMs) : undefined
    if (idle === undefined || idle >= minIdle)
      break
  } while (performance.now() - t0 < timeoutMs)
  await buildOnce(warmVariant, env)
  return { idle: idle === undefined ? undefined : Math.round(idle * 100) / 100, waitedMs: Math.round(performance.now() - t0) }
}

function shuffle(list) {
  const out = [...list]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/**
 * @param {object} o
 * @param {string[]} o.variants the first is the baseline ratios are taken against ("without")
 * @param {number} o.rounds timed rounds (pairs, with two variants)
 * @param {number} o.warmup untimed rounds first (file cache, JIT caches)
 */
export async function runBuildBench({ variants, rounds, warmup = 1, env, quiet = false, maxOtherCores = 0.25, log = console.log }) {
  const [baseline] = variants
  const runs = []
  for (let round = -warmup; round < rounds; round++) {
    const order = shuffle(variants)
    const results = {}
    const waited = quiet && round >= 0 ? await waitQuiet(quiet, baseline, env) : undefined
    // CPU the rest of the machine used while this round ran: the machine's busy time minus our builds'.
    const cpuBefore = machineCpu()
    const t0 = performance.now()
    for (const variant of order)
      results[variant] = await buildOnce(variant, env)
    const cpuAfter = machineCpu()
    const otherCores = cpuBefore && cpuAfter
      ? Math.max(0, (cpuAfter.busyMs - cpuBefore.busyMs) - Object.values(results).reduce((sum, r) => sum + r.cpuMs, 0)) / (performance.now() - t0)
      : undefined
    const before = { ...waited, otherCores: otherCores === undefined ? undefined : Math.round(otherCores * 100) / 100, quiet: otherCores === undefined || otherCores <= maxOtherCores }
    if (round < 0) {
      checkSane(results, log)
      continue
    }
    runs.push({ round, order, results, before })
    const note = before.otherCores === undefined ? '' : `  (other load ${before.otherCores.toFixed(2)} cores${before.quiet ? '' : ': contended'})`
    log(`  round ${String(round + 1).padStart(2)}/${rounds}  ${order.map(variant => `${variant} ${results[variant].wallMs.toFixed(0)} ms`).join('  ')}${note}`)
  }
  const quietRuns = runs.filter(run => run.before.quiet)

  const perVariant = {}
  for (const variant of variants) {
    perVariant[variant] = {
      wallMs: summary(runs.map(run => run.results[variant].wallMs)),
      // In-process: vite.build() alone, without Node start-up and imports.
      buildMs: summary(runs.map(run => run.results[variant].buildMs)),
      cpuMs: summary(runs.map(run => run.results[variant].cpuMs)),
      // User-mode CPU alone: the steadiest measure here, where the kernel's share swings by 300 ms between runs.
      userCpuMs: summary(runs.map(run => run.results[variant].rusage.userMs)),
      minorPageFaults: median(runs.map(run => run.results[variant].rusage.minorPageFault)),
      chunks: runs[0]?.results[variant].chunks,
      modules: runs[0]?.results[variant].modules,
      outputBytes: runs[0]?.results[variant].outputBytes,
      manifestModules: runs[0]?.results[variant].manifestModules,
      // Order check: the same variant's median when it ran first in its round, and when it did not.
      wallMsFirstInRound: medianOrNull(runs.filter(run => run.order[0] === variant).map(run => run.results[variant].wallMs)),
      wallMsLaterInRound: medianOrNull(runs.filter(run => run.order[0] !== variant).map(run => run.results[variant].wallMs)),
    }
  }
  const ratios = {}
  for (const variant of variants.slice(1)) {
    ratios[`${variant}/${baseline}`] = {
      wall: summary(runs.map(run => run.results[variant].wallMs / run.results[baseline].wallMs)),
      build: summary(runs.map(run => run.results[variant].buildMs / run.results[baseline].buildMs)),
      cpu: summary(runs.map(run => run.results[variant].cpuMs / run.results[baseline].cpuMs)),
      userCpu: summary(runs.map(run => run.results[variant].rusage.userMs / run.results[baseline].rusage.userMs)),
      // The same, from rounds during which the rest of the machine used at most `maxOtherCores` cores.
      quietWall: quietRuns.length ? summary(quietRuns.map(run => run.results[variant].wallMs / run.results[baseline].wallMs)) : undefined,
    }
  }
  log(table([
    ['build: whole-process wall', 'median', 'min', 'max', 'vite.build() median', 'CPU median', 'user CPU median', 'chunks', 'modules'],
    ...variants.map(variant => [variant, fmt.ms(perVariant[variant].wallMs.median), fmt.ms(perVariant[variant].wallMs.min), fmt.ms(perVariant[variant].wallMs.max), fmt.ms(perVariant[variant].buildMs.median), fmt.ms(perVariant[variant].cpuMs.median), fmt.ms(perVariant[variant].userCpuMs.median), perVariant[variant].chunks, perVariant[variant].modules]),
  ]))
  log(table([
    ['per-round ratio (wall)', 'median', 'min', 'max', 'vite.build() median', 'CPU median', 'user CPU median', `uncontended rounds (${quietRuns.length}) median`],
    ...Object.entries(ratios).map(([name, r]) => [name, fmt.x(r.wall.median), fmt.x(r.wall.min), fmt.x(r.wall.max), fmt.x(r.build.median), fmt.x(r.cpu.median), fmt.x(r.userCpu.median), r.quietWall ? fmt.x(r.quietWall.median) : '-']),
  ]))
  return { variants: perVariant, ratios, uncontendedRounds: quietRuns.length, maxOtherCores, waitForQuiet: quiet || undefined, runs: runs.map(({ round, order, results, before }) => ({ round, order, otherCores: before.otherCores, uncontended: before.quiet, waitedMs: before.waitedMs, wallMs: mapValues(results, r => round1(r.wallMs)), buildMs: mapValues(results, r => round1(r.buildMs)), cpuMs: mapValues(results, r => round1(r.cpuMs)), userCpuMs: mapValues(results, r => round1(r.rusage.userMs)) })) }
}

function checkSane(results, log) {
  const withPlugin = results.with
  if (withPlugin && withPlugin.manifestModules !== 55)
    throw new Error(`the "with" build registered ${withPlugin.manifestModules} lazy modules, expected 55 (50 charts + 5 marked)`)
  for (const [variant, result] of Object.entries(results)) {
    if (result.warnings)
      log(`  (${variant} printed: ${result.warnings.split('\n')[0].slice(0, 160)})`)
  }
}

function medianOrNull(values) {
  return values.length ? round1(median(values)) : null
}

function mapValues(object, fn) {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, fn(value)]))
}

function round1(value) {
  return Math.round(value * 10) / 10
}
