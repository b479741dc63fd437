import { beforeAll, describe, expect, it } from 'vitest'
import { findLinks, groupModules, linksReady } from '../../src/core/archive'

beforeAll(linksReady)

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

describe('findLinks', () => {
  it('finds static and dynamic import specifiers and import.meta.url, as offsets into the code', () => {
    const code = `import{a}from"./shared.js";export*from'../up.js';const u=import.meta.url;import("./lazy.js");import("bare")`
    const links = findLinks(code, 'assets/bar.js')
    expect(typeof links).toBe('object')
    const { all, dynamic } = links as Exclude<typeof links, string>
    expect(all.map(([start, end, target]) => [code.slice(start, end), target])).toEqual([
      ['./shared.js', 'assets/shared.js'],
      ['../up.js', 'up.js'],
      ['import.meta.url', ''],
      ['./lazy.js', 'assets/lazy.js'],
    ])
    expect(dynamic).toEqual(['assets/lazy.js'])
  })

  it('says why a chunk cannot run from memory', () => {
    expect(findLinks('const m = import(name)', 'a.js')).toMatch(/computed specifier/)
    expect(findLinks('console.log(import.meta.env)', 'a.js')).toMatch(/import\.meta other than import\.meta\.url/)
    expect(findLinks('import { from', 'a.js')).toMatch(/does not parse/)
  })
})
