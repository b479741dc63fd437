import type { BundleChunk } from '../../src/core/graph'
import type { ReportInput } from '../../src/core/report'
import type { Manifest, ModuleInfo } from '../../src/types'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { createGraph } from '../../src/core/graph'
import { resolveOptions } from '../../src/core/options'
import { budgetFailure, createReport, formatSize, formatTable, parseSize, renderHtml, reportOutputs, reportWanted, REQUEST_OVERHEAD, resolveBudgets, SizeCache, sizeCacheFile, sumOf } from '../../src/core/report'
import { moduleInfo } from '../helpers/manifest'

/** Code that compresses badly, so sizes are far apart: `n` bytes of a fixed pseudo-random text. */
function noise(n: number, seed = 1): string {
  let state = seed
  let text = ''
  while (text.length < n) {
    state = (state * 1103515245 + 12345) % 2 ** 31
    text += 'abcdefghijklmnopqrstuvwxyz0123456789'[state % 36]
  }
  return `/*${text}*/`
}

const info = (name: string, file: string | null, extra: Partial<ModuleInfo> = {}) => moduleInfo({ name, file, ...extra })

const chunk = (file: string, code: string, extra: Partial<BundleChunk> = {}): BundleChunk => ({ file, code, imports: [], dynamicImports: [], css: [], isEntry: false, isDynamicEntry: false, facadeModuleId: null, moduleIds: [], modules: {}, ...extra })

function manifestOf(modules: ModuleInfo[], archives: Manifest['archives'] = {}): Manifest {
  return { version: 1, buildId: '0123456789abcdef', modules: Object.fromEntries(modules.map(module => [module.name, module])), archives }
}

const sizes = (text: string | Uint8Array) => ({
  raw: Buffer.from(text).length,
  gzip: gzipSync(text, { level: 9 }).length,
  brotli: brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }).length,
})

/** A report's input as the tests change it: chunks in a list, the graph made from them by `inputOf`. */
type Fixture = Omit<ReportInput, 'graph'> & { chunks: BundleChunk[] }

/** As a bundle lists them, a chunk's module ids are those of its rendered modules. */
function inputOf({ chunks, ...rest }: Fixture, start?: string[]): ReportInput {
  return { ...rest, graph: createGraph(chunks.map(chunk => ({ ...chunk, moduleIds: Object.keys(chunk.modules) })), start) }
}

/**
 * entry.js ─static─► eager.js (first load, also the chunk of lazy module `e`)
 * a.js ─► ab.js ◄─ b.js (ab is shared by two lazy modules), a.js needs a.css
 * c.js is archived in x.zip; memory.js is lazy but no module needs it; `ext` is external.
 */
function graph(): Fixture {
  const code = {
    'entry.js': noise(2000, 1),
    'eager.js': noise(500, 2),
    'a.js': noise(800, 3),
    'b.js': noise(600, 4),
    'ab.js': noise(400, 5),
    'c.js': noise(300, 6),
    'memory.js': noise(700, 7),
  }
  const manifest = manifestOf([
    info('a', 'a.js', { imports: ['ab.js'], css: ['a.css'] }),
    info('b', 'b.js', { imports: ['ab.js'] }),
    info('c', 'c.js', { archive: { name: 'x', file: 'x.zip', entry: 'c.js' } }),
    info('e', 'eager.js'),
    info('ext', null, { source: 'some-package' }),
  ], { x: { file: 'x.zip', integrity: 'sha384-', size: { raw: 0, gzip: 0 }, entries: { 'c.js': { offset: 0, compressedSize: 300, size: 300, method: 0, crc32: 0, integrity: 'sha384-', links: [] } } } })
  return {
    manifest,
    chunks: [
      chunk('entry.js', code['entry.js'], { isEntry: true, imports: ['eager.js'], css: ['entry.css'] }),
      chunk('eager.js', code['eager.js']),
      chunk('a.js', code['a.js'], { imports: ['ab.js'] }),
      chunk('b.js', code['b.js'], { imports: ['ab.js'] }),
      chunk('ab.js', code['ab.js']),
      chunk('c.js', code['c.js']),
      chunk('memory.js', code['memory.js']),
    ],
    assets: new Map<string, string | Uint8Array>([['entry.css', 'body{margin:0}'], ['a.css', '.a{color:red}'], ['x.zip', noise(360, 8)]]),
  }
}

/** The fixture with a registry in its entry, as a build writes one: a line per module, a name beside an `import()`. */
function withRegistry(extra: Record<string, string>): Fixture {
  const input = graph()
  for (const [name, code] of Object.entries(extra)) {
    input.chunks.push(chunk(`${name}.js`, code))
    input.manifest.modules[name] = info(name, `${name}.js`)
  }
  const lines = Object.keys(input.manifest.modules).map(name => `[\`${name}\`,()=>i(()=>import(\`./${name}.js\`),[])]`)
  input.chunks[0].code += `var i=(f,d)=>f(),o=[${lines.join(',')}];export{o as loaders};`
  return input
}

/** A module's line in the entry, as `withRegistry` writes it, and its gzip at the entry's gzip/raw ratio: what the report estimates. */
function lineCost(entry: string, name: string): { raw: number, gzip: number } {
  const line = `[\`${name}\`,()=>i(()=>import(\`./${name}.js\`),[])],`
  expect(entry).toContain(line)
  return { raw: line.length, gzip: Math.round(line.length * gzipSync(entry, { level: 9 }).length / entry.length) }
}

