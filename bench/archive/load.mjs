// Load time in Chromium: the page's `loadAll()` imports every registered module by name at once, and
// times it inside the page with performance.now(). Each run is a fresh browser context (empty cache,
// new connections); the page itself loads without latency, then the servers add `latency` ms to each
// response while `loadAll()` runs.
import { readFileSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { summary } from '../lib/stats.mjs'

export const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--ignore-certificate-errors']

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 })
}

// Records what the archive loader does, with timestamps: digests (crypto.subtle), module URLs made
// (Blob or data:), response bodies read, DecompressionStreams made.
const INIT = `(() => {
  const c = window.__benchCounts = { moduleUrls: 0, digests: 0, inflates: 0, digestFirst: null, digestLast: null, urlFirst: null, urlLast: null, bodies: [] }
  const mark = () => { const t = performance.now(); c.moduleUrls++; c.urlFirst ??= t; c.urlLast = t }
  const make = URL.createObjectURL
  URL.createObjectURL = function (blob) { mark(); return make.call(URL, blob) }
  // A data: module URL is made by percent-encoding the linked code, which ends in its sourceURL.
  const encode = window.encodeURIComponent
  window.encodeURIComponent = function (text) { const url = encode(text); if (String(text).includes('//# sourceURL=')) mark(); return url }
  const digest = crypto.subtle.digest.bind(crypto.subtle)
  crypto.subtle.digest = async (...args) => { c.digests++; c.digestFirst ??= performance.now(); try { return await digest(...args) } finally { c.digestLast = performance.now() } }
  const arrayBuffer = Response.prototype.arrayBuffer
  Response.prototype.arrayBuffer = async function () { const r = await arrayBuffer.call(this); c.bodies.push([this.url, performance.now(), r.byteLength]); return r }
  const DS = window.DecompressionStream
  window.DecompressionStream = class extends DS { constructor(...args) { super(...args); c.inflates++ } }
})()`

/**
 * One timed load. `variant`: { name, site, warmLoader?: file } — warmLoader is the archive loader
 * chunk, fetched and instantiated (modulepreload) before timing, to see what its extra round trip costs.
 */
export async function runOnce({ browser, servers, variant, protocol, latency, expectedCodes }) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true })
  const problems = { errors: [], warnings: [] }
  try {
    const page = await context.newPage()
    page.on('console', (message) => {
      if (message.type() === 'error')
        problems.errors.push(`console: ${message.text()}`)
      else if (message.type() === 'warning')
        problems.warnings.push(`console: ${message.text()}`)
    })
    page.on('pageerror', error => problems.errors.push(`page: ${error.message}`))
    page.on('requestfailed', request => problems.errors.push(`request: ${request.url()}: ${request.failure()?.errorText}`))
    await page.addInitScript(INIT)
    await servers.setLatency(0)
    const origin = servers.origin(variant.site, protocol)
    await page.goto(`${origin}/`, { waitUntil: 'load' })
    await page.waitForFunction('!!window.bench', undefined, { timeout: 20_000 })
    if (variant.warmLoader) {
      await page.evaluate(href => new Promise((resolve, reject) => {
        const link = Object.assign(document.createElement('link'), { rel: 'modulepreload', href })
        link.onload = resolve
        link.onerror = () => reject(new Error(`modulepreload ${href} failed`))
        document.head.append(link)
      }), `/${variant.warmLoader}`)
    }
    await servers.idle()
    await servers.reset()
    await servers.setLatency(latency)
    const result = await page.evaluate('window.loadAll()')
    await servers.idle()
    const counts = await page.evaluate('window.__benchCounts')
    const requests = await servers.requests(variant.site, protocol)
    const codesOk = result.count === expectedCodes.length && result.codes.every((code, i) => code === expectedCodes[i])
    if (!codesOk)
      problems.errors.push(`wrong modules: got ${JSON.stringify(result.codes.slice(0, 5))}…, expected ${JSON.stringify(expectedCodes.slice(0, 5))}…`)
    return { ...analyse(result, requests, latency), counts: stages(counts, result.t0), problems }
  }
  finally {
    await context.close()
  }
}

