// The README's examples, built with the bundlers and run: its configs as written, its app code in a
// project of the modules it names (fixture/), and what it says each example prints.
import type { InlineConfig, Logger } from 'vite'
import type { Options } from '../../src/types'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import process from 'node:process'
import { pathToFileURL } from 'node:url'
import { format } from 'node:util'
import { rollup } from 'rollup'
import { build, mergeConfig } from 'vite'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import LazyModules from '../../src/vite'
import { runtimeSource } from '../helpers/build'
import { example, readmeBlocks, readmeFile } from './readme'

const repo = resolve(import.meta.dirname, '../..')
const fixture = join(import.meta.dirname, 'fixture')
const blocks = readmeBlocks()

/**
 * The README imports the plugin by its package name; here that name is this checkout's source. The
 * runtime import (`unplugin-lazy-modules/runtime`) stays as written: the plugin resolves it itself.
 */
function fromSource(code: string): string {
  return code
    .replaceAll(`'unplugin-lazy-modules/vite'`, JSON.stringify(join(repo, 'src/vite.ts')))
    .replaceAll(`'unplugin-lazy-modules/rollup'`, JSON.stringify(join(repo, 'src/rollup.ts')))
}

/** A project folder in which `vite` and the rest of this checkout's dependencies resolve. */
function project(prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), prefix))
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir')
  return root
}

function write(root: string, file: string, code: string) {
  mkdirSync(dirname(join(root, file)), { recursive: true })
  writeFileSync(join(root, file), code)
}

let runs = 0
/** Imports a built file in a fresh instance, and gives what it printed with console.log. */
async function run(file: string): Promise<{ module: any, printed: string }> {
  const printed: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((...args) => void printed.push(format(...args)))
  try {
    const module = await import(`${pathToFileURL(file).href}?run=${runs++}`)
    return { module, printed: printed.join('\n') }
  }
  finally {
    log.mockRestore()
  }
}

function ran(): string[] {
  return (globalThis as { readmeRan?: string[] }).readmeRan ?? []
}

function quietLogger(warnings: string[]): Logger {
  return {
    info() {},
    warn: message => void warnings.push(message),
    warnOnce: message => void warnings.push(message),
    error() {},
    clearScreen() {},
    hasErrorLogged: () => false,
    hasWarned: false,
  }
}

/** A Vite SSR build of `input` (names to files in `root`), so its output runs in Node. */
async function ssrBuild(root: string, input: Record<string, string>, config: InlineConfig) {
  const warnings: string[] = []
  const outDir = join(root, 'dist')
  const result: any = await build(mergeConfig(config, {
    root,
    configFile: false,
    logLevel: 'silent',
    customLogger: quietLogger(warnings),
    build: { ssr: true, outDir, emptyOutDir: true, rollupOptions: { input } },
  } satisfies InlineConfig))
  const output: any[] = (Array.isArray(result) ? result[0] : result).output
  // Entry files by input name, whatever extension the build gave them.
  const entries = Object.fromEntries(output.filter(file => file.type === 'chunk' && file.isEntry).map(file => [file.name, join(outDir, file.fileName)]))
  return { entries, warnings, outDir }
}

