// src/core/advise.ts on its own: where an import's bindings are used, the edit, and that the edited
// file is one the transform accepts, with no load at start-up.
import { describe, expect, it } from 'vitest'
import { compileImporter, markedImport, readImporter } from '../../src/core/advise'
import { transformLazyImports } from '../../src/core/transform'
import { parse } from '../helpers/parse'
import { applyEdits } from './heavy-app'

/** The advice for the import of `specifier` in `code`, and the code with its edits applied. */
function advise(code: string, specifier = 'lib', attribute = 'lazy') {
  const importer = readImporter(code, parse)!
  const statement = importer.imports.find(each => each.specifier === specifier)!
  const advice = importer.advise(statement, attribute)
  return { ...advice, edited: applyEdits(code, advice.edits) }
}

/** The transform takes the edited file: no error, and nothing loads at start-up. */
async function accepted(code: string) {
  const result = await transformLazyImports(code, '/app/src/file.js', { attribute: 'lazy', nameOf: ({ source }) => source, parse })
  expect(result?.rewritten, 'the edited file has a marked import').toBeDefined()
  expect(result!.startup).toEqual([])
}

describe('readImporter', () => {
  it('lists import and re-export statements; TypeScript and JSX do not parse', () => {
    const importer = readImporter(`import a from 'a'\nimport 'b'\nexport * from 'c'\nexport { d } from 'd'\nconst x = import('e')\n`, parse)!
    expect(importer.imports.map(each => each.specifier)).toEqual(['a', 'b', 'c', 'd'])
    expect(readImporter('const x: number = 1', parse)).toBeUndefined()
    expect(readImporter('const x = <div />', parse)).toBeUndefined()
  })
})