function analyse(result, requests, latency) {
  const byPath = new Map()
  for (const request of requests)
    byPath.set(request.path, (byPath.get(request.path) ?? 0) + 1)
  const duplicates = [...byPath].filter(([, n]) => n > 1).map(([path, n]) => `${path} ×${n}`)
  const starts = requests.map(request => request.start).sort((a, b) => a - b)
  // Waves: requests whose starts cluster together; a new wave starts more than latency/2 after the
  // previous wave's first request (HTTP/1.1 queueing behind 6 connections also makes waves).
  let waves = 0
  let waveStart = -Infinity
  for (const start of starts) {
    if (start - waveStart > Math.max(latency / 2, 5)) {
      waves++
      waveStart = start
    }
  }
  const network = result.resources.filter(entry => /^https?:/.test(entry.url))
  const lastByte = network.length ? Math.max(...network.map(entry => entry.end)) : 0
  const firstStart = network.length ? Math.min(...network.map(entry => entry.start)) : 0
  const lastStart = network.length ? Math.max(...network.map(entry => entry.start)) : 0
  return {
    ms: result.ms,
    issuedMs: result.issuedMs,
    requests: requests.length,
    bytes: requests.reduce((total, request) => total + (request.bytes ?? 0), 0),
    paths: [...byPath.keys()],
    duplicates,
    connections: new Set(requests.map(request => request.connection)).size,
    httpVersions: [...new Set(requests.map(request => request.httpVersion))],
    protocols: [...new Set(network.map(entry => entry.protocol))],
    waves,
    firstRequestMs: firstStart,
    lastRequestMs: lastStart,
    lastByteMs: lastByte,
    afterLastByteMs: result.ms - lastByte,
    timeline: requests.map(request => [request.path, +(request.start - starts[0]).toFixed(1), +(request.end - starts[0]).toFixed(1), request.connection]),
  }
}

/** Cores busy on the whole machine over `ms` (from /proc/stat); this process is idle meanwhile. */
async function busyCores(ms = 500) {
  const read = () => readFileSync('/proc/stat', 'utf8').split('\n').filter(line => /^cpu\d/.test(line)).map(line => line.split(/\s+/).slice(1).map(Number))
  const a = read()
  await new Promise(ok => setTimeout(ok, ms))
  const b = read()
  let busy = 0
  for (let i = 0; i < a.length; i++) {
    const total = b[i].reduce((x, y) => x + y, 0) - a[i].reduce((x, y) => x + y, 0)
    const idle = (b[i][3] + b[i][4]) - (a[i][3] + a[i][4])
    busy += total ? 1 - idle / total : 0
  }
  return busy
}

/** Waits (at most `maxMs`) until at most `maxBusy` cores are busy; returns what it saw. */
async function waitForQuiet({ maxBusy, maxMs }) {
  const start = Date.now()
  let busy = await busyCores()
  while (busy > maxBusy && Date.now() - start < maxMs)
    busy = await busyCores(1000)
  return { busyCores: +busy.toFixed(2), waitedMs: Date.now() - start - 500 > 100 ? Date.now() - start : 0 }
}

/** The archive path's steps as ms since loadAll() was called. */
function stages(c, t0) {
  const at = t => t == null ? null : +(t - t0).toFixed(1)
  const zip = c.bodies.find(([url]) => url.endsWith('.zip'))
  return { moduleUrls: c.moduleUrls, digests: c.digests, inflates: c.inflates, archiveBody: at(zip?.[1]), digestFirst: at(c.digestFirst), digestLast: at(c.digestLast), urlFirst: at(c.urlFirst), urlLast: at(c.urlLast) }
}

/** Runs every (protocol, latency, variant) `reps` times, alternating orders; returns raw runs and summaries. */
export async function runLoadBench({ servers, variants, protocols, latencies, reps, warmup, expectedCodes, quiet, log = console.log }) {
  const browser = await launch()
  const browserVersion = browser.version()
  const runs = []
  try {
    for (let rep = -warmup; rep < reps; rep++) {
      const r = rep + warmup
      const machine = quiet ? await waitForQuiet(quiet) : undefined
      const protocolOrder = r % 2 ? [...protocols].reverse() : protocols
      for (const protocol of protocolOrder) {
        for (const latency of latencies) {
          // Rotate the variants each round so none always goes first.
          const order = variants.map((_, i) => variants[(i + r) % variants.length])
          for (const variant of order) {
            const run = await runOnce({ browser, servers, variant, protocol, latency, expectedCodes })
            if (rep >= 0)
              runs.push({ rep, protocol, latency, variant: variant.name, machine, ...run })
          }
        }
      }
      if (rep >= 0) {
        const last = runs.slice(-variants.length * latencies.length * protocols.length)
        log(`  round ${rep + 1}/${reps}${machine ? ` (others used ${machine.busyCores} cores${machine.waitedMs ? ` after ${(machine.waitedMs / 1000).toFixed(0)} s wait` : ''})` : ''}: ${last.map(run => `${run.protocol}/${run.latency}ms/${run.variant} ${run.ms.toFixed(0)}`).join(', ')}`)
      }
      else {
        log(`  warm-up round ${r + 1}/${warmup} done`)
      }
    }
  }
  finally {
    await browser.close()
  }
  return { browserVersion, runs, summaries: summarise(runs, variants, protocols, latencies) }
}

