// The playground, as a user meets it: built and served statically, and in Vite's dev server.
import type { ViteDevServer } from 'vite'
import type { TestServer } from '../helpers/server'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build, createServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeBrowser, launchBrowser, openPage, screenshot } from '../helpers/browser'
import { tempDir } from '../helpers/build'
import { serve } from '../helpers/server'

const playground = resolve(import.meta.dirname, '../../playground')
const configFile = join(playground, 'vite.config.ts')
const LATENCY = 250

afterAll(closeBrowser)

describe('the built playground in Chromium', () => {
  let server: TestServer
  let manifest: any
  let out: string
  beforeAll(async () => {
    out = tempDir('lazy-playground-')
    await build({ configFile, logLevel: 'silent', build: { outDir: out, emptyOutDir: true } })
    manifest = (await import(join(out, 'lazy-manifest.json'), { with: { type: 'json' } })).default
    server = await serve(out)
    await launchBrowser()
  })
  afterAll(() => server?.close())

  async function dashboard() {
    server.latencyMs = 0
    server.reset()
    const opened = await openPage(server.url('index.html'))
    await opened.page.waitForSelector('ul.catalog button')
    // Each module's facts (file, size) come with the facts file, after the list.
    await opened.page.waitForSelector('ul.catalog li dl')
    await server.idle()
    const startup = server.requests.map(request => request.path)
    server.reset()
    server.latencyMs = LATENCY
    return { ...opened, startup }
  }

  it('lists every module with its facts and fetches nothing lazy at start-up', async () => {
    const { page, close, startup, errors } = await dashboard()
    const lazyFiles = Object.values<any>(manifest.modules).map(info => `/${info.file}`)
    expect(startup.filter(path => lazyFiles.includes(path))).toEqual([])
    const listed = await page.$$eval('ul.catalog button', buttons => buttons.map(button => button.textContent))
    expect(listed).toEqual(expect.arrayContaining(['bar', 'pie', 'de', 'table']))
    const barFacts = await page.$eval('ul.catalog li:has(button:text-is("bar")) dl', element => element.textContent)
    expect(barFacts).toContain(manifest.modules['charts/bar'].file)
    await screenshot(page, 'playground-dashboard')
    await close()
    expect(errors.all()).toEqual([])
  })

  it('a click loads exactly the module\'s chunks, in parallel, and draws the chart', async () => {
    const { page, close, errors } = await dashboard()
    await page.click('ul.catalog button:text-is("bar")')
    await page.waitForSelector('svg.chart rect')
    await server.idle()
    const bar = manifest.modules['charts/bar']
    const requests = server.requests
    expect(requests.map(request => request.path).sort()).toEqual([bar.file, ...bar.imports, ...bar.css].map(file => `/${file}`).sort())
    const chunk = requests.find(request => request.path === `/${bar.file}`)!
    for (const request of requests)
      expect(request.start, `${request.path} waited for ${bar.file}`).toBeLessThan(chunk.end!)
    await screenshot(page, 'playground-bar-chart')
    await close()
    expect(errors.all()).toEqual([])
  })

  it('an unknown name shows the error panel with suggestions, and a suggestion loads', async () => {
    const { page, close } = await dashboard()
    await page.fill('form.by-name input', 'chart/pei')
    await page.click('form.by-name button[type=submit]')
    await page.waitForSelector('.error:not([hidden])')
    const panel = await page.$eval('.error', element => element.textContent)
    expect(panel).toContain('chart/pei')
    expect(panel).toContain('charts/pie')
    expect(server.requests.filter(request => request.path.endsWith('.js'))).toEqual([])
    await screenshot(page, 'playground-error-panel')
    await page.click('.error button:text-is("charts/pie")')
    await page.waitForSelector('svg.chart path')
    await close()
  })

  it('writes lazy-report.html, which a reviewer can look at', async () => {
    const { page, close, errors } = await openPage(pathToFileURL(join(out, 'lazy-report.html')).href)
    await page.waitForSelector('#modules tbody tr')
    const rows = await page.$$eval('#modules tbody tr', trs => trs.map(tr => tr.children[0].textContent))
    expect(rows).toEqual(expect.arrayContaining(Object.keys(manifest.modules)))
    await screenshot(page, 'playground-lazy-report')
    await close()
    expect(errors.all()).toEqual([])
  })

  it('exports through the marked import, loading its chunk only then', async () => {
    const { page, close } = await dashboard()
    const pdf = manifest.modules['src/export/pdf']
    expect(server.requests.map(request => request.path)).not.toContain(`/${pdf.file}`)
    await page.click('aside button:has-text("PDF")')
    await page.waitForSelector('.output a[download]')
    expect(server.requests.map(request => request.path)).toContain(`/${pdf.file}`)
    await close()
  })
})

describe('the playground in Vite\'s dev server, in Chromium', () => {
  let server: ViteDevServer
  beforeAll(async () => {
    server = await createServer({ configFile, logLevel: 'silent', server: { port: 0, host: '127.0.0.1' } })
    await server.listen()
    await launchBrowser()
  })
  afterAll(() => server?.close())

  it('loads the same modules by name from source', async () => {
    const url = server.resolvedUrls!.local[0]
    const { page, close, errors } = await openPage()
    const notFound: string[] = []
    page.on('response', response => response.status() === 404 && notFound.push(new URL(response.url()).pathname))
    await page.goto(url)
    await page.waitForSelector('ul.catalog button', { timeout: 20_000 })
    const listed = await page.$$eval('ul.catalog button', buttons => buttons.map(button => button.textContent))
    expect(listed).toEqual(expect.arrayContaining(['bar', 'pie', 'de', 'table']))
    await page.click('ul.catalog button:text-is("line")')
    await page.waitForSelector('svg.chart path', { timeout: 20_000 })
    await page.click('ul.catalog button:text-is("table")')
    await page.waitForSelector('.panel[data-name="plugins/table"]', { timeout: 20_000 })
    await screenshot(page, 'playground-dev-server')
    await close()
    // The dev server has no favicon, which Chromium asks for unseen by the page's own events; no
    // response the page saw may be missing.
    expect(notFound).toEqual([])
    expect(errors.all().filter(message => !/\[vite\]|status of 404/.test(message))).toEqual([])
  })
})
