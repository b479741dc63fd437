// Where the archive path spends its time, measured apart in Chromium on the archive's real entries
// (no network: the code is handed to the page). Each probe runs in a fresh context of a page on the
// store build's origin, so Blob URLs belong to that origin as they do in the app.
//   digest-concurrent  crypto.subtle.digest('SHA-384') of every entry at once (as the runtime does)
//   digest-sequential  the same one after another
//   crc32              the runtime's table CRC-32 in JS over every entry, cold (first call in the page)
//   blob               link every entry as the runtime does (archived imports → Blob URLs of the
//                      archived targets, import.meta.url → the loose URL), URL.createObjectURL each
//                      (create), then import() every module's entry at once (import)
//   blob-sliced        the same, but one Blob per level of the link graph, sliced per entry
//   data               the same with data: URLs instead of Blob URLs (each importer then carries
//                      the whole code of what it imports in its own URL)
//   mixed              what the runtime does: a Blob URL for chunks that other chunks import, a
//                      data: URL for the rest
import { summary } from '../lib/stats.mjs'
import { launch } from './load.mjs'

const PROBE = async ({ kind, entries, roots }) => {
  const now = () => performance.now()
  const bytes = entries.map(entry => new TextEncoder().encode(entry.code))
  if (kind === 'digest-concurrent') {
    const t = now()
    await Promise.all(bytes.map(b => crypto.subtle.digest('SHA-384', b)))
    return { ms: now() - t }
  }
  if (kind === 'digest-sequential') {
    const t = now()
    for (const b of bytes)
      await crypto.subtle.digest('SHA-384', b)
    return { ms: now() - t }
  }
  if (kind === 'crc32') {
    const t = now()
    const table = new Int32Array(256).map((_, c) => {
      for (let k = 8; k--;) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1
      return c
    })
    for (const b of bytes) {
      let c = -1
      for (let i = 0; i < b.length; i++) c = table[(c ^ b[i]) & 255] ^ (c >>> 8)
    }
    return { ms: now() - t }
  }
  const byFile = new Map(entries.map(entry => [entry.file, entry]))
  const urls = new Map()
  const link = (entry) => {
    let code = entry.code
    for (let i = entry.links.length; i--;) {
      const [start, end, target] = entry.links[i]
      code = code.slice(0, start) + (target ? urls.get(target) : JSON.stringify(entry.url)) + code.slice(end)
    }
    return `${code}\n//# sourceURL=${entry.url}\n`
  }
  if (kind === 'blob-sliced') {
    // One Blob per level of the link graph (entries whose archived imports all have URLs already),
    // and a slice of it per entry: one `new Blob` per level instead of one per entry.
    const t0 = now()
    const levels = new Map()
    const level = file => levels.get(file) ?? (levels.set(file, Math.max(-1, ...byFile.get(file).links.filter(([, , target]) => target).map(([, , target]) => level(target))) + 1), levels.get(file))
    entries.forEach(entry => level(entry.file))
    for (let n = 0; n <= Math.max(...levels.values()); n++) {
      const group = entries.filter(entry => levels.get(entry.file) === n)
      const parts = group.map(entry => new TextEncoder().encode(link(entry)))
      const blob = new Blob(parts, { type: 'text/javascript' })
      let offset = 0
      group.forEach((entry, i) => {
        urls.set(entry.file, URL.createObjectURL(blob.slice(offset, offset += parts[i].length, 'text/javascript')))
      })
    }
    const t1 = now()
    await Promise.all(roots.map(file => import(urls.get(file))))
    const t2 = now()
    return { ms: t2 - t0, create: t1 - t0, import: t2 - t1 }
  }
  // For Blob URLs, the time in `new Blob` and in `URL.createObjectURL` apart.
  let blobMs = 0
  let urlMs = 0
  const make = kind === 'blob'
    ? (code) => {
        const a = now()
        const blob = new Blob([code], { type: 'text/javascript' })
        const b = now()
        const url = URL.createObjectURL(blob)
        blobMs += b - a
        urlMs += now() - b
        return url
      }
    : code => `data:text/javascript;charset=utf-8,${encodeURIComponent(code)}`
  // mixed (what the runtime does): a Blob URL for chunks other chunks import, data: for the rest.
  const linked = new Set(entries.flatMap(entry => entry.links.map(([, , target]) => target)))
  const blobUrl = code => URL.createObjectURL(new Blob([code], { type: 'text/javascript' }))
  const makeFor = kind === 'mixed'
    ? (file, code) => linked.has(file) ? blobUrl(code) : `data:text/javascript,${encodeURIComponent(code)}`
    : (file, code) => make(code)
  const urlOf = (file) => {
    if (urls.has(file))
      return urls.get(file)
    const entry = byFile.get(file)
    let code = entry.code
    for (let i = entry.links.length; i--;) {
      const [start, end, target] = entry.links[i]
      code = code.slice(0, start) + (target ? urlOf(target) : JSON.stringify(entry.url)) + code.slice(end)
    }
    const url = makeFor(file, `${code}\n//# sourceURL=${entry.url}\n`)
    urls.set(file, url)
    return url
  }
  const t0 = now()
  for (const entry of entries)
    urlOf(entry.file)
  const t1 = now()
  await Promise.all(roots.map(file => import(urlOf(file))))
  const t2 = now()
  return { ms: t2 - t0, create: t1 - t0, import: t2 - t1, ...(kind === 'blob' ? { newBlob: blobMs, createObjectURL: urlMs } : {}) }
}

