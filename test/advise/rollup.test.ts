// The advice from a Rollup 4 build: its module graph and rendered lengths serve as Rolldown's do. A
// generated app with a heavy package of its own, used in a handler, and a light one used at start-up.
import type { Report } from '../../src/core/report'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import nodeResolve from '@rollup/plugin-node-resolve'
import { rollup } from 'rollup'
import { describe, expect, it } from 'vitest'
import LazyRollup from '../../src/rollup'
import { runtimeSource, tempDir } from '../helpers/build'
import { followAdvice } from './heavy-app'

/** `n` characters of a fixed pseudo-random text: code that compresses badly. */
function noise(n: number, seed: number): string {
  let state = seed + 1
  let text = ''
  while (text.length < n) {
    state = (state * 1103515245 + 12345) % 2 ** 31
    text += 'abcdefghijklmnopqrstuvwxyz0123456789'[state % 36]
  }
  return text
}

function app(): string {
  const dir = tempDir('lazy-advise-rollup-')
  const files: Record<string, string> = {
    'src/main.js': [
      `import { render } from 'heavy-chart'`,
      `import { greet } from 'light-words'`,
      `document.title = greet('you')`,
      `export function onClick(node) { return render(node) }`,
      '',
    ].join('\n'),
    // Code that compresses badly, so that it weighs (about 30 kB gzip): 600 functions of distinct strings.
    'node_modules/heavy-chart/package.json': JSON.stringify({ name: 'heavy-chart', type: 'module', main: 'index.js' }),
    'node_modules/heavy-chart/index.js': `import { draw } from './draw.js'\nexport function render(node) { return draw(node) }\n`,
    'node_modules/heavy-chart/draw.js': Array.from({ length: 600 }, (_, i) => `export function f${i}() { return ${JSON.stringify(noise(60, i))} }`).join('\n') + `\nexport function draw(node) { return [${Array.from({ length: 600 }, (_, i) => `f${i}()`).join(', ')}].join(node) }\n`,
    'node_modules/light-words/package.json': JSON.stringify({ name: 'light-words', type: 'module', main: 'index.js' }),
    'node_modules/light-words/index.js': `export const greet = name => 'hello ' + name\n`,
  }
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
  return dir
}

async function build(root: string): Promise<Report> {
  const bundle = await rollup({ input: join(root, 'src/main.js'), plugins: [LazyRollup({ root, report: { console: false } }), runtimeSource, nodeResolve()] })
  const out = tempDir('lazy-advise-rollup-out-')
  await bundle.write({ dir: out, format: 'es' })
  await bundle.close()
  return JSON.parse(readFileSync(join(out, 'lazy-report.json'), 'utf8'))
}

describe('advice from a Rollup 4 build', () => {
  it('names the heavy package at its line, ready once its function is async; its edit takes it out of the first load', async () => {
    const root = app()
    const report = await build(root)
    const heavy = report.advice!.candidates.find(candidate => candidate.subject === 'heavy-chart')!
    expect(heavy).toMatchObject({ kind: 'package', verdict: 'async', within: null, modules: 2 })
    expect(heavy.importers).toMatchObject([{ file: 'src/main.js', line: 1, uses: [{ line: 4, code: 'render(node)', after: 'await render(node)', function: 'onClick' }] }])
    expect(report.composition!.modules['node_modules/heavy-chart/draw.js'].package).toBe('heavy-chart')
    followAdvice(root, report.advice!.candidates)
    expect(readFileSync(join(root, 'src/main.js'), 'utf8')).toContain(`export async function onClick(node) { return await render(node) }`)
    const after = await build(root)
    // The first marked import brings the runtime (unminified here); the package leaves.
    expect(Object.keys(after.composition!.modules).filter(key => key.includes('heavy-chart'))).toEqual([])
    expect(after.initial.js.gzip).toBeLessThan(report.initial.js.gzip / 2)
    expect(after.advice!.candidates.map(candidate => candidate.subject)).not.toContain('heavy-chart')
    expect(report.advice!.note).toMatch(/^The app has no lazy module yet: the first marked import brings the runtime into the first load \(about 3\.1 kB gzip\)/)
    expect(after.advice!.note).toBeNull()
  })
})