describe('README: the Vite config and the app examples, built by Vite and run', () => {
  const appFiles = [...blocks.examples.keys()].filter(file => file.startsWith('src/'))
  let built: Awaited<ReturnType<typeof ssrBuild>>

  beforeAll(async () => {
    const root = project('lazy-readme-vite-')
    cpSync(fixture, root, { recursive: true })
    for (const file of appFiles)
      write(root, file, example(blocks, file))
    write(root, 'vite.config.ts', fromSource(example(blocks, 'vite.config.ts')))
    const { default: config } = await import(pathToFileURL(join(root, 'vite.config.ts')).href)
    const input = Object.fromEntries(appFiles.map(file => [file.replace(/^src\/|\.ts$/g, ''), join(root, file)]))
    built = await ssrBuild(root, input, config)
  })

  it('has the examples this test knows', () => {
    expect(appFiles.sort()).toEqual(['src/charts.ts', 'src/export.ts', 'src/open-chart.ts', 'src/preview.ts'])
    expect([...blocks.outputs.keys()].sort()).toEqual(['src/charts.ts', 'src/open-chart.ts'])
  })

  it('builds them without a warning', () => {
    expect(built.warnings).toEqual([])
  })

  it('a namespace handle: nothing of pdf.ts runs until load()', async () => {
    const { module } = await run(built.entries.export)
    expect(ran()).not.toContain('pdf')
    expect(await module.exportDoc('report')).toBe('%PDF report')
    expect(ran()).toContain('pdf')
  })

  it('a named binding loads on the first call', async () => {
    const { module } = await run(built.entries.preview)
    expect(ran()).not.toContain('markdown')
    expect(await module.preview('hi')).toBe('<p>hi</p>')
  })

  it('a class: new (await Parser)()', async () => {
    const { module } = await run(built.entries.preview)
    expect(ran()).not.toContain('parser')
    expect(await module.parse('a b  c')).toEqual(['a', 'b', 'c'])
  })

  it('loading and listing by name prints what the README says, and lists without loading', async () => {
    const { printed } = await run(built.entries.charts)
    expect(printed).toBe(blocks.outputs.get('src/charts.ts')!.trimEnd())
    expect(ran()).not.toContain('charts/pie')
  })

  it('ModuleNotFoundError: suggestions when there are some, no empty "Did you mean"', async () => {
    const { printed } = await run(built.entries['open-chart'])
    expect(printed).toBe(blocks.outputs.get('src/open-chart.ts')!.trimEnd())
    expect(printed).not.toContain('Did you mean ?')
  })

  it('lists the manifest the README shows, with sorted keys', () => {
    const manifest = JSON.parse(readFileSync(join(built.outDir, 'lazy-manifest.json'), 'utf8'))
    expect(Object.keys(manifest)).toEqual(['archives', 'buildId', 'modules', 'version'])
    expect(Object.keys(manifest.modules['charts/bar'])).toEqual(['archive', 'css', 'file', 'imports', 'integrity', 'isPackage', 'kind', 'name', 'size', 'source'])
    expect(manifest.modules['charts/bar']).toMatchObject({ kind: 'registered', name: 'charts/bar', source: 'src/charts/bar.ts', archive: null })
    expect(manifest.modules['src/pdf']).toMatchObject({ kind: 'marked', source: 'src/pdf.ts' })
  })
})

describe('README: options', () => {
  it('an unknown key gets a did-you-mean', () => {
    expect(() => LazyModules({ archive: {} } as Options)).toThrow('option `archive` is not an option: did you mean `archives`?')
  })
})

describe('README: the Rollup config', () => {
  it('builds a project from its folder, as `rollup -c` does, and the output runs', async () => {
    const root = project('lazy-readme-rollup-')
    write(root, 'package.json', '{ "type": "module" }\n')
    write(root, 'rollup.config.js', fromSource(example(blocks, 'rollup.config.js')))
    write(root, 'src/charts/bar.js', `export const draw = values => ['bar', ...values].join(' ')\n`)
    write(root, 'src/main.js', `import { importModule } from 'unplugin-lazy-modules/runtime'\nexport const drawBar = async values => (await importModule('charts/bar')).draw(values)\n`)
    const warnings: string[] = []
    const cwd = process.cwd()
    // Relative paths in the config (input, output.dir, the glob's root) are the project folder's.
    process.chdir(root)
    try {
      const { default: config } = await import(pathToFileURL(join(root, 'rollup.config.js')).href)
      // runtimeSource: the plugin run from source bundles the runtime's .ts source, which Rollup cannot read.
      const bundle = await rollup({ ...config, plugins: [...config.plugins, runtimeSource], onLog: (level, log) => void (level === 'warn' && warnings.push(log.message)) })
      await bundle.write(config.output)
      await bundle.close()
    }
    finally {
      process.chdir(cwd)
    }
    expect(warnings).toEqual([])
    const { module } = await run(join(root, 'dist/main.js'))
    expect(await module.drawBar([1, 2])).toBe('bar 1 2')
  })
})

