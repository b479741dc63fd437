// The advisor on an app that imports real heavy libraries eagerly (test/fixtures/heavy-app): it must
// name each library, the import's line and each use's line, and its edits alone, applied as written,
// must take at least 80% of what marking the libraries by hand takes off the first load. The app
// built from the edited source must still work in Chromium.
import type { Candidate, Report, TextEdit } from '../../src/core/report'
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli'
import { formatSize } from '../../src/core/report'
import { closeBrowser, openPage } from '../helpers/browser'
import { buildWithVite, fixtures, tempDir } from '../helpers/build'
import { serve } from '../helpers/server'

const fixture = join(fixtures, 'heavy-app')
const repo = join(import.meta.dirname, '../..')

/** The fixture in a folder of its own (its node_modules linked), with the hand-marked files over it if asked. */
export function copyApp({ byHand = false } = {}): string {
  const dir = tempDir('lazy-heavy-app-')
  cpSync(fixture, dir, { recursive: true, filter: source => !source.startsWith(join(fixture, 'by-hand')) })
  if (byHand)
    cpSync(join(fixture, 'by-hand'), dir, { recursive: true })
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

export async function buildApp(root: string): Promise<{ dir: string, report: Report }> {
  const built = await buildWithVite(root, { report: { console: false } })
  return { dir: built.dir, report: JSON.parse(readFileSync(join(built.dir, 'lazy-report.json'), 'utf8')) }
}

/** The edits of every candidate the advice says to act on: not inside another, and markable as written. */
export function followAdvice(root: string, candidates: Candidate[]): Candidate[] {
  const followed = candidates.filter(candidate => !candidate.within && (candidate.verdict === 'ready' || candidate.verdict === 'async'))
  const byFile = new Map<string, TextEdit[]>()
  for (const edit of followed.flatMap(candidate => candidate.edits))
    byFile.set(edit.file, [...byFile.get(edit.file) ?? [], edit])
  for (const [file, edits] of byFile) {
    let code = readFileSync(join(root, file), 'utf8')
    for (const edit of edits.sort((a, b) => b.start - a.start || b.end - a.end))
      code = code.slice(0, edit.start) + edit.text + code.slice(edit.end)
    writeFileSync(join(root, file), code)
  }
  return followed
}

async function cli(...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, { stdout: (text) => { stdout += text }, stderr: (text) => { stderr += text } })
  return { code, stdout, stderr }
}

const LIBRARIES = ['pdf-lib', 'chart.js', 'pgsql-ast-parser', 'jszip', 'date-fns/locale']

