// The advisor on an app that imports real heavy libraries eagerly (test/fixtures/heavy-app): it must
// name each library, the import's line and each use's line, and its edits alone, applied as written,
// must take at least 80% of what marking the libraries by hand takes off the first load. The app
// built from the edited source must still work in Chromium.
import type { Candidate, Report } from '../../src/core/report'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatSize } from '../../src/core/report'
import { closeBrowser, openPage } from '../helpers/browser'
import { buildWithVite, fixtures } from '../helpers/build'
import { serve } from '../helpers/server'
import { applyEdits, buildApp, cli, copyApp, followAdvice } from './heavy-app'

const LIBRARIES = ['pdf-lib', 'chart.js', 'pgsql-ast-parser', 'jszip', 'date-fns/locale']
const fixture = join(fixtures, 'heavy-app')

/** The built app in Chromium: the page renders at start, and each library works when asked for. */
async function expectWorking(dir: string) {
  const server = await serve(dir)
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
}

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
    // The rendered size is the bundler's, before minification: larger than the written share.
    expect(find('pdf-lib').rendered).toBeGreaterThan(find('pdf-lib').size.raw)
  })

  it('gives the import to write, at its file and line, and the uses that take await, at theirs', () => {
    expect(find('pdf-lib').importers).toEqual([{
      file: 'src/export/pdf.js',
      line: 1,
      column: 0,
      statement: `import { PDFDocument, rgb, StandardFonts } from 'pdf-lib'`,
      write: `import { PDFDocument, rgb, StandardFonts } from 'pdf-lib' with { lazy: 'true' }`,
      problem: null,
      first: [],
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

  it('reads a TypeScript importer through its compiled code, mapped back; a use in a callback that must stay sync loads first in the function around it', () => {
    expect(find('pgsql-ast-parser')).toMatchObject({ verdict: 'async', within: 'src/sql.ts' })
    expect(find('pgsql-ast-parser').importers).toEqual([{
      file: 'src/sql.ts',
      line: 1,
      column: 0,
      statement: `import { parse, type Statement, toSql } from 'pgsql-ast-parser'`,
      write: `import { parse, type Statement, toSql } from 'pgsql-ast-parser' with { lazy: 'true' }`,
      problem: null,
      first: ['formatSql (line 4): const toSqlLoaded = await toSql'],
      uses: [
        { line: 5, column: 34, code: 'parse(text)', after: '(await parse)(text)', where: 'function', function: 'formatSql' },
        { line: 6, column: 50, code: 'toSql.statement(statement)', after: 'toSqlLoaded.statement(statement)', where: 'function', function: 'formatSql' },
      ],
    }])
    const source = readFileSync(join(fixture, 'src/sql.ts'), 'utf8')
    expect(applyEdits(source, find('pgsql-ast-parser').edits)).toBe(`import { parse, type Statement, toSql } from 'pgsql-ast-parser' with { lazy: 'true' }

/** One statement a line, as the parser prints them back. */
export async function formatSql(text: string) {
  const toSqlLoaded = await toSql
  const statements: Statement[] = (await parse)(text)
  return statements.map((statement: Statement) => toSqlLoaded.statement(statement)).join(';\\n')
}
`)
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

    await expectWorking(afterAdvice.dir)
  })

  it('marking the libraries where the advice finds them (inside the modules that import them) also takes at least 80%, and the app works', async () => {
    const root = copyApp()
    const libraries = candidates.filter(candidate => candidate.kind === 'package' && (candidate.verdict === 'ready' || candidate.verdict === 'async'))
    expect(libraries.map(candidate => candidate.subject).sort()).toEqual([...LIBRARIES].sort())
    followAdvice(root, libraries.map(candidate => ({ ...candidate, within: null })))
    const [marked, byHand] = [await buildApp(root), await buildApp(copyApp({ byHand: true }))]
    const [before, after, hand] = [eager.report.initial.js.gzip, marked.report.initial.js.gzip, byHand.report.initial.js.gzip]
    console.info(`first load JS, gzip: the libraries' own advice followed ${formatSize(after)} (−${formatSize(before - after)}), ${Math.round((before - after) / (before - hand) * 100)}% of what marking by hand takes`)
    expect(before - after).toBeGreaterThanOrEqual(0.8 * (before - hand))
    await expectWorking(marked.dir)
  })

  it('from a folder without the build\'s report, source maps tell what the first load is made of: the largest packages, without importers', async () => {
    const built = await buildWithVite(copyApp(), { report: { console: false, json: false } }, { build: { sourcemap: true } })
    const { code, stdout, stderr } = await cli('advise', built.dir, '--json')
    expect([code, stderr]).toEqual([0, ''])
    const advice = JSON.parse(stdout)
    expect(advice.from).toBe('source maps')
    const subjects = advice.candidates.map((candidate: Candidate) => candidate.subject)
    for (const name of ['date-fns', 'pdf-lib', 'chart.js', 'pgsql-ast-parser', 'jszip'])
      expect(subjects, name).toContain(name)
    expect(advice.candidates.every((candidate: Candidate) => candidate.verdict === 'unknown' && !candidate.importers.length)).toBe(true)
    // A package's share from the maps is close to the build's, from rendered lengths.
    const fromBuild = (name: string) => Object.values(eager.report.composition!.modules).filter(module => module.package === name).reduce((total, module) => total + module.gzip, 0)
    for (const candidate of advice.candidates.filter((each: Candidate) => each.size.gzip > 20_000))
      expect(Math.abs(candidate.size.gzip - fromBuild(candidate.subject)) / fromBuild(candidate.subject), candidate.subject).toBeLessThan(0.2)
    expect((await cli('advise', built.dir)).stdout).toContain('gzip from source maps')
  })

  it('lazy-modules advise <dir> prints the table from the build\'s lazy-report.json; --json gives the advice', async () => {
    const table = await cli('advise', eager.dir)
    expect([table.code, table.stderr]).toEqual([0, ''])
    expect(table.stdout).toMatch(/^what to make lazy: the first load has [\d.]+ kB gzip of JS/)
    for (const library of LIBRARIES)
      expect(table.stdout).toMatch(new RegExp(`^ {4}${library.replace('.', '\\.')}\\s+~[\\d.]+ kB`, 'm'))
    expect(table.stdout).toContain(`  src/main.js:29  zipFiles({ 'a.txt': 'a' })  →  await zipFiles({ 'a.txt': 'a' })`)
    expect(table.stdout).toContain([
      `jszip: saves ~${formatSize(find('jszip').saved.gzip)} gzip (own code ${formatSize(find('jszip').size.gzip)} gzip, ${formatSize(find('jszip').rendered)} as rendered, in 1 module); ready, makes a function async, inside src/export/zip.js (follow one or the other)`,
      `  src/export/zip.js:1  import JSZip from 'jszip'`,
      `                     → import JSZip from 'jszip' with { lazy: 'true' }`,
      `  src/export/zip.js:4  JSZip  →  (await JSZip)`,
    ].join('\n'))
    expect(table.stdout).toMatch(/^ {2}date-fns\s.*used at start-up\s+src\/main\.js:3, src\/i18n\.js:1$/m)
    const json = await cli('advise', eager.dir, '--json')
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual(eager.report.advice)
  })
})
