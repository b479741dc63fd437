import { beforeAll, describe, expect, it } from 'vitest'
import type { BundleChunk } from '../../src/core/graph'
import { groupModules, packArchives } from '../../src/core/archive'
import { createGraph } from '../../src/core/graph'
import { lexerReady, scanImports } from '../../src/core/links'
import { moduleInfo } from '../helpers/manifest'

beforeAll(lexerReady)

const bundleChunk = (fields: Partial<BundleChunk> & { file: string }): BundleChunk => ({ code: '', imports: [], dynamicImports: [], css: [], isEntry: false, isDynamicEntry: false, facadeModuleId: null, moduleIds: [], modules: {}, ...fields })

describe('groupModules', () => {
  const names = ['charts/bar', 'charts/pie', 'charts/3d/cube', 'locales/en', 'editor']
  it('matches `*` within one segment and `**` across segments', () => {
    expect(Object.fromEntries(groupModules({ flat: ['charts/*'], deep: ['charts/**'], loc: ['locales/*'] }, names))).toEqual({
      'charts/bar': 'flat',
      'charts/pie': 'flat',
      'charts/3d/cube': 'deep',
      'locales/en': 'loc',
    })
  })

  it('groups by first segment for `true`, leaving one-segment names loose', () => {
    expect(Object.fromEntries(groupModules(true, names))).toEqual({ 'charts/bar': 'charts', 'charts/pie': 'charts', 'charts/3d/cube': 'charts', 'locales/en': 'locales' })
  })
})

describe('scanImports', () => {
  it('finds static and dynamic import specifiers and import.meta.url, as offsets into the code', () => {
    const code = `import{a}from"./shared.js";export*from'../up.js';const u=import.meta.url;import("./lazy.js");import("bare")`
    const { references, unknown } = scanImports(code, 'assets/bar.js')
    expect(unknown).toBeUndefined()
    expect(references.map(({ start, end, target, dynamic }) => [code.slice(start, end), target, dynamic])).toEqual([
      ['./shared.js', 'assets/shared.js', false],
      ['../up.js', 'up.js', false],
      ['import.meta.url', '', false],
      ['./lazy.js', 'assets/lazy.js', true],
    ])
  })

  it('says why a chunk cannot run from memory, and still lists what it found', () => {
    const computed = scanImports('import "./a.js"; const m = import(name)', 'a.js')
    expect(computed.unknown).toMatch(/computed specifier/)
    expect(computed.references.map(reference => reference.target)).toEqual(['a.js'])
    expect(scanImports('console.log(import.meta.env)', 'a.js').unknown).toMatch(/import\.meta other than import\.meta\.url/)
    expect(scanImports('import { from', 'a.js').unknown).toMatch(/does not parse/)
  })
})

describe('packArchives', () => {
  it('warns when an archive pattern matches no module name, with the names it may have meant', () => {
    const modules = ['tools/text/upper', 'tools/text/lower'].map(name => moduleInfo({ name, file: `${name.replaceAll('/', '-')}.js` }))
    const graph = createGraph(modules.map(module => bundleChunk({ file: module.file!, isDynamicEntry: true })))
    const { warnings, archives } = packArchives(modules, graph, { groups: { tools: ['tools/*'] }, compression: 'store' }, () => ({ references: [] }))
    expect(archives).toEqual({})
    expect(warnings).toEqual(['option `archives["tools"]`: the pattern "tools/*" matches no lazy module name, so it packs nothing. Names it may have meant: tools/text/upper, tools/text/lower (`*` is one name segment, `**` any number).'])
  })
})
