import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { exportedValue, readMeta } from '../../src/core/meta'
import { tempDir } from '../helpers/build'

/** The message and position of the refusal for `code` as a module's `meta` export. */
function refusal(code: string, name = 'meta') {
  try {
    exportedValue(code, '/app/src/tool.ts', name, 'src/tool.ts')
  }
  catch (error: any) {
    return { message: error.message.replace(/^src\/tool\.ts:\d+:\d+: .* It /, 'It '), at: error.message.split(': ')[0], pos: error.pos }
  }
  throw new Error('not refused')
}

describe('exportedValue', () => {
  it('reads literals, around TypeScript annotations, `as const` and `satisfies`', () => {
    const code = [
      `import type { ToolMeta } from './types'`,
      `const helper = (x: number): string => String(x)`,
      `export const meta: ToolMeta = {`,
      `  title: 'Text replacer', 'url-path': "string/replacer", order: -2, ratio: 0.5, beta: true, icon: null,`,
      `  keywords: ['find', \`replace\`], nested: { deep: [{ a: 1 }] }, __proto__: 'kept',`,
      `} as const satisfies ToolMeta`,
      `export default function run(): void {}`,
    ].join('\n')
    const value = exportedValue(code, 'tool.ts', 'meta') as any
    expect(value).toEqual(JSON.parse(`{"title":"Text replacer","url-path":"string/replacer","order":-2,"ratio":0.5,"beta":true,"icon":null,"keywords":["find","replace"],"nested":{"deep":[{"a":1}]},"__proto__":"kept"}`))
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.keys(value)).toContain('__proto__')
    expect(exportedValue(`export default { title: 'x' }\n`, 'meta.ts', 'default')).toEqual({ title: 'x' })
    expect(exportedValue(`export let info = ['a']`, 'tool.js', 'info')).toEqual(['a'])
  })

  it('refuses what only running the module could tell, at its line and column, saying what it is and how to fix it', () => {
    expect(refusal(`export const meta = {\n  title: t('tool.title'),\n}`)).toEqual({
      at: 'src/tool.ts:2:10',
      pos: 31,
      message: 'It holds a call. Write the value itself; compute what depends on it where it is used.',
    })
    const full = () => exportedValue(`export const meta = { a: b }`, '/app/src/tool.ts', 'meta', 'src/tool.ts')
    expect(full).toThrow('src/tool.ts:1:26: The export `meta` is the module\'s metadata, read at build time without running the module, so it must be a literal: strings, numbers, booleans, null, and arrays and objects of them. It holds a variable (`b`).')
    expect(refusal(`export const meta = { title }`).message).toBe('It holds a variable (`title`). Write the value itself; compute what depends on it where it is used.')
    expect(refusal(`export const meta = { ...base }`).message).toMatch(/^It holds a spread \(`...`\)\./)
    expect(refusal(`export const meta = { [key]: 1 }`).message).toMatch(/^It holds a computed key\./)
    expect(refusal(`export const meta = { run() {} }`).message).toMatch(/^It holds a method\./)
    expect(refusal('export const meta = { a: `v${1}` }').message).toMatch(/^It holds a template with `\$\{…\}`\./)
    expect(refusal(`export const meta = { a: undefined }`).message).toMatch(/^It holds `undefined`, which JSON cannot carry \(leave the key out\)\./)
    expect(refusal(`export const meta = { a: /x/ }`).message).toMatch(/^It holds a regular expression\./)
    expect(refusal(`export const meta = [1,,2]`).message).toMatch(/^It holds an array hole\./)
    expect(refusal(`export const meta = { a: 1 + 1 }`).message).toMatch(/^It holds an operation\./)
    expect(refusal(`export const meta = { a: x.y }`).message).toMatch(/^It holds a property read\./)
    expect(refusal(`export const meta = { tags: [] as string[] }`)).toMatchObject({
      at: 'src/tool.ts:1:32',
      message: expect.stringMatching(/^It cannot be read as a literal \(Unexpected token\); `as const` and `satisfies` may follow the whole literal, but not its parts\./),
    })
  })

  it('names the declaration it looked for when there is none', () => {
    expect(() => exportedValue(`const meta = {}\nexport { meta }`, '/app/src/tool.ts', 'meta', 'src/tool.ts')).toThrow('src/tool.ts: has no `export const meta = { … }`, where the metadata is read from. Add it, with a literal value.')
    expect(() => exportedValue(`export const metadata = {}`, 'tool.ts', 'meta')).toThrow('has no `export const meta =')
    expect(() => exportedValue(`export function f() {}`, 'meta.ts', 'default')).toThrow('has no `export default { … }`')
  })
})

describe('readMeta', () => {
  const root = tempDir('lazy-meta-')
  mkdirSync(join(root, 'src/tool'), { recursive: true })
  writeFileSync(join(root, 'src/tool/index.ts'), `export const meta = { title: 'Tool' }\n`)
  writeFileSync(join(root, 'src/tool/meta.json'), `{ "title": "From JSON" }\n`)
  writeFileSync(join(root, 'src/tool/meta.ts'), `export default { title: 'From a script' } satisfies object\n`)
  writeFileSync(join(root, 'src/tool/broken.json'), `{ title: 1 }`)
  const module = join(root, 'src/tool/index.ts')

  it('reads an export of the module, or a file beside it', () => {
    expect(readMeta(module, 'meta', root)).toEqual({ value: { title: 'Tool' }, file: module, export: 'meta' })
    expect(readMeta(module, './meta.json', root)).toEqual({ value: { title: 'From JSON' }, file: join(root, 'src/tool/meta.json') })
    expect(readMeta(module, './meta.ts', root)).toEqual({ value: { title: 'From a script' }, file: join(root, 'src/tool/meta.ts'), export: 'default' })
  })

  it('names the files, relative to the root, when the file beside is missing or not JSON', () => {
    expect(() => readMeta(module, './info.json', root)).toThrow('src/tool/info.json: no such file, and `meta: "./info.json"` reads the metadata of src/tool/index.ts there. Add it, or leave the module out of the glob with a \'!\' glob.')
    expect(() => readMeta(module, './broken.json', root)).toThrow(/^src\/tool\/broken\.json: is not JSON \(.*\), and it is the metadata of src\/tool\/index\.ts\.$/)
  })
})
