import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import nodeResolve from '@rollup/plugin-node-resolve'
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping'
import { rollup } from 'rollup'
import { beforeAll, describe, expect, it } from 'vitest'
import LazyModules from '../../src/rollup'
import { buildWithRollup, fixtures, runtimeSource, tempDir } from '../helpers/build'
import type { Built } from '../helpers/build'
import { expectManifestMatchesFiles } from '../helpers/manifest'

const app = join(fixtures, 'app')
const modules = { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json', 'plugins/*': 'src/plugins/**/*.js' }

describe('rollup 4: the fixture app', () => {
  let built: Built
  beforeAll(async () => {
    built = await buildWithRollup(app, 'src/main.js', { modules }, { sourcemap: true })
  })

  it('gives every lazy module its own chunk and loads none at start', async () => {
    const chunks = Object.values(built.files).filter(file => file.type === 'chunk')
    for (const name of ['charts/bar', 'charts/pie', 'locales/en', 'plugins/table', 'src/pdf-export', 'src/text']) {
      const file = built.manifest.modules[name].file
      const chunk = chunks.find(chunk => chunk.fileName === file) as any
      expect(chunk?.isDynamicEntry, name).toBe(true)
    }
    const { started } = await built.run('main.js')
    expect(started).toEqual([])
  })

  it('records names, packages, kinds and sources', () => {
    const pick = (name: string) => {
      const { isPackage, kind, source } = built.manifest.modules[name]
      return { isPackage, kind, source }
    }
    expect(Object.keys(built.manifest.modules)).toEqual(['charts/bar', 'charts/pie', 'locales/en', 'locales/fr', 'plugins/graph', 'plugins/graph/helper', 'plugins/table', 'src/pdf-export', 'src/text'])
    expect(pick('plugins/table')).toEqual({ isPackage: true, kind: 'registered', source: 'src/plugins/table/index.js' })
    expect(pick('plugins/graph/helper')).toEqual({ isPackage: false, kind: 'registered', source: 'src/plugins/graph/helper.js' })
    expect(pick('src/pdf-export')).toEqual({ isPackage: false, kind: 'marked', source: 'src/pdf-export.js' })
    expect(built.manifest.modules['charts/bar'].imports).toEqual([built.manifest.modules['src/pdf-export'].imports[0]])
  })

  it('writes a manifest whose facts match the emitted files', () => {
    expectManifestMatchesFiles(built.manifest, built.dir)
  })

  it('loads marked imports: namespace, named and default', async () => {
    const app = await built.run('main.js')
    expect(await app.exportPdf('doc')).toBe('[%PDF doc]')
    expect(await app.greet('ann')).toBe('ANN <ann>')
  })

  it('loads registered modules by name, sharing chunks between them', async () => {
    const app = await built.run('main.js')
    const bar = await app.importModule('charts/bar')
    const pie = await app.importModule('charts/pie')
    expect([bar.draw([1, 2]), pie.kind]).toEqual(['[bar:1,2]', 'pie'])
    expect((await app.importModule('locales/fr')).default.hello).toBe('Bonjour')
    expect((await app.importModule('plugins/table')).name).toBe('table')
  })

  it('lists and describes modules without loading them', async () => {
    const app = await built.run('main.js')
    const before = { ...(globalThis as any).__evaluated }
    expect(app.iterModules('plugins/').map((info: any) => [info.name, info.isPackage])).toEqual([['plugins/graph', true], ['plugins/graph/helper', false], ['plugins/table', true]])
    const loader = app.getLoader('charts/pie')
    expect(loader.info).toEqual({ name: 'charts/pie', isPackage: false, kind: 'registered' })
    // The rest of its facts come with the facts chunk, which runs nothing of the module.
    expect(await loader.facts()).toEqual(built.manifest.modules['charts/pie'])
    expect(app.hasModule('charts/pie')).toBe(true)
    expect(app.getLoader('charts/nope')).toBeUndefined()
    expect((globalThis as any).__evaluated).toEqual(before)
    expect((await loader.load()).kind).toBe('pie')
  })

  it('refuses unknown names with suggestions and no request', async () => {
    const app = await built.run('main.js')
    const error = await app.importModule('charts/baz').catch((error: any) => error)
    expect(error).toBeInstanceOf(app.ModuleNotFoundError)
    expect(error).toMatchObject({ name: 'ModuleNotFoundError', moduleName: 'charts/baz', suggestions: ['charts/bar', 'charts/pie'] })
  })

  it('keeps the registry chunk\'s source map true after filling it in', () => {
    const host = Object.values(built.files).find(file => file.type === 'chunk' && file.code.includes('function __lazyModulesEarlyFacts()'))!.fileName
    const code = readFileSync(join(built.dir, host), 'utf8')
    const map = new TraceMap(readFileSync(join(built.dir, `${host}.map`), 'utf8'))
    const lines = code.split('\n')
    const line = lines.findIndex(text => text.includes('function withRecovery('))
    expect(line).toBeGreaterThan(lines.findIndex(text => text.includes('const facts = /* #__PURE__ */ __lazyModulesEarlyFacts()')))
    expect(lines.filter(Boolean).at(-2)).toMatch(/^function __lazyModulesEarlyFacts\(\) \{ return \{/)
    const original = originalPositionFor(map, { line: line + 1, column: lines[line].indexOf('withRecovery') })
    // Run from source, the plugin bundles the runtime's source.
    expect(original.source).toMatch(/src\/runtime\/[\w-]+\.ts$/)
    const runtime = readFileSync(resolve(built.dir, original.source!), 'utf8').split('\n')
    expect(runtime[original.line! - 1].slice(original.column!)).toMatch(/^withRecovery[(<]/)
  })
})

describe('rollup 4: bare packages', () => {
  let root: string
  beforeAll(() => {
    root = tempDir('lazy-bare-')
    cpSync(app, root, { recursive: true })
    const pkg = join(root, 'node_modules/fake-editor')
    mkdirSync(pkg, { recursive: true })
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'fake-editor', type: 'module', exports: './index.js' }))
    writeFileSync(join(pkg, 'index.js'), `export const editor = 'fake editor'\n`)
    writeFileSync(join(root, 'src/editor.js'), `import * as monaco from 'fake-editor' with { lazy: 'true' }\nimport { load, importModule } from 'unplugin-lazy-modules/runtime'\nexport const viaHandle = async () => (await load(monaco)).editor\nexport const viaName = async () => (await importModule('editor')).editor\n`)
  })

  it('bundles a lazy package into its own chunk with node-resolve', async () => {
    const built = await buildWithRollup(root, 'src/editor.js', { modules: { editor: 'fake-editor' } }, { plugins: [nodeResolve()] })
    expect(built.manifest.modules.editor).toMatchObject({ kind: 'registered', source: 'fake-editor' })
    expect(built.manifest.modules.editor.file).toMatch(/\.js$/)
    const app = await built.run('editor.js')
    expect(await app.viaHandle()).toBe('fake editor')
    expect(await app.viaName()).toBe('fake editor')
  })

  it('leaves it to the platform without node-resolve, and still bundles the runtime', async () => {
    const built = await buildWithRollup(root, 'src/editor.js', { modules: { editor: 'fake-editor' } })
    expect(built.manifest.modules.editor).toMatchObject({ file: null, source: 'fake-editor' })
    const code = (built.files['editor.js'] as any).code as string
    expect(code).not.toContain('unplugin-lazy-modules/runtime')
    // Node resolves the package from the output folder's ancestors, so run the output inside the root.
    const out = join(root, 'out')
    cpSync(built.dir, out, { recursive: true })
    const app = await import(`${join(out, 'editor.js')}?${Date.now()}`)
    expect(await app.viaName()).toBe('fake editor')
  })
})

describe('rollup 4: build errors', () => {
  async function buildError(source: string) {
    const root = tempDir('lazy-error-')
    mkdirSync(join(root, 'src'))
    writeFileSync(join(root, 'src/main.js'), source)
    writeFileSync(join(root, 'src/x.js'), 'export const y = 1\n')
    try {
      await rollup({ input: join(root, 'src/main.js'), plugins: [LazyModules({ root })], logLevel: 'silent' })
    }
    catch (error: any) {
      return { error, file: join(root, 'src/main.js') }
    }
    throw new Error('expected the build to fail')
  }

  it('points at the file, line and column, with a code frame', async () => {
    const { error, file } = await buildError(`import * as ns from './x.js' with { lazy: 'true' }\n\nexport const y = ns.y\n`)
    expect(error.message).toMatch(/`ns` is a lazy module handle: its exports are not loaded yet, so `ns\.y` is always undefined/)
    expect(error.loc).toEqual({ file, line: 3, column: 17 })
    expect(error.frame).toContain('export const y = ns.y')
  })

  it('refuses a marked import of a missing file at the import\'s line and column', async () => {
    const { error } = await buildError(`import { load } from 'unplugin-lazy-modules/runtime'\n\nimport * as ns from './missing.js' with { lazy: 'true' }\nawait load(ns)\n`)
    expect(error.message).toMatch(/Cannot find "\.\/missing\.js": no file at .*src\/missing\.js .*Fix the path of this marked import\./)
    expect(error.loc).toMatchObject({ line: 3, column: 20 })
    expect(error.frame).toContain(`3: import * as ns from './missing.js'`)
  })

  it('refuses two modules with one name', async () => {
    const root = tempDir('lazy-dup-')
    mkdirSync(join(root, 'a'))
    writeFileSync(join(root, 'a/x.js'), '')
    writeFileSync(join(root, 'a/x.ts'), '')
    writeFileSync(join(root, 'main.js'), '')
    await expect(rollup({ input: join(root, 'main.js'), plugins: [LazyModules({ root, modules: { 'm/*': 'a/*.{js,ts}' } })] }))
      .rejects.toThrow(/two modules are named "m\/x": a\/x\.js \(from modules\["m\/\*"\]: "a\/\*\.\{js,ts\}"\) and a\/x\.ts/)
  })
})

describe('rollup 4: rebuilds', () => {
  it('keeps marked modules of importers whose cached transform is reused, as in watch mode', async () => {
    const plugin = LazyModules({ root: app, modules: { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json' } })
    const plugins = [plugin, runtimeSource, (await import('@rollup/plugin-json')).default(), { name: 'css', transform: (_: string, id: string) => id.endsWith('.css') ? 'export {}' : null }]
    const manifestOf = async (bundle: Awaited<ReturnType<typeof rollup>>) => {
      const { output } = await bundle.generate({ format: 'es' })
      const asset = output.find(file => file.fileName === 'lazy-manifest.json') as any
      return JSON.parse(asset.source)
    }
    const first = await rollup({ input: join(app, 'src/main.js'), plugins })
    const second = await rollup({ input: join(app, 'src/main.js'), plugins, cache: first.cache })
    expect(Object.keys((await manifestOf(second)).modules)).toEqual(Object.keys((await manifestOf(first)).modules))
    expect(Object.keys((await manifestOf(second)).modules)).toContain('src/pdf-export')
  })
})
