import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import MagicString from 'magic-string'
import { createServer } from 'vite'
import type { ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import LazyModules from '../../src/vite'
import { fixtures, tempDir } from '../helpers/build'
import { moduleInfo } from '../helpers/manifest'

const modules = {
  'charts/*': 'src/charts/*.js',
  'locales/*': 'src/locales/*.json',
  'plugins/*': 'src/plugins/*/index.js',
  'widgets/*': { source: 'src/widgets/*.js', meta: 'meta' },
}
const widget = (title: string) => `export const meta = { title: ${JSON.stringify(title)} }\nexport const render = () => ${JSON.stringify(title)}\n`

describe('vite 8 dev server', () => {
  let root: string
  let server: ViteDevServer
  beforeAll(async () => {
    root = tempDir('lazy-dev-')
    cpSync(join(fixtures, 'app'), root, { recursive: true })
    // As a fresh clone has it: builds of the fixture by other tests write one.
    rmSync(join(root, 'lazy-modules.d.ts'), { force: true })
    mkdirSync(join(root, 'src/widgets'))
    writeFileSync(join(root, 'src/widgets/clock.js'), widget('Clock'))
    server = await createServer({ root, configFile: false, logLevel: 'silent', plugins: [LazyModules({ modules })], server: { port: 0, ws: false } })
    await server.listen()
  })
  afterAll(() => server?.close())

  it('loads by name from source files, with no build', async () => {
    const app = await server.ssrLoadModule('/src/main.js')
    expect((await app.importModule('charts/pie')).kind).toBe('pie')
    expect((await app.importModule('locales/fr')).default.hello).toBe('Bonjour')
    expect((await app.importModule('plugins/table')).name).toBe('table')
    expect(await app.greet('dev')).toBe('DEV <dev>')
    await expect(app.importModule('charts/pi')).rejects.toMatchObject({ name: 'ModuleNotFoundError', suggestions: ['charts/pie', 'charts/bar'] })
  })

  it('points a refused use at its line and column in the source once: Vite maps an error\'s position itself', async () => {
    const lines = Array.from({ length: 9 }, (_, i) => `export const line${i + 2}: string = 'a line long enough to have a column under every use below it'`)
    const source = `import * as text from './text.js' with { lazy: 'true' }\n${lines.join('\n')}\nexport const shout = (options: Options, level: Level): string => text.default('x')\n`
    const own = tempDir('lazy-dev-misuse-')
    cpSync(join(fixtures, 'app'), own, { recursive: true })
    writeFileSync(join(own, 'src/misuse.ts'), source)
    // A compiler before the plugin that moves every line, as Vue's does, with its source map.
    const shifted = await createServer({
      root: own,
      configFile: false,
      logLevel: 'silent',
      server: { port: 0, ws: false, watch: null, preTransformRequests: false },
      optimizeDeps: { noDiscovery: true },
      plugins: [{
        name: 'shift',
        transform(code: string, id: string) {
          if (!id.endsWith('misuse.ts'))
            return null
          const s = new MagicString(code)
          s.prepend('const compiled = 1\n'.repeat(8))
          return { code: s.toString(), map: s.generateMap({ source: id, includeContent: true, hires: true }) }
        },
      }, LazyModules({ modules })],
    })
    const error: any = await shifted.environments.client.transformRequest('/src/misuse.ts').catch(error => error)
    await shifted.close()
    expect(error.message).toContain('`text` is a lazy module handle')
    expect(error.loc).toMatchObject({ line: 11, column: source.split('\n')[10].indexOf('text.default') })
    expect(error.loc.file).toMatch(/src\/misuse\.ts$/)
    expect(error.frame).toContain(`11: export const shout = (options: Options, level: Level): string => text.default('x')`)
    expect(error.frame).toMatch(/\n {2,}\^/)
  })

  it('lists source facts: names, packages and sources, with no chunk yet', async () => {
    const app = await server.ssrLoadModule('/src/main.js')
    const table = app.getLoader('plugins/table')
    expect(table.info).toEqual({ name: 'plugins/table', isPackage: true, kind: 'registered' })
    expect(await table.facts()).toEqual(moduleInfo({ name: 'plugins/table', isPackage: true, source: 'src/plugins/table/index.js', file: null }))
    expect(app.iterModules('charts/').map((info: any) => info.name)).toEqual(['charts/bar', 'charts/pie'])
  })

  it('writes lazy-modules.d.ts when it starts, and lists marked modules as it serves their importers', async () => {
    const dts = () => readFileSync(join(root, 'lazy-modules.d.ts'), 'utf8')
    expect(dts()).toContain('    "charts/bar": typeof import("./src/charts/bar.js")\n')
    expect(dts()).toContain('    "widgets/clock": typeof import("./src/widgets/clock.js").meta\n')
    await server.ssrLoadModule('/src/main.js')
    expect(dts()).toContain('  // Marked lazy by an import, as the dev server found them:\n  interface LazyModules {\n    "src/pdf-export": typeof import("./src/pdf-export.js")\n    "src/text": typeof import("./src/text.js")\n  }\n')
  })

  it('lists metadata before anything loads, and follows an edit of it', async () => {
    const app = await server.ssrLoadModule('/src/main.js')
    expect(app.getLoader('widgets/clock').info.meta).toEqual({ title: 'Clock' })
    writeFileSync(join(root, 'src/widgets/clock.js'), widget('Wall clock'))
    await expect.poll(async () => (await server.ssrLoadModule('/src/main.js')).getLoader('widgets/clock').info.meta, { timeout: 5000 }).toEqual({ title: 'Wall clock' })
  })

  it('serves the registry to the browser with real import() calls', async () => {
    const result = await server.environments.client.transformRequest('virtual:lazy-modules')
    expect(result!.code).toContain(`["charts/bar", () => import("/src/charts/bar.js")]`)
    expect(result!.code).toContain('import.meta.hot.accept')
  })

  it('picks up a file added to or removed from a glob, without a restart, and rewrites lazy-modules.d.ts', async () => {
    const dts = () => readFileSync(join(root, 'lazy-modules.d.ts'), 'utf8')
    writeFileSync(join(root, 'src/charts/line.js'), `export const kind = 'line'\n`)
    await expect.poll(async () => (await server.ssrLoadModule('/src/main.js')).hasModule('charts/line'), { timeout: 5000 }).toBe(true)
    const app = await server.ssrLoadModule('/src/main.js')
    expect((await app.importModule('charts/line')).kind).toBe('line')
    const client = await server.environments.client.transformRequest('virtual:lazy-modules')
    expect(client!.code).toContain('"charts/line"')
    expect(dts()).toContain('    "charts/line": typeof import("./src/charts/line.js")\n')

    rmSync(join(root, 'src/charts/line.js'))
    await expect.poll(async () => (await server.ssrLoadModule('/src/main.js')).hasModule('charts/line'), { timeout: 5000 }).toBe(false)
    expect(dts()).not.toContain('charts/line')
  })
})
