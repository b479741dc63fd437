// The package as users get it: built into a temporary folder (test/helpers/package.ts), its entry
// points imported by name through `exports`, its types and its bin.
import type { BuiltPackage } from '../helpers/package'
import { execFileSync } from 'node:child_process'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import json from '@rollup/plugin-json'
import { rollup } from 'rollup'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixtures, tempDir } from '../helpers/build'
import { buildPackage } from '../helpers/package'

const root = join(fixtures, 'app')
const modules = { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json' }
const css = { name: 'css', transform: (_: string, id: string) => id.endsWith('.css') ? 'export {}' : null }

let pkg: BuiltPackage
beforeAll(async () => {
  pkg = await buildPackage()
})
afterAll(() => pkg?.remove())

describe('the built package', () => {
  it('unplugin-lazy-modules/rollup builds and runs the fixture app', async () => {
    const { default: LazyModules } = await pkg.import('unplugin-lazy-modules/rollup')
    const bundle = await rollup({ input: join(root, 'src/main.js'), plugins: [LazyModules({ root, modules, report: false }), json(), css], logLevel: 'silent' })
    const dir = tempDir('lazy-package-rollup-')
    await bundle.write({ dir, format: 'es' })
    // The runtime comes from the built package, not from this checkout's source or dist/.
    expect(bundle.cache!.modules.map(module => module.id)).toContain(pkg.resolve('unplugin-lazy-modules/runtime'))
    const app = await import(pathToFileURL(join(dir, 'main.js')).href)
    expect((await app.importModule('charts/pie')).kind).toBe('pie')
    expect(await app.greet('pkg')).toBe('PKG <pkg>')
  })

  it('unplugin-lazy-modules/vite builds the fixture app for SSR', async () => {
    const { default: LazyModules } = await pkg.import('unplugin-lazy-modules/vite')
    const outDir = tempDir('lazy-package-vite-')
    await build({ root, configFile: false, logLevel: 'silent', plugins: [LazyModules({ modules, report: false })], build: { ssr: 'src/main.js', outDir } })
    const app = await import(pathToFileURL(join(outDir, 'main.js')).href)
    expect((await app.importModule('locales/fr')).default.hello).toBe('Bonjour')
  })

  it('keeps the types: load(ns) is typed as the module', () => {
    const dir = tempDir('lazy-types-')
    cpSync(join(fixtures, 'ts'), dir, { recursive: true })
    const runtime = join(pkg.dir, 'dist/runtime/index.d.mts')
    const bad = `import * as report from './report' with { lazy: 'true' }\nimport { load } from 'unplugin-lazy-modules/runtime'\nexport async function f() { const n: string = (await load(report)).summarize([1]) }\n`
    writeFileSync(join(dir, 'src/bad.ts'), bad)
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'esnext', moduleResolution: 'bundler', target: 'es2022', skipLibCheck: true, lib: ['es2022', 'dom'], types: [], paths: { 'unplugin-lazy-modules/runtime': [runtime] } },
      files: ['src/main.ts', 'src/bad.ts'],
    }))
    const tsc = join(import.meta.dirname, '../../node_modules/typescript/bin/tsc')
    let output = ''
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' })
    }
    catch (error: any) {
      output = error.stdout
    }
    // main.ts type-checks; bad.ts fails only because the loaded module's type is known.
    expect(output.trim().split('\n').filter(line => /error TS/.test(line))).toEqual([
      expect.stringMatching(/bad\.ts\(3,35\): error TS2322: Type 'Report' is not assignable to type 'string'\./),
    ])
  })

  it('has the bin it declares, which runs the CLI', () => {
    const { bin, version } = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8'))
    const out = execFileSync(process.execPath, [join(pkg.dir, bin['lazy-modules']), '--version'], { encoding: 'utf8' })
    expect(out).toBe(`${version}\n`)
  })
})