describe('createReport', () => {
  it('measures every file as written: raw, gzip -9 and brotli -q 5', async () => {
    const input = graph()
    const report = await createReport(inputOf(input))
    for (const { file, code } of input.chunks)
      expect(report.files[file].size, file).toEqual(sizes(code))
    expect(report.files['x.zip']).toEqual({ kind: 'archive', size: sizes(input.assets.get('x.zip')!), initial: false, archive: null, neededBy: ['c'] })
    expect(report.files['c.js'].archive).toBe('x')
  })

  it('takes the entries, their static imports and their CSS as the first load', async () => {
    const report = await createReport(inputOf(graph()))
    expect(report.initial.files).toEqual(['eager.js', 'entry.css', 'entry.js'])
    const [entry, eager, css] = [report.files['entry.js'].size, report.files['eager.js'].size, report.files['entry.css'].size]
    expect(report.initial.js).toEqual({ raw: entry.raw + eager.raw, gzip: entry.gzip + eager.gzip, brotli: entry.brotli! + eager.brotli! })
    expect(report.initial.css).toEqual(css)
    expect(report.initial.total.gzip).toBe(entry.gzip + eager.gzip + css.gzip)
    expect(report.lazy.files).toEqual(['a.css', 'a.js', 'ab.js', 'b.js', 'c.js', 'memory.js'])
  })

  it('takes what a page loads first when told: its scripts with their static imports, and its style sheets', async () => {
    const input = graph()
    input.initialCss = ['a.css']
    const report = await createReport(inputOf(input, ['a.js']))
    expect(report.initial.files).toEqual(['a.css', 'a.js', 'ab.js'])
    expect(report.files['entry.js'].initial).toBe(false)
    expect(report.modules.a).toMatchObject({ eager: true, loads: [] })
    expect(report.modules.b.loads).toEqual(['b.js'])
  })

  it('measures chunks, CSS and the manifest\'s archives, and no other asset', async () => {
    const input = graph()
    input.assets.set('logo.png', noise(100, 9))
    input.assets.set('index.html', '<!doctype html>')
    input.assets.set('other.zip', noise(100, 10))
    const report = await createReport(inputOf(input))
    expect(Object.keys(report.files)).toEqual(['a.css', 'a.js', 'ab.js', 'b.js', 'c.js', 'eager.js', 'entry.css', 'entry.js', 'memory.js', 'x.zip'])
  })

  it('counts what each module loads beyond the first load, and saves only what no other module needs', async () => {
    const { modules, files } = await createReport(inputOf(graph()))
    expect(modules.a.loads).toEqual(['a.css', 'a.js', 'ab.js'])
    expect(modules.a.load.gzip).toBe(files['a.css'].size.gzip + files['a.js'].size.gzip + files['ab.js'].size.gzip)
    expect(modules.a.saved.gzip).toBe(files['a.css'].size.gzip + files['a.js'].size.gzip)
    expect(modules.b.saved).toEqual(files['b.js'].size)
    expect(files['ab.js'].neededBy).toEqual(['a', 'b'])
    expect(modules.a.size).toEqual(files['a.js'].size)
    expect(modules.e).toMatchObject({ eager: true, loads: [], saved: { raw: 0, gzip: 0, brotli: 0 } })
    expect(modules.ext).toMatchObject({ file: null, size: null, loads: [], eager: false })
    // Loading an archived module fetches its archive; what it keeps out of the first load is its chunk.
    expect(modules.c).toMatchObject({ archive: 'x', loads: ['x.zip'], load: files['x.zip'].size, saved: files['c.js'].size })
  })

  it('describes each archive: its size and its entries as loose files', async () => {
    const input = graph()
    const { archives } = await createReport(inputOf(input))
    expect(archives.x).toEqual({ file: 'x.zip', size: sizes(input.assets.get('x.zip')!), entries: ['c.js'], modules: ['c'], loose: sizes(input.chunks[5].code) })
  })

  it('writes stable JSON: sorted keys, a version, the manifest\'s build id', async () => {
    const report = await createReport(inputOf(graph()))
    expect(report).toMatchObject({ version: 2, buildId: '0123456789abcdef', requestOverhead: REQUEST_OVERHEAD, composition: null, advice: null, baseline: null })
    const keysSorted = (value: unknown): boolean => !value || typeof value !== 'object' || (Array.isArray(value)
      ? value.every(keysSorted)
      : JSON.stringify(Object.keys(value)) === JSON.stringify(Object.keys(value).sort()) && Object.values(value).every(keysSorted))
    expect(keysSorted(report)).toBe(true)
    expect(JSON.stringify(await createReport(inputOf(graph())))).toBe(JSON.stringify(report))
  })

  it('names the plugin\'s own lazy code apart, and counts it in no module\'s loads', async () => {
    const input = graph()
    input.chunks.find(each => each.file === 'memory.js')!.imports = ['ab.js']
    const before = await createReport(inputOf(input))
    expect(before.lazy.plugin).toBeUndefined()
    input.pluginChunks = ['memory.js']
    const report = await createReport(inputOf(input))
    // The plugin's chunks and what they import beyond the first load, even a chunk modules share.
    expect(report.lazy.plugin).toEqual({ files: ['ab.js', 'memory.js'], total: sumOf([report.files['ab.js'].size, report.files['memory.js'].size]) })
    expect(report.modules).toEqual(before.modules)
    expect(report.files['memory.js'].neededBy).toEqual([])
    const table = formatTable(report)
    expect(table).toMatch(/^ {4}of which the plugin\s+its own lazy code \(2 files\)\s/m)
    expect(table).not.toContain('other lazy')
    expect(table).toContain('loads: gzip of all a module fetches beyond the first load, but the plugin\'s own lazy code, fetched once a page: its recovery runtime in the background with the first lazy load, its facts and archive loader with the first archived load, retry or preload(); saved:')
    const html = renderHtml(report)
    expect(html).toContain('<td>memory.js</td><td>js</td><td>lazy, the plugin&#39;s own code</td>')
    expect(html).toContain('<div class="seg plugin"')
    expect(html).toContain('beyond the first load, but the plugin&#39;s own lazy code, fetched once a page: its recovery runtime in the background with the first lazy load,')
    // From a folder, the build's report names the files.
    const { pluginChunks, ...rest } = input
    const folder = await createReport(inputOf({ ...rest, fromBuild: { advice: null, composition: null, pluginChunks: report.lazy.plugin!.files } }))
    expect(folder.lazy.plugin).toEqual(report.lazy.plugin)
  })

  it('leaves brotli out when told to (null, and – in the views), unless a budget is in brotli', async () => {
    const report = await createReport(inputOf(graph()), { brotli: false })
    expect(report.files['a.js'].size.brotli).toBeNull()
    expect(report.modules.a.load).toMatchObject({ gzip: expect.any(Number), brotli: null })
    expect(report.initial.total.brotli).toBeNull()
    expect(formatTable(report)).toMatch(/^ {2}a\s+a\.js\s+804 B\s+\d+ B\s+–\s+\d+ B\s+\d+ B$/m)
    expect(formatTable(report)).toContain('gzip -9, brotli not measured')
    expect(renderHtml(report)).toContain('<option value="brotli" disabled>')
    const budgeted = await createReport(inputOf(graph()), { budgets: resolveBudgets({ lazy: { a: { brotli: 1 } } }), brotli: false })
    expect(budgeted.modules.a.load.brotli).toBeGreaterThan(0)
  })
})

