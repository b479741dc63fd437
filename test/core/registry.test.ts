import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { markedModuleName, registeredAt } from '../../src/core/names'
import { factsCode, registryCode, scanModules } from '../../src/core/registry'
import { tempDir } from '../helpers/build'

function project(files: string[]) {
  const root = tempDir('lazy-registry-')
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true })
    writeFileSync(join(root, file), '')
  }
  return root
}

const summary = ({ modules }: ReturnType<typeof scanModules>) => modules.map(({ name, source, isPackage }) => `${name} ← ${source}${isPackage ? ' (package)' : ''}`)

describe('scanModules', () => {
  it('fills the name\'s * from the glob\'s wildcard, dropping the extension', () => {
    const root = project(['src/charts/bar.ts', 'src/charts/pie.ts', 'src/charts/readme.md', 'src/locales/en.json', 'src/locales/pt-BR.json'])
    expect(summary(scanModules({ 'charts/*': 'src/charts/*.ts', 'i18n/*': './src/locales/*.json' }, root))).toEqual([
      'charts/bar ← src/charts/bar.ts',
      'charts/pie ← src/charts/pie.ts',
      'i18n/en ← src/locales/en.json',
      'i18n/pt-BR ← src/locales/pt-BR.json',
    ])
  })

  it('names an index file after its folder and marks it a package', () => {
    const root = project(['src/plugins/table/index.ts', 'src/plugins/graph/index.ts', 'src/plugins/graph/layout.ts', 'src/tools/index.ts'])
    expect(summary(scanModules({ 'plugins/*': 'src/plugins/**/*.ts', 'tools': 'src/tools/index.ts' }, root))).toEqual([
      'plugins/graph ← src/plugins/graph/index.ts (package)',
      'plugins/graph/layout ← src/plugins/graph/layout.ts',
      'plugins/table ← src/plugins/table/index.ts (package)',
      'tools ← src/tools/index.ts (package)',
    ])
    expect(summary(scanModules({ 'p/*': 'src/plugins/*/index.ts' }, root))).toEqual([
      'p/graph ← src/plugins/graph/index.ts (package)',
      'p/table ← src/plugins/table/index.ts (package)',
    ])
  })

  it('keeps a bare package for the bundler to resolve, and skips node_modules in globs', () => {
    const root = project(['src/a.ts', 'src/node_modules/x/b.ts'])
    const scan = scanModules({ 'editor': 'monaco-editor', 'all/*': 'src/**/*.ts' }, root)
    expect(scan.modules.find(module => module.name === 'editor')).toEqual({ name: 'editor', kind: 'registered', source: 'monaco-editor', id: undefined, isPackage: false, from: 'modules["editor"]' })
    expect(summary(scan)).toEqual(['editor ← monaco-editor', 'all/a ← src/a.ts'])
  })

  it('refuses two files under one name', () => {
    const root = project(['a/x.js', 'a/x.ts'])
    expect(() => scanModules({ 'm/*': 'a/*.{js,ts}' }, root)).toThrow(`[lazy-modules] two modules are named "m/x": a/x.js (from modules["m/*"]: "a/*.{js,ts}") and a/x.ts (from modules["m/*"]: "a/*.{js,ts}"). Rename one pattern under \`modules\`, narrow its glob, or leave files out with a '!' glob in an array of sources.`)
  })

  it('leaves out the files a \'!\' glob names, in an array of sources', () => {
    const root = project(['src/locales/en.js', 'src/locales/fr.js', 'src/locales/de.js'])
    expect(summary(scanModules({ 'locales/*': ['src/locales/*.js', '!src/locales/en.js'] }, root))).toEqual([
      'locales/de ← src/locales/de.js',
      'locales/fr ← src/locales/fr.js',
    ])
  })

  it('warns, naming the key and the glob, when a glob matches nothing', () => {
    const root = project(['src/a.ts'])
    const { modules, warnings } = scanModules({ 'tools/*': 'src/tool/*.ts' }, root)
    expect(modules).toEqual([])
    expect(warnings).toEqual([`option \`modules["tools/*"]\`: the glob "src/tool/*.ts" matches no file in ${root}, so it registers nothing. Check the path, which is relative to the root.`])
  })

  it('names modules by an entry\'s function, from the path and the name the key gives', () => {
    const root = project(['src/tools/text-replacer/index.ts', 'src/tools/json/index.ts'])
    const renames: Record<string, string> = { 'tools/text-replacer': 'string/replacer' }
    const name = (path: string, name: string) => renames[name] ?? `${name}@${path.split('/').length}`
    expect(summary(scanModules({ 'tools/*': { source: 'src/tools/*/index.ts', name } }, root))).toEqual([
      'tools/json@4 ← src/tools/json/index.ts (package)',
      'string/replacer ← src/tools/text-replacer/index.ts (package)',
    ])
    expect(() => scanModules({ 'tools/*': { source: 'src/tools/*/index.ts', name: () => '' } }, root)).toThrow('[lazy-modules] option `modules["tools/*"].name` gave an empty string for src/tools/json/index.ts; it must return the module\'s name, a non-empty string.')
    expect(() => scanModules({ 'tools/*': { source: 'src/tools/*/index.ts', name: () => 'tool' } }, root)).toThrow('[lazy-modules] two modules are named "tool"')
  })

  it('notes where an entry\'s metadata is; a package has none', () => {
    const root = project(['src/tools/json/index.ts'])
    expect(scanModules({ 'tools/*': { source: 'src/tools/*/index.ts', meta: 'meta' } }, root).modules[0]).toMatchObject({ name: 'tools/json', metaFrom: 'meta' })
    expect(() => scanModules({ editor: { source: 'monaco-editor', meta: 'meta' } }, root)).toThrow('[lazy-modules] option `modules["editor"].meta`: "monaco-editor" is a package, not a file of the app, so there is no metadata to read.')
  })

  it('refuses a file source that does not exist, naming the key and the path it tried', () => {
    const root = project(['src/a.ts'])
    expect(() => scanModules({ settings: './src/settings.ts' }, root)).toThrow(`[lazy-modules] option \`modules["settings"]\`: "./src/settings.ts" is not a file: tried ${root}/src/settings.ts.`)
  })
})

