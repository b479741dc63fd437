// What every bundler version in the matrix must do with the fixture app (test/fixtures/app), the
// plugin run from source: emit JavaScript that parses (checked on every build by buildWith), run
// in Node (marked imports, names, an archive), filter its hooks, name lazy chunks after their
// modules, rename the registry's chunk when its facts change, and run in Chromium, where with
// `integrity: true` one import map has the digests (Vite's page's, or the runtime's).
import type { Built } from '../helpers/build'
import type { Bundler, Leg } from '../helpers/matrix'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Context } from '../../src/core/context'
import { transformPattern } from '../../src/core/marker'
import { closeBrowser, launchBrowser, openPage } from '../helpers/browser'
import { fixtures, tempDir } from '../helpers/build'
import { expectManifestMatchesFiles } from '../helpers/manifest'
import { buildWith, legsOf, startupFiles } from '../helpers/matrix'
import { nodeHooksEntry } from '../helpers/node'
import { serve } from '../helpers/server'

const app = join(fixtures, 'app')
const modules = { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json', 'plugins/*': 'src/plugins/**/*.js' }
const archives = { locales: ['locales/*'] }

/** Runs the server build's `main.js` in a fresh Node with the plugin's loader hooks (archives need them). */
async function runInNode(built: Built): Promise<any> {
  writeFileSync(join(built.dir, 'run.mjs'), `const app = await import('./main.js')
const out = { started: app.started }
out.pdf = await app.exportPdf('doc')
out.greet = await app.greet('bo')
out.bar = (await app.importModule('charts/bar')).draw([1, 2])
out.fr = (await app.importModule('locales/fr')).default.hello
out.graph = (await app.importModule('plugins/graph')).name
out.listed = app.iterModules('locales/').map(info => info.name)
out.missing = await app.importModule('charts/nope').catch(error => error.name)
console.log(JSON.stringify(out))
`)
  return JSON.parse(execFileSync(process.execPath, ['--import', await nodeHooksEntry(), join(built.dir, 'run.mjs')], { encoding: 'utf8' }))
}

export function matrixSuite(bundler: Bundler) {
  afterAll(closeBrowser)

  describe.each(legsOf(bundler))('$label', (leg: Leg) => {
    let server: Built
    let client: Built
    const transformed: { id: string, code: string }[] = []
    let registryLoads = 0

    beforeAll(async () => {
      const transform = vi.spyOn(Context.prototype, 'transform')
      const loadRegistry = vi.spyOn(Context.prototype, 'loadRegistry')
      try {
        server = await buildWith(leg, app, { modules, archives }, { target: 'server' })
        client = await buildWith(leg, app, { modules, archives }, { target: 'client' })
        transformed.push(...transform.mock.calls.map(([, code, id]) => ({ id, code })))
        registryLoads = loadRegistry.mock.calls.length
      }
      finally {
        transform.mockRestore()
        loadRegistry.mockRestore()
      }
    })

    it('runs the server build in Node: marked imports, modules by name, an archived module', async () => {
      expect(server.manifest.modules['locales/fr'].archive).toMatchObject({ name: 'locales' })
      expect(await runInNode(server)).toEqual({
        started: [],
        pdf: '[%PDF doc]',
        greet: 'BO <bo>',
        bar: '[bar:1,2]',
        fr: 'Bonjour',
        graph: 'graph',
        listed: ['locales/en', 'locales/fr'],
        missing: 'ModuleNotFoundError',
      })
    })

    it('gets only marked files and files that import the runtime in its transform, and loads the registry once a build (hook filters)', () => {
      const wanted = transformPattern('lazy')
      expect(transformed.map(({ id }) => id)).toContain(join(app, 'src/main.js'))
      for (const { id, code } of transformed)
        expect(wanted.test(code), `${id} reached the transform without the marker or the runtime's import`).toBe(true)
      expect(registryLoads).toBe(2)
    })

    it('warns at a look-up by a name no lazy module has, at its line and column, and at nothing else', async () => {
      const root = tempDir('lazy-names-')
      cpSync(app, root, { recursive: true })
      const source = `import { importModule } from 'unplugin-lazy-modules/runtime'\nimport * as lazy from 'unplugin-lazy-modules/runtime'\nexport const typo = () => importModule('charts/barr')\nexport const fine = () => lazy.preload('charts/pie')\nexport const folder = name => lazy.iterModules(\`locale/\${name}\`)\n`
      writeFileSync(join(root, 'src/names.js'), source)
      const built = await buildWith(leg, root, { modules, archives }, { target: 'server', entry: 'src/names.js' })
      const warnings = built.warnings.filter(warning => warning.includes('whenever it runs'))
      expect(warnings).toHaveLength(2)
      expect(warnings[0]).toContain('src/names.js:3:27: `importModule("charts/barr")` rejects whenever it runs: no lazy module is named "charts/barr". Did you mean "charts/bar"?')
      expect(warnings[1]).toContain('src/names.js:5:31: `iterModules("locale/")` lists nothing whenever it runs')
    })

    it('names lazy chunks after their modules', () => {
      for (const built of [server, client]) {
        const fileOf = (name: string) => basename(built.manifest.modules[name].file)
        expect(fileOf('charts/bar')).toMatch(/^bar-[\w-]+\.js$/)
        expect(fileOf('plugins/table')).toMatch(/^table-[\w-]+\.js$/)
        expect(fileOf('plugins/graph')).toMatch(/^graph-[\w-]+\.js$/)
        expect(fileOf('src/pdf-export')).toMatch(/^pdf-export-[\w-]+\.js$/)
        expect(fileOf('locales/fr')).toMatch(/^fr-[\w-]+\.js$/)
      }
      expectManifestMatchesFiles({ ...client.manifest, modules: Object.fromEntries(Object.entries<any>(client.manifest.modules).filter(([, info]) => !info.archive)) }, client.dir)
    })

    it('gives the registry\'s chunk a new name when options change its facts (augmentChunkHash), and never two contents to one name', async () => {
      const other = await buildWith(leg, app, { modules, archives, retry: { attempts: 5 } }, { target: 'client' })
      const registryChunk = (built: Built) => Object.values(built.files).find(file => file.type === 'chunk' && file.code.includes('function __lazyModulesFacts'))!.fileName
      expect(registryChunk(other)).not.toBe(registryChunk(client))
      for (const file of Object.keys(other.files).filter(file => file in client.files && file.endsWith('.js')))
        expect(readFileSync(join(other.dir, file)).equals(readFileSync(join(client.dir, file))), file).toBe(true)
    })

    it('runs the client build in Chromium: nothing lazy at start-up, each module on use, an archive', async () => {
      await launchBrowser()
      const http = await serve(client.dir)
      try {
        const { page, errors, close } = await openPage(http.url('index.html'))
        await page.waitForFunction('!!window.app', undefined, { timeout: 10_000 })
        await http.idle()
        const startup = startupFiles(client)
        const loaded = http.requests.map(request => request.path.slice(1)).filter(path => path && path !== 'index.html')
        expect(loaded.filter(path => !startup.has(path))).toEqual([])
        http.reset()
        const result = await page.evaluate(`(async () => {
          const app = window.app
          return {
            bar: (await app.importModule('charts/bar')).draw([1, 2]),
            pdf: await app.exportPdf('x'),
            greet: await app.greet('bo'),
            fr: (await app.importModule('locales/fr')).default.hello,
            en: (await app.importModule('locales/en')).default.bye,
          }
        })()`)
        expect(result).toEqual({ bar: '[bar:1,2]', pdf: '[%PDF x]', greet: 'BO <bo>', fr: 'Bonjour', en: 'Goodbye' })
        await http.idle()
        const archive = client.manifest.archives.locales.file
        expect(http.requests.filter(request => request.path === `/${archive}`)).toHaveLength(1)
        const problems = errors.all()
        await close()
        expect(problems).toEqual([])
      }
      finally {
        await http.close()
      }
    })

    it('with `integrity: true`, has one import map with every lazy chunk\'s digest before a lazy load: Vite\'s in the page, written at build time with the start-up files\' too, which its tags carry; else the runtime\'s', async () => {
      const strict = await buildWith(leg, app, { modules, integrity: true }, { target: 'client' })
      const js = Object.keys(strict.files).filter(file => file.endsWith('.js'))
      const digests = Object.fromEntries(js.map(file => [`/${file}`, `sha384-${createHash('sha384').update(readFileSync(join(strict.dir, file))).digest('base64')}`]))
      const html = readFileSync(join(strict.dir, 'index.html'), 'utf8')
      const written = [...html.matchAll(/<script type="importmap"[^>]*>(.*?)<\/script>/gs)].map(match => JSON.parse(match[1]).integrity)
      expect(written).toEqual(bundler === 'vite' ? [digests] : [])
      if (bundler === 'vite') {
        const entry = /<script type="module"[^>]*>/.exec(html)![0]
        expect(entry).toContain(` integrity="${digests[/\ssrc="([^"]+)"/.exec(entry)![1]]}"`)
      }
      await launchBrowser()
      const http = await serve(strict.dir)
      try {
        const { page, errors, close } = await openPage(http.url('index.html'))
        await page.waitForFunction('!!window.app', undefined, { timeout: 10_000 })
        expect(await page.evaluate(`window.app.importModule('charts/bar').then(bar => bar.draw([1]))`)).toBe('[bar:1]')
        const maps = await page.evaluate(() => [...document.querySelectorAll('script[type="importmap"]')].map(map => JSON.parse(map.textContent!).integrity))
        const problems = errors.all()
        await close()
        expect(problems).toEqual([])
        // The runtime names chunks by absolute URL; the facts' own chunk and archived ones are not in its map.
        expect(maps).toHaveLength(1)
        const bar = strict.manifest.modules['charts/bar']
        for (const file of [bar.file, ...bar.imports])
          expect(maps[0][bundler === 'vite' ? `/${file}` : http.url(file)]).toBe(digests[`/${file}`])
      }
      finally {
        await http.close()
      }
    })
  })
}