describe('suggestions', () => {
  it('firstLoad: a lazy module\'s loader in the first load, its bytes found as written and its gzip estimated at its chunk\'s ratio', async () => {
    const input = withRegistry({ tiny: 'export const t=1' })
    // A name beside no loader is no loader, and a hole in a list is no reason to stop.
    input.chunks[0].code += 'var n=[`b`,,1],m=f(`b`,()=>0);'
    const report = await createReport(inputOf(input))
    const entry = input.chunks[0].code
    expect(report.modules.a.firstLoad).toEqual(lineCost(entry, 'a'))
    expect(report.modules.b.firstLoad).toEqual(lineCost(entry, 'b'))
    expect(report.modules.tiny.firstLoad!.gzip).toBeGreaterThan(0)
    expect(report.modules.tiny.firstLoad!.gzip).toBeLessThan(40)
    // A marked module: its lazy handle, in the importer's chunk (here the first load's).
    const marked = graph()
    marked.chunks[1].code += 'const pdf=h(`src/pdf`,()=>import(`./a.js`));'
    marked.manifest.modules['src/pdf'] = info('src/pdf', 'a.js', { kind: 'marked' })
    expect((await createReport(inputOf(marked))).modules['src/pdf'].firstLoad).toMatchObject({ raw: 'h(`src/pdf`,()=>import(`./a.js`))'.length })
    // No loader in the first load (the fixture's entry is all comment): nothing to count.
    expect((await createReport(inputOf(graph()))).modules.a.firstLoad).toBeNull()
  })

  it('firstLoad: the loader as Rollup writes it unminified, or a minifier as a function; a name with an escape', async () => {
    const input = graph()
    input.manifest.modules['say "hi"'] = info('say "hi"', 'b.js')
    const lines = ['  ["a", () => import(\'./a.js\')],', '  ["b", function () { return import(\'./b.js\') }],', '  ["say \\"hi\\"", () => import(\'./b.js\')]']
    input.chunks[0].code += `\nconst loaders = [\n${lines.join('\n')}\n];\n`
    const { modules } = await createReport(inputOf(input))
    expect(modules.a.firstLoad!.raw).toBe(lines[0].trim().length)
    expect(modules.b.firstLoad!.raw).toBe(lines[1].trim().length)
    expect(modules['say "hi"'].firstLoad!.raw).toBe(lines[2].trim().length)
  })

  it('firstLoad: a big minified chunk, one line with a quote it does not close for 10 MB, is scanned without overflowing', async () => {
    const input = withRegistry({})
    input.chunks[0].code = `const q = '"';${'f(`x`);'.repeat(1_500_000)}\n${input.chunks[0].code}`
    const report = await createReport(inputOf(input))
    expect(report.modules.a.firstLoad).toEqual(lineCost(input.chunks[0].code, 'a'))
  })

  it('tiny-module: a lazy module cheaper than its loader in the first load plus a request, with the numbers', async () => {
    const input = withRegistry({ tiny: 'export const t=1' })
    const report = await createReport(inputOf(input))
    const loader = report.modules.tiny.firstLoad!.gzip
    const load = report.modules.tiny.load.gzip
    expect(load).toBeLessThan(loader + REQUEST_OVERHEAD)
    // a.js and b.js are large, c is archived (no request of its own), e is in the first load anyway.
    expect(report.suggestions.filter(hint => hint.kind === 'tiny-module')).toEqual([{
      kind: 'tiny-module',
      subject: 'tiny',
      bytes: load,
      message: `"tiny" loads ${load} B gzip, less than loading it lazily costs: its loader in the first load (${loader} B gzip) plus a request (~300 B). Import it eagerly, or put it in an archive with others (option \`archives\`).`,
    }])
    // Without a loader in the first load, being lazy costs the request alone.
    const bare = graph()
    bare.chunks.push(chunk('tiny.js', 'export const t=1'))
    bare.manifest.modules.tiny = info('tiny', 'tiny.js')
    const hint = (await createReport(inputOf(bare))).suggestions.find(each => each.subject === 'tiny')!
    expect(hint.message).toContain('less than loading it lazily costs: a request (~300 B). Import it eagerly')
  })

  it('tiny-module: a module of a few hundred bytes is worth its request, though its whole manifest entry would not be', async () => {
    const input = withRegistry({ mid: noise(800, 11) })
    const report = await createReport(inputOf(input))
    const { load, firstLoad } = report.modules.mid
    expect(load.gzip).toBeGreaterThan(380)
    // Priced at its whole manifest entry in the first load, as the registry once carried it, it would be flagged.
    const entry = gzipSync(JSON.stringify(input.manifest.modules.mid), { level: 9 }).length - 18
    expect(load.gzip).toBeLessThan(entry + REQUEST_OVERHEAD)
    // The registry carries its name and loader only: a few bytes, and lazy pays.
    expect(firstLoad!.gzip).toBeLessThan(entry / 4)
    expect(load.gzip).toBeGreaterThanOrEqual(firstLoad!.gzip + REQUEST_OVERHEAD)
    expect(report.suggestions.filter(hint => hint.kind === 'tiny-module')).toEqual([])
  })

  it('duplicate-module: one package installed twice, one file under two queries, grouped per package', async () => {
    const input = graph()
    input.root = '/app'
    input.chunks[2].modules = { '/app/node_modules/fmt/index.js': 300, '/app/node_modules/fmt/util.js': 100, '/app/src/x.js?raw': 50, '/app/node_modules/@s/p/i.js': 70, '/app/src/only-here.js': 900 }
    input.chunks[3].modules = { '/app/node_modules/w/node_modules/fmt/index.js': 280, '/app/node_modules/w/node_modules/fmt/util.js': 100, '/app/src/x.js': 50 }
    input.chunks[0].modules = { '/app/node_modules/@s/p/i.js': 70, '/app/src/empty.js': 0 }
    input.chunks[4].modules = { '/app/src/empty.js': 0 }
    const hints = (await createReport(inputOf(input))).suggestions.filter(hint => hint.kind === 'duplicate-module')
    expect(hints.map(({ subject, bytes }) => [subject, bytes])).toEqual([['fmt', 380], ['@s/p', 70], ['src/x.js', 50]])
    expect(hints[0].message).toBe('fmt is in 2 chunks (a.js: 400 B, b.js: 380 B), from node_modules/fmt/index.js, node_modules/fmt/util.js, node_modules/w/node_modules/fmt/index.js, node_modules/w/node_modules/fmt/util.js: 380 B raw are copies. Keep one copy: dedupe the package (one version; `npm dedupe`, Vite\'s `resolve.dedupe`), or import the file by one path.')
    expect(hints[1].message).toContain('(a.js: 70 B, entry.js (first load): 70 B)')
  })

  it('eager-only-lazy: first-load code whose importers are all lazy; needs the module graph', async () => {
    const input = graph()
    input.root = '/app'
    input.chunks[0].modules = { '/app/src/main.js': 500, '/app/src/plot.js': 321, '/app/src/used.js': 10 }
    input.chunks[2].modules = { '/app/src/chart.js': 200 }
    const graphOf: Record<string, { importers: string[], dynamicImporters: string[], isEntry?: boolean }> = {
      '/app/src/main.js': { importers: [], dynamicImporters: [], isEntry: true },
      '/app/src/plot.js': { importers: ['/app/src/chart.js', '/app/src/gone.js'], dynamicImporters: [] },
      '/app/src/used.js': { importers: ['/app/src/chart.js', '/app/src/main.js'], dynamicImporters: [] },
    }
    expect((await createReport(inputOf(input))).suggestions.filter(hint => hint.kind === 'eager-only-lazy')).toEqual([])
    input.moduleInfo = id => graphOf[id] ?? null
    expect((await createReport(inputOf(input))).suggestions.filter(hint => hint.kind === 'eager-only-lazy')).toEqual([{
      kind: 'eager-only-lazy',
      subject: 'src/plot.js',
      bytes: 321,
      message: 'src/plot.js (321 B raw) is in entry.js, part of the first load, yet only lazy code imports it (src/chart.js in a.js). Leaving it to the lazy chunks takes 321 B raw off the first load: see what put it there (manualChunks, advancedChunks, merged chunks).',
    }])
  })
})