describe('the edit', () => {
  it('a use in an async function takes await where it is; one under await already is left', async () => {
    const code = `import { fmt, Parser } from 'lib'\nexport async function run(x) {\n  const a = fmt(x)\n  await fmt(x)\n  fmt.flush()\n  return new Parser(a)\n}\n`
    const advice = advise(code)
    expect(advice.uses.map(use => [use.line, use.code, use.after, use.where])).toEqual([
      [3, 'fmt(x)', '(await fmt)(x)', 'async function'],
      [4, 'fmt(x)', null, 'async function'],
      [5, 'fmt.flush()', 'await fmt.flush()', 'async function'],
      [6, 'Parser', '(await Parser)', 'async function'],
    ])
    expect(advice.edited).toBe(`import { fmt, Parser } from 'lib' with { lazy: 'true' }\nexport async function run(x) {\n  const a = (await fmt)(x)\n  await fmt(x)\n  await fmt.flush()\n  return new (await Parser)(a)\n}\n`)
    expect(advice.madeAsync).toEqual([])
    await accepted(advice.edited)
  })

  it('a function that must become async: declarations, arrows, methods, object methods, handlers', async () => {
    const code = [
      `import fmt from 'lib'`,
      `function a(x) { return fmt(x) }`,
      `const b = x => fmt(x)`,
      `class C { static m(x) { fmt(x) } }`,
      `const o = { n(x) { fmt(x) }, p: function (x) { fmt(x) } }`,
      `button.addEventListener('click', () => { fmt(1) })`,
      `export { a, b, C, o }`,
    ].join('\n')
    const advice = advise(code)
    expect(advice.madeAsync.sort()).toEqual(['a (line 2)', 'b (line 3)', 'm (line 4)', 'n (line 5)', 'p (line 5)', 'a function (line 6)'].sort())
    expect(advice.edited).toBe([
      `import fmt from 'lib' with { lazy: 'true' }`,
      `async function a(x) { return await fmt(x) }`,
      `const b = async x => await fmt(x)`,
      `class C { static async m(x) { await fmt(x) } }`,
      `const o = { async n(x) { await fmt(x) }, p: async function (x) { await fmt(x) } }`,
      `button.addEventListener('click', async () => { await fmt(1) })`,
      `export { a, b, C, o }`,
    ].join('\n'))
    await accepted(advice.edited)
  })

  it('a use in a callback that must stay sync (map, forEach) loads first in the function around it', async () => {
    const code = `import { fmt } from 'lib'\nexport function all(list) {\n  list.forEach(x => log(fmt(x)))\n  return list.map(x => ({ fmt, x: fmt(x) }))\n}\n`
    const advice = advise(code)
    expect(advice.loadsFirst).toEqual(['all (line 2): const fmtLoaded = await fmt'])
    expect(advice.edited).toBe(`import { fmt } from 'lib' with { lazy: 'true' }\nexport async function all(list) {\n  const fmtLoaded = await fmt\n  list.forEach(x => log(fmtLoaded(x)))\n  return list.map(x => ({ fmt: fmtLoaded, x: fmtLoaded(x) }))\n}\n`)
    await accepted(advice.edited)
    // A concise arrow body becomes a block.
    const arrow = advise(`import { fmt } from 'lib'\nexport const all = list => list.map(x => fmt(x))\n`)
    expect(arrow.edited).toBe(`import { fmt } from 'lib' with { lazy: 'true' }\nexport const all = async list => { const fmtLoaded = await fmt; return list.map(x => fmtLoaded(x)) }\n`)
    await accepted(arrow.edited)
  })

  it('a namespace import: each use loads it, and load is imported once', async () => {
    const code = `import * as ns from 'lib'\nexport async function f(k) {\n  return ns[k] ?? ns.fallback\n}\n`
    const advice = advise(code)
    expect(advice.edited).toBe(`import { load } from 'unplugin-lazy-modules/runtime'\nimport * as ns from 'lib' with { lazy: 'true' }\nexport async function f(k) {\n  return (await load(ns))[k] ?? (await load(ns)).fallback\n}\n`)
    await accepted(advice.edited)
    const loaded = advise(`import { load } from 'unplugin-lazy-modules/runtime'\n${code}`)
    expect(loaded.edited.split(`import { load } from 'unplugin-lazy-modules/runtime'`)).toHaveLength(2)
  })

  it('a use at the top level, or in a callback run at once, runs at start-up: no edit', () => {
    for (const use of ['fmt(1)', '[1].forEach(x => fmt(x))', '(() => fmt(1))()', 'export default fmt']) {
      const advice = advise(`import { fmt } from 'lib'\n${use}\n`)
      expect(advice.uses.map(each => each.where), use).toContain('top level')
    }
  })

  it('what cannot be marked as written says why', () => {
    expect(advise(`import 'lib'\n`).problem).toBe('it is imported for its side effects only: a marked import needs a binding to load it through')
    expect(advise(`export { a } from 'lib'\n`).problem).toMatch(/^it is re-exported \(`export … from`\)/)
    expect(advise(`import { a } from 'lib'\nexport { a }\n`).problem).toBe('`a` is exported again (line 2): importers would get a lazy binding')
    expect(advise(`import { a } from 'lib'\nexport class C { get x() { return a() } }\n`).problem).toBe('`a` is used in x (line 2), which cannot become async (a getter, setter, constructor or generator)')
    expect(advise(`import { a } from 'lib'\nexport class C { get x() { return a() } }\n`).edits).toEqual([])
  })

  it('keeps the attributes an import has, and takes another attribute key', () => {
    expect(markedImport(`import data from './d.json' with { type: 'json' }`, './d.json', 'lazy')).toBe(`import data from './d.json' with { type: 'json', lazy: 'true' }`)
    expect(markedImport(`import x from "lib";`, 'lib', 'defer')).toBe(`import x from "lib" with { defer: 'true' };`)
    expect(advise(`import { a } from 'lib'\nexport const f = async () => a\n`, 'lib', 'split').write).toBe(`import { a } from 'lib' with { split: 'true' }`)
  })
})

describe('a TypeScript or JSX importer', () => {
  it('is read compiled, and its positions mapped back to the file; its edit is of the file', async () => {
    const original = `import { fmt, type Options } from 'lib'\n\ntype T = { a: number }\n\nexport function show(t: T, options?: Options): string {\n  return fmt(t.a as number, options)\n}\n`
    const { code, compiled } = (await compileImporter(original, '/app/src/show.ts'))!
    const importer = readImporter(code, parse, compiled)!
    const advice = importer.advise(importer.imports[0], 'lazy')
    expect(advice).toMatchObject({ exact: true, line: 1, statement: `import { fmt, type Options } from 'lib'` })
    expect(advice.uses.map(use => [use.line, use.column, use.where])).toEqual([[6, 9, 'function']])
    expect(applyEdits(original, advice.edits)).toBe(`import { fmt, type Options } from 'lib' with { lazy: 'true' }\n\ntype T = { a: number }\n\nexport async function show(t: T, options?: Options): string {\n  return await fmt(t.a as number, options)\n}\n`)
  })

  it('a binding used as a JSX element cannot be a lazy binding', async () => {
    const original = `import { Chart } from 'lib'\nexport function View() {\n  return <Chart size={1} />\n}\n`
    const { code, compiled } = (await compileImporter(original, '/app/src/view.jsx'))!
    const importer = readImporter(code, parse, compiled)!
    expect(importer.advise(importer.imports.find(each => each.specifier === 'lib')!, 'lazy').problem).toBe('`Chart` is used as a JSX element (line 3), which a lazy binding cannot be: load the component with React.lazy or Suspense instead')
  })
})
