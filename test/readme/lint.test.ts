// The README's "Linters, TypeScript and Prettier": each claim, checked with the tool it is about, on a
// file with marked imports (test/fixtures/eslint/).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ESLint } from 'eslint'
import { format } from 'prettier'
import tseslint from 'typescript-eslint'
import ts from 'typescript'
import { build } from 'vite'
import { describe, expect, it } from 'vitest'
import LazyModules from '../../src/vite'
import { example, readmeBlocks } from './readme'

const dir = resolve(import.meta.dirname, '../fixtures/eslint')
const files = ['marked.js', 'marked.ts']

async function lint(options: ESLint.Options = {}) {
  const results = await new ESLint({ cwd: dir, ...options }).lintFiles(files)
  return Object.fromEntries(results.map(result => [result.filePath.slice(dir.length + 1), result.messages.map(message => message.message)]))
}

/** Lints with no config file: ESLint 9's defaults, plus `languageOptions`. */
function lintWith(languageOptions: Record<string, unknown>) {
  return lint({ overrideConfigFile: true, overrideConfig: { languageOptions } })
}

describe('ESLint 9', () => {
  it('the fixture\'s eslint.config.js is the README\'s', () => {
    expect(readFileSync(join(dir, 'eslint.config.js'), 'utf8')).toBe(example(readmeBlocks(), 'eslint.config.js'))
  })

  it('with the README\'s flat config, lints marked .js and .ts files without a parse error', async () => {
    expect(await lint()).toEqual({ 'marked.js': [], 'marked.ts': [] })
  })

  it('parses import attributes with its default ecmaVersion, and with 2025, but not with 2024', async () => {
    const js = { overrideConfigFile: true as const }
    expect((await lint(js))['marked.js']).toEqual([])
    expect((await lintWith({ ecmaVersion: 2025 }))['marked.js']).toEqual([])
    expect((await lintWith({ ecmaVersion: 2024 }))['marked.js']).toEqual(['Parsing error: Unexpected token with'])
  })

  it('typescript-eslint\'s parser parses them in a .js file too', async () => {
    expect((await lintWith({ parser: tseslint.parser }))['marked.js']).toEqual([])
  })
})

describe('TypeScript', () => {
  // Outside this package, so that `unplugin-lazy-modules/runtime` is the fixture's declaration and
  // not, by the package's self-reference, whatever dist/ holds.
  const outside = mkdtempSync(join(tmpdir(), 'lazy-readme-ts-'))
  for (const file of ['marked.ts', 'pdf.ts', 'markdown.ts', 'runtime.d.ts'])
    writeFileSync(join(outside, file), readFileSync(join(dir, file)))

  function check(module: ts.ModuleKind) {
    const program = ts.createProgram([join(outside, 'marked.ts'), join(outside, 'runtime.d.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: [],
      lib: ['lib.es2022.d.ts'],
    })
    return ts.getPreEmitDiagnostics(program).map(diagnostic => `TS${diagnostic.code}`)
  }

  it('accepts import attributes with module esnext or preserve and moduleResolution bundler', () => {
    expect(check(ts.ModuleKind.ESNext)).toEqual([])
    expect(check(ts.ModuleKind.Preserve)).toEqual([])
  })

  it('reports TS2823 with module es2022', () => {
    expect(check(ts.ModuleKind.ES2022)).toEqual(['TS2823', 'TS2823'])
  })
})

describe('Prettier 3', () => {
  it('formats import attributes as with { lazy: "true" }, and the plugin builds that', async () => {
    const formatted = await format(readFileSync(join(dir, 'marked.ts'), 'utf8'), { parser: 'typescript' })
    expect(formatted).toContain(`import * as pdf from "./pdf" with { lazy: "true" };`)
    const root = mkdtempSync(join(tmpdir(), 'lazy-readme-prettier-'))
    for (const file of ['pdf.ts', 'markdown.ts'])
      writeFileSync(join(root, file), readFileSync(join(dir, file)))
    writeFileSync(join(root, 'marked.ts'), formatted)
    const outDir = join(root, 'dist')
    const result: any = await build({ root, configFile: false, logLevel: 'silent', plugins: [LazyModules({ report: false })], build: { ssr: 'marked.ts', outDir } })
    const entry = result.output.find((file: any) => file.type === 'chunk' && file.isEntry)
    expect(entry.code).not.toContain('%PDF') // pdf.ts is a chunk of its own
    const app = await import(pathToFileURL(join(outDir, entry.fileName)).href)
    expect(await app.exportDoc('x')).toBe('%PDF x')
    expect(await app.preview('y')).toBe('<p>y</p>')
  })
})
