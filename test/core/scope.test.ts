// src/core/scope.ts against eslint-scope, the resolver it replaced: the same references reach each
// module-scope binding, and the same names reach none, on hand-written corners and on real npm
// libraries, read by Rolldown's and by Rollup's parser (what `this.parse` is in each bundler).
import type { Program } from 'estree'
import type { Parse } from '../../src/core/scope'
import { readFileSync } from 'node:fs'
import { Parser } from 'acorn'
import { analyze } from 'eslint-scope'
import { describe, expect, it } from 'vitest'
import { moduleScope } from '../../src/core/scope'
import { parse, parseWithRollup } from '../helpers/parse'

type At = { name: string, start: number }
const where = (ids: At[]) => ids.map(id => `${id.name}@${id.start}`)

/** What eslint-scope finds: each module-scope binding's references (initialising writes left out, as a declaration is not a use), and the unresolved ones. */
function oracle(code: string) {
  const ast = Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true, ranges: true }) as unknown as Program
  const global = analyze(ast, { ecmaVersion: 2022, sourceType: 'module' }).globalScope!
  const module = global.childScopes[0]
  const references = Object.fromEntries(module.variables.map(variable => [variable.name, where(variable.references.filter(ref => !ref.init).map(ref => ref.identifier as unknown as At)).sort()]))
  return { references, through: where(global.through.map(ref => ref.identifier as unknown as At)).sort() }
}

function ours(code: string, parser: Parse) {
  const scope = moduleScope(parser(code))
  const references = Object.fromEntries([...scope.references].map(([name, ids]) => [name, where(ids as unknown as At[]).sort()]))
  return { references, through: where(scope.through as unknown as At[]).sort() }
}

const corners: Record<string, string> = {
  'imports used, shadowed and written': `import a, { b as c } from 'x'\nimport * as ns from 'y'\na(); c.d; ns[a]\nfunction f(a) { return a + c }\nconst g = (c) => c\nlet h = ({ a, c: [ns] = c }) => a + ns\nc = 1; ns++\n({ a } = {}); [c] = []\n`,
  'hoisting: var, functions, classes': `use(); function use() { return v + K }\nvar v = 1\nclass K { static s = K; m() { return K } }\n{ function inner() {} inner() }\ninner()\nif (v) { var late = 2 }\nlate\n`,
  'blocks, loops, catch, switch, labels': `let i = 0\nfor (let i = 0; i < 3; i++) { i }\nfor (const k in o) k\nfor (q of r) q\ntry { t() } catch (e) { e; i } finally { i }\ntry {} catch { i }\nswitch (i) { case 1: let i = 2; i; break; default: i }\nouter: for (;;) { break outer }\nlabel: i\n`,
  'functions: names, arguments, defaults, rest': `const f = function named(n = named, ...rest) { return arguments.length + rest.length + n }\nnamed\nfunction g({ [key]: value, ...others } = fallback) { return value + others }\nconst arrow = () => arguments\nasync function* gen() { yield* gen(); await gen }\n`,
  'classes: members, fields, private names, static blocks': `import { base } from 'b'\nconst K = class Inner extends base { #p = base; static { var s = Inner; base } [base] = 1; get [base.x]() { return this.#p } static m() { return Inner } }\nInner\nclass D extends K { constructor() { super(); this.k = K } }\n`,
  'exports, meta, templates, chains': `import x from 'x'\nexport { x, x as y }\nexport { z } from 'z'\nexport * as all from 'all'\nexport default x\nexport const c = import.meta.url + \`\${x}\`\nx?.a?.(x)\nfunction t() { return new.target }\ntag\`\${x}\`\n`,
  'objects and patterns': `import o from 'o'\nconst { a, b: { c }, ...d } = o\nconst [e, , f = o, ...g] = o\n;({ o, [o]: o, o: o, get o() { return o }, ['s']: 1 })\n`,
  'export default function and class': `export default function named() { return named }\nnamed\nexport class E { m() { return E } }\n`,
}

const libraries = [
  'acorn/dist/acorn.mjs',
  'magic-string/dist/index.mjs',
  'chart.js/dist/chart.js',
  'leaflet/dist/leaflet-src.esm.js',
  'fuse.js/dist/fuse.mjs',
  'date-fns/format.js',
  'pdf-lib/es/api/PDFDocument.js',
  'nanoid/index.js',
]

describe.each([['Rolldown', parse], ['Rollup', parseWithRollup]] as const)('moduleScope on %s\'s parser agrees with eslint-scope', (_, parser) => {
  it.each(Object.entries(corners))('%s', (_name, code) => {
    expect(ours(code, parser)).toEqual(oracle(code))
  })

  it.each(libraries)('%s', (library) => {
    const code = readFileSync(new URL(`../../node_modules/${library}`, import.meta.url), 'utf8')
    const expected = oracle(code)
    expect(Object.keys(expected.references).length, 'a real module with bindings').toBeGreaterThan(2)
    expect(ours(code, parser)).toEqual(expected)
  })
})

describe('moduleScope', () => {
  it('refuses a `with` statement, at its position, which would hide where a name goes', () => {
    const code = `import * as ns from './x';\nwith (ns) { y }\n`
    expect(() => moduleScope(parse(code))).toThrow(expect.objectContaining({ name: 'SyntaxError', pos: code.indexOf('with') }))
  })

  it('knows each node\'s parent and every name the file uses', () => {
    const ast = parse(`import a from 'a'\nexport function f() { return a.b }\n`)
    const { parents, names, references } = moduleScope(ast)
    const use = references.get('a')![0]
    expect(parents.get(parents.get(use)!)!.type).toBe('ReturnStatement')
    expect([...names].sort()).toEqual(['a', 'b', 'f'])
  })
})