describe('archives', () => {
  /** Twelve small modules of distinct text, archived together: each is a twelfth of what loading it fetches. */
  function archived(count = 12): Fixture {
    const input = graph()
    const entries: Manifest['archives'][string]['entries'] = {}
    for (let i = 0; i < count; i++) {
      const file = `l${i}.js`
      input.chunks.push(chunk(file, noise(400, 100 + i)))
      input.manifest.modules[`locales/l${i}`] = info(`locales/l${i}`, file, { archive: { name: 'locales', file: 'locales.zip', entry: file } })
      entries[file] = { offset: 0, compressedSize: 400, size: 400, method: 0, crc32: 0, integrity: 'sha384-', links: [] }
    }
    input.manifest.archives.locales = { file: 'locales.zip', integrity: 'sha384-', size: { raw: 0, gzip: 0 }, entries }
    input.assets.set('locales.zip', noise(400 * count, 99))
    return input
  }

  it('an archived module loads its archive, and saves its own chunk', async () => {
    const report = await createReport(inputOf(archived()))
    expect(report.modules['locales/l3']).toMatchObject({ loads: ['locales.zip'], load: report.files['locales.zip'].size, saved: report.files['l3.js'].size })
    expect(report.files['locales.zip'].neededBy).toHaveLength(12)
  })

  it('archive-fetch: loading one module fetches more than 10x its own size, with the numbers', async () => {
    const report = await createReport(inputOf(archived()))
    const hints = report.suggestions.filter(hint => hint.kind === 'archive-fetch')
    expect(hints).toHaveLength(1)
    const zip = report.files['locales.zip'].size.gzip
    const [, name] = /^loading (locales\/l\d+) fetches/.exec(hints[0].message)!
    const own = report.files[`${name.slice(8)}.js`].size.gzip
    expect(zip / own).toBeGreaterThan(10)
    expect(hints[0]).toEqual({
      kind: 'archive-fetch',
      subject: 'locales',
      bytes: zip - own,
      message: `loading ${name} fetches the ${formatSize(zip)} archive "locales", ${Math.round(zip / own)}× its own ${formatSize(own)} (gzip); all 12 of its modules fetch over 10× their own size. An archive suits modules loaded together; for alternatives loaded one at a time (locales, themes), leave them loose or archive them in smaller groups.`,
    })
    // Three modules of one archive: each is a third of it, and no hint.
    expect((await createReport(inputOf(archived(3)))).suggestions.filter(hint => hint.kind === 'archive-fetch')).toEqual([])
  })

  it('archive-cost: archives that save less than the facts and archive loader their first load fetches', async () => {
    const withLoader = (count: number, loaderBytes: number) => {
      const input = archived(count)
      input.chunks.push(chunk('memory.js', noise(loaderBytes, 7)))
      input.pluginChunks = ['memory.js']
      input.archiveLoader = ['memory.js']
      return input
    }
    const small = await createReport(inputOf(withLoader(3, 4000)))
    const loader = small.files['memory.js'].size.gzip
    // The fixture's archive "x" (one module) and "locales" (three): two requests fewer in all.
    const archives = Object.values(small.archives)
    const saved = 2 * REQUEST_OVERHEAD + archives.reduce((total, { loose, size }) => total + loose.gzip - size.gzip, 0)
    expect(saved).toBeLessThan(loader)
    expect(small.suggestions.filter(hint => hint.kind === 'archive-cost')).toEqual([{
      kind: 'archive-cost',
      subject: 'x, locales',
      bytes: loader - saved,
      message: `archives "x", "locales" save about ${formatSize(Math.max(0, saved))} gzip over loose files (2 requests fewer, and the zip's compression), less than the ${formatSize(loader)} of the plugin's facts and archive loader that the first archived load fetches. Leave these modules loose, or archive more of the modules an app loads together.`,
    }])
    // Twelve modules save eleven requests, more than a small loader costs; no loader (integrity: true puts it in the first load), no hint.
    expect((await createReport(inputOf(withLoader(12, 1500)))).suggestions.filter(hint => hint.kind === 'archive-cost')).toEqual([])
    expect((await createReport(inputOf(archived(3)))).suggestions.filter(hint => hint.kind === 'archive-cost')).toEqual([])
  })
})

