import { describe, expect, it } from 'vitest'
import { DEFAULT_RETRY } from '../../src/contract'
import { resolveOptions } from '../../src/core/options'

describe('resolveOptions', () => {
  it('makes every default explicit', () => {
    const options = resolveOptions({}, '/app')
    expect(options).toMatchObject({
      modules: {},
      attribute: 'lazy',
      manifest: 'lazy-manifest.json',
      archives: undefined,
      compression: 'store',
      keepLooseChunks: false,
      integrity: false,
      retry: DEFAULT_RETRY,
      report: { console: true, json: 'lazy-report.json', html: 'lazy-report.html', brotli: true },
      budgets: [],
      dts: '/app/lazy-modules.d.ts',
      root: '/app',
    })
  })

  it('puts the declaration file in the root unless told where, or not at all', () => {
    expect(resolveOptions({ dts: 'src/types/lazy.d.ts' }, '/app').dts).toBe('/app/src/types/lazy.d.ts')
    expect(resolveOptions({ dts: true, root: '/web' }, '/app').dts).toBe('/web/lazy-modules.d.ts')
    expect(resolveOptions({ dts: false }, '/app').dts).toBe(false)
    expect(() => resolveOptions({ dts: '' })).toThrow('option `dts` must be a file name, true or false, as in \'src/lazy-modules.d.ts\'; got string ""')
    expect(() => resolveOptions({ dts: 1 } as any)).toThrow('option `dts` must be a file name, true or false')
  })

  it('checks an object entry of `modules`: its keys, source, name function and metadata', () => {
    const name = (path: string) => path
    expect(resolveOptions({ modules: { 'tools/*': { source: 'src/tools/*.ts', name, meta: 'meta' } } }, '/app').modules['tools/*']).toEqual({ source: 'src/tools/*.ts', name, meta: 'meta' })
    expect(() => resolveOptions({ modules: { 'tools/*': { sources: 'src/tools/*.ts' } } } as any)).toThrow('option `modules["tools/*"].sources` is not an option: did you mean `modules["tools/*"].source`? The options of `modules["tools/*"]` are source, name, meta.')
    expect(() => resolveOptions({ modules: { 'tools/*': { meta: 'meta' } } } as any)).toThrow('option `modules["tools/*"].source` must be a file, a glob, a package name, or an array of globs (with \'!\' exclusions); got nothing.')
    expect(() => resolveOptions({ modules: { 'tools/*': { source: 'src/*.ts', name: 'tool' } } } as any)).toThrow('option `modules["tools/*"].name` must be a function from a matched path (and the name the pattern gives) to a name')
    expect(() => resolveOptions({ modules: { 'tools/*': { source: 'src/*.ts', meta: 'meta.json' } } })).toThrow('option `modules["tools/*"].meta` must name an export of each module (\'meta\' for `export const meta = { … }`) or a file beside it (\'./meta.json\'); got string "meta.json".')
  })

  it('follows the bundler\'s "no compressed sizes" switch unless `report` is set', () => {
    expect(resolveOptions({}, '/app', { compressedSizes: false }).report.console).toBe(false)
    expect(resolveOptions({ report: true }, '/app', { compressedSizes: false }).report.console).toBe(true)
  })

  it('names an unknown option and the one that was meant', () => {
    expect(() => resolveOptions({ module: { a: 'src/a.ts' } } as any)).toThrow('[lazy-modules] option `module` is not an option: did you mean `modules`? The options are modules, attribute, manifest, archives, compression, keepLooseChunks, integrity, retry, report, budgets, dts, root.')
    expect(() => resolveOptions({ retry: { attempt: 2 } } as any)).toThrow('option `retry.attempt` is not an option: did you mean `retry.attempts`?')
    expect(() => resolveOptions({ report: { jsno: false } } as any)).toThrow('option `report.jsno` is not an option: did you mean `report.json`?')
    expect(() => resolveOptions({ budgets: { inital: '10 kB' } } as any)).toThrow('option `budgets.inital` is not an option: did you mean `budgets.initial`? The options of `budgets` are initial, lazy.')
    expect(() => resolveOptions({ zzz: 1 } as any)).toThrow('option `zzz` is not an option. The options are modules,')
  })

  it('names the option and what it takes when a value has the wrong type', () => {
    expect(() => resolveOptions('src' as any)).toThrow('the plugin takes one options object')
    expect(() => resolveOptions({ modules: ['src/*.ts'] } as any)).toThrow('option `modules` must be an object of name patterns to sources, as in { \'charts/*\': \'src/charts/*.ts\' }; got an array')
    expect(() => resolveOptions({ modules: { a: '' } })).toThrow('option `modules["a"]` must be a file, a glob, a package name, or an array of globs')
    expect(() => resolveOptions({ modules: { 'a/*/*': 'x/*/*.ts' } })).toThrow('option `modules["a/*/*"]` the name pattern may hold one `*` at most')
    expect(() => resolveOptions({ archives: { charts: 'charts/*' } } as any)).toThrow('option `archives` must be true or an object of archive names to name patterns, as in { charts: [\'charts/*\'] }')
    expect(() => resolveOptions({ keepLooseChunks: 'yes' } as any)).toThrow('option `keepLooseChunks` must be a boolean; got string "yes"')
    expect(() => resolveOptions({ integrity: 1 } as any)).toThrow('option `integrity` must be a boolean; got number 1')
    expect(() => resolveOptions({ manifest: 1 } as any)).toThrow('option `manifest` must be a file name or false')
    expect(() => resolveOptions({ compression: 'zip' } as any)).toThrow('option `compression` must be \'store\' or \'deflate\'')
    expect(() => resolveOptions({ retry: { attempts: 0 } })).toThrow('option `retry.attempts` must be a number of at least 1')
    expect(() => resolveOptions({ attribute: 'la-zy' })).toThrow('option `attribute` must be letters')
  })

  it('takes an array of sources with exclusions', () => {
    expect(resolveOptions({ modules: { 'locales/*': ['src/locales/*.js', '!src/locales/en.js'] } }, '/app').modules).toEqual({ 'locales/*': ['src/locales/*.js', '!src/locales/en.js'] })
  })
})