describe('advice on an app with heavy libraries imported eagerly (Vite 8)', () => {
  let eager: Awaited<ReturnType<typeof buildApp>>
  let candidates: Candidate[]
  const find = (subject: string) => candidates.find(candidate => candidate.subject === subject)!
  beforeAll(async () => {
    eager = await buildApp(copyApp())
    candidates = eager.report.advice!.candidates
  })
  afterAll(closeBrowser)

  it('names each library, sorted by what the first load would lose, with its own size', () => {
    expect(eager.report.advice!.from).toBe('build')
    for (const library of LIBRARIES)
      expect(find(library), library).toMatchObject({ kind: 'package', package: library.split('/')[0] })
    const saved = candidates.map(candidate => candidate.saved.gzip)
    expect(saved).toEqual([...saved].sort((a, b) => b - a))
    // pdf-lib takes its own dependencies along; date-fns/locale leaves the part of date-fns that start-up needs.
    expect(find('pdf-lib').saved.gzip).toBeGreaterThan(find('pdf-lib').size.gzip)
    expect(find('date-fns/locale').saved.gzip).toBeLessThan(find('date-fns/locale').size.gzip)
    expect(find('pdf-lib').saved.gzip).toBeGreaterThan(50_000)
  })

  it('gives the import to write, at its file and line, and the uses that take await, at theirs', () => {
    expect(find('pdf-lib').importers).toEqual([{
      file: 'src/export/pdf.js',
      line: 1,
      column: 0,
      statement: `import { PDFDocument, rgb, StandardFonts } from 'pdf-lib'`,
      write: `import { PDFDocument, rgb, StandardFonts } from 'pdf-lib' with { lazy: 'true' }`,
      problem: null,
      uses: [
        { line: 4, column: 20, code: 'PDFDocument.create()', after: null, where: 'async function', function: 'exportPdf' },
        { line: 5, column: 35, code: 'StandardFonts.Helvetica', after: '(await StandardFonts).Helvetica', where: 'async function', function: 'exportPdf' },
        { line: 7, column: 63, code: 'rgb(0.1, 0.1, 0.4)', after: '(await rgb)(0.1, 0.1, 0.4)', where: 'async function', function: 'exportPdf' },
      ],
    }])
    expect(find('pdf-lib').verdict).toBe('ready')
    expect(find('jszip')).toMatchObject({ verdict: 'async', importers: [{ file: 'src/export/zip.js', line: 1, uses: [{ line: 4, code: 'JSZip', after: '(await JSZip)', where: 'function', function: 'zipFiles' }] }] })
    expect(find('jszip').message).toContain('zipFiles (line 3) in src/export/zip.js becomes async: what calls it gets a promise.')
    expect(find('date-fns/locale').importers[0]).toMatchObject({ file: 'src/i18n.js', line: 2, write: `import * as locales from 'date-fns/locale' with { lazy: 'true' }` })
    expect(find('date-fns/locale').importers[0].uses.map(use => [use.line, use.after])).toEqual([[5, '(await load(locales))[code.replace(\'-\', \'\')]'], [5, '(await load(locales)).enUS']])
    expect(find('date-fns/locale').edits).toContainEqual({ file: 'src/i18n.js', start: 42, end: 42, text: `import { load } from 'unplugin-lazy-modules/runtime'\n` })
  })

  it('says when a use at start-up keeps the library in the first load, at the use\'s line', () => {
    expect(find('date-fns')).toMatchObject({ verdict: 'start-up', edits: [] })
    expect(find('date-fns').importers.map(each => `${each.file}:${each.line}`)).toEqual(['src/main.js:3', 'src/i18n.js:1'])
    expect(find('date-fns').message).toBe('Code that runs at start-up uses it (src/main.js:13 `format(new Date(2026, 0, 15), \'PPPP\')`), so a lazy import would load it at start anyway. Move that use into code that runs later (an event handler, an effect), or leave it eager.')
  })

  it('a library behind a source module of the first load is also under that module, which takes it along', () => {
    expect(find('src/export/pdf.js')).toMatchObject({ kind: 'module', package: null, within: null, importers: [{ file: 'src/main.js', line: 5 }] })
    expect(find('pdf-lib').within).toBe('src/export/pdf.js')
    expect(find('src/export/pdf.js').saved.gzip).toBeGreaterThanOrEqual(find('pdf-lib').saved.gzip)
  })

  it('following the advice alone takes at least 80% of what marking the libraries by hand takes off the first load, and the app still works', async () => {
    const advised = copyApp()
    const followed = followAdvice(advised, candidates)
    expect(followed.length).toBeGreaterThanOrEqual(5)
    const [afterAdvice, byHand] = [await buildApp(advised), await buildApp(copyApp({ byHand: true }))]
    const js = (report: Report) => report.initial.js.gzip
    const [before, advice, hand] = [js(eager.report), js(afterAdvice.report), js(byHand.report)]
    console.info(`first load JS, gzip: eager ${formatSize(before)}, advice followed ${formatSize(advice)} (−${formatSize(before - advice)}), marked by hand ${formatSize(hand)} (−${formatSize(before - hand)}); the advice takes ${Math.round((before - advice) / (before - hand) * 100)}% of what marking by hand takes`)
    expect(before - advice).toBeGreaterThanOrEqual(0.8 * (before - hand))
    // The advice's estimate is of the same order as what the build measures.
    const estimated = followed.reduce((total, candidate) => total + candidate.saved.gzip, 0)
    expect(Math.abs(estimated - (before - advice)) / (before - advice)).toBeLessThan(0.25)

    const server = await serve(afterAdvice.dir)
    try {
      const { page, errors, close } = await openPage(server.url('/index.html'))
      expect(await page.textContent('#today')).toBe('Thursday, January 15th, 2026')
      expect(await page.evaluate('app.sql("select a from t")')).toBe('SELECT a  FROM t')
      expect(await page.evaluate('app.locale("fr")')).toBe('14 jours')
      expect(await page.evaluate('app.zip().then(bytes => bytes.byteLength)')).toBeGreaterThan(100)
      expect(await page.evaluate('app.pdf().then(bytes => bytes.byteLength)')).toBeGreaterThan(500)
      expect(await page.evaluate('app.chart().then(chart => chart.config.type)')).toBe('bar')
      expect(errors.all()).toEqual([])
      await close()
    }
    finally {
      await server.close()
    }
  })

  it('lazy-modules advise <dir> prints the table from the build\'s lazy-report.json; --json gives the advice', async () => {
    const table = await cli('advise', eager.dir)
    expect([table.code, table.stderr]).toEqual([0, ''])
    expect(table.stdout).toMatch(/^what to make lazy: the first load has [\d.]+ kB gzip of JS/)
    for (const library of LIBRARIES)
      expect(table.stdout).toMatch(new RegExp(`^ {4}${library.replace('.', '\\.')}\\s+~[\\d.]+ kB`, 'm'))
    expect(table.stdout).toContain(`  src/main.js:29  zipFiles({ 'a.txt': 'a' })  →  await zipFiles({ 'a.txt': 'a' })`)
    expect(table.stdout).toMatch(/^ {2}date-fns\s.*used at start-up\s+src\/main\.js:3, src\/i18n\.js:1$/m)
    const json = await cli('advise', eager.dir, '--json')
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual(eager.report.advice)
  })
})