describe('budgets', () => {
  it('reads sizes as people write them', () => {
    expect(['150 kB', '150kB', '150 KB', ' 150 kb ', '1.2 MB', '64 KiB', '1 MiB', '900 B', '900', 900, '.5kB'].map(size => parseSize(size)))
      .toEqual([150000, 150000, 150000, 150000, 1200000, 65536, 1048576, 900, 900, 900, 500])
    for (const bad of ['150 kilobytes', '-1 kB', 'kB', '', -5, Number.NaN, '1e3'])
      expect(() => parseSize(bad as any, 'option `budgets.initial`'), String(bad)).toThrow(/option `budgets.initial` must be a size such as '150 kB'/)
  })

  it('resolves gzip by default, per-compression objects, and name patterns as in `archives`', () => {
    const [initial, charts, deep] = resolveBudgets({ initial: '150 kB', lazy: { 'charts/*': { brotli: '80 kB', raw: 200000 }, 'editor/**': 1000 } })
    expect(initial).toEqual({ budget: 'initial', pattern: null, limits: [{ kind: 'gzip', bytes: 150000 }] })
    expect(charts.limits).toEqual([{ kind: 'brotli', bytes: 80000 }, { kind: 'raw', bytes: 200000 }])
    expect(['charts/bar', 'charts/3d/cube', 'chartsx/bar'].map(name => charts.pattern!.test(name))).toEqual([true, false, false])
    expect(['editor/a', 'editor/a/b'].map(name => deep.pattern!.test(name))).toEqual([true, true])
    expect(() => resolveBudgets({ lazy: { x: { zstd: '1 kB' } as any } })).toThrow('option `budgets.lazy["x"]` must be a size or an object with raw, gzip or brotli sizes, got {"zstd":"1 kB"}.')
    expect(() => resolveBudgets({ lazy: { x: { gzip: 'big' } } })).toThrow(/option `budgets.lazy\["x"\]`.gzip must be a size/)
  })

  it('checks the first load and each matching lazy module, and says what is over, by how much, and its largest files', async () => {
    const input = graph()
    const probe = await createReport(inputOf(input))
    const initial = probe.initial.total.gzip
    const a = probe.modules.a.load.brotli!
    const report = await createReport(inputOf(input), { budgets: resolveBudgets({ initial: initial - 100, lazy: { '*': { brotli: a - 10 }, 'nothing/*': 1 } }) })
    expect(report.budgets.map(({ budget, subject, kind, limit, actual, ok }) => [budget, subject, kind, limit, actual, ok])).toEqual([
      ['initial', 'initial', 'gzip', initial - 100, initial, false],
      ['*', 'a', 'brotli', a - 10, a, false],
      ['*', 'b', 'brotli', a - 10, probe.modules.b.load.brotli, true],
      ['*', 'c', 'brotli', a - 10, probe.modules.c.load.brotli, true],
      ['*', 'e', 'brotli', a - 10, 0, true],
      ['*', 'ext', 'brotli', a - 10, 0, true],
    ])
    const files = probe.files
    const kB = formatSize
    expect(budgetFailure(report)).toBe([
      'size budget exceeded:',
      `  - the first load is ${kB(initial)} gzip, 100 B (+${(100 / (initial - 100) * 100).toFixed(1)}%) over its budget of ${kB(initial - 100)}; largest: entry.js ${kB(files['entry.js'].size.gzip)}, eager.js ${kB(files['eager.js'].size.gzip)}, entry.css ${kB(files['entry.css'].size.gzip)}`,
      `  - lazy module "a" (budget "*") loads ${kB(a)} brotli, 10 B (+${(10 / (a - 10) * 100).toFixed(1)}%) over its budget of ${kB(a - 10)}; largest: a.js ${kB(files['a.js'].size.brotli)}, ab.js ${kB(files['ab.js'].size.brotli)}, a.css ${kB(files['a.css'].size.brotli)}`,
    ].join('\n'))
    expect(budgetFailure(await createReport(inputOf(input), { budgets: resolveBudgets({ initial }) }))).toBeUndefined()
  })
})

