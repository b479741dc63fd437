// Archived modules built by Vite 8, served from a local server and run from memory in Chromium.
import type { Page } from 'playwright-core'
import type { Built } from '../helpers/build'
import type { PageErrors } from '../helpers/browser'
import type { RequestRecord, TestServer } from '../helpers/server'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { crc32, parseZip } from '../../src/runtime/zip'
import { closeBrowser, launchBrowser, openPage, screenshot } from '../helpers/browser'
import { buildWithVite, fixtures, tempDir } from '../helpers/build'
import { serve } from '../helpers/server'

const options = { modules: { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json' }, archives: { charts: ['charts/*'], locales: ['locales/*'] } }

/**
 * Rewrites one stored entry's text in place, same length, and fixes its CRC-32 in both headers:
 * the archive stays a valid zip, so only the build's sha-384 digest can tell.
 */
function tamperConsistently(file: string, entryName: string, from: string, to: string) {
  const bytes = new Uint8Array(readFileSync(file))
  const entry = parseZip(bytes, file).get(entryName)!
  const data = bytes.subarray(entry.dataOffset!, entry.dataOffset! + entry.size)
  const text = Buffer.from(data).toString('utf8')
  expect(text).toContain(from)
  data.set(Buffer.from(text.replace(from, to)))
  const crc = crc32(data)
  const view = new DataView(bytes.buffer)
  view.setUint32(entry.offset + 14, crc, true)
  // The entry's central header is the one that points at its local header.
  const signature = Buffer.from([0x50, 0x4B, 0x01, 0x02])
  for (let p = Buffer.from(bytes).indexOf(signature); p >= 0; p = Buffer.from(bytes).indexOf(signature, p + 1)) {
    if (view.getUint32(p + 42, true) === entry.offset)
      view.setUint32(p + 16, crc, true)
  }
  writeFileSync(file, bytes)
  expect(parseZip(bytes, file).get(entryName)!.crc32).toBe(crc)
}

/**
 * The archive, once, and the code that reads it (on first use), once each: the recovery chunk, the
 * facts, the memory loader and the chunk those two share. Nothing else: no loose chunk.
 */
function expectArchiveRequests(paths: string[], archive: string) {
  expect(paths).toContain(`/${archive}`)
  expect(new Set(paths).size).toBe(paths.length)
  expect(paths.filter(path => /^\/assets\/memory-[\w-]+\.js$/.test(path))).toHaveLength(1)
  expect(paths.filter(path => path !== `/${archive}` && !/^\/assets\/(?:recovery|facts|memory|check-errors)-[\w-]+\.js$/.test(path))).toEqual([])
  expect(paths.length).toBeLessThanOrEqual(5)
}

/** No request waited for another: in a waterfall one starts only once another has arrived, a latency later. */
function expectAtOnce(requests: RequestRecord[]) {
  const firstEnd = Math.min(...requests.map(request => request.end!))
  for (const request of requests)
    expect(request.start, `${request.path} waited for another request`).toBeLessThan(firstEnd)
}

describe.each([
  { protocol: 'http/1.1', http2: false },
  { protocol: 'h2', http2: true },
])('archives in Chromium over $protocol', ({ protocol, http2 }) => {
  let built: Built
  let server: TestServer
  let page: Page
  let errors: PageErrors
  let closePage: (() => Promise<void>) | undefined
  let origin: string

  beforeAll(async () => {
    built = await buildWithVite(join(fixtures, 'archive'), options)
    server = await serve(built.dir, { http2 })
    origin = server.url('')
  })
  afterAll(async () => {
    await server?.close()
    await closeBrowser()
  })
  beforeEach(async () => {
    await launchBrowser({ ignoreCertificateErrors: true })
    ;({ page, errors, close: closePage } = await openPage(server.url('index.html')))
    await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
    await server.idle()
    server.reset()
  })
  afterEach(async () => {
    const problems = errors.all()
    await closePage?.()
    expect(problems, 'console errors, page errors or failed requests').toEqual([])
  })

  it('loads N archived modules through one archive request, sharing one instance of common chunks', async () => {
    const result = await page.evaluate(async () => {
      const names = ['charts/bar', 'charts/pie', 'charts/line']
      const modules = await Promise.all(names.map(name => window.app.importModule(name)))
      return {
        drawn: modules.map(module => module.draw([2, 1])),
        urls: modules.map(module => module.url),
        kits: modules.map(module => module.kit),
        sharedEager: (globalThis as any).__sharedEager,
        chartKit: (globalThis as any).__chartKit,
        frameIsShared: modules[0].draw([]) === window.app.frame('bar:'),
      }
    })
    await server.idle()
    const charts = built.manifest.archives.charts
    // The archive loader's own code comes once, on first use, fetched alongside the archive; the
    // modules come in one request.
    expectArchiveRequests(server.requests.map(request => request.path), charts.file)
    expect(result.drawn).toEqual(['[bar:##|#]', '[pie:##|#]', '[line:##|#]'])
    // Loose code the page already ran stays one instance; so does the archived chart kit.
    expect(result.sharedEager).toBe(1)
    expect(result.chartKit).toBe(1)
    expect(result.frameIsShared).toBe(true)
    // import.meta.url is where each chunk would be, loose.
    const bar = built.manifest.modules['charts/bar']
    expect(result.urls[0]).toBe(new URL(bar.file, origin).href)
    const kit = Object.keys(charts.entries).find(file => file.includes('chart-kit'))!
    expect(result.kits).toEqual([1, 2, 3].map(() => ({ instance: 1, url: new URL(kit, origin).href })))
    await screenshot(page, `archive-${protocol.replace('/', '')}`)
  })

  it('asks for the archive at once, beside the code that reads it: no request waits for another', async () => {
    server.latencyMs = 150
    try {
      await page.evaluate(() => window.app.importModule('charts/bar'))
      await server.idle()
    }
    finally {
      server.latencyMs = 0
    }
    const requests = server.requests.filter(request => request.path !== '/favicon.ico')
    expectArchiveRequests(requests.map(request => request.path), built.manifest.archives.charts.file)
    expectAtOnce(requests)
  })

  it('preload() of an archived module fetches and checks its archive, running nothing', async () => {
    const ran = await page.evaluate(async () => {
      await window.app.getLoader('charts/pie').preload()
      return (globalThis as any).__chartKit ?? null
    })
    await server.idle()
    expect(ran).toBeNull()
    expectArchiveRequests(server.requests.map(request => request.path), built.manifest.archives.charts.file)
  })

  it('fetches the archive once for concurrent and later loads, and loads JSON modules from it', async () => {
    const hello = await page.evaluate(async () => {
      const [en, de] = await Promise.all([window.app.importModule('locales/en'), window.app.importModule('locales/de')])
      const again = await window.app.importModule('locales/en')
      return [en.default.hello, de.default.hello, again === en]
    })
    await server.idle()
    expect(hello).toEqual(['Hello', 'Hallo', true])
    expectArchiveRequests(server.requests.map(request => request.path), built.manifest.archives.locales.file)
  })
})

describe('one build\'s archives in a fresh page', () => {
  let server: TestServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })
  afterAll(() => closeBrowser())

  /** Builds the fixture with `extra` options, serves it, and draws the charts `names` in a fresh page. */
  async function draw(extra: object, names: string[], latencyMs = 0) {
    const built = await buildWithVite(join(fixtures, 'archive'), { ...options, ...extra })
    server = await serve(built.dir, { latencyMs })
    await launchBrowser()
    const { page, errors, close } = await openPage(server.url('index.html'))
    await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
    await server.idle()
    server.reset()
    const drawn = await page.evaluate(names => Promise.all(names.map(name => window.app.importModule(name).then((module: any) => module.draw([1])))), names)
    await server.idle()
    const problems = errors.all()
    await close()
    return { built, drawn, problems, requests: server.requests.filter(request => request.path !== '/favicon.ico') }
  }

  it('inflates a deflated archive with DecompressionStream, through the loader that can', async () => {
    const { built, drawn, problems, requests } = await draw({ compression: 'deflate' }, ['charts/bar', 'charts/line'])
    expect(Object.values<any>(built.manifest.archives.charts.entries).every(entry => entry.method === 8)).toBe(true)
    expect(drawn).toEqual(['[bar:#]', '[line:#]'])
    expect(problems).toEqual([])
    const paths = requests.map(request => request.path)
    expect(paths).toContain(`/${built.manifest.archives.charts.file}`)
    expect(paths.filter(path => /^\/assets\/memory-deflate-[\w-]+\.js$/.test(path))).toHaveLength(1)
    expect(paths.filter(path => /^\/assets\/memory-[\w-]{8}\.js$/.test(path))).toEqual([])
    expect(paths.filter(path => path !== `/${built.manifest.archives.charts.file}` && !/^\/assets\/(?:recovery|facts|memory|memory-deflate|check-errors)-[\w-]+\.js$/.test(path))).toEqual([])
  })

  it('with `integrity: true`, loads archived modules with all the facts in the first load, asking for the archive at once', async () => {
    const { built, drawn, problems, requests } = await draw({ integrity: true }, ['charts/bar', 'charts/pie'], 100)
    expect(drawn).toEqual(['[bar:#]', '[pie:#]'])
    expect(problems).toEqual([])
    expect(requests.map(request => request.path)).toContain(`/${built.manifest.archives.charts.file}`)
    expect(requests.filter(request => !/^\/assets\/(?:recovery|memory|check-errors)-[\w-]+\.js$/.test(request.path) && request.path !== `/${built.manifest.archives.charts.file}`)).toEqual([])
    // The facts are in the first load: the archive needs nothing else first.
    expectAtOnce(requests)
  })
})

