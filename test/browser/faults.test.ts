// Fault injection in real Chromium: a server that fails on command, a redeploy under a running page,
// and tampered files. Every fault must be recovered by a retry or reported as its typed error, and
// no module may run twice.
import type { Fault, TestServer } from '../helpers/server'
import { createHash } from 'node:crypto'
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeBrowser, launchBrowser, openPage } from '../helpers/browser'
import { buildWithVite, fixtures, tempDir } from '../helpers/build'
import { serve } from '../helpers/server'

const modules = { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json', 'plugins/*': 'src/plugins/**/*.js' }
const tally = { injected: 0, recovered: 0, reported: 0 }
let built: Awaited<ReturnType<typeof buildWithVite>>
let server: TestServer
let dir: string

beforeAll(async () => {
  built = await buildWithVite(join(fixtures, 'app'), { modules, retry: { attempts: 3, delay: 20, maxDelay: 100 } })
  dir = tempDir('lazy-faults-')
  cpSync(built.dir, dir, { recursive: true })
  server = await serve(dir)
  await launchBrowser()
})
afterAll(async () => {
  await server?.close()
  await closeBrowser()
  // The figures the README quotes (npx vitest run test/browser/faults.test.ts).
  console.log(`fault injection: ${tally.injected} faults injected, ${tally.recovered} recovered, ${tally.reported} reported as typed errors`)
})

/** Opens the app, applies `faults`, loads `name`, and says what happened, with every request made. */
async function load(name: string, faults: Record<string, Fault> = {}, before?: string) {
  const { page, close } = await openPage(server.url('index.html'))
  await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
  if (before)
    await page.evaluate(before)
  server.reset()
  server.faults.clear()
  for (const [file, fault] of Object.entries(faults))
    server.faults.set(`/${file}`, fault)
  const outcome = await page.evaluate(name => window.app.importModule(name).then(
    (module: any) => ({ ok: true as const, kind: module.kind ?? module.name ?? null, evaluated: { ...window.__evaluated } }),
    (error: any) => ({ ok: false as const, name: error.name, message: error.message, attempts: error.attempts, evaluated: { ...window.__evaluated } }),
  ), name)
  await server.idle()
  const requests = server.requests.map(request => ({ path: request.path, url: request.url, status: request.status }))
  tally.injected += server.requests.filter(request => request.fault).length
  server.faults.clear()
  const events = await page.evaluate(() => (window as any).__staleEvents ?? [])
  await close()
  if (outcome.ok && Object.keys(faults).length)
    tally.recovered++
  if (!outcome.ok && /Error$/.test(outcome.name))
    tally.reported++
  return { outcome, requests, events }
}

const bar = () => built.manifest.modules['charts/bar']

describe('faults in Chromium, recovered by retries', () => {
  it.each<[string, Fault]>([
    ['a 500', { kind: 'status', status: 500, times: 1 }],
    ['a 503 twice', { kind: 'status', status: 503, times: 2 }],
    ['a dropped connection', { kind: 'drop', times: 2 }],
    ['a truncated body', { kind: 'truncate', times: 1 }],
  ])('the module\'s chunk fails with %s: loaded, and run once', async (_, fault) => {
    const { outcome, requests } = await load('charts/bar', { [bar().file]: fault })
    expect(outcome).toMatchObject({ ok: true, kind: 'bar' })
    expect(outcome.evaluated).toEqual({ 'charts/bar': true, 'shared': 1 })
    // Failed fetches happened, and one succeeded: by the browser's own import after a failed
    // preload, or by a retry under a new URL (the browser keeps a failed module fetch for its old one).
    const fetches = requests.filter(request => request.path === `/${bar().file}`)
    expect(fetches.length).toBeGreaterThan(1)
    expect(fetches.at(-1)!.status).toBe(200)
  })

  it('a chunk the module imports fails: it is fetched anew too, and the shared chunk still runs once', async () => {
    const shared = bar().imports[0]
    const { outcome, requests } = await load('charts/bar', { [shared]: { kind: 'status', status: 500, times: 1 } })
    expect(outcome.ok).toBe(true)
    expect(outcome.evaluated).toEqual({ 'charts/bar': true, 'shared': 1 })
    expect(requests.filter(request => request.path === `/${shared}`).map(request => request.status)).toContain(200)
  })

  it('after a shared chunk ran from memory, a later module that needs it links to that instance', async () => {
    const shared = bar().imports[0]
    expect(built.manifest.modules['charts/pie'].imports).toContain(shared)
    const { page, close } = await openPage(server.url('index.html'))
    await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
    server.faults.set(`/${shared}`, { kind: 'status', status: 500, times: 2 })
    const result = await page.evaluate(async () => {
      const bar = await window.app.importModule('charts/bar')
      const pie = await window.app.importModule('charts/pie')
      return { drawn: bar.draw([1]) + pie.draw([2]), evaluated: { ...window.__evaluated } }
    })
    await server.idle()
    tally.injected += server.requests.filter(request => request.fault).length
    tally.recovered++
    server.faults.clear()
    await close()
    expect(result.drawn).toBe('[bar:1][pie:2]')
    expect(result.evaluated).toEqual({ 'charts/bar': true, 'charts/pie': true, 'shared': 1 })
  })

  it('a slow body only makes the load slow', async () => {
    const { outcome } = await load('charts/pie', { [built.manifest.modules['charts/pie'].file]: { kind: 'slow', ms: 600, times: 1 } })
    expect(outcome).toMatchObject({ ok: true })
  })

  it('1,000 concurrent importModule calls of one name make one fetch', async () => {
    const { page, close } = await openPage(server.url('index.html'))
    await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
    server.reset()
    const same = await page.evaluate(async () => {
      const all = await Promise.all(Array.from({ length: 1000 }, () => window.app.importModule('locales/fr')))
      return all.every(module => module === all[0])
    })
    await server.idle()
    await close()
    expect(same).toBe(true)
    // The module's chunk once; besides it only the recovery chunk, in the background, once per page.
    const paths = server.requests.map(request => request.path)
    const recovery = (path: string) => /^\/assets\/(?:recovery|check-errors)-[\w-]{8}\.js$/.test(path)
    expect(paths.filter(path => !recovery(path))).toEqual([`/${built.manifest.modules['locales/fr'].file}`])
    expect(new Set(paths).size).toBe(paths.length)
  })
})

describe('faults in Chromium, reported as typed errors', () => {
  it('a chunk that keeps failing: ModuleLoadError after the configured attempts, nothing run', async () => {
    const { outcome } = await load('charts/bar', { [bar().file]: { kind: 'status', status: 500, times: 100 } })
    expect(outcome).toMatchObject({ ok: false, name: 'ModuleLoadError', attempts: 3, evaluated: {} })
  })

  // Digests in the first load are opt-in: without them the first attempt is the bundler's import().
  // Vite writes them into the page's import map; the runtime adds none of its own then. With the
  // runtime's map refused, as browsers without multiple import maps refuse any map added once a
  // module has loaded, the page's map alone keeps the tampered chunk from running.
  it.each([
    { base: '/', folder: '', tamper: 'the module\'s chunk', runtimeMap: true },
    { base: '/', folder: '', tamper: 'a lazy chunk it imports', runtimeMap: false },
    { base: './', folder: 'deploy/', tamper: 'the module\'s chunk', runtimeMap: false },
  ])('a chunk tampered with after the page loaded, with `integrity: true`: IntegrityError, and it never runs, even on a first attempt (base $base, $tamper, a map added at run time taken: $runtimeMap)', async ({ base, folder, tamper, runtimeMap }) => {
    const strict = await buildWithVite(join(fixtures, 'app'), { modules, integrity: true, retry: { attempts: 3, delay: 20, maxDelay: 100 } }, { base })
    const strictDir = tempDir('lazy-faults-integrity-')
    cpSync(strict.dir, join(strictDir, folder), { recursive: true })
    const info = strict.manifest.modules['charts/bar']
    const target = tamper === 'the module\'s chunk' ? info.file : info.imports.find((file: string) => /\/shared-/.test(file))
    const strictServer = await serve(strictDir)
    const { page, close } = await openPage(strictServer.url(`${folder}index.html`))
    try {
      await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
      if (!runtimeMap)
        await page.evaluate(() => { HTMLScriptElement.supports = () => false })
      const file = join(strictDir, folder, target)
      writeFileSync(file, `globalThis.__tampered = true;\n${readFileSync(file, 'utf8')}`)
      const outcome = await page.evaluate(() => window.app.importModule('charts/bar').then(
        () => ({ ok: true, evaluated: { ...window.__evaluated } }),
        (error: any) => ({ ok: false, name: error.name, evaluated: { ...window.__evaluated } }),
      ))
      // toEqual: `evaluated: {}` in toMatchObject would match any object.
      expect(outcome).toEqual({ ok: false, name: 'IntegrityError', evaluated: {} })
      expect(await page.evaluate(() => (globalThis as any).__tampered)).toBeUndefined()
      // One import map, the page's own, naming the tampered chunk as the page resolves it.
      const maps = await page.evaluate(() => [...document.querySelectorAll('script[type="importmap"]')].map(map => JSON.parse(map.textContent!).integrity))
      expect(maps).toHaveLength(1)
      expect(maps[0][`${base}${target}`]).toBe(`sha384-${createHash('sha384').update(readFileSync(join(strict.dir, target))).digest('base64')}`)
      tally.injected++
      tally.reported++
    }
    finally {
      await close()
      await strictServer.close()
    }
  })

  // The page's import map covers its module scripts in Chromium; a browser without import map
  // integrity has the tags' own attributes, which alone cover a stylesheet.
  it.each(['its entry chunk', 'its entry chunk, by the tag alone', 'its stylesheet'])('the page\'s own start-up file tampered with, with `integrity: true`: the browser refuses %s, and nothing of it applies', async (tamper) => {
    const strict = await buildWithVite(join(fixtures, 'app'), { modules, integrity: true })
    const strictDir = tempDir('lazy-faults-entry-')
    cpSync(strict.dir, strictDir, { recursive: true })
    const entry = Object.values(strict.files).find(file => file.type === 'chunk' && file.isEntry)!.fileName
    const css = Object.keys(strict.files).find(file => /^assets\/index-.*\.css$/.test(file))!
    const target = tamper.startsWith('its entry chunk') ? entry : css
    if (tamper.endsWith('by the tag alone')) {
      const page = join(strictDir, 'index.html')
      writeFileSync(page, readFileSync(page, 'utf8').replace(/<script type="importmap">.*?<\/script>/s, ''))
    }
    const file = join(strictDir, target)
    writeFileSync(file, target.endsWith('.js') ? `globalThis.__tampered = true;\n${readFileSync(file, 'utf8')}` : `${readFileSync(file, 'utf8')}\nhtml { --tampered: 1 }\n`)
    const strictServer = await serve(strictDir)
    const { page, errors, close } = await openPage(strictServer.url('index.html'))
    try {
      await strictServer.idle()
      const seen = await page.evaluate(() => ({ app: !!window.app, tampered: !!(globalThis as any).__tampered, style: getComputedStyle(document.documentElement).getPropertyValue('--tampered') }))
      expect(seen).toEqual({ app: target === css, tampered: false, style: '' })
      expect(errors.all().join('\n')).toMatch(new RegExp(`integrity.*${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*integrity`, 'i'))
      tally.injected++
      tally.reported++
    }
    finally {
      await close()
      await strictServer.close()
    }
  })

  it('a redeploy under a running page: StaleBuildError and a cancelable lazy-modules:stale event on window', async () => {
    const manifestFile = join(dir, 'lazy-manifest.json')
    const manifest = readFileSync(manifestFile, 'utf8')
    const chunk = readFileSync(join(dir, bar().file))
    const listen = `window.__staleEvents = []; window.addEventListener('lazy-modules:stale', e => window.__staleEvents.push({ cancelable: e.cancelable, name: e.detail.name, currentBuildId: e.detail.currentBuildId }))`
    const { page, close } = await openPage(server.url('index.html'))
    await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
    await page.evaluate(listen)
    // The new build lands while the page runs: old chunks are gone, the manifest has a new id.
    rmSync(join(dir, bar().file))
    writeFileSync(manifestFile, manifest.replace(built.manifest.buildId, 'feedfacecafebeef'))
    tally.injected++
    try {
      const outcome = await page.evaluate(() => window.app.importModule('charts/bar').then(() => ({ name: 'loaded' }), (error: any) => ({ name: error.name, buildId: error.buildId, currentBuildId: error.currentBuildId })))
      const events = await page.evaluate(() => (window as any).__staleEvents)
      expect(outcome).toEqual({ name: 'StaleBuildError', buildId: built.manifest.buildId, currentBuildId: 'feedfacecafebeef' })
      expect(events).toEqual([{ cancelable: true, name: 'StaleBuildError', currentBuildId: 'feedfacecafebeef' }])
      tally.reported++
    }
    finally {
      await close()
      writeFileSync(join(dir, bar().file), chunk)
      writeFileSync(manifestFile, manifest)
    }
  })
})

describe('faults in the runtime\'s own lazy chunk, in Chromium: nothing poisons the page', () => {
  // Five attempts: whether a failed modulepreload makes the browser's own import() fail too, or
  // that import fetches again, differs from run to run; these tests must not depend on it.
  let built: Awaited<ReturnType<typeof buildWithVite>>
  let server: TestServer
  beforeAll(async () => {
    built = await buildWithVite(join(fixtures, 'app'), { modules, retry: { attempts: 5, delay: 20, maxDelay: 100 } })
    server = await serve(built.dir)
  })
  afterAll(() => server?.close())
  const memoryChunk = () => Object.keys(built.files).find(file => /^assets\/memory-[\w-]{8}\.js$/.test(file))!
  const bar = () => built.manifest.modules['charts/bar']
  /** Loads `name` in the page, and says how it went and which requests it made. */
  async function attempt(page: import('playwright-core').Page, name: string) {
    server.reset()
    const outcome = await page.evaluate(name => window.app.importModule(name).then(
      (module: any) => ({ ok: true as const, kind: module.kind ?? null }),
      (error: any) => ({ ok: false as const, name: error.name, attempts: error.attempts, cause: error.cause?.name ?? null }),
    ), name)
    await server.idle()
    tally.injected += server.requests.filter(request => request.fault).length
    return { outcome, requests: server.requests.map(request => request.url) }
  }

  it('the memory loader\'s chunk answers 503 once, the module\'s chunk twice: retried under new URLs, loaded, run once', async () => {
    const { page, errors, close } = await openPage(server.url('index.html'))
    await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
    server.faults.set(`/${memoryChunk()}`, { kind: 'status', status: 503, times: 1 })
    server.faults.set(`/${bar().file}`, { kind: 'status', status: 503, times: 2 })
    const { outcome, requests } = await attempt(page, 'charts/bar')
    expect(outcome).toEqual({ ok: true, kind: 'bar' })
    expect(requests.filter(url => url.includes('/assets/memory-')).at(-1)).toMatch(/\?retry=\d+$/)
    expect(await page.evaluate(() => ({ ...window.__evaluated }))).toEqual({ 'charts/bar': true, 'shared': 1 })
    expect((await attempt(page, 'charts/pie')).outcome).toEqual({ ok: true, kind: 'pie' })
    expect(errors.page).toEqual([])
    tally.recovered++
    await close()
  })

  it('the memory loader\'s chunk keeps failing: ModuleLoadError, each call its own, other modules load, and the module once the server is well', async () => {
    const { page, errors, close } = await openPage(server.url('index.html'))
    await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
    server.faults.set(`/${memoryChunk()}`, { kind: 'status', status: 503 })
    server.faults.set(`/${bar().file}`, { kind: 'status', status: 503 })
    const first = await attempt(page, 'charts/bar')
    expect(first.outcome).toEqual({ ok: false, name: 'ModuleLoadError', attempts: 5, cause: 'TypeError' })
    // Not the failure kept from the first call: the second makes its own attempts, with requests.
    const second = await attempt(page, 'charts/bar')
    expect(second.outcome).toMatchObject({ ok: false, name: 'ModuleLoadError', attempts: 5 })
    expect(second.requests.filter(url => url.includes('/assets/memory-')).length).toBeGreaterThan(0)
    tally.reported += 2
    // A healthy module loads meanwhile, with the bundler's own import().
    expect((await attempt(page, 'locales/fr')).outcome).toEqual({ ok: true, kind: null })
    // The server recovers: so does the module, under URLs the browser never saw fail.
    server.faults.clear()
    expect((await attempt(page, 'charts/bar')).outcome).toEqual({ ok: true, kind: 'bar' })
    expect(await page.evaluate(() => ({ ...window.__evaluated }))).toEqual({ 'charts/bar': true, 'shared': 1 })
    expect(errors.page).toEqual([])
    tally.recovered++
    await close()
  })
})

describe('faults on an archive in Chromium', () => {
  let archiveServer: TestServer
  let manifest: any
  beforeAll(async () => {
    const archived = await buildWithVite(join(fixtures, 'archive'), { modules: { 'charts/*': 'src/charts/*.js' }, archives: { charts: ['charts/*'] }, retry: { attempts: 3, delay: 20, maxDelay: 100 } })
    manifest = archived.manifest
    archiveServer = await serve(archived.dir)
  })
  afterAll(() => archiveServer?.close())

  it.each<[string, Fault]>([
    ['a 500', { kind: 'status', status: 500, times: 1 }],
    ['a truncated body', { kind: 'truncate', times: 1 }],
    ['a dropped connection', { kind: 'drop', times: 2 }],
  ])('the archive fails with %s: fetched again, and its modules run once', async (_, fault) => {
    const { page, close } = await openPage(archiveServer.url('index.html'))
    await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
    archiveServer.reset()
    archiveServer.faults.set(`/${manifest.archives.charts.file}`, fault)
    const result = await page.evaluate(async () => {
      const [bar, pie] = await Promise.all([window.app.importModule('charts/bar'), window.app.importModule('charts/pie')])
      return { drawn: bar.draw([1]) + pie.draw([1]), kits: (globalThis as any).__chartKit }
    })
    await archiveServer.idle()
    tally.injected += archiveServer.requests.filter(request => request.fault).length
    tally.recovered++
    await close()
    expect(result).toEqual({ drawn: '[bar:#][pie:#]', kits: 1 })
    const fetches = archiveServer.requests.filter(request => request.path === `/${manifest.archives.charts.file}`)
    expect(fetches.filter(request => request.fault).length).toBeGreaterThan(0)
    expect(fetches.at(-1)!.status).toBe(200)
  })

  it('an archive that keeps answering 503 is fetched once per attempt, and again by the next call once it is back', async () => {
    const { page, errors, close } = await openPage(archiveServer.url('index.html'))
    await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
    const zip = `/${manifest.archives.charts.file}`
    archiveServer.reset()
    archiveServer.faults.set(zip, { kind: 'status', status: 503 })
    const failed = await page.evaluate(() => window.app.importModule('charts/bar').then(() => null, (error: any) => ({ name: error.name, attempts: error.attempts })))
    await archiveServer.idle()
    const gets = () => archiveServer.requests.filter(request => request.path === zip && request.method === 'GET').map(request => request.status)
    expect(failed).toEqual({ name: 'ModuleLoadError', attempts: 3 })
    expect(gets()).toEqual([503, 503, 503])
    tally.injected += 3
    tally.reported++
    archiveServer.faults.clear()
    archiveServer.reset()
    expect(await page.evaluate(async () => (await window.app.importModule('charts/bar')).draw([2]))).toBe('[bar:##]')
    expect(gets()).toEqual([200])
    expect(errors.page).toEqual([])
    tally.recovered++
    await close()
  })
})

describe('keepLooseChunks in Chromium', () => {
  let looseServer: TestServer
  let manifest: any
  beforeAll(async () => {
    const built = await buildWithVite(join(fixtures, 'archive'), { modules: { 'charts/*': 'src/charts/*.js' }, archives: { charts: ['charts/*'] }, keepLooseChunks: true, retry: { attempts: 3, delay: 20, maxDelay: 100 } })
    manifest = built.manifest
    looseServer = await serve(built.dir)
  })
  afterAll(() => looseServer?.close())

  it('falls back on the loose copies when the archive cannot be fetched', async () => {
    const { page, close } = await openPage(looseServer.url('index.html'))
    await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
    looseServer.reset()
    looseServer.faults.set(`/${manifest.archives.charts.file}`, { kind: 'status', status: 503, times: 100 })
    const drawn = await page.evaluate(async () => (await window.app.importModule('charts/bar')).draw([3]))
    await looseServer.idle()
    tally.injected += looseServer.requests.filter(request => request.fault).length
    tally.recovered++
    await close()
    expect(drawn).toBe('[bar:###]')
    expect(looseServer.requests.map(request => request.path)).toContain(`/${manifest.modules['charts/bar'].file}`)
  })
})