describe('resolveOptions: report and budgets', () => {
  it('reports everywhere by default; `false` turns every view off; a partial object keeps the other defaults', () => {
    expect(resolveOptions({}).report).toEqual({ console: true, json: 'lazy-report.json', html: 'lazy-report.html', brotli: true, baseline: false })
    expect(resolveOptions({ report: true }).report).toEqual({ console: true, json: 'lazy-report.json', html: 'lazy-report.html', brotli: true, baseline: false })
    expect(resolveOptions({ report: false }).report).toEqual({ console: false, json: false, html: false, brotli: false, baseline: false })
    expect(resolveOptions({ report: { console: false, html: 'sizes.html' } }).report).toEqual({ console: false, json: 'lazy-report.json', html: 'sizes.html', brotli: true, baseline: false })
    expect(resolveOptions({ root: '/app', report: { baseline: 'main/lazy-report.json' } }).report.baseline).toBe('/app/main/lazy-report.json')
    expect(resolveOptions({ report: { brotli: false } }).report.brotli).toBe(false)
    expect(resolveOptions({}).budgets).toEqual([])
    expect(resolveOptions({ budgets: { initial: '1 MB' } }).budgets).toEqual([{ budget: 'initial', pattern: null, limits: [{ kind: 'gzip', bytes: 1e6 }] }])
    expect(() => resolveOptions({ budgets: { initial: '1 MBs' } })).toThrow(/option `budgets.initial` must be a size/)
  })
})