function summarise(runs, variants, protocols, latencies) {
  const out = []
  const round = value => +value.toFixed(1)
  for (const protocol of protocols) {
    for (const latency of latencies) {
      for (const variant of variants) {
        const set = runs.filter(run => run.protocol === protocol && run.latency === latency && run.variant === variant.name)
        const stat = pick => { const s = summary(set.map(pick)); return { median: round(s.median), min: round(s.min), max: round(s.max) } }
        // The run whose time is the median, for its timeline.
        const sorted = [...set].sort((a, b) => a.ms - b.ms)
        const medianRun = sorted[(sorted.length - 1) >> 1]
        out.push({
          protocol,
          latency,
          variant: variant.name,
          n: set.length,
          ms: stat(run => run.ms),
          requests: stat(run => run.requests),
          bytes: stat(run => run.bytes),
          connections: stat(run => run.connections),
          waves: stat(run => run.waves),
          issuedMs: stat(run => run.issuedMs),
          firstRequestMs: stat(run => run.firstRequestMs),
          lastRequestMs: stat(run => run.lastRequestMs),
          lastByteMs: stat(run => run.lastByteMs),
          afterLastByteMs: stat(run => run.afterLastByteMs),
          moduleUrls: stat(run => run.counts.moduleUrls),
          digests: stat(run => run.counts.digests),
          // Archive path, ms after the call: body read, first/last digest done, first/last Blob URL made.
          archiveBodyMs: stat(run => run.counts.archiveBody ?? 0),
          digestFirstMs: stat(run => run.counts.digestFirst ?? 0),
          digestLastMs: stat(run => run.counts.digestLast ?? 0),
          urlFirstMs: stat(run => run.counts.urlFirst ?? 0),
          urlLastMs: stat(run => run.counts.urlLast ?? 0),
          inflates: stat(run => run.counts.inflates),
          httpVersions: [...new Set(set.flatMap(run => run.httpVersions))],
          protocols: [...new Set(set.flatMap(run => run.protocols))],
          duplicates: [...new Set(set.flatMap(run => run.duplicates))],
          errors: [...new Set(set.flatMap(run => run.problems.errors))],
          warnings: [...new Set(set.flatMap(run => run.problems.warnings))],
          medianRunTimeline: medianRun?.timeline,
        })
      }
    }
  }
  // Loose vs each archive variant: ratio of medians, and the median of same-round ratios.
  const ratios = []
  for (const protocol of protocols) {
    for (const latency of latencies) {
      const of = name => runs.filter(run => run.protocol === protocol && run.latency === latency && run.variant === name)
      const loose = of('loose')
      if (!loose.length)
        continue
      for (const variant of variants.filter(variant => variant.name !== 'loose')) {
        const other = of(variant.name)
        const paired = loose.map(run => { const o = other.find(x => x.rep === run.rep); return o ? run.ms / o.ms : undefined }).filter(Boolean)
        const medianLoose = summary(loose.map(run => run.ms)).median
        const medianOther = summary(other.map(run => run.ms)).median
        ratios.push({
          protocol,
          latency,
          variant: variant.name,
          looseOverVariant: +(medianLoose / medianOther).toFixed(3),
          pairedMedian: +summary(paired).median.toFixed(3),
          pairedMin: +Math.min(...paired).toFixed(3),
          pairedMax: +Math.max(...paired).toFixed(3),
          roundsVariantSlower: paired.filter(ratio => ratio < 1).length,
          rounds: paired.length,
        })
      }
    }
  }
  return { byVariant: out, ratios }
}
