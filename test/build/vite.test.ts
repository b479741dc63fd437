import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping'
import { build } from 'vite'
import { beforeAll, describe, expect, it } from 'vitest'
import LazyModules from '../../src/vite'
import { buildWithVite, fixtures, tempDir } from '../helpers/build'
import type { Built } from '../helpers/build'
import { expectManifestMatchesFiles } from '../helpers/manifest'

const app = join(fixtures, 'app')
const modules = { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json', 'plugins/*': 'src/plugins/**/*.js' }

describe('vite 8: client build', () => {
  let built: Built
  let entry: string
  beforeAll(async () => {
    built = await buildWithVite(app, { modules }, { build: { sourcemap: true } })
    entry = Object.values(built.files).find(file => file.type === 'chunk' && file.isEntry)!.fileName
  })

  it('writes a manifest whose facts match the emitted files, CSS included', () => {
    expectManifestMatchesFiles(built.manifest, built.dir)
    expect(built.manifest.modules['charts/bar'].css).toEqual([expect.stringMatching(/^assets\/bar-.*\.css$/)])
    expect(built.manifest.modules['charts/pie'].css).toEqual([])
  })

  it('fills the registry\'s early facts into the entry chunk, and all the facts into their own lazy chunk, each with the way back to the output folder', () => {
    const factsIn = (file: string) => JSON.parse(JSON.parse(/JSON\.parse\((".*?[^\\]")\)/.exec(readFileSync(join(built.dir, file), 'utf8'))![1]))
    const code = readFileSync(join(built.dir, entry), 'utf8')
    expect(code).toContain('function __lazyModulesEarlyFacts()')
    expect(code).not.toContain('function __lazyModulesFacts()')
    // A plain object literal: few facts, read once.
    const early = JSON.parse(/function __lazyModulesEarlyFacts\(\) \{ return (\{.*\}) \}/.exec(code)![1])
    expect(early).toMatchObject({ root: '../', buildId: built.manifest.buildId, manifest: 'lazy-manifest.json' })
    expect(early.modules).toBeUndefined()
    expect(early.chunks).toBeUndefined()
    const factsFile = Object.values(built.files).find(file => file.type === 'chunk' && file.code.includes('function __lazyModulesFacts()'))!.fileName
    expect(early).toMatchObject({ facts: factsFile, recovery: expect.stringMatching(/^assets\/recovery-[\w-]{8}\.js$/) })
    expect((built.files[entry] as any).imports).not.toContain(factsFile)
    const facts = factsIn(factsFile)
    expect(facts.root).toBe('../')
    expect(facts.buildId).toBe(built.manifest.buildId)
    expect(Object.fromEntries(facts.modules.map((info: any) => [info.name, info]))).toEqual(built.manifest.modules)
  })

  it('loads nothing lazy at start: the page preloads no lazy chunk', () => {
    const html = readFileSync(join(built.dir, 'index.html'), 'utf8')
    for (const info of Object.values<any>(built.manifest.modules))
      expect(html).not.toContain(info.file)
    const chunk = built.files[entry] as any
    const lazyFiles = Object.values<any>(built.manifest.modules).map(info => info.file)
    expect(chunk.imports.filter((file: string) => lazyFiles.includes(file))).toEqual([])
    expect(chunk.dynamicImports).toEqual(expect.arrayContaining(lazyFiles))
  })

  it('keeps the minified entry\'s source map true after filling the registry', () => {
    const code = readFileSync(join(built.dir, entry), 'utf8')
    const map = new TraceMap(readFileSync(join(built.dir, `${entry}.map`), 'utf8'))
    const text = ' failed to load'
    const offset = code.indexOf(text)
    expect(offset).toBeGreaterThan(code.indexOf('__lazyModulesEarlyFacts()'))
    const line = code.slice(0, offset).split('\n').length
    const column = offset - code.lastIndexOf('\n', offset) - 1
    const original = originalPositionFor(map, { line, column })
    // Run from source, the plugin bundles the runtime's source.
    expect(original.source).toMatch(/src\/runtime\/[\w-]+\.ts$/)
    const runtime = readFileSync(resolve(built.dir, dirname(entry), original.source!), 'utf8').split('\n')
    expect(runtime[original.line! - 1]).toContain(text)
  })
})

describe('vite 8: SSR build', () => {
  let built: Built
  beforeAll(async () => {
    built = await buildWithVite(app, { modules }, { build: { ssr: 'src/main.js' } })
  })

  it('bundles the runtime with this build\'s registry instead of externalizing it', () => {
    const code = (built.files['main.js'] as any).code
    expect(code).not.toMatch(/from\s*["']unplugin-lazy-modules/)
    expectManifestMatchesFiles(built.manifest, built.dir)
  })

  it('runs: marked imports, names, listing and errors', async () => {
    const app = await built.run('main.js')
    expect(app.started).toEqual([])
    expect(await app.exportPdf('doc')).toBe('[%PDF doc]')
    expect(await app.greet('bo')).toBe('BO <bo>')
    expect((await app.importModule('locales/en')).default.bye).toBe('Goodbye')
    expect((await app.importModule('plugins/graph')).name).toBe('graph')
    expect(app.iterModules('locales/').map((info: any) => info.name)).toEqual(['locales/en', 'locales/fr'])
    await expect(app.importModule('locale/en')).rejects.toMatchObject({ name: 'ModuleNotFoundError', suggestions: ['locales/en', 'locales/fr'] })
  })
})

describe('vite 8: build --watch', () => {
  it('rebuilds after an edit to a file with marked imports of a file without its extension and of a package', async () => {
    const root = tempDir('lazy-watch-')
    cpSync(join(fixtures, 'ts'), root, { recursive: true })
    symlinkSync(join(import.meta.dirname, '../../node_modules'), join(root, 'node_modules'), 'dir')
    const main = join(root, 'src/main.ts')
    writeFileSync(main, `${readFileSync(main, 'utf8')}\nimport * as ids from 'nanoid' with { lazy: 'true' }\nexport const id = async () => (await load(ids)).nanoid()\n`)
    const events: string[] = []
    let edited = false
    const watcher: any = await build({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [LazyModules({ report: false })],
      build: { outDir: tempDir('lazy-watch-out-'), ssr: 'src/main.ts', watch: {} },
    })
    try {
      await new Promise<void>((done, fail) => {
        watcher.on('event', (event: any) => {
          events.push(event.code === 'ERROR' ? `ERROR ${event.error.message}` : event.code)
          event.result?.close?.()
          if (event.code === 'ERROR')
            fail(event.error)
          if (event.code === 'END' && !edited) {
            edited = true
            // The importer changes: transformed again, after the first build resolved its marked modules.
            setTimeout(() => writeFileSync(main, `${readFileSync(main, 'utf8')}// edited\n`), 100)
          }
          else if (event.code === 'END') {
            done()
          }
        })
      })
    }
    finally {
      await watcher.close()
    }
    expect(events.filter(code => code === 'END')).toHaveLength(2)
    expect(events.filter(code => code.startsWith('ERROR'))).toEqual([])
  })
})

describe('vite 8: marked modules of one name', () => {
  it('are one module when both importers name one file, with and without its extension; two files of one name fail the build', async () => {
    const root = tempDir('lazy-one-name-')
    writeFileSync(join(root, 'pdf.ts'), `export const kind: string = 'ts'\n`)
    writeFileSync(join(root, 'a.ts'), `import * as pdf from './pdf' with { lazy: 'true' }\nimport { load } from 'unplugin-lazy-modules/runtime'\nexport const a = async () => (await load(pdf)).kind\n`)
    writeFileSync(join(root, 'b.ts'), `import * as pdf from './pdf.ts' with { lazy: 'true' }\nimport { load } from 'unplugin-lazy-modules/runtime'\nexport const b = async () => (await load(pdf)).kind\n`)
    writeFileSync(join(root, 'main.ts'), `export { a } from './a'\nexport { b } from './b'\n`)
    const built = await buildWithVite(root, { report: false }, { build: { ssr: 'main.ts' } })
    expect(Object.keys(built.manifest.modules)).toEqual(['pdf'])
    writeFileSync(join(root, 'pdf.js'), `export const kind = 'js'\n`)
    writeFileSync(join(root, 'a.ts'), readFileSync(join(root, 'a.ts'), 'utf8').replace(`'./pdf'`, `'./pdf.ts'`))
    writeFileSync(join(root, 'b.ts'), readFileSync(join(root, 'b.ts'), 'utf8').replace('./pdf.ts', './pdf.js'))
    await expect(buildWithVite(root, { report: false }, { build: { ssr: 'main.ts' } })).rejects.toThrow(/two modules are named "pdf": pdf\.(ts|js) \(from a marked import in .*\) and pdf\.(js|ts)/)
  })
})

describe('vite 8: TypeScript', () => {
  it('builds and runs marked imports in TypeScript, type-only imports included', async () => {
    const built = await buildWithVite(join(fixtures, 'ts'), {}, { build: { ssr: 'src/main.ts' } })
    expect(Object.keys(built.manifest.modules)).toEqual(['src/format', 'src/report'])
    expect(await (await built.run('main.js')).run([1, 2, 3])).toBe('3 values, total 6')
  })
})

describe('vite 8: warnings and errors', () => {
  it('warns when a lazy module is also imported eagerly, so it saves nothing', async () => {
    const root = tempDir('lazy-eager-')
    cpSync(app, root, { recursive: true })
    writeFileSync(join(root, 'src/both.js'), `import * as lazy from './text.js' with { lazy: 'true' }\nimport render from './text.js'\nimport { load } from 'unplugin-lazy-modules/runtime'\nexport const a = render('x')\nexport const b = () => load(lazy)\n`)
    const built = await buildWithVite(root, {}, { build: { ssr: 'src/both.js' } })
    expect(built.warnings.join('\n')).toMatch(/lazy module "src\/text" is in both\.m?js, which loads at start-up/)
  })

  it('warns when start-up code loads a lazy module at once, naming file:line, and reports it as loaded at start-up', async () => {
    const root = tempDir('lazy-startup-')
    cpSync(app, root, { recursive: true })
    writeFileSync(join(root, 'src/start.js'), `import * as text from './text.js' with { lazy: 'true' }\nimport { shout } from './shout.js' with { lazy: 'true' }\nimport { load } from 'unplugin-lazy-modules/runtime'\n\nexport const later = async () => (await load(text)).default('x')\nconst mod = await load(text)\nexport const loud = await shout('now')\nexport { mod }\n`)
    writeFileSync(join(root, 'src/shout.js'), `export const shout = text => text.toUpperCase()\n`)
    const built = await buildWithVite(root, {}, { build: { ssr: 'src/start.js' } })
    const warnings = built.warnings.join('\n')
    expect(warnings).toContain('src/start.js:6:24: `load(text)` runs when src/start.js loads, which is at start-up, so lazy module "src/text" is fetched at start-up too.')
    expect(warnings).toContain('src/start.js:7:27: `await shout` runs when src/start.js loads')
    expect(warnings).not.toContain('start.js:5:')
    const report = JSON.parse(readFileSync(join(built.dir, 'lazy-report.json'), 'utf8'))
    expect(report.modules['src/text'].eager).toBe(true)
    expect(report.modules['src/shout'].eager).toBe(true)
  })

  it('warns at a look-up by a name no lazy module has, at its line and column in the TypeScript source, with the names close to it', async () => {
    const root = tempDir('lazy-names-')
    cpSync(app, root, { recursive: true })
    const source = `import { importModule, getLoader, iterModules } from 'unplugin-lazy-modules/runtime'
import * as lazy from 'unplugin-lazy-modules/runtime'

interface Options { retries: number }
export const bar = (options: Options): Promise<unknown> => importModule('charts/barr')
export const fine = (): Promise<void> => lazy.preload('charts/bar')
export const plugin = (name: string) => getLoader(\`plugin/\${name}\`)
export const listed = () => iterModules('locales/')
export function local(importModule: (name: string) => string) { return importModule('not the runtime') }
`
    writeFileSync(join(root, 'src/names.ts'), source)
    const built = await buildWithVite(root, { modules }, { build: { ssr: 'src/names.ts' } })
    const at = (text: string) => {
      const line = source.split('\n').findIndex(each => each.includes(text))
      return `src/names.ts:${line + 1}:${source.split('\n')[line].indexOf(text) + 1}: `
    }
    const warnings = built.warnings.filter(warning => warning.includes('whenever it runs'))
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toContain(`${at('importModule(\'charts/barr')}\`importModule("charts/barr")\` rejects whenever it runs: no lazy module is named "charts/barr". Did you mean "charts/bar"?`)
    expect(warnings[1]).toContain(`${at('getLoader(`')}\`getLoader(…)\` returns undefined whenever it runs: no lazy module's name starts with "plugin/". Did you mean "plugins"?`)
  })

  it('says nothing of start-up uses in a file that itself loads lazily', async () => {
    const root = tempDir('lazy-startup-')
    cpSync(app, root, { recursive: true })
    writeFileSync(join(root, 'src/start.js'), `export const open = () => import('./later.js')\n`)
    writeFileSync(join(root, 'src/later.js'), `import * as text from './text.js' with { lazy: 'true' }\nimport { load } from 'unplugin-lazy-modules/runtime'\nexport const mod = await load(text)\n`)
    const built = await buildWithVite(root, {}, { build: { ssr: 'src/start.js' } })
    expect(built.warnings.join('\n')).not.toMatch(/at start-up/)
  })

  it('fails the build at the offending line, with a code frame', async () => {
    const root = tempDir('lazy-vite-error-')
    cpSync(app, root, { recursive: true })
    writeFileSync(join(root, 'src/bad.js'), `import { shout } from './text.js' with { lazy: 'true' }\n\nexport const loud = shout('now')\n`)
    const error: any = await build({ root, configFile: false, logLevel: 'silent', plugins: [LazyModules()], build: { ssr: 'src/bad.js', outDir: tempDir() } }).catch(error => error)
    expect(error.message).toMatch(/`shout` comes from a lazy import and may only be used directly under `await`/)
    expect(error.message).toContain(`export const loud = shout('now')`)
    expect(error.loc ?? error.errors?.[0]?.loc).toMatchObject({ line: 3, column: 20 })
  })

  // Types and JSX compile away, so the code the plugin sees has other lines than the file.
  it.each([
    ['tsx', `interface Props {\n  name: string\n  size: number\n}\ntype Unused = Props\n\nexport const View = (props: Props) => <p>{props.name}</p>\nexport const loud: string = shout('now')\n`, 10],
    ['jsx', `export const View = (props) => (\n  <div>\n    <p>\n      {props.name}\n    </p>\n  </div>\n)\nexport const loud = shout('now')\n`, 10],
  ])('points a .%s error at the line in the source, with a frame of the source', async (extension, body, line) => {
    const root = tempDir('lazy-vite-error-')
    cpSync(app, root, { recursive: true })
    writeFileSync(join(root, `src/bad.${extension}`), `import { shout } from './text.js' with { lazy: 'true' }\n\n${body}`)
    const error: any = await build({ root, configFile: false, logLevel: 'silent', plugins: [LazyModules()], build: { ssr: `src/bad.${extension}`, outDir: tempDir() } }).catch(error => error)
    expect(error.message).toMatch(/`shout` comes from a lazy import and may only be used directly under `await`/)
    expect(error.loc ?? error.errors?.[0]?.loc).toMatchObject({ line, column: body.includes('loud: string') ? 28 : 20 })
    const frame: string = error.frame ?? error.errors?.[0]?.frame ?? error.message
    expect(frame).toContain(`${line}: export const loud`)
    expect(frame).not.toMatch(/jsx\(|_jsx|createElement/)
  })
})
