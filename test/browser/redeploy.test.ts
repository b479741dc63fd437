// A new build lands under a page that runs the old one, in Chromium: with `/assets` cached for a
// year (`immutable`), and behind a host that answers paths it does not have with its index.html
// and a 200, as hosts of single-page apps do. The page is told, in a typed error and a cancelable
// event, and keeps working; a reload gets the new build.
import type { Page } from 'playwright-core'
import type { Built } from '../helpers/build'
import type { ServerOptions, TestServer } from '../helpers/server'
import { cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeBrowser, launchBrowser, openPage } from '../helpers/browser'
import { buildWithVite, fixtures, tempDir } from '../helpers/build'
import { serve } from '../helpers/server'

const modules = { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json', 'plugins/*': 'src/plugins/**/*.js' }
const retry = { attempts: 3, delay: 20, maxDelay: 100 }
const immutable = (path: string) => path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : undefined

beforeAll(() => launchBrowser())
afterAll(closeBrowser)

const entryOf = (built: Built) => Object.values(built.files).find(file => file.type === 'chunk' && file.isEntry)!.fileName

async function ready(page: Page) {
  await page.waitForFunction(() => !!window.app, undefined, { timeout: 10_000 })
  await page.evaluate(`window.__staleEvents = []; window.addEventListener('lazy-modules:stale', e => window.__staleEvents.push(e.detail.currentBuildId))`)
}

/** Loads `name` and says what happened: the module's `kind`, or the error's name and build ids. */
function load(page: Page, name: string) {
  return page.evaluate(name => window.app.importModule(name).then(
    (module: any) => ({ kind: module.kind ?? null }),
    (error: any) => ({ error: error.name, buildId: error.buildId, currentBuildId: error.currentBuildId }),
  ), name)
}

const staleEvents = (page: Page) => page.evaluate(() => (window as any).__staleEvents as string[])

describe('a redeploy with /assets cached as immutable', () => {
  it('the page gets a StaleBuildError for what the new build removed, and the new build after a reload', async () => {
    // Build B differs from A only in an option (archives): it is what the entry's facts say.
    const a = await buildWithVite(join(fixtures, 'app'), { modules, retry })
    const b = await buildWithVite(join(fixtures, 'app'), { modules, retry, archives: true })
    expect(entryOf(b)).not.toBe(entryOf(a))
    const site = join(tempDir('lazy-redeploy-'), 'site')
    symlinkSync(a.dir, site)
    const server = await serve(site, { cacheControl: immutable })
    const { page, errors, close } = await openPage(server.url('index.html'))
    try {
      await ready(page)
      // Build A runs; its entry is in the browser's cache for a year.
      expect(await load(page, 'charts/pie')).toEqual({ kind: 'pie' })
      // Build A's recovery chunk comes in the background with that first load: the redeploy lands
      // after it, or there is nothing left to tell a redeploy apart with (a busy machine is slow).
      await server.idle()
      rmSync(site)
      symlinkSync(b.dir, site)
      expect(await load(page, 'charts/bar')).toEqual({ error: 'StaleBuildError', buildId: a.manifest.buildId, currentBuildId: b.manifest.buildId })
      expect(await staleEvents(page)).toEqual([b.manifest.buildId])
      // What the app does on the event: reload. The page is build B's, its entry fetched anew.
      server.reset()
      await page.reload({ waitUntil: 'load' })
      await ready(page)
      const after = await page.evaluate(async () => ({
        archive: (await window.app.getLoader('charts/bar').facts()).archive?.name ?? null,
        drawn: (await window.app.importModule('charts/bar')).draw([2]),
      }))
      expect(after).toEqual({ archive: 'charts', drawn: '[bar:2]' })
      const paths = server.requests.map(request => request.path)
      expect(paths).toContain(`/${entryOf(b)}`)
      expect(paths).toContain(`/${b.manifest.archives.charts.file}`)
      expect(errors.page).toEqual([])
    }
    finally {
      await close()
      await server.close()
    }
  })
})

describe('a redeploy behind a host that answers missing paths with its index.html and a 200', () => {
  /** A copy of `built` served with the fallback; `redeploy()` removes `files` and gives the manifest a new build id. */
  async function host(built: Built, fallback: ServerOptions['fallback']) {
    const dir = tempDir('lazy-spa-')
    cpSync(built.dir, dir, { recursive: true })
    const server = await serve(dir, { fallback })
    const redeploy = (files: string[]) => {
      files.forEach(file => rmSync(join(dir, file)))
      const manifest = join(dir, 'lazy-manifest.json')
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(built.manifest.buildId, 'feedfacecafebeef'))
    }
    return { server, redeploy, dir }
  }

  let loose: Built
  let archived: Built
  beforeAll(async () => {
    loose = await buildWithVite(join(fixtures, 'app'), { modules, retry })
    archived = await buildWithVite(join(fixtures, 'app'), { modules, retry, archives: { charts: ['charts/*'] } })
  })

  /** Opens the app, redeploys under it, and checks what a removed module and a kept one do. */
  async function expectStaleThenWorking(server: TestServer, redeploy: () => void, buildId: string) {
    const { page, errors, close } = await openPage(server.url('index.html'))
    try {
      await ready(page)
      redeploy()
      const stale = { error: 'StaleBuildError', buildId, currentBuildId: 'feedfacecafebeef' }
      expect(await load(page, 'charts/bar')).toEqual(stale)
      // No failure is kept: a second call asks the server again, and is told again.
      server.reset()
      expect(await load(page, 'charts/bar')).toEqual(stale)
      expect(server.requests.length).toBeGreaterThan(0)
      expect(await staleEvents(page)).toEqual(['feedfacecafebeef', 'feedfacecafebeef'])
      // The page keeps working: what is still there loads.
      expect(await load(page, 'locales/fr')).toEqual({ kind: null })
      expect(errors.page).toEqual([])
    }
    finally {
      await close()
      await server.close()
    }
  }

  it.each([
    ['typed as HTML: found by its content type', undefined],
    ['typed as JavaScript by the path asked for: found when it fails to parse', 'text/javascript; charset=utf-8'],
  ])('a removed chunk answered with the page, %s: StaleBuildError, and the page keeps working', async (_, contentType) => {
    const { server, redeploy } = await host(loose, { path: '/index.html', contentType })
    await expectStaleThenWorking(server, () => redeploy([loose.manifest.modules['charts/bar'].file]), loose.manifest.buildId)
  })

  it('a removed archive answered with the page: StaleBuildError, and the page keeps working', async () => {
    const { server, redeploy } = await host(archived, { path: '/index.html' })
    await expectStaleThenWorking(server, () => redeploy([archived.manifest.archives.charts.file]), archived.manifest.buildId)
  })

  it('a manifest that is the host\'s page too (the new build has none): a ModuleLoadError, no stale event', async () => {
    const { server, redeploy, dir } = await host(loose, { path: '/index.html' })
    const { page, errors, close } = await openPage(server.url('index.html'))
    try {
      await ready(page)
      redeploy([loose.manifest.modules['charts/bar'].file])
      rmSync(join(dir, 'lazy-manifest.json'))
      expect(await load(page, 'charts/bar')).toEqual({ error: 'ModuleLoadError' })
      expect(await staleEvents(page)).toEqual([])
      expect(await load(page, 'locales/fr')).toEqual({ kind: null })
      expect(errors.page).toEqual([])
    }
    finally {
      await close()
      await server.close()
    }
  })
})
