// The diff of two reports and its views, on reports made by hand; and the treemap's layout.
import type { Report, Sizes } from '../../src/core/report'
import { describe, expect, it } from 'vitest'
import { diffMarkdown, diffReports, formatDiff } from '../../src/core/report'
import { unhashed } from '../../src/core/report/diff'
import { squarify } from '../../src/core/report/treemap'

const size = (gzip: number, raw = gzip * 3): Sizes => ({ raw, gzip, brotli: Math.round(gzip * 0.9) })

/** A report with the fields the diff reads: the first load, the modules' loads and the files. */
function report(buildId: string, initial: number, modules: Record<string, number>, files: Record<string, number>): Report {
  return {
    buildId,
    initial: { files: [], js: size(initial), css: size(0, 0), total: size(initial) },
    modules: Object.fromEntries(Object.entries(modules).map(([name, gzip]) => [name, { load: size(gzip) }])),
    files: Object.fromEntries(Object.entries(files).map(([file, gzip]) => [file, { size: size(gzip) }])),
  } as unknown as Report
}

describe('diffReports', () => {
  const before = report('before', 1000, { 'charts/bar': 400, 'charts/pie': 300, 'old': 50 }, {
    'assets/index-AAAAAAAA.js': 1000,
    'assets/bar-BBBBBBBB.js': 400,
    'assets/pie-CCCCCCCC.js': 300,
    'assets/old-DDDDDDDD.js': 50,
    'assets/util-EEEEEEEE.js': 10,
    'assets/util-FFFFFFFF.js': 20,
    'assets/logo.css': 5,
  })
  const after = report('after', 800, { 'charts/bar': 440, 'charts/pie': 300, 'new': 70 }, {
    'assets/index-GGGGGGGG.js': 800,
    'assets/bar-HHHHHHHH.js': 440,
    'assets/pie-CCCCCCCC.js': 300,
    'assets/new-IIIIIIII.js': 70,
    'assets/util-JJJJJJJJ.js': 15,
    'assets/util-KKKKKKKK.js': 25,
    'assets/logo.css': 6,
  })
  const diff = diffReports(before, after, 'main/lazy-report.json')

  it('the first load and each module: before, after, the change in bytes and in % of gzip', () => {
    expect(diff.initial.total).toEqual({ before: size(1000), after: size(800), raw: -600, gzip: -200, brotli: -180, percent: -20 })
    expect(diff.modules['charts/bar']).toEqual({ before: size(400), after: size(440), raw: 120, gzip: 40, brotli: 36, percent: 10, status: 'changed' })
    expect(diff.modules['charts/pie'].status).toBe('same')
    expect(diff.modules.old).toMatchObject({ before: size(50), after: null, gzip: null, percent: null, status: 'removed' })
    expect(diff.modules.new).toMatchObject({ before: null, after: size(70), status: 'added' })
    expect(diff.initial.css.percent).toBeNull()
  })

  it('files: matched by name, else by name without the hash when one of that name is on each side', () => {
    expect(unhashed('assets/index-DJmrR4Cz.js')).toBe('assets/index.js')
    expect(unhashed('assets/zip-ZY1-KUgE.js')).toBe('assets/zip.js')
    expect(unhashed('assets/logo.css')).toBe('assets/logo.css')
    expect(diff.files.changed.map(change => [change.was, change.file, change.gzip])).toEqual([
      ['assets/index-AAAAAAAA.js', 'assets/index-GGGGGGGG.js', -200],
      ['assets/bar-BBBBBBBB.js', 'assets/bar-HHHHHHHH.js', 40],
      ['assets/logo.css', 'assets/logo.css', 1],
    ])
    // Two files named util on each side cannot be told apart: new and removed.
    expect(diff.files.added.map(each => each.file)).toEqual(['assets/new-IIIIIIII.js', 'assets/util-JJJJJJJJ.js', 'assets/util-KKKKKKKK.js'])
    expect(diff.files.removed.map(each => each.file)).toEqual(['assets/old-DDDDDDDD.js', 'assets/util-EEEEEEEE.js', 'assets/util-FFFFFFFF.js'])
    expect(diff.files.added[0].size).toEqual(size(70))
  })

  it('prints a table for the terminal and one for a pull request', () => {
    expect(formatDiff(diff)).toBe([
      'size change against build before (main/lazy-report.json), gzip',
      '               before  after           change',
      '  first load  1.00 kB  800 B  −200 B (−20.0%)',
      '  new               –   70 B              new',
      '  old            50 B      –          removed',
      '  charts/bar    400 B  440 B   +40 B (+10.0%)',
      'lazy modules: 1 new, 1 removed, 1 changed; files: 3 new, 3 removed, 3 changed',
      'new files: assets/new-IIIIIIII.js 70 B, assets/util-JJJJJJJJ.js 15 B, assets/util-KKKKKKKK.js 25 B',
      'removed files: assets/old-DDDDDDDD.js 50 B, assets/util-EEEEEEEE.js 10 B, assets/util-FFFFFFFF.js 20 B',
    ].join('\n'))
    const markdown = diffMarkdown(diff)
    expect(markdown.split('\n').slice(0, 8)).toEqual([
      '### Bundle size (gzip)',
      '',
      '| | before | after | change |',
      '| --- | ---: | ---: | ---: |',
      '| **first load** | 1.00 kB | 800 B | **−200 B (−20.0%)** |',
      '| `new` | – | 70 B | new |',
      '| `old` | 50 B | – | removed |',
      '| `charts/bar` | 400 B | 440 B | +40 B (+10.0%) |',
    ])
    expect(markdown).toContain('\nlazy modules: 1 new, 1 removed, 1 changed; files: 3 new, 3 removed, 3 changed. A module\'s size is what loading it fetches beyond the first load, without the plugin\'s own lazy code, fetched once a page: its recovery runtime in the background with the first lazy load, its facts and archive loader with the first archived load, retry or preload(). Baseline: build `before`.\n')
    expect(markdown).toContain('| `assets/new-IIIIIIII.js` | – | 70 B | new |')
    expect(markdown).toContain('| `assets/index-GGGGGGGG.js` | 1.00 kB | 800 B | −200 B (−20.0%) |')
  })

  it('reads a baseline of version 1: the fields it reads are in every version', () => {
    const old = { ...before, version: 1 } as unknown as Report
    expect(diffReports(old, after, 'v1.json').initial.total.gzip).toBe(-200)
  })
})

describe('squarify', () => {
  it('fills the box with the items\' areas in proportion, without overlap', () => {
    const items = [50, 30, 10, 6, 3, 1].map((value, i) => ({ name: `m${i}`, value }))
    const boxes = squarify(items, { x: 10, y: 20, w: 300, h: 200 })
    expect(boxes.map(box => box.name)).toEqual(items.map(item => item.name))
    for (const box of boxes) {
      expect(box.w * box.h).toBeCloseTo(box.value / 100 * 300 * 200, 6)
      expect(box.x).toBeGreaterThanOrEqual(10 - 1e-9)
      expect(box.y + box.h).toBeLessThanOrEqual(220 + 1e-9)
    }
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1))
        expect(a.x + a.w <= b.x + 1e-9 || b.x + b.w <= a.x + 1e-9 || a.y + a.h <= b.y + 1e-9 || b.y + b.h <= a.y + 1e-9, `${a.name} and ${b.name}`).toBe(true)
    }
    expect(squarify([{ name: 'none', value: 0 }], { x: 0, y: 0, w: 10, h: 10 })).toEqual([])
  })
})