/** Builds that make each row of the README's build-errors table happen: files to add, and options. */
const triggers: Record<string, { files?: Record<string, string>, options?: Options }> = {
  'comes from a lazy import': { files: { 'src/entry.ts': `import { exportPdf as f } from './pdf' with { lazy: 'true' }\nexport const x = f('a')\n` } },
  'lazy module handle': { files: { 'src/entry.ts': `import * as ns from './pdf' with { lazy: 'true' }\nexport const x = ns.exportPdf\n` } },
  'is not imported': { files: { 'src/entry.ts': `import * as ns from './pdf' with { lazy: 'true' }\nexport const x = async () => load(ns)\n` } },
  'matches no file': { options: { modules: { 'x/*': 'src/nothing/*.ts' } } },
  'is not a file': { options: { modules: { x: './src/missing.ts' } } },
  // The registry, where packages are resolved, is built when the app imports the runtime.
  'nor a package': { files: { 'src/entry.ts': `export { importModule } from 'unplugin-lazy-modules/runtime'\n` }, options: { modules: { x: 'no-such-package-here' } } },
  'matches no lazy module name': { options: { modules: { 'charts/*': 'src/charts/*.ts' }, archives: { charts: ['chart/*'] } } },
  'whenever it runs': { files: { 'src/entry.ts': `import { importModule } from 'unplugin-lazy-modules/runtime'\nexport const open = () => importModule('charts/bars')\n` }, options: { modules: { 'charts/*': 'src/charts/*.ts' } } },
  'at start-up': { files: { 'src/entry.ts': `import { load } from 'unplugin-lazy-modules/runtime'\nimport * as ns from './pdf' with { lazy: 'true' }\nexport const pdf = await load(ns)\n` } },
  'two modules are named': { files: { 'src/other/bar.ts': `export const draw = () => 'other'\n` }, options: { modules: { 'charts/*': ['src/charts/*.ts', 'src/other/*.ts'] } } },
}

/** The table's rows: what the build says (with `…` for any text), and whether it is a warning. */
function errorRows(): { says: string, warning: boolean }[] {
  const text = readFileSync(readmeFile, 'utf8')
  const table = text.slice(text.indexOf('| the build says |')).split('\n\n')[0]
  return table.split('\n').slice(2).map((line) => {
    const cell = line.slice(2, line.indexOf(' | '))
    return { says: /`` (.*) ``/.exec(cell)![1], warning: cell.startsWith('warning:') }
  })
}

describe('README: the build errors table', () => {
  const rows = errorRows()

  it('has a build here for every row', () => {
    expect(rows.map(row => Object.keys(triggers).find(key => row.says.includes(key)))).toEqual(Object.keys(triggers))
  })

  it.each(rows)('$says', async ({ says, warning }) => {
    const key = Object.keys(triggers).find(key => says.includes(key))!
    const { files = {}, options = {} } = triggers[key]
    const root = project('lazy-readme-error-')
    cpSync(fixture, root, { recursive: true })
    write(root, 'src/entry.ts', `export const ok = 1\n`)
    for (const [file, code] of Object.entries(files))
      write(root, file, code)
    const said = new RegExp(says.split('…').map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?'))
    const outcome = await ssrBuild(root, { entry: join(root, 'src/entry.ts') }, { plugins: [LazyModules({ report: false, ...options })] })
      .then(({ warnings }) => ({ warnings, error: undefined }), (error: Error) => ({ warnings: [], error }))
    if (warning) {
      expect(outcome.error).toBeUndefined()
      expect(outcome.warnings.join('\n')).toMatch(said)
    }
    else {
      expect(outcome.error?.message).toMatch(said)
    }
  })
})
