// The fixture app, built by Vite 8 with the plugin, served over HTTP/1.1 and HTTP/2 and run in Chromium.
import type { Page } from 'playwright-core'
import type { Built } from '../helpers/build'
import type { PageErrors } from '../helpers/browser'
import type { RequestRecord, TestServer } from '../helpers/server'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { closeBrowser, launchBrowser, openPage, screenshot } from '../helpers/browser'
import { buildWithVite, fixtures } from '../helpers/build'
import { serve } from '../helpers/server'

const modules = { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json', 'plugins/*': 'src/plugins/**/*.js' }
const LATENCY = 250

let built: Built
/** Paths the page may request at start-up: index.html, the entry chunk, its static imports and its CSS. */
let startupFiles: Set<string>

beforeAll(async () => {
  built = await buildWithVite(join(fixtures, 'app'), { modules })
  const entry = Object.values(built.files).find(file => file.type === 'chunk' && file.isEntry) as any
  const closure = new Set<string>([entry.fileName])
  for (const name of closure) {
    for (const imported of (built.files[name] as any).imports ?? [])
      closure.add(imported)
  }
  const css = [...closure].flatMap(name => [...((built.files[name] as any).viteMetadata?.importedCss ?? [])])
  startupFiles = new Set(['/', '/index.html', '/favicon.ico', ...[...closure, ...css].map(file => `/${file}`)])
})

afterAll(closeBrowser)

/** Every request started before the chunk's response had ended, within LATENCY of each other: no waterfall. */
function expectParallel(requests: RequestRecord[], file: string) {
  const chunk = requests.find(request => request.path === `/${file}`)!
  expect(chunk, file).toBeDefined()
  for (const request of requests) {
    expect(request.status, request.path).toBe(200)
    // In a waterfall an import starts only once the chunk has arrived, at least LATENCY ms later.
    expect(request.start, `${request.path} started after ${file} had arrived`).toBeLessThan(chunk.end!)
  }
  const starts = requests.map(request => request.start)
  expect(Math.max(...starts) - Math.min(...starts), 'spread of start times (ms)').toBeLessThan(LATENCY)
}

describe.each([
  { protocol: 'http/1.1', http2: false, httpVersion: '1.1' },
  { protocol: 'h2', http2: true, httpVersion: '2.0' },
])('the fixture app in Chromium over $protocol', ({ protocol, http2, httpVersion }) => {
  let server: TestServer
  let page: Page
  let errors: PageErrors
  let startup: RequestRecord[]
  let closePage: (() => Promise<void>) | undefined

  beforeAll(async () => {
    server = await serve(built.dir, { http2 })
  })
  afterAll(() => server?.close())

  beforeEach(async () => {
    // Here rather than in beforeAll, so a missing Chromium fails every test (a failed beforeAll reads as skipped).
    await launchBrowser({ ignoreCertificateErrors: true })
    server.latencyMs = 0
    server.reset()
    ;({ page, errors, close: closePage } = await openPage(server.url('index.html')))
    await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
    await server.idle()
    startup = [...server.requests]
    server.reset()
    server.latencyMs = LATENCY
  })
  afterEach(async () => {
    if (!closePage)
      return
    const problems = errors.all()
    await closePage()
    closePage = undefined
    expect(problems, 'console errors, page errors or failed requests').toEqual([])
  })

  const lazyFiles = () => Object.values<any>(built.manifest.modules).filter(info => info.file).map(info => `/${info.file}`)
  /**
   * The module's own requests. The recovery chunk (and the chunk it shares with the memory loader)
   * comes in the background with the first load, once per page: that is checked apart.
   */
  const recoveryChunk = (path: string) => /^\/assets\/(?:recovery|check-errors)-[\w-]{8}\.js$/.test(path)
  const paths = (requests: RequestRecord[]) => requests.map(request => request.path).filter(path => !recoveryChunk(path)).sort()

  it('requests no lazy chunk at start-up and runs no lazy module', async () => {
    expect(startup.length).toBeGreaterThan(1)
    for (const request of startup) {
      expect(request.status, request.path).toBe(request.path === '/favicon.ico' ? 204 : 200)
      expect(request.httpVersion, request.path).toBe(httpVersion)
    }
    expect(paths(startup).filter(path => lazyFiles().includes(path))).toEqual([])
    expect(paths(startup).filter(path => !startupFiles.has(path))).toEqual([])
    expect(await page.evaluate(() => window.__evaluated)).toBeUndefined()
    const protocols = await page.evaluate(() => performance.getEntriesByType('resource').map(entry => (entry as PerformanceResourceTiming).nextHopProtocol))
    expect(new Set(protocols)).toEqual(new Set([protocol]))
  })

  it('importModule(\'charts/bar\') fetches its chunk, imports and CSS once each, in parallel', async () => {
    const bar = built.manifest.modules['charts/bar']
    expect(bar.imports.length).toBeGreaterThan(0)
    expect(bar.css.length).toBeGreaterThan(0)

    const result = await page.evaluate(async () => {
      const div = document.createElement('div')
      div.className = 'chart'
      document.body.append(div)
      const before = getComputedStyle(div).color
      const bar = await window.app.importModule('charts/bar')
      div.textContent = bar.draw([1, 2])
      return { drawn: div.textContent, kind: bar.kind, before, after: getComputedStyle(div).color, evaluated: { ...window.__evaluated } }
    })
    expect(result).toEqual({ drawn: '[bar:1,2]', kind: 'bar', before: 'rgb(18, 52, 86)', after: 'rgb(171, 205, 239)', evaluated: { 'charts/bar': true, 'shared': 1 } })
    await server.idle()

    const expected = [bar.file, ...bar.imports, ...bar.css].map(file => `/${file}`).sort()
    expect(paths(server.requests)).toEqual(expected) // exactly these, each once
    expect(server.requests.filter(request => recoveryChunk(request.path)).length).toBeLessThanOrEqual(2)
    expectParallel(server.requests.filter(request => !recoveryChunk(request.path)), bar.file)
    await screenshot(page, `smoke-${protocol.replace('/', '')}`)
  })

  it('iterModules(\'charts/\') lists from the registry without any request', async () => {
    const listed = await page.evaluate(() => window.app.iterModules('charts/'))
    expect(listed).toEqual([{ name: 'charts/bar', isPackage: false, kind: 'registered' }, { name: 'charts/pie', isPackage: false, kind: 'registered' }])
    await new Promise(resolve => setTimeout(resolve, 150))
    await server.idle()
    // Chromium may ask for /favicon.ico late on a loaded machine; that is the page, not the runtime.
    expect(server.requests.filter(request => request.path !== '/favicon.ico')).toEqual([])
  })

  it('importModule(\'charts/nope\') rejects with ModuleNotFoundError, fetching nothing for the name: only the plugin\'s own recovery chunk and facts', async () => {
    const error = await page.evaluate(() => window.app.importModule('charts/nope').then(
      () => null,
      (error: any) => ({ name: error.name, moduleName: error.moduleName, message: error.message, suggestions: error.suggestions, isError: error instanceof Error }),
    ))
    expect(error).toMatchObject({ name: 'ModuleNotFoundError', moduleName: 'charts/nope', isError: true })
    expect(error!.message).toContain('"charts/nope"')
    expect(error!.suggestions).toContain('charts/pie')
    await new Promise(resolve => setTimeout(resolve, 150))
    await server.idle()
    // The explanation (close names, a marked module not yet registered) comes with the recovery chunk.
    // Chromium may ask for /favicon.ico late on a loaded machine; that is the page, not the runtime.
    const own = (path: string) => recoveryChunk(path) || /^\/assets\/facts-[\w-]{8}\.js$/.test(path)
    expect(server.requests.filter(request => request.path !== '/favicon.ico' && !own(request.path))).toEqual([])
  })

  it('runs marked imports: exportPdf and greet load their modules on first use', async () => {
    expect(await page.evaluate(() => window.app.exportPdf('x'))).toBe('[%PDF x]')
    await server.idle()
    const pdf = built.manifest.modules['src/pdf-export']
    expect(paths(server.requests)).toEqual([pdf.file, ...pdf.imports, ...pdf.css].map(file => `/${file}`).sort())
    expectParallel(server.requests.filter(request => !recoveryChunk(request.path)), pdf.file)
    expect(await page.evaluate(() => window.app.greet('bo'))).toBe('BO <bo>')
    expect(await page.evaluate(() => window.__evaluated)).toEqual({ 'pdf-export': true, 'shared': 1, 'text': true })
  })
})