describe('a tampered archive in Chromium', () => {
  let server: TestServer
  let dir: string
  let manifest: any
  afterAll(async () => {
    await server?.close()
    await closeBrowser()
  })
  beforeAll(async () => {
    const built = await buildWithVite(join(fixtures, 'archive'), options)
    dir = tempDir('lazy-tampered-')
    cpSync(built.dir, dir, { recursive: true })
    manifest = built.manifest
    server = await serve(dir)
    await launchBrowser()
  })

  async function attempt(name: string) {
    const { page, errors, close } = await openPage(server.url('index.html'))
    await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
    const result = await page.evaluate(name => window.app.importModule(name).then(
      () => ({ loaded: true }),
      (error: any) => ({ name: error.name, message: error.message, chartKit: (globalThis as any).__chartKit ?? null }),
    ), name)
    await close()
    return { result, errors: errors.all() }
  }

  it('refuses an entry whose bytes no longer match the build\'s sha-384, and runs nothing', async () => {
    const bar = manifest.modules['charts/bar']
    tamperConsistently(join(dir, manifest.archives.charts.file), bar.file, '`bar:`', '`BAR:`')
    const { result } = await attempt('charts/bar')
    expect(result).toMatchObject({ name: 'IntegrityError', chartKit: null })
    expect((result as any).message).toMatch(new RegExp(`Integrity check failed for "${bar.file}" in ${origin()}.*charts-`))
  })

  it('refuses a corrupted archive with ArchiveFormatError', async () => {
    const file = join(dir, manifest.archives.locales.file)
    writeFileSync(file, Buffer.from(readFileSync(file).toString('latin1').replace('Hallo', 'Hullo'), 'latin1'))
    const { result } = await attempt('locales/de')
    expect(result).toMatchObject({ name: 'ArchiveFormatError' })
    expect((result as any).message).toMatch(/CRC-32/)
  })

  function origin() {
    return server.url('').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
})