describe('markedModuleName', () => {
  it('derives names from the path relative to the root, or the package specifier', () => {
    expect(markedModuleName('./pdf-export', '/app/src/pdf-export.ts', '/app')).toEqual({ name: 'src/pdf-export', source: 'src/pdf-export.ts', id: '/app/src/pdf-export.ts', isPackage: false })
    expect(markedModuleName('./ui', '/app/src/ui/index.tsx?v=1', '/app')).toMatchObject({ name: 'src/ui', isPackage: true })
    expect(markedModuleName('monaco-editor', '/app/node_modules/monaco-editor/esm/index.js', '/app')).toMatchObject({ name: 'monaco-editor', source: 'monaco-editor' })
    expect(markedModuleName('lodash-es/debounce', undefined, '/app')).toMatchObject({ name: 'lodash-es/debounce', id: undefined })
  })
})

describe('registryCode', () => {
  const modules = [
    { name: '__proto__', kind: 'registered' as const, source: 'src/p.ts', id: '/app/src/p.ts', isPackage: false },
    { name: 'src/pdf', kind: 'marked' as const, source: 'src/pdf.ts', id: '/app/src/pdf.ts', isPackage: false },
  ]
  it('writes loaders as pairs (so any name stays a plain key) and leaves marked modules to their handles', () => {
    const code = registryCode(modules, 'build')
    expect(code).toContain(`["__proto__", () => import("/app/src/p.ts")],`)
    expect(code).not.toContain('import("/app/src/pdf.ts")')
    // The first load gets only the early facts; the recovery chunk imports the rest, and the memory loader.
    expect(code).toContain('export const facts = /* #__PURE__ */ __lazyModulesEarlyFacts()')
    expect(code).not.toContain('virtual:lazy-modules/facts')
    expect(code).not.toContain('runtime/memory')
    expect(code).toContain('export const recovery = () => import("unplugin-lazy-modules/runtime/recovery")')
    expect(factsCode()).toContain('export const facts = /* #__PURE__ */ __lazyModulesFacts()')
  })

  it('lists packages, metadata and archived names, and with `integrity` takes all the facts and the plugin\'s own code into the first load', () => {
    const meta = { value: { title: 'P' }, file: '/app/src/p.ts', export: 'meta' }
    const code = registryCode([{ ...modules[0], isPackage: true, meta }, { ...modules[0], name: 'charts/bar' }, modules[1]], 'build', { archives: { charts: ['charts/*'] } })
    expect(code).toContain('export const packages = ["__proto__"]')
    expect(code).toContain('export const meta = [["__proto__",{"title":"P"}]]')
    expect(code).toContain('export const archived = [["charts/bar","charts"]]')
    // An archived load fetches its archive, the facts and the memory loader at once, beside the recovery chunk.
    expect(code).toMatch(/export const fetchArchive = \(\(\) => \{[^]*fetch\(new URL[^]*import\("virtual:lazy-modules\/facts"\)[^]*import\("unplugin-lazy-modules\/runtime\/memory"\)/)
    expect(registryCode(modules, 'build')).toContain('export const fetchArchive = undefined')
    const full = registryCode(modules, 'build', { integrity: true })
    expect(full).toContain('import { facts, base } from "virtual:lazy-modules/facts"\n')
    expect(full).toContain('export { facts, base }')
    expect(full).not.toContain('__lazyModulesEarlyFacts')
    // Nothing of the plugin's is fetched later, under a retry's URL that no digest covers.
    expect(full).toContain('import { recovery as recoveryObject } from "unplugin-lazy-modules/runtime/recovery"\nimport * as memoryModule from "unplugin-lazy-modules/runtime/memory"\n')
    expect(full).toContain('export const recovery = () => Promise.resolve(recoveryObject)\nexport const memory = () => Promise.resolve(memoryModule)\n')
    expect(full).not.toMatch(/import\("unplugin-lazy-modules\/runtime\/recovery"\)/)
    // Taken out by name, so that no bundler builds a namespace object for the recovery chunk.
    expect(registryCode(modules, 'build')).toContain('export const recovery = () => import("unplugin-lazy-modules/runtime/recovery").then(({ recovery }) => recovery)\nexport const memory = undefined\n')
  })

  it('inlines source facts in dev and accepts hot updates', () => {
    const code = registryCode(modules, 'dev')
    expect(code).toContain('"name":"src/pdf"')
    expect(code).toContain('import.meta.hot.accept')
    expect(code).toContain(`updateKey = "lazy-modules:update"`)
  })

  it('carries a module\'s metadata in its facts, and nothing for a module without', () => {
    const meta = { value: { title: 'P' }, file: '/app/src/p.ts', export: 'meta' }
    const code = registryCode([{ ...modules[0], meta }, modules[1]], 'dev')
    expect(code).toContain('"archive":null,"meta":{"title":"P"}},{"name":"src/pdf"')
    expect(code.match(/"meta"/g)).toHaveLength(1)
  })
})

describe('registeredAt', () => {
  const registered = [
    { name: 'charts/bar', kind: 'registered' as const, source: 'src/charts/bar.ts', id: '/app/src/charts/bar.ts', isPackage: false },
    { name: 'plugins/table', kind: 'registered' as const, source: 'src/plugins/table/index.ts', id: '/app/src/plugins/table/index.ts', isPackage: true },
  ]
  it('finds the registered module a marked import names, with or without extension, or by its folder', () => {
    expect(registeredAt('/app/src/charts/bar.ts', registered)?.name).toBe('charts/bar')
    expect(registeredAt('/app/src/charts/bar.js', registered)?.name).toBe('charts/bar')
    expect(registeredAt('/app/src/charts/bar', registered)?.name).toBe('charts/bar')
    expect(registeredAt('/app/src/plugins/table', registered)?.name).toBe('plugins/table')
    expect(registeredAt('/app/src/plugins/table/index.js', registered)?.name).toBe('plugins/table')
    expect(registeredAt('/app/src/charts/pie', registered)).toBeUndefined()
    expect(registeredAt('/app/src/charts/bar-old.ts', registered)).toBeUndefined()
  })
})
