import type { OutputOptions, Plugin } from 'rollup'
import type { Options } from '../../src/types'
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import nodeResolve from '@rollup/plugin-node-resolve'
import { rollup } from 'rollup'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli'
import { formatSize, plural } from '../../src/core/report'
import LazyRollup from '../../src/rollup'
import { closeBrowser, openPage } from '../helpers/browser'
import { buildWithRollup, buildWithVite, fixtures, runtimeSource, tempDir } from '../helpers/build'

const root = join(fixtures, 'report')
const widgets = { 'widgets/*': 'src/widgets/*.js' }

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'))
const measure = (bytes: Uint8Array) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }).length,
})
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const sorted = (value: unknown): boolean => !value || typeof value !== 'object' || (Array.isArray(value)
  ? value.every(sorted)
  : JSON.stringify(Object.keys(value)) === JSON.stringify(Object.keys(value).sort()) && Object.values(value).every(sorted))

/** Vite's logger, keeping what the build logs. */
function capture() {
  const logs: string[] = []
  const warnings: string[] = []
  const customLogger = { info: (message: string) => logs.push(message), warn: (message: string) => warnings.push(message), warnOnce: (message: string) => warnings.push(message), error() {}, clearScreen() {}, hasErrorLogged: () => false, hasWarned: false }
  return { logs, warnings, customLogger }
}

async function viteBuild(dir: string, options: Options, config: Record<string, any> = {}) {
  const { logs, warnings, customLogger } = capture()
  const built = await buildWithVite(dir, options, { customLogger, ...config })
  return { ...built, logs, warnings, report: readJson(join(built.dir, 'lazy-report.json')) }
}

// Rollup reads no CSS; the fixture imports some for Vite's sake.
const cssStub: Plugin = { name: 'css-stub', transform: (_, id) => id.endsWith('.css') ? 'export {}' : null }

/** A Rollup build that keeps its info logs (the table) and takes output options. */
async function rollupBuild(dir: string, options: Options, { output = {}, plugins = [] }: { output?: OutputOptions, plugins?: Plugin[] } = {}) {
  const logs: string[] = []
  const warnings: string[] = []
  const bundle = await rollup({
    input: join(dir, 'src/main.js'),
    plugins: [LazyRollup({ root: dir, ...options }), runtimeSource, cssStub, ...plugins],
    onLog: (level, log) => (level === 'warn' ? warnings : logs).push(log.message),
  })
  const out = tempDir('lazy-report-rollup-')
  try {
    await bundle.write({ dir: out, format: 'es', ...output })
  }
  finally {
    await bundle.close()
  }
  return { dir: out, logs, warnings, manifest: readJson(join(out, 'lazy-manifest.json')), report: existsSync(join(out, 'lazy-report.json')) ? readJson(join(out, 'lazy-report.json')) : undefined }
}

function tableOf(logs: string[]): string {
  const tables = logs.filter(message => message.includes('size report'))
  expect(tables).toHaveLength(1)
  return tables[0]
}

/** The CLI from source, as its bin runs it. */
async function runCli(...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const status = await main(argv, { stdout: (text) => { stdout += text }, stderr: (text) => { stderr += text } })
  return { status, stdout, stderr }
}

describe('size report: Vite 8 SSR build', () => {
  it('weighs no request where a server reads its chunks from disk: no tiny-module hint, the others stay', async () => {
    const client = await viteBuild(root, { modules: widgets, report: { console: false } })
    const server = await viteBuild(root, { modules: widgets, report: { console: false } }, { build: { ssr: 'src/main.js' } })
    const kinds = (report: any) => new Set(report.suggestions.map((suggestion: any) => suggestion.kind))
    expect(kinds(client.report)).toContain('tiny-module')
    expect(kinds(server.report)).not.toContain('tiny-module')
    expect(server.report.modules['widgets/tiny']).toBeDefined()
  })
})

