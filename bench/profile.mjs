// Where the plugin's time goes in a Vite 8 build: every hook call counted and timed (BENCH_PROFILE=1 in
// build-once.mjs). Not a timing benchmark (the wrappers cost a little); it answers "which hooks reach
// JavaScript, how often, for how long", and whether the native hook filters are in effect.
import { buildOnce } from './build.mjs'
import { median, table } from './lib/stats.mjs'

export async function runProfile({ runs, env, variants = ['with'], log = console.log }) {
  const out = {}
  for (const variant of variants) {
    const samples = []
    for (let n = 0; n < runs; n++)
      samples.push(await buildOnce(variant, { ...env, BENCH_PROFILE: '1' }))
    const hooks = {}
    for (const key of Object.keys(samples[0].calls)) {
      const list = samples.map(sample => sample.calls[key])
      if (list.every(entry => entry.calls === 0))
        continue
      hooks[key.replace(/^unplugin-lazy-modules:/, '')] = {
        calls: median(list.map(entry => entry.calls)),
        ms: round1(median(list.map(entry => entry.ms))),
        ...(list[0].resolveCalls ? { resolveCalls: median(list.map(entry => entry.resolveCalls)), resolveWaitMs: round1(median(list.map(entry => entry.resolveMs))) } : {}),
        returnedSomething: median(list.map(entry => entry.returned)),
        nativeFilter: list[0].nativeFilter,
        // Calls one by one (first 20), from the first sample.
        each: list[0].each.length ? list[0].each : undefined,
      }
    }
    out[variant] = { runs, totalMs: round1(median(samples.map(sample => sample.totalMs))), hooks }
    log(`hooks of the "${variant}" build (median of ${runs} profiled builds; ms = wall time until each call settled):`)
    log(table([
      ['hook', 'calls', 'ms', 'of which awaiting this.resolve', 'native filter'],
      ...Object.entries(hooks).map(([hook, h]) => [hook, h.calls, h.ms.toFixed(1), h.resolveCalls ? `${h.resolveWaitMs.toFixed(1)} ms (${h.resolveCalls} calls)` : '', h.nativeFilter ? 'yes' : '']),
    ]))
    const transform = hooks.transform
    if (transform?.each)
      log(`  transform reached JS for: ${transform.each.map(call => `${call.id} (${call.ms} ms${call.changed ? ', rewritten' : ', unchanged'})`).join('; ')}`)
  }
  return out
}

function round1(value) {
  return Math.round(value * 10) / 10
}
