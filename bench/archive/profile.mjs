// CPU profile of the page's loadAll() in Chromium (V8 sampling profiler through CDP), summed by
// function over several fresh contexts: where the main thread goes for one build variant.
// Needs the builds of a previous `node bench/archive-bench.mjs` run (bench/.tmp/archive/out-load-*).
//
//   node bench/archive/profile.mjs [loose|store|deflate|grouped] [runs=5] [latency=40] [h1|h2]
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { launch } from './load.mjs'
import { startServers } from './server.mjs'

const [site = 'store', runs = '5', latency = '40', protocol = 'h2'] = process.argv.slice(2)
const dir = join(fileURLToPath(new URL('..', import.meta.url)), '.tmp', 'archive', `out-load-${site}`)
if (!existsSync(dir))
  throw new Error(`${dir} is missing: run \`node bench/archive-bench.mjs\` first.`)
const servers = await startServers({ sites: { [site]: dir }, protocols: [protocol] })
const browser = await launch()
const total = new Map()
try {
  for (let i = 0; i < Number(runs); i++) {
    const context = await browser.newContext({ ignoreHTTPSErrors: true })
    try {
      const page = await context.newPage()
      await servers.setLatency(0)
      await page.goto(`${servers.origin(site, protocol)}/`)
      await page.waitForFunction('!!window.bench')
      await servers.setLatency(Number(latency))
      const cdp = await context.newCDPSession(page)
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 })
      await cdp.send('Profiler.start')
      const result = await page.evaluate('window.loadAll()')
      const { profile } = await cdp.send('Profiler.stop')
      const nodes = new Map(profile.nodes.map(node => [node.id, node]))
      profile.samples.forEach((id, k) => {
        const { functionName, url, lineNumber } = nodes.get(id).callFrame
        const file = url.startsWith('blob:') ? '(blob: module)' : url.split('/').pop()
        const key = `${functionName || '(anonymous)'}  ${file}${file && lineNumber >= 0 ? `:${lineNumber + 1}` : ''}`
        total.set(key, (total.get(key) ?? 0) + (profile.timeDeltas[k] ?? 0) / 1000)
      })
      console.log(`run ${i + 1}: loadAll ${result.ms.toFixed(0)} ms (calls returned after ${result.issuedMs.toFixed(1)} ms)`)
    }
    finally {
      await context.close()
    }
  }
}
finally {
  await browser.close()
  await servers.close()
}
console.log(`\nself time per run (ms), ${site} over ${protocol} at ${latency} ms, sampled every 0.1 ms:`)
for (const [key, ms] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 20))
  console.log(`${(ms / Number(runs)).toFixed(1).padStart(8)}  ${key}`)