describe('SizeCache', () => {
  it('keeps the sizes of the last report for the next, and forgets those it did not ask for', async () => {
    const cache = new SizeCache()
    const first = cache.measure('export const a = 1')
    cache.nextBuild()
    expect(cache.measure('export const a = 1')).toBe(first)
    cache.nextBuild()
    cache.nextBuild()
    expect(cache.measure('export const a = 1')).not.toBe(first)
    expect(await cache.measure('export const a = 1')).toEqual(await first)
  })

  it('keeps sizes on disk for the next build, which compresses nothing it has sizes for', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lazy-sizes-'))
    expect(sizeCacheFile(root)).toBeUndefined()
    mkdirSync(join(root, 'node_modules'))
    const file = sizeCacheFile(root)!
    expect(file).toBe(join(root, 'node_modules', '.cache', 'unplugin-lazy-modules', 'sizes.json'))
    const code = noise(2000)
    const first = new SizeCache()
    first.useDisk(file)
    first.nextBuild()
    expect(await first.measure(code)).toEqual(sizes(code))
    expect(await first.measure(new Uint8Array(Buffer.from(code)), false)).toEqual({ ...sizes(code), brotli: null })
    await first.saveDisk()
    expect(existsSync(file)).toBe(true)

    // A new process: the sizes come from the file, so changing the file's numbers shows that they were used.
    const stored = JSON.parse(readFileSync(file, 'utf8'))
    for (const key of Object.keys(stored.sizes))
      stored.sizes[key][1] = 1
    writeFileSync(file, JSON.stringify(stored))
    const second = new SizeCache()
    second.useDisk(file)
    second.nextBuild()
    expect((await second.measure(code)).gzip).toBe(1)
    expect(await second.measure('other code')).toEqual(sizes('other code'))
    // Another zlib or brotli quality: the file is not used.
    writeFileSync(file, JSON.stringify({ ...stored, version: 'other' }))
    const third = new SizeCache()
    third.useDisk(file)
    expect(await third.measure(code)).toEqual(sizes(code))
    rmSync(root, { recursive: true, force: true })
  })

  it('gives the manifest its gzip sizes from disk, and keeps those it measured for the next build, with no report', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lazy-sizes-'))
    mkdirSync(join(root, 'node_modules'))
    const file = sizeCacheFile(root)!
    const code = noise(1500)
    const first = new SizeCache()
    first.useDisk(file)
    expect(first.gzipOf(code)).toBe(sizes(code).gzip)
    await first.saveDisk()
    // A new process: changing the file's number shows that it was used, and not measured again.
    const stored = JSON.parse(readFileSync(file, 'utf8'))
    expect(Object.keys(stored.sizes)).toHaveLength(1)
    stored.sizes[Object.keys(stored.sizes)[0]][1] = 7
    writeFileSync(file, JSON.stringify(stored))
    const second = new SizeCache()
    second.useDisk(file)
    expect(second.gzipOf(code)).toBe(7)
    // The report's sizes (gzip and brotli) of other bytes serve the next build's manifest too.
    const other = noise(900)
    second.nextBuild()
    await second.measure(other)
    await second.saveDisk()
    const again = JSON.parse(readFileSync(file, 'utf8'))
    const reported = Object.keys(again.sizes).find(key => key.startsWith('true:'))!
    again.sizes[reported][1] = 9
    writeFileSync(file, JSON.stringify(again))
    const third = new SizeCache()
    third.useDisk(file)
    expect(third.gzipOf(other)).toBe(9)
    expect(third.gzipOf(code)).toBe(7)
    // Without a file, it measures.
    expect(new SizeCache().gzipOf(code)).toBe(sizes(code).gzip)
    rmSync(root, { recursive: true, force: true })
  })
})

describe('reportOutputs', () => {
  const views = { console: true, json: 'sizes/report.json', html: 'report.html', brotli: true, baseline: false as const }

  it('gives the table, the files, the warnings and the failure, as the options say', async () => {
    const budgets = resolveBudgets({ initial: 1, lazy: { 'nothing/*': '1 MB' } })
    const report = await createReport(inputOf(graph()), { budgets })
    const outputs = reportOutputs(report, { views, budgets })
    expect(outputs.table).toBe(formatTable(report, { html: 'report.html' }))
    expect(outputs.files.map(file => file.fileName)).toEqual(['sizes/report.json', 'report.html'])
    expect(JSON.parse(outputs.files[0].source)).toEqual(report)
    expect(outputs.files[1].source).toBe(renderHtml(report))
    expect(outputs.warnings).toEqual(['size budget "nothing/*" matches no lazy module; names are a, b, c, e, ext.'])
    expect(outputs.failure).toBe(budgetFailure(report))
    expect(outputs.failure).toMatch(/^size budget exceeded:\n {2}- the first load is/)
  })

  it('makes no report with every view off and no budget, and gives nothing for one without views', async () => {
    const off = { console: false, json: false as const, html: false as const, brotli: false, baseline: false as const }
    expect(reportWanted({ views: off, budgets: [] })).toBe(false)
    expect(reportWanted({ views: { ...off, json: 'r.json' }, budgets: [] })).toBe(true)
    const budgets = resolveBudgets({ initial: '1 MB' })
    expect(reportWanted({ views: off, budgets })).toBe(true)
    const report = await createReport(inputOf(graph()), { budgets, brotli: false })
    expect(reportOutputs(report, { views: off, budgets })).toEqual({ table: undefined, files: [], warnings: [], failure: undefined })
  })
})

