import { describe, expect, it } from 'vitest'
import { literalLookUps, unknownLookUps } from '../../src/core/look-ups'
import { moduleScope } from '../../src/core/scope'
import { parse, parseWithRollup } from '../helpers/parse'

const CODE = `import { importModule, getLoader as loaderOf, iterModules, hasModule } from 'unplugin-lazy-modules/runtime'
import * as lazy from 'unplugin-lazy-modules/runtime'
import { importModule as other } from './elsewhere.js'

export const a = () => importModule('charts/barr')
export const b = () => loaderOf(\`plugin/\${name}\`)
export const c = () => lazy.preload("charts/bar")
export const d = () => lazy['importModule']('locales/' + code)
export const e = () => iterModules('locale/')
export const f = () => hasModule('anything')
export const g = () => other('not the runtime')
export function h(importModule) { return importModule('a parameter') }
export const i = () => { const importModule = x => x; return importModule('a local') }
export const j = name => importModule(name)
export const k = () => importModule(\`charts/pie\`)
export const l = () => iterModules('')
export const m = () => lazy.toString('inherited, not a look-up')
`

describe.each([['Rolldown', parse], ['Rollup', parseWithRollup]])('literalLookUps, with %s\'s parser', (_, parser) => {
  it('finds the runtime\'s look-ups by a name written out, through aliases and a namespace, and nothing a local name shadows', () => {
    const ast = parser(CODE)
    const found = literalLookUps(ast, moduleScope(ast)).map(({ pos, ...rest }) => ({ ...rest, at: CODE.slice(pos, pos + 12) }))
    expect(found).toEqual([
      { call: 'importModule', name: 'charts/barr', prefix: false, at: 'importModule' },
      { call: 'getLoader', name: 'plugin/', prefix: true, at: 'loaderOf(`pl' },
      { call: 'preload', name: 'charts/bar', prefix: false, at: 'lazy.preload' },
      { call: 'importModule', name: 'locales/', prefix: true, at: 'lazy[\'import' },
      { call: 'iterModules', name: 'locale/', prefix: true, at: 'iterModules(' },
      { call: 'importModule', name: 'charts/pie', prefix: false, at: 'importModule' },
    ])
  })
})

describe('unknownLookUps', () => {
  const names = ['charts/bar', 'charts/pie', 'locales/en', 'locales/fr', 'plugins/graph']
  const at = { importer: '/app/src/main.js', line: 5, column: 23 }

  it('passes names the build has, and prefixes some name starts with', () => {
    expect(unknownLookUps([
      { call: 'importModule', name: 'charts/bar', prefix: false, ...at },
      { call: 'iterModules', name: 'locales/', prefix: true, ...at },
      { call: 'getLoader', name: 'plug', prefix: true, ...at },
    ], names, '/app')).toEqual([])
  })

  it('warns at file:line:column (1-based), with what the call does and the names close to it', () => {
    expect(unknownLookUps([{ call: 'importModule', name: 'charts/barr', prefix: false, ...at }], names, '/app')).toEqual([
      'src/main.js:5:24: `importModule("charts/barr")` rejects whenever it runs: no lazy module is named "charts/barr". Did you mean "charts/bar"? Names come from the `modules` option and from marked imports (lazy-modules.d.ts lists them).',
    ])
    const [prefix] = unknownLookUps([{ call: 'getLoader', name: 'plugin/', prefix: true, ...at }], names, '/app')
    expect(prefix).toContain('`getLoader(…)` returns undefined whenever it runs: no lazy module\'s name starts with "plugin/". Did you mean "plugins"?')
    const [listing] = unknownLookUps([{ call: 'iterModules', name: 'locale/', prefix: true, ...at }], names, '/app')
    expect(listing).toContain('`iterModules("locale/")` lists nothing whenever it runs: no lazy module\'s name starts with "locale/". Did you mean "locales"?')
  })

  it('names a Vue file\'s script module by its file', () => {
    const [warning] = unknownLookUps([{ call: 'importModule', name: 'charts/barr', prefix: false, ...at, importer: '/app/src/App.vue?vue&type=script&setup=true&lang.ts' }], names, '/app')
    expect(warning).toMatch(/^src\/App\.vue:5:24: /)
  })

  it('suggests nothing when no name is close', () => {
    const [warning] = unknownLookUps([{ call: 'preload', name: 'something/else', prefix: false, ...at }], names, '/app')
    expect(warning).toContain('rejects whenever it runs: no lazy module is named "something/else". Names come from')
  })
})
