import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping'
import { describe, expect, it } from 'vitest'
import { LazyTransformError, transformLazyImports } from '../../src/core/transform'
import { parse } from '../helpers/parse'

const nameOf = ({ source }: { source: string }) => `name:${source}`
/** The rewritten code and its map, where the file has marked imports. */
const transform = (code: string, attribute = 'lazy') => transformLazyImports(code, '/app/src/main.js', { attribute, nameOf, parse }).then(result => result?.rewritten)

async function errorOf(code: string) {
  try {
    await transform(code)
  }
  catch (error) {
    expect(error).toBeInstanceOf(LazyTransformError)
    const { pos, message } = error as LazyTransformError
    const before = code.slice(0, pos)
    return { message, line: before.split('\n').length, column: pos - before.lastIndexOf('\n') - 1 }
  }
  throw new Error('expected a build error')
}

describe('transformLazyImports', () => {
  it('turns a namespace import into a handle declared before the first statement', async () => {
    const result = await transform(`import { a, load } from './a'\nimport * as pdf from './pdf' with { lazy: 'true' }\nexport const go = async () => (await load(pdf)).save()\n`)
    expect(result!.code).toMatchInlineSnapshot(`
      "import { __lazyHandle, load as __lazy_load } from "unplugin-lazy-modules/runtime";const pdf = /* #__PURE__ */ __lazyHandle("name:./pdf", () => import("./pdf"));import { a, load } from './a'

      export const go = async () => (await load(pdf)).save()
      "
    `)
  })

  it('rewrites named and default bindings used under await, keeping `this` unbound for calls', async () => {
    const result = await transform([
      `import render, { save as store, "odd-name" as odd } from './io' with { type: 'js', lazy: 'true' }`,
      `export async function run(doc) {`,
      `  const out = await store(doc)`,
      `  const fn = await render`,
      `  return [out, fn, await odd.deep.method(1), await store?.(doc)]`,
      `}`,
    ].join('\n'))
    expect(result!.code.split('\n').slice(1).join('\n')).toMatchInlineSnapshot(`
      "export async function run(doc) {
        const out = await (0, (await __lazy_load(__lazy_0)).save)(doc)
        const fn = await (await __lazy_load(__lazy_0)).default
        return [out, fn, await (await __lazy_load(__lazy_0))["odd-name"].deep.method(1), await (0, (await __lazy_load(__lazy_0)).save)?.(doc)]
      }"
    `)
    expect(result!.code).toContain(`__lazyHandle("name:./io", () => import("./io", { with: {"type":"js"} }))`)
  })

  it('leaves shadowed bindings, property keys and labels alone', async () => {
    const code = [
      `import * as ns from './x' with { lazy: 'true' }`,
      `import { f } from './y' with { lazy: 'true' }`,
      `function local(ns) { return ns.value }`,
      `const obj = { ns: 1, f: 2 }; obj.ns; obj.f`,
      `class C { ns = 1; f() {} static { let f = 3; f++ } }`,
      `for (const f of []) f()`,
      `try {} catch (ns) { ns.message }`,
      `export const g = async () => { const ns = {}; return ns.x }`,
    ].join('\n')
    const result = await transform(code)
    expect(result!.code.split('\n').slice(2)).toEqual(code.split('\n').slice(2))
  })

  it('keeps every line where it was and maps tokens back to the source', async () => {
    const code = `// header\nimport {\n  save\n} from './io' with { lazy: 'true' }\n\nexport async function run() {\n  return await save(1)\n}\nexport const marker = 42\n`
    const result = await transform(code)
    const lines = result!.code.split('\n')
    expect(lines.length).toBe(code.split('\n').length)
    const line = lines.findIndex(text => text.includes('marker = 42'))
    expect(line).toBe(8)
    const map = new TraceMap(result!.map as any)
    const pos = originalPositionFor(map, { line: line + 1, column: lines[line].indexOf('42') })
    expect(pos).toMatchObject({ source: '/app/src/main.js', line: 9, column: code.split('\n')[8].indexOf('42') })
    const call = lines[6].indexOf('(1)')
    expect(originalPositionFor(map, { line: 7, column: call })).toMatchObject({ line: 7, column: code.split('\n')[6].indexOf('(1)') })
  })

  it('inserts after a directive prologue so `use client` stays first', async () => {
    const result = await transform(`'use client'\nimport * as m from './m' with { lazy: 'true' }\nexport { }\n`)
    expect(result!.code.startsWith(`'use client';import { __lazyHandle`)).toBe(true)
  })

  it('keeps a hashbang first', async () => {
    const result = await transform(`#!/usr/bin/env node\nimport * as m from './m' with { lazy: 'true' }\nimport { load } from 'unplugin-lazy-modules/runtime'\nawait load(m)\n`)
    expect(result!.code.startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it('honours a configured attribute key, quoted or not', async () => {
    expect(await transform(`import * as m from './m' with { lazy: 'true' }`, 'defer')).toBeUndefined()
    const result = await transform(`import * as m from './m' with { "defer": 'true' }\nimport { load } from 'unplugin-lazy-modules/runtime'\nawait load(m)`, 'defer')
    expect(result!.code).toContain('__lazyHandle("name:./m"')
  })

  it('never parses a file without the marker', async () => {
    // A syntax error would throw if the file were parsed.
    expect(await transform(`this is not javascript (`)).toBeUndefined()
  })

  it('ignores the marker in strings and comments, and `lazy: \'false\'`', async () => {
    expect(await transform(`// import * as x from './x' with { lazy: 'true' }\nconst s = "with { lazy: 'true' }"`)).toBeUndefined()
    expect(await transform(`import * as x from './x' with { lazy: 'false' }\nx.y`)).toBeUndefined()
    expect(await transform(`const m = import('./x', { with: { lazy: 'true' } })`)).toBeUndefined()
  })

  it('changes nothing on a second pass', async () => {
    const first = await transform(`import * as a from './a' with { lazy: 'true' }\nimport { b } from './b' with { lazy: 'true' }\nimport { load } from 'unplugin-lazy-modules/runtime'\nawait load(a); await b()\n`)
    expect(await transform(first!.code)).toBeUndefined()
  })
})

describe('build errors name the line, the column and the fix', () => {
  const header = `import * as ns from './x' with { lazy: 'true' }\nimport def, { a } from './y' with { lazy: 'true' }\n`
  const cases: [string, string, RegExp][] = [
    ['member access on a handle', `ns.foo()`, /`ns` is a lazy module handle: its exports are not loaded yet, so `ns\.foo` is always undefined\. Load it first: `\(await load\(ns\)\)\.foo`/],
    ['computed member access', `ns['foo']`, /so `ns\[…\]` is always undefined/],
    ['calling a handle', `ns()`, /cannot be called/],
    ['spreading a handle', `const copy = { ...ns }`, /has no exports to list until loaded/],
    ['`in` on a handle', `'x' in ns`, /has no exports to list/],
    ['re-exporting a handle', `export { ns }`, /cannot be re-exported/],
    ['a named binding outside await', `a(1)`, /`a` comes from a lazy import and may only be used directly under `await`/],
    ['a named binding in a sync function', `function f() { return a(1) }`, /may only be used directly under `await`/],
    ['a named binding passed as a value', `await foo(a)`, /may only be used directly under `await`/],
    ['a default binding outside await', `const x = def`, /`def` comes from a lazy import/],
    ['re-exporting a named binding', `export { a }`, /`a` comes from a lazy import and cannot be re-exported/],
  ]
  it.each(cases)('%s', async (_, line, message) => {
    const error = await errorOf(`${header}${line}\n`)
    expect(error.message).toMatch(message)
    expect(error.line).toBe(3)
    expect(error.column).toBe(line.search(/\b(?:ns|a|def)\b/))
  })

  it('refuses `export * as … from` marked lazy, and says why', async () => {
    const error = await errorOf(`const x = 1\nexport * as ns from './x' with { lazy: 'true' }`)
    expect(error).toMatchObject({ line: 2, column: 0 })
    expect(error.message).toMatch(/`export … from` cannot be marked `lazy`: a re-exported handle would escape the checks/)
  })

  it('refuses a lazy import with no binding', async () => {
    const error = await errorOf(`import './x' with { lazy: 'true' }`)
    expect(error.message).toMatch(/A lazy import needs a binding/)
  })

  it('refuses values other than true and false', async () => {
    const code = `import * as x from './x' with { lazy: 'yes' }`
    const error = await errorOf(code)
    expect(error).toMatchObject({ line: 1, column: code.indexOf('lazy'), message: `The \`lazy\` import attribute must be 'true' or 'false', got "yes".` })
  })

  it('refuses direct eval, which could reach a lazy binding by name, and allows indirect eval', async () => {
    const error = await errorOf(`import { a } from './x' with { lazy: 'true' }\nexport const f = async () => eval('a')\n`)
    expect(error).toMatchObject({ line: 2, column: 29 })
    expect(error.message).toMatch(/^Direct `eval` in a file with lazy imports could reach a lazy binding/)
    expect(await transform(`import * as ns from './x' with { lazy: 'true' }\nexport const f = () => (0, eval)('1')\n`)).toBeDefined()
  })

  it('reports a `with` statement as the syntax error it is in a module', async () => {
    const error = await errorOf(`import * as ns from './x' with { lazy: 'true' }\nwith (ns) { y }\n`)
    expect(error).toMatchObject({ line: 2, column: 0 })
    expect(error.message).toMatch(/^Could not parse: /)
  })

  it('leaves re-exports of other modules and names that merely look alike alone', async () => {
    const code = `import * as ns from './x' with { lazy: 'true' }\nexport * from './other'\nexport { ns as nsName } from './elsewhere'\nconst o = { ns }\n`
    // `{ ns }` passes the handle as a value, which is allowed; the re-exports name other modules.
    const result = await transform(code)
    expect(result!.code.split('\n').slice(1)).toEqual(code.split('\n').slice(1))
  })

  it('reports a syntax error in a marked file with its position', async () => {
    const error = await errorOf(`import * as x from './x' with { lazy: 'true' }\nconst = 1`)
    expect(error).toMatchObject({ line: 2, column: 6 })
    expect(error.message).toMatch(/^Could not parse: Unexpected token$/)
  })
})

describe('filters before the parse', () => {
  it('leaves a file alone whose marker text is not on an import, even one acorn cannot parse as a module', async () => {
    // Sloppy-mode CommonJS (an octal literal) whose comment shows a marked import.
    const code = `// usage: import * as m from './m' with { lazy: 'true' }\nmodule.exports = { mode: 0644 }\n`
    expect(await transform(code)).toBeUndefined()
  })

  it('does not take prose about the attribute for a marker', async () => {
    const { markerPattern } = await import('../../src/core/marker')
    expect(markerPattern('lazy').test('import * as mod from … with { lazy: \'true\' }')).toBe(false)
    expect(markerPattern('lazy').test(`import * as mod from './x' with { lazy: 'true' }`)).toBe(true)
    expect(markerPattern('lazy').test(`import*as mod from"./x"with{"lazy":"true"}`)).toBe(true)
  })

  it('reads a file for its look-ups when it imports from the runtime, not when it only names it', async () => {
    const { transformPattern } = await import('../../src/core/marker')
    expect(transformPattern('lazy').test(`import { importModule } from 'unplugin-lazy-modules/runtime'`)).toBe(true)
    expect(transformPattern('lazy').test(`import{importModule}from"unplugin-lazy-modules/runtime"`)).toBe(true)
    expect(transformPattern('lazy').test(`const RUNTIME_ID = 'unplugin-lazy-modules/runtime'`)).toBe(false)
  })

  it('refuses an attribute key the filter could not find', async () => {
    const { resolveOptions } = await import('../../src/core/options')
    expect(() => resolveOptions({ attribute: '$lazy' })).toThrow(/option `attribute` must be letters, digits and `_`/)
  })

  it('refuses load() or preload() of a handle when neither is imported, showing the import to add', async () => {
    const { message, line, column } = await errorOf(`import * as pdf from './pdf' with { lazy: 'true' }\nexport const go = async () => (await load(pdf)).save()\n`)
    expect(message).toBe('`load` is not imported, so `load(pdf)` would throw at run time. Add `import { load } from \'unplugin-lazy-modules/runtime\'` to this file.')
    expect([line, column]).toEqual([2, 37])
    expect((await errorOf(`import * as pdf from './pdf' with { lazy: 'true' }\npreload(pdf)\n`)).message).toMatch(/^`preload` is not imported/)
  })
})