describe('views', () => {
  it('formats sizes as Vite does', () => {
    expect([0, 999, 1000, 12345, 999999, 1e6, 2345678, null].map(formatSize)).toEqual(['0 B', '999 B', '1.00 kB', '12.35 kB', '1000.00 kB', '1.00 MB', '2.35 MB', '–'])
  })

  it('prints a compact table: the first load, the largest modules first, archives, the rest counted, the plugin\'s lazy runtime, hints', async () => {
    const input = withRegistry({ tiny: 'export const t=1' })
    input.chunks.push(chunk('other.js', noise(300, 12)))
    input.pluginChunks = ['memory.js']
    const table = formatTable(await createReport(inputOf(input)), { maxRows: 4, html: 'lazy-report.html' })
    expect(table).toMatchInlineSnapshot(`
      "size report
                               file                             raw     gzip   brotli  loads  saved
        first load JS          2 files                      2.78 kB  1.34 kB  1.36 kB
        first load CSS         entry.css                       14 B     34 B     18 B
        first load             3 files                      2.80 kB  1.37 kB  1.38 kB
        a                      a.js                           804 B    388 B    391 B  638 B  421 B
        b                      b.js                           604 B    303 B    296 B  520 B  303 B
        c                      c.js in x.zip                  304 B    173 B    152 B  198 B  173 B
        tiny                   tiny.js                         16 B     36 B     20 B   36 B   36 B
        2 more modules                                                                          0 B
        archive x              x.zip (1 module)               364 B    198 B    195 B
        shared lazy            1 file several modules need    404 B    217 B    215 B
        other lazy             1 file no module needs         304 B    175 B    153 B
        all lazy               8 files                      3.15 kB  1.67 kB  1.60 kB
          of which the plugin  its own lazy code (1 file)     704 B    348 B    354 B
      loads: gzip of all a module fetches beyond the first load, but the plugin's own lazy code, fetched once a page: its recovery runtime in the background with the first lazy load, its facts and archive loader with the first archived load, retry or preload(); saved: the part only it needs. gzip -9, brotli -q 5
      hint: "tiny" loads 36 B gzip, less than loading it lazily costs: its loader in the first load (20 B gzip) plus a request (~300 B). Import it eagerly, or put it in an archive with others (option \`archives\`).
      full view: lazy-report.html"
    `)
  })

  it('writes a self-contained HTML page that holds the report and escapes what it shows', async () => {
    const input = graph()
    const hostile = '</script><img onerror=alert(1)>'
    input.manifest.modules[hostile] = info(hostile, 'b.js')
    const report = await createReport(inputOf(input))
    const html = renderHtml(report)
    expect(html).not.toContain('<img')
    expect(html).toContain('<td>&#60;/script&#62;&#60;img onerror=alert(1)&#62;</td>')
    // Nothing to fetch: no src, no href, no url(), and a policy that would refuse it anyway.
    expect(html).not.toMatch(/\s(?:src|href)\s*=|url\(|@import/i)
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`)
    const data = /<script type="application\/json" id="lazy-report">(.*?)<\/script>/s.exec(html)![1]
    expect(JSON.parse(data)).toEqual(report)
    for (const name of ['a', 'b', 'c', 'e'])
      expect(html).toContain(`<td>${name}</td>`)
    expect(html).toContain(`<td class="n" data-v="${report.modules.a.saved.gzip}">${formatSize(report.modules.a.saved.gzip)}</td>`)
  })

  it('states what the report cost the build, in ms or s', async () => {
    const report = await createReport(inputOf(graph()))
    expect(formatTable(report)).not.toContain('this report took')
    expect(formatTable(report, { took: 537.4 })).toMatch(/\nthis report took 537 ms of the build; `report: false` leaves it out$/)
    expect(formatTable(report, { took: 1534 })).toContain('\nthis report took 1.5 s of the build;')
  })

  it('counts in words that know their plurals', async () => {
    const report = await createReport(inputOf(graph()))
    const hint = { kind: 'tiny-module' as const, subject: 'a', bytes: 1, message: 'm' }
    expect(formatTable({ ...report, suggestions: Array.from({ length: 6 }, () => hint) })).toContain('\n1 more hint in the JSON and HTML reports')
    expect(formatTable({ ...report, suggestions: Array.from({ length: 7 }, () => hint) })).toContain('\n2 more hints in the JSON and HTML reports')
    const html = renderHtml(report)
    expect(html).toContain('1 entry; ')
    expect(html).toContain('>3 files: JS ')
    expect(html).toContain('>6 files, 5 modules<')
  })
})

describe('layout', () => {
  it('the report\'s files import one another without a cycle, type-only imports included', () => {
    const dir = join(import.meta.dirname, '../../src/core/report')
    const imports = new Map(readdirSync(dir).map(file => [file.replace(/\.ts$/, ''), [...readFileSync(join(dir, file), 'utf8').matchAll(/from '\.\/([\w-]+)'/g)].map(match => match[1])]))
    const cycle = (file: string, path: string[]): string[] | undefined => path.includes(file)
      ? [...path, file]
      : imports.get(file)!.map(next => cycle(next, [...path, file])).find(Boolean)
    expect([...imports.keys()].map(file => cycle(file, [])).filter(Boolean)).toEqual([])
    expect(Math.max(...[...imports.keys()].map(file => readFileSync(join(dir, `${file}.ts`), 'utf8').split('\n').length))).toBeLessThan(400)
  })
})
