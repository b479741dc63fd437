// Repeats bench/costs-once.mjs in fresh processes and reports the median of each fixed cost.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, table } from './lib/stats.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))

export function runCosts({ runs, env, log = console.log }) {
  const samples = []
  for (let n = 0; n < runs; n++) {
    const out = execFileSync(process.execPath, [join(here, 'costs-once.mjs')], { env: { ...process.env, ...env }, encoding: 'utf8' })
    samples.push(JSON.parse(out.trim().split('\n').at(-1)))
  }
  const result = {}
  for (const key of Object.keys(samples[0]))
    result[key] = Math.round(median(samples.map(sample => sample[key])) * 10) / 10
  log(`the plugin's fixed costs, one at a time in a fresh process (median of ${runs}):`)
  log(table([
    ['cost', 'ms'],
    ...Object.entries(result).filter(([key]) => !key.includes('bytes')).map(([key, ms]) => [key, ms.toFixed(1)]),
  ]))
  return { runs, medians: result }
}