describe('size report: Vite 8 client build', () => {
  let built: Awaited<ReturnType<typeof viteBuild>>
  beforeAll(async () => {
    built = await viteBuild(root, { modules: widgets })
  })
  afterAll(closeBrowser)

  it('prints one compact table through Vite\'s logger, with the numbers of lazy-report.json', () => {
    const table = tableOf(built.logs)
    const { report } = built
    expect(table.startsWith('[plugin unplugin-lazy-modules] size report\n')).toBe(true)
    expect(table.split('\n').length).toBeLessThan(20)
    const row = (...cells: string[]) => new RegExp(`^  ${cells.map(escapeRegExp).join('\\s+')}$`, 'm')
    const sizes = (size: any) => [formatSize(size.raw), formatSize(size.gzip), formatSize(size.brotli)]
    const [js, css] = [report.initial.files.find((file: string) => file.endsWith('.js')), report.initial.files.find((file: string) => file.endsWith('.css'))]
    expect(table).toMatch(row('first load JS', js, ...sizes(report.initial.js)))
    expect(table).toMatch(row('first load CSS', css, ...sizes(report.initial.css)))
    expect(table).toMatch(row('first load', '2 files', ...sizes(report.initial.total)))
    expect(table).toMatch(row('  of which the plugin', 'its runtime and registry (estimated)', ...sizes(report.initial.plugin)))
    for (const module of Object.values<any>(report.modules))
      expect(table, module.name).toMatch(row(module.name, module.file, ...sizes(module.size), formatSize(module.load.gzip), formatSize(module.saved.gzip)))
    expect(table).toMatch(row('all lazy', `${report.lazy.files.length} files`, ...sizes(report.lazy.total)))
    expect(table).toMatch(row('  of which the plugin', `its own lazy code (${plural(report.lazy.plugin.files.length, 'file')})`, ...sizes(report.lazy.plugin.total)))
    expect(table).toContain(`hint: "widgets/tiny" loads ${report.modules['widgets/tiny'].load.gzip} B gzip`)
    // What the report cost this build, stated with the way to leave it out.
    expect(table).toMatch(/\nfull view: lazy-report\.html\nthis report took (\d+ ms|\d+\.\d s) of the build; `report: false` leaves it out$/)
  })

  it('lazy-report.json: every size is the file on disk\'s; the first load is what index.html loads', () => {
    const { report, manifest, dir } = built
    expect(report).toMatchObject({ version: 2, buildId: manifest.buildId, requestOverhead: 300, baseline: null })
    expect(sorted(report)).toBe(true)
    for (const [file, info] of Object.entries<any>(report.files))
      expect(info.size, file).toEqual(measure(readFileSync(join(dir, file))))
    const html = readFileSync(join(dir, 'index.html'), 'utf8')
    const loaded = [...html.matchAll(/(?:src|href)="\/([^"]+)"/g)].map(match => match[1]).sort()
    expect(report.initial.files).toEqual(loaded)
    const big = report.modules['widgets/big']
    expect(big.file).toBe(manifest.modules['widgets/big'].file)
    expect(big.loads).toEqual([big.file, ...manifest.modules['widgets/big'].css].sort())
    expect(big.saved).toEqual(big.load)
    expect(big.load.gzip).toBe(big.loads.reduce((total: number, file: string) => total + report.files[file].size.gzip, 0))
    expect(report.lazy.files).toEqual(Object.keys(report.files).filter(file => !report.files[file].initial).sort())
  })

  it('hints at the module too small to load lazily, with its numbers, and at no other', () => {
    const { report } = built
    const tiny = report.suggestions.filter((hint: any) => hint.kind === 'tiny-module').map((hint: any) => hint.subject)
    expect(tiny).toContain('widgets/tiny')
    expect(tiny).not.toContain('widgets/big')
    const hint = report.suggestions.find((hint: any) => hint.subject === 'widgets/tiny')
    expect(hint.bytes).toBe(report.modules['widgets/tiny'].load.gzip)
    const { firstLoad } = report.modules['widgets/tiny']
    expect(hint.message).toMatch(new RegExp(`^"widgets/tiny" loads \\d+ B gzip, less than loading it lazily costs: its loader in the first load \\(${firstLoad.gzip} B gzip\\) plus a request \\(~300 B\\)`))
    // Nothing duplicated, nothing pulled forward in a plain build.
    expect(report.suggestions.filter((hint: any) => hint.kind !== 'tiny-module')).toEqual([])
  })

  it('lazy-report.html is self-contained and holds the same data', () => {
    const html = readFileSync(join(built.dir, 'lazy-report.html'), 'utf8')
    expect(html).not.toMatch(/\s(?:src|href)\s*=|url\(|@import/i)
    const data = /<script type="application\/json" id="lazy-report">(.*?)<\/script>/s.exec(html)![1]
    expect(JSON.parse(data)).toEqual(built.report)
    expect(html).toContain('<td>widgets/big</td>')
  })

  it('lazy-report.html in Chromium: no request, bars to scale, tables sort by a clicked header', async () => {
    const url = pathToFileURL(join(built.dir, 'lazy-report.html')).href
    const { page, errors, close } = await openPage()
    const requests: string[] = []
    page.on('request', request => requests.push(request.url()))
    await page.goto(url, { waitUntil: 'load' })
    expect(requests).toEqual([url])
    expect(errors.all()).toEqual([])
    const { report } = built
    const totals = () => page.$$eval('.row', rows => rows.map(row => [row.querySelector('.label')!.textContent, row.querySelector('.total')!.textContent]))
    expect((await totals())[0]).toEqual(['first load', formatSize(report.initial.total.gzip)])
    await page.selectOption('#metric', 'raw')
    expect((await totals())[0]).toEqual(['first load', formatSize(report.initial.total.raw)])
    const widths = await page.$$eval('.row:first-child .seg', segs => segs.map(seg => (seg as HTMLElement).style.width))
    expect(widths).toHaveLength(report.initial.files.length)

    const names = () => page.$$eval('#modules tbody tr', rows => rows.map(row => row.children[0].textContent))
    const byGzip = Object.values<any>(report.modules).sort((a, b) => b.size.gzip - a.size.gzip || (a.name < b.name ? -1 : 1)).map(module => module.name)
    await page.click('#modules th:has-text("gzip") >> nth=0')
    expect(await names()).toEqual(byGzip)
    expect(await page.getAttribute('#modules th:has-text("gzip") >> nth=0', 'aria-sort')).toBe('descending')
    await page.click('#modules th:has-text("gzip") >> nth=0')
    expect(await names()).toEqual([...byGzip].reverse())
    await page.click('#modules th:has-text("name")')
    expect(await names()).toEqual(Object.keys(report.modules).sort())
    await close()
  })
})

describe('size report: what the plugin itself costs the first load', () => {
  it('itemises the runtime and registry apart from the app: more with the runtime than without, and at most the first load', async () => {
    const { report } = await viteBuild(root, { modules: widgets })
    const { js, plugin } = report.initial
    expect(plugin.brotli).toBeGreaterThan(500)
    expect(plugin.brotli).toBeLessThan(js.brotli)
    expect(plugin.raw).toBeLessThan(js.raw)
    // The runtime is most of it: its source is bigger than the registry of a few widgets.
    expect(plugin.raw).toBeGreaterThan(js.raw / 10)
  })
})

describe('size report: what a lazy module costs the first load', () => {
  it('firstLoad is its line in the registry as written: a name and a loader, a few bytes gzip at the chunk\'s ratio (Vite 8, Rollup 4)', async () => {
    for (const { report, dir, manifest } of [await viteBuild(root, { modules: widgets, report: { console: false } }), await rollupBuild(root, { modules: widgets, report: { console: false } })]) {
      for (const module of Object.values<any>(report.modules)) {
        expect(module.firstLoad.gzip, module.name).toBeGreaterThan(0)
        // Far less than the manifest entry the registry once carried in full.
        expect(module.firstLoad.gzip, module.name).toBeLessThan(measure(Buffer.from(JSON.stringify(manifest.modules[module.name]))).gzip / 4)
        const code = report.initial.files.filter((file: string) => file.endsWith('.js')).map((file: string) => readFileSync(join(dir, file), 'utf8')).join('\n')
        expect(code).toContain(module.name)
        expect(module.firstLoad.raw).toBeLessThan(120)
      }
    }
  })
})

describe('size report: the plugin\'s own lazy code', () => {
  it('is named apart in lazy.plugin (its recovery runtime, facts and memory loader), in no module\'s loads, and not counted as lazy code no module needs', async () => {
    const { report, dir } = await viteBuild(root, { modules: widgets, report: { console: false } })
    const { plugin } = report.lazy
    for (const own of ['recovery', 'facts', 'memory'])
      expect(plugin.files.some((file: string) => new RegExp(`${own}-[\\w-]+\\.js$`).test(file)), own).toBe(true)
    // What is left under "other lazy" is the app's own.
    expect(report.lazy.files.filter((file: string) => !report.files[file].neededBy.length && !plugin.files.includes(file))).toEqual([])
    expect(plugin.total.gzip).toBe(plugin.files.reduce((total: number, file: string) => total + report.files[file].size.gzip, 0))
    for (const file of plugin.files) {
      expect(report.files[file]).toMatchObject({ initial: false, neededBy: [] })
      expect(readFileSync(join(dir, file), 'utf8').length).toBeGreaterThan(0)
    }
    for (const module of Object.values<any>(report.modules))
      expect(module.loads.filter((file: string) => plugin.files.includes(file)), module.name).toEqual([])
  })
})

describe('size report: hints from the module graph', () => {
  /** The fixture with fmt-lib installed twice: at the top, and inside wrapper-lib. */
  function withDuplicatedPackage(): string {
    const dir = tempDir('lazy-report-dup-')
    cpSync(root, dir, { recursive: true })
    for (const [from, to] of [['fmt-lib', 'node_modules/fmt-lib'], ['wrapper-lib', 'node_modules/wrapper-lib'], ['fmt-lib', 'node_modules/wrapper-lib/node_modules/fmt-lib']]) {
      mkdirSync(join(dir, to), { recursive: true })
      cpSync(join(dir, 'packages', from), join(dir, to), { recursive: true })
    }
    return dir
  }

  function expectDuplicateHint(report: any, manifest: any) {
    const hints = report.suggestions.filter((hint: any) => hint.kind === 'duplicate-module')
    expect(hints.map((hint: any) => hint.subject)).toEqual(['fmt-lib'])
    const [a, b] = [manifest.modules['dup/a'].file, manifest.modules['dup/b'].file].sort()
    expect(hints[0].message).toMatch(new RegExp(`^fmt-lib is in 2 chunks \\(${escapeRegExp(a)}: \\d+ B, ${escapeRegExp(b)}: \\d+ B\\), from node_modules/fmt-lib/index\\.js, node_modules/wrapper-lib/node_modules/fmt-lib/index\\.js: ${hints[0].bytes} B raw are copies\\.`))
    expect(hints[0].bytes).toBeGreaterThan(200)
  }

  it('duplicate-module: a package installed twice (Vite 8)', async () => {
    const built = await viteBuild(withDuplicatedPackage(), { modules: { 'dup/*': 'src/dup/*.js' }, report: { console: false } })
    expectDuplicateHint(built.report, built.manifest)
  })

  it('duplicate-module: a package installed twice (Rollup 4)', async () => {
    const built = await rollupBuild(withDuplicatedPackage(), { modules: { 'dup/*': 'src/dup/*.js' }, report: { console: false } }, { plugins: [nodeResolve()] })
    expectDuplicateHint(built.report, built.manifest)
  })

  const pulledForward = /src[\\/](?:eager|vendor[\\/]plot)\.js$/
  function expectEagerOnlyLazyHint(report: any, manifest: any) {
    const hints = report.suggestions.filter((hint: any) => hint.kind === 'eager-only-lazy')
    expect(hints.map((hint: any) => hint.subject)).toEqual(['src/vendor/plot.js'])
    const vendor = report.initial.files.find((file: string) => /vendor/.test(file))
    expect(vendor).toBeDefined()
    expect(hints[0].message).toBe(`src/vendor/plot.js (${hints[0].bytes} B raw) is in ${vendor}, part of the first load, yet only lazy code imports it (src/widgets/chart.js in ${manifest.modules['widgets/chart'].file}). Leaving it to the lazy chunks takes ${hints[0].bytes} B raw off the first load: see what put it there (manualChunks, advancedChunks, merged chunks).`)
  }

  it('eager-only-lazy: lazy-only code that code splitting groups pulled into the first load (Vite 8)', async () => {
    const codeSplitting = { groups: [{ name: 'vendor', test: pulledForward }] }
    const built = await viteBuild(root, { modules: widgets, report: { console: false } }, { build: { rolldownOptions: { output: { codeSplitting } } } })
    expectEagerOnlyLazyHint(built.report, built.manifest)
  })

  it('eager-only-lazy: lazy-only code that manualChunks pulled into the first load (Rollup 4)', async () => {
    const built = await rollupBuild(root, { modules: widgets, report: { console: false } }, { output: { manualChunks: id => pulledForward.test(id) ? 'vendor' : null } })
    expectEagerOnlyLazyHint(built.report, built.manifest)
  })
})

describe('archives in the report (Rollup 4)', () => {
  /** An app that loads one of 24 locales by name, each a few kB of its own words, all in one archive. */
  function localesApp(): string {
    const dir = tempDir('lazy-report-locales-')
    mkdirSync(join(dir, 'src/locales'), { recursive: true })
    writeFileSync(join(dir, 'src/main.js'), `import { importModule } from 'unplugin-lazy-modules/runtime'\nexport const pick = code => importModule(\`locales/\${code}\`)\n`)
    let seed = 7
    const word = () => Array.from({ length: 6 }, () => 'abcdefghijklmnopqrstuvwxyz'[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % 26]).join('')
    for (let i = 0; i < 24; i++)
      writeFileSync(join(dir, `src/locales/l${String(i).padStart(2, '0')}.js`), `export default ${JSON.stringify(Array.from({ length: 300 }, word))}\n`)
    return dir
  }

  it('an archived module loads its archive; loading one of many alternatives gets a hint with the numbers', async () => {
    const { report } = await rollupBuild(localesApp(), { modules: { 'locales/*': 'src/locales/*.js' }, archives: { locales: ['locales/*'] }, report: { console: false } })
    const archive = report.archives.locales
    const module = report.modules['locales/l05']
    expect(module.loads).toEqual([archive.file])
    expect(module.load).toEqual(archive.size)
    expect(module.saved).toEqual(report.files[module.file].size)
    const hint = report.suggestions.find((each: any) => each.kind === 'archive-fetch')
    expect(hint.subject).toBe('locales')
    expect(hint.message).toMatch(new RegExp(`^loading locales/l\\d\\d fetches the ${escapeRegExp(formatSize(archive.size.gzip))} archive "locales", \\d+× its own [\\d.]+ kB \\(gzip\\); all 24 of its modules fetch over 10× their own size\\.`))
  })
})

describe('size budgets', () => {
  it('pass: the build goes on, and lazy-report.json records each check', async () => {
    const { report } = await rollupBuild(root, { modules: widgets, report: { console: false }, budgets: { initial: '1 MB', lazy: { 'widgets/*': { gzip: '10 kB', brotli: 10000 } } } })
    expect(report.budgets).toHaveLength(1 + 3 * 2)
    expect(report.budgets.every((result: any) => result.ok)).toBe(true)
    expect(report.budgets[0]).toEqual({ budget: 'initial', subject: 'initial', kind: 'gzip', limit: 1e6, actual: report.initial.total.gzip, ok: true })
    expect(report.budgets.find((result: any) => result.subject === 'widgets/big' && result.kind === 'brotli').actual).toBe(report.modules['widgets/big'].load.brotli)
  })

  it('fail (Rollup 4): a first load over budget fails the build, naming it, the excess and its largest files', async () => {
    const { report } = await rollupBuild(root, { modules: widgets, report: { console: false } })
    const actual = report.initial.total.gzip
    const limit = actual - 250
    const error: any = await rollupBuild(root, { modules: widgets, report: { console: false }, budgets: { initial: limit } }).catch(error => error)
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toContain(`size budget exceeded:\n  - the first load is ${formatSize(actual)} gzip, 250 B (+${(250 / limit * 100).toFixed(1)}%) over its budget of ${formatSize(limit)}; largest: `)
    expect(error.message).toMatch(/; largest: main-[\w-]+\.js [\d.]+ kB, main\.js \d+ B$/)
  })

  it('fail (Vite 8): a lazy module over its brotli budget; modules within it go unnamed', async () => {
    const probe = await viteBuild(root, { modules: widgets, report: { console: false } })
    const big = probe.report.modules['widgets/big']
    const error: any = await viteBuild(root, { modules: widgets, report: { console: false }, budgets: { lazy: { 'widgets/*': { brotli: '600 B' } } } }).catch(error => error)
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toContain(`  - lazy module "widgets/big" (budget "widgets/*") loads ${formatSize(big.load.brotli)} brotli, ${formatSize(big.load.brotli - 600)} (+`)
    expect(error.message).toContain(`over its budget of 600 B; largest: ${big.file} `)
    expect(error.message).not.toMatch(/widgets\/(?:tiny|chart)/)
  })

  it('warns about a budget whose pattern matches no lazy module', async () => {
    const { warnings } = await rollupBuild(root, { modules: widgets, report: { console: false }, budgets: { lazy: { 'widget/*': '1 MB' } } })
    expect(warnings.join('\n')).toMatch(/size budget "widget\/\*" matches no lazy module; names are widgets\/big, widgets\/chart, widgets\/tiny\./)
  })
})

describe('report options', () => {
  it('Rollup 4 prints the table as an info log', async () => {
    const { logs, report } = await rollupBuild(root, { modules: widgets })
    expect(tableOf(logs)).toMatch(/^\[plugin unplugin-lazy-modules\] size report\n/)
    expect(tableOf(logs)).toMatch(new RegExp(`^  widgets/big\\s+${escapeRegExp(report.modules['widgets/big'].file)}\\s+${escapeRegExp(formatSize(report.modules['widgets/big'].size.raw))}\\s`, 'm'))
  })

  it('`report: false` prints and writes nothing, and budgets still hold', async () => {
    const { logs, dir } = await rollupBuild(root, { modules: widgets, report: false })
    expect(logs.filter(message => message.includes('size report'))).toEqual([])
    expect(existsSync(join(dir, 'lazy-report.json')) || existsSync(join(dir, 'lazy-report.html'))).toBe(false)
    const error: any = await rollupBuild(root, { modules: widgets, report: false, budgets: { initial: '1 kB' } }).catch(error => error)
    expect(error.message).toMatch(/size budget exceeded:\n {2}- the first load is/)
  })

  it('`report.baseline` that is not there yet: a warning, and no change in the report', async () => {
    const { warnings, report, dir } = await rollupBuild(root, { modules: widgets, report: { console: false, baseline: 'no/such/lazy-report.json' } })
    expect(warnings).toContain(`[plugin unplugin-lazy-modules] report.baseline: ${join(root, 'no/such/lazy-report.json')} does not exist: give an earlier build's lazy-report.json, or the folder it was built into; the report shows no change.`)
    expect(report.baseline).toBeNull()
    // A folder built earlier is a baseline too: its lazy-report.json.
    const again = await rollupBuild(root, { modules: widgets, report: { console: false, baseline: dir } })
    expect(again.report.baseline).toMatchObject({ from: dir, buildId: report.buildId, initial: { total: { gzip: 0, percent: 0 } } })
    expect(Object.values<any>(again.report.baseline.modules).map(module => module.status)).toEqual(['same', 'same', 'same'])
  })

  it('writes the views it is told to, under the names it is given', async () => {
    const { logs, dir } = await rollupBuild(root, { modules: widgets, report: { console: false, json: 'sizes/report.json', html: false } })
    expect(logs.filter(message => message.includes('size report'))).toEqual([])
    expect(readJson(join(dir, 'sizes/report.json')).version).toBe(2)
    expect(existsSync(join(dir, 'lazy-report.html')) || existsSync(join(dir, 'lazy-report.json'))).toBe(false)
  })
})

describe('CLI: lazy-modules report <dir>', () => {
  it('prints, from the files alone, the table the build printed; --json gives lazy-report.json', async () => {
    const built = await viteBuild(root, { modules: widgets })
    const result = await runCli('report', built.dir)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    const fromBuild = tableOf(built.logs).replace('[plugin unplugin-lazy-modules] ', '').split('\n').filter(line => !line.startsWith('full view:') && !line.startsWith('this report took'))
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines.at(-1)).toBe('first load from index.html')
    expect(lines.slice(0, -1)).toEqual(fromBuild)
    const json = await runCli('report', built.dir, '--json')
    expect(json.status).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual(built.report)
  })

  it('reads archived chunks from their zip, and without HTML takes the chunks nothing imports as the first load', async () => {
    const modules = { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json' }
    const built = await buildWithRollup(join(fixtures, 'archive'), 'src/main.js', { modules, archives: { charts: ['charts/*'] }, report: { console: false } })
    const report = readJson(join(built.dir, 'lazy-report.json'))
    expect(report.archives.charts.modules).toEqual(['charts/bar', 'charts/line', 'charts/pie'])
    const json = await runCli('report', built.dir, '--json')
    expect(json.stderr).toBe('')
    expect(JSON.parse(json.stdout)).toEqual(report)
    const table = (await runCli('report', built.dir)).stdout
    expect(table).toMatch(new RegExp(`^  archive charts\\s+${escapeRegExp(report.archives.charts.file)} \\(3 modules\\)\\s+${escapeRegExp(formatSize(report.archives.charts.size.raw))}`, 'm'))
    expect(table).toContain('first load from the chunks no other chunk imports (no HTML page names its scripts)')
    // The archive is read with the runtime's strict reader: a changed byte is refused, not reported.
    const zip = join(built.dir, report.archives.charts.file)
    writeFileSync(zip, Buffer.from(readFileSync(zip, 'latin1').replace('bar:', 'BAR:'), 'latin1'))
    const refused = await runCli('report', built.dir)
    expect(refused.status).toBe(1)
    expect(refused.stderr).toMatch(/ArchiveFormatError: Bad zip archive charts-[\w-]+\.zip \(entry "bar-[\w-]+\.js"\): CRC-32 mismatch/)
  })

  it('`report.brotli: false` and `--no-brotli` leave brotli out, and agree', async () => {
    const { dir, report } = await rollupBuild(root, { modules: widgets, report: { console: false, brotli: false } })
    expect(report.initial.total).toEqual({ raw: expect.any(Number), gzip: expect.any(Number), brotli: null })
    expect(Object.values<any>(report.files).every(file => file.size.brotli === null)).toBe(true)
    expect(JSON.parse((await runCli('report', dir, '--json', '--no-brotli')).stdout)).toEqual(report)
  })
})
