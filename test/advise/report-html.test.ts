// Two builds of the heavy app: as written, then with the advice followed and `report.baseline` set to
// the first. The second's report must hold the right deltas, in the JSON, the CLI's views and the HTML;
// the HTML's treemap and diff are screenshotted in Chromium for the README (docs/*.png).
import type { Report } from '../../src/core/report'
import type { Page } from 'playwright-core'
import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatDelta, formatSize } from '../../src/core/report'
import { closeBrowser, openPage, outputDir } from '../helpers/browser'
import { buildApp, cli, copyApp, followAdvice } from './heavy-app'

// The README's pictures are rewritten on request (`UPDATE_SCREENSHOTS=1`); a plain run leaves the tree
// as it was and writes them to test-output/.
const docs = process.env.UPDATE_SCREENSHOTS ? join(import.meta.dirname, '../../docs') : outputDir

/** The page from the top of one element to the bottom of another, as a PNG, for the README. */
async function shoot(page: Page, from: string, to: string, name: string) {
  const [top, bottom] = [(await page.locator(from).boundingBox())!, (await page.locator(to).boundingBox())!]
  const y = top.y - 8
  await page.screenshot({ path: join(docs, name), fullPage: true, clip: { x: 0, y, width: page.viewportSize()!.width, height: bottom.y + bottom.height + 8 - y } })
}

