// The package as users get it: the built entry points, imported by name through `exports`.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import json from '@rollup/plugin-json'
import { rollup } from 'rollup'
import { build } from 'vite'
import { describe, expect, it } from 'vitest'
import { fixtures } from '../helpers/build'

const root = join(fixtures, 'app')
const modules = { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json' }
// By name at run time, after the test setup has built dist/ (type-checking runs before that).
const importByName = (id: string) => import(id)
const css = { name: 'css', transform: (_: string, id: string) => id.endsWith('.css') ? 'export {}' : null }

describe('the built package', () => {
  it('unplugin-lazy-modules/rollup builds and runs the fixture app', async () => {
    const { default: LazyModules } = await importByName('unplugin-lazy-modules/rollup')
    const bundle = await rollup({ input: join(root, 'src/main.js'), plugins: [LazyModules({ root, modules, report: false }), json(), css], logLevel: 'silent' })
    const dir = mkdtempSync(join(tmpdir(), 'lazy-package-'))
    await bundle.write({ dir, format: 'es' })
    const app = await import(pathToFileURL(join(dir, 'main.js')).href)
    expect((await app.importModule('charts/pie')).kind).toBe('pie')
    expect(await app.greet('pkg')).toBe('PKG <pkg>')
  })

  it('unplugin-lazy-modules/vite builds the fixture app for SSR', async () => {
    const { default: LazyModules } = await importByName('unplugin-lazy-modules/vite')
    const outDir = mkdtempSync(join(tmpdir(), 'lazy-package-vite-'))
    await build({ root, configFile: false, logLevel: 'silent', plugins: [LazyModules({ modules, report: false })], build: { ssr: 'src/main.js', outDir } })
    const app = await import(pathToFileURL(join(outDir, 'main.js')).href)
    expect((await app.importModule('locales/fr')).default.hello).toBe('Bonjour')
  })
})