export const PROBES = ['digest-concurrent', 'digest-sequential', 'crc32', 'blob', 'blob-sliced', 'data', 'mixed']

/** build: the store build (from buildApp); origin: where it is served. */
export async function runProbes({ build, origin, reps, log = console.log }) {
  // Links as the build recorded them for the runtime: in the manifest's archive entries or its chunk facts.
  const linksOf = file => Object.values(build.manifest.archives ?? {}).map(archive => archive.entries?.[file]?.links).find(Boolean)
    ?? build.manifest.chunks?.[file]?.links
  const archived = new Set(build.archived)
  const entries = build.archived.map(file => ({ file, code: build.code(file).toString('utf8'), links: linksOf(file), url: `${origin}/${file}` }))
  const roots = Object.values(build.manifest.modules).map(info => info.archive?.entry ?? info.file).filter(file => archived.has(file))
  const probes = entries.every(entry => entry.links) ? PROBES : PROBES.filter(kind => !/^(blob|data)/.test(kind))
  if (probes !== PROBES)
    log('   (the manifest has no links for archived chunks: blob/data probes skipped)')
  const browser = await launch()
  const runs = Object.fromEntries(probes.map(kind => [kind, []]))
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const kind of probes.map((_, i) => probes[(i + rep) % probes.length])) {
        const context = await browser.newContext({ ignoreHTTPSErrors: true })
        try {
          const page = await context.newPage()
          const errors = []
          page.on('pageerror', error => errors.push(error.message))
          await page.goto(`${origin}/`, { waitUntil: 'load' })
          const result = await page.evaluate(PROBE, { kind, entries, roots })
          if (errors.length)
            throw new Error(`probe ${kind}: ${errors.join('; ')}`)
          runs[kind].push(result)
        }
        finally {
          await context.close()
        }
      }
    }
  }
  finally {
    await browser.close()
  }
  const round = value => +value.toFixed(2)
  const stat = values => { const s = summary(values); return { median: round(s.median), min: round(s.min), max: round(s.max) } }
  const out = { entries: entries.length, imported: roots.length, bytes: entries.reduce((n, entry) => n + entry.code.length, 0), reps }
  for (const kind of probes) {
    out[kind] = { ms: stat(runs[kind].map(run => run.ms)) }
    if (runs[kind][0]?.create !== undefined)
      Object.assign(out[kind], { create: stat(runs[kind].map(run => run.create)), import: stat(runs[kind].map(run => run.import)) })
    if (runs[kind][0]?.newBlob !== undefined)
      Object.assign(out[kind], { newBlob: stat(runs[kind].map(run => run.newBlob)), createObjectURL: stat(runs[kind].map(run => run.createObjectURL)) })
  }
  log(`   probes (${reps} fresh pages each, ${entries.length} entries, ${(out.bytes / 1000).toFixed(0)} kB, ${roots.length} imported), median [min–max] ms:`)
  for (const kind of probes) {
    const p = out[kind]
    const part = p.create ? ` (create ${p.create.median}${p.newBlob ? ` = new Blob ${p.newBlob.median} + createObjectURL ${p.createObjectURL.median} + linking` : ''}, import ${p.import.median})` : ''
    log(`     ${kind.padEnd(18)} ${String(p.ms.median).padStart(7)} [${p.ms.min}–${p.ms.max}]${part}`)
  }
  return out
}