describe('the change since a baseline, on two builds of the heavy app (Vite 8)', () => {
  let before: { dir: string, report: Report }
  let after: { dir: string, report: Report }
  beforeAll(async () => {
    before = await buildApp(copyApp())
    const root = copyApp()
    followAdvice(root, before.report.advice!.candidates)
    // In the app's folder, so that the report names it as the options do, the same on every run.
    mkdirSync(join(root, 'baseline'))
    copyFileSync(join(before.dir, 'lazy-report.json'), join(root, 'baseline/lazy-report.json'))
    after = await buildApp(root, { baseline: 'baseline/lazy-report.json' })
  })
  afterAll(closeBrowser)

  it('report.baseline: the first load and each lazy module, before and after, in bytes and %', () => {
    const diff = after.report.baseline!
    expect(diff.buildId).toBe(before.report.buildId)
    expect(diff.from).toBe('baseline/lazy-report.json')
    for (const part of ['js', 'css', 'total'] as const) {
      const [was, is] = [before.report.initial[part], after.report.initial[part]]
      expect(diff.initial[part]).toEqual({ before: was, after: is, raw: is.raw - was.raw, gzip: is.gzip - was.gzip, brotli: is.brotli! - was.brotli!, percent: was.gzip ? (is.gzip - was.gzip) / was.gzip * 100 : null })
    }
    expect(diff.initial.js.percent!).toBeLessThan(-90)
    // Every module the advice made lazy is new; there were none before.
    expect(Object.keys(before.report.modules)).toEqual([])
    expect(Object.keys(diff.modules).sort()).toEqual(Object.keys(after.report.modules).sort())
    for (const [name, delta] of Object.entries(diff.modules))
      expect(delta, name).toEqual({ before: null, after: after.report.modules[name].load, raw: null, gzip: null, brotli: null, percent: null, status: 'added' })
    // The entry chunk's name changed with its content: matched without its hash, not new and removed.
    const entry = diff.files.changed.find(change => change.file.startsWith('assets/index-'))!
    expect(entry.was).toMatch(/^assets\/index-[\w-]{8}\.js$/)
    expect(entry.gzip).toBe(after.report.files[entry.file].size.gzip - before.report.files[entry.was].size.gzip)
    expect(diff.files.removed).toEqual([])
    expect(diff.files.added.length).toBeGreaterThanOrEqual(5)
  })

  it('lazy-modules report --baseline: the same deltas as text, --markdown and --json; a folder as the baseline', async () => {
    const text = await cli('report', after.dir, '--baseline', join(before.dir, 'lazy-report.json'))
    expect([text.code, text.stderr]).toEqual([0, ''])
    const total = after.report.baseline!.initial.total
    expect(text.stdout).toContain(`size change against build ${before.report.buildId}`)
    expect(text.stdout).toMatch(new RegExp(`^ {2}first load\\s+${formatSize(total.before!.gzip)}\\s+${formatSize(total.after!.gzip)}\\s+${formatDelta(total).replace(/[.()+]/g, '\\$&')}$`, 'm'))
    expect(formatDelta(total)).toMatch(/^−[\d.]+ kB \(−9\d\.\d%\)$/)
    const markdown = await cli('report', after.dir, '--baseline', before.dir, '--markdown')
    expect(markdown.code).toBe(0)
    expect(markdown.stdout).toContain(`| **first load** | ${formatSize(total.before!.gzip)} | ${formatSize(total.after!.gzip)} | **${formatDelta(total)}** |`)
    expect(markdown.stdout).toMatch(/^\| `src\/i18n` \| – \| [\d.]+ kB \| new \|$/m)
    const json = JSON.parse((await cli('report', after.dir, '--baseline', before.dir, '--json')).stdout)
    expect({ ...json.baseline, from: '' }).toEqual({ ...after.report.baseline, from: '' })
  })

  it('--budget: exit 1 when a limit or a growth since the baseline is exceeded, naming it', async () => {
    const gzip = after.report.initial.total.gzip
    expect((await cli('report', after.dir, '--budget', `initial=${gzip}`)).code).toBe(0)
    const over = await cli('report', after.dir, '--budget', `initial=${gzip - 100}`)
    expect(over.code).toBe(1)
    expect(over.stderr).toContain(`lazy-modules: size budget exceeded:\n  - the first load is ${formatSize(gzip)} gzip, 100 B`)
    // Going back from the advised build to the eager one grows the first load.
    const grew = await cli('report', before.dir, '--baseline', after.dir, '--budget', 'initial=+5%')
    expect(grew.code).toBe(1)
    expect(grew.stderr).toMatch(/^lazy-modules: size budget exceeded since the baseline:\n {2}- the first load grew by [\d.]+ kB gzip \(\+\d+\.\d%\), more than --budget initial=\+5% allows\n$/)
    expect((await cli('report', after.dir, '--baseline', before.dir, '--budget', 'initial=+5%')).code).toBe(0)
    expect((await cli('report', after.dir, '--budget', 'initial=+5%')).stderr).toContain('initial=+5% limits a growth, which needs --baseline <file|dir> to grow from.')
  })

  it('the HTML report: a treemap of the first load and the change since the baseline, screenshotted in Chromium', async () => {
    const { page, errors, close } = await openPage(`file://${join(before.dir, 'lazy-report.html')}`, { viewport: { width: 1240, height: 900 } })
    const groups = await page.$$eval('#treemap .group', boxes => boxes.map(box => box.querySelector('.head')?.textContent ?? ''))
    for (const library of ['date-fns', 'pdf-lib', 'chart.js', 'pgsql-ast-parser', 'jszip'])
      expect(groups.some(head => head.startsWith(`${library} `)), library).toBe(true)
    expect(await page.$$eval('#advice tbody tr', rows => rows.length)).toBe(before.report.advice!.candidates.length)
    await shoot(page, '#treemap-section', '#treemap-section', 'report-treemap.png')
    await close()

    const opened = await openPage(`file://${join(after.dir, 'lazy-report.html')}`, { viewport: { width: 1240, height: 900 } })
    const firstRow = await opened.page.$$eval('#diff tbody tr:first-child td', cells => cells.map(cell => cell.textContent))
    const total = after.report.baseline!.initial.total
    expect(firstRow).toEqual(['first load', formatSize(total.before!.gzip), formatSize(total.after!.gzip), formatDelta(total)])
    expect(await opened.page.textContent('.card .delta')).toBe(`${formatDelta(total)} since the baseline`)
    await shoot(opened.page, 'h1', '#diff-section', 'report-diff.png')
    expect([...errors.all(), ...opened.errors.all()]).toEqual([])
    await opened.close()
  })
})
