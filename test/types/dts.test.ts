// The declaration file as a TypeScript user meets it: written by a real build, included in a project
// that imports the runtime's published types (the package built into a temporary folder), and
// checked by tsc, with `@ts-expect-error` on typos and `expectTypeOf` on what the look-ups give.
import type { BuiltPackage } from '../helpers/package'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import ts from 'typescript'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import LazyModules from '../../src/vite'
import { fixtures, tempDir } from '../helpers/build'
import { buildPackage } from '../helpers/package'
import { typesAppModules } from '../helpers/types-app'

const repo = resolve(import.meta.dirname, '../..')
const playground = join(repo, 'playground')
const tsc = join(repo, 'node_modules/typescript/bin/tsc')

const modules = typesAppModules

const compilerOptions = { strict: true, noEmit: true, module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['es2022', 'dom'], types: [], skipLibCheck: false }

/** tsc's errors for a project: their first lines, or all their lines. */
function typeErrors(project: string, detail = false): string[] {
  try {
    execFileSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8', cwd: app })
    return []
  }
  catch (error: any) {
    return error.stdout.trimEnd().split('\n').filter((line: string) => detail || /error TS/.test(line))
  }
}

let pkg: BuiltPackage
let app: string
let out: string
beforeAll(async () => {
  pkg = await buildPackage()
  app = tempDir('lazy-types-app-')
  cpSync(join(fixtures, 'types-app'), app, { recursive: true })
  // As installed: the package through its `exports`, its types included.
  mkdirSync(join(app, 'node_modules'))
  symlinkSync(pkg.dir, join(app, 'node_modules/unplugin-lazy-modules'), 'dir')
  for (const name of ['vitest', 'vite'])
    symlinkSync(join(repo, 'node_modules', name), join(app, 'node_modules', name), 'dir')
  out = join(app, 'dist')
  await build({ root: app, configFile: false, logLevel: 'silent', plugins: [LazyModules({ modules, report: false })], build: { ssr: 'src/main.ts', outDir: out } })
})
afterAll(() => pkg?.remove())

describe('lazy-modules.d.ts', () => {
  it('is written by the build into the root, naming every module by a relative path, metadata and marked modules included', () => {
    expect(readFileSync(join(app, 'lazy-modules.d.ts'), 'utf8')).toMatchInlineSnapshot(`
      "// Written by unplugin-lazy-modules (option \`dts\`): the names importModule, getLoader, iterModules,
      // hasModule and preload take, and their modules' types. Include it in your tsconfig (the app's, as
      // tsconfig.app.json in create-vite and create-vue projects). It is rewritten on every build, and by
      // the dev server when a file matching a \`modules\` glob comes or goes.
      export {}

      declare module 'unplugin-lazy-modules/runtime' {
        interface LazyModules {
          "charts/bar": typeof import("./src/charts/bar.js")
          "charts/pie": typeof import("./src/charts/pie.js")
          "locales/fr": typeof import("./src/locales/fr.json") & { default: typeof import("./src/locales/fr.json") }
          "string/replacer": typeof import("./src/tools/text-replacer/index.js")
          "tools/json": typeof import("./src/tools/json/index.js")
          "widgets/clock": typeof import("./src/widgets/clock/index.js")
        }
        // Marked lazy by an import, as the last ssr build found them:
        interface LazyModules {
          "src/export/pdf": typeof import("./src/export/pdf.js")
        }
        interface LazyModuleMeta {
          "string/replacer": typeof import("./src/tools/text-replacer/index.js").meta
          "tools/json": typeof import("./src/tools/json/index.js").meta
          "widgets/clock": typeof import("./src/widgets/clock/meta.json")
        }
      }
      "
    `)
  })

  it('types the look-ups: module types, typos as errors, plain strings as unknown, narrowing, listing, metadata', () => {
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src', 'lazy-modules.d.ts'], exclude: ['src/untyped.ts'] }))
    expect(typeErrors(app)).toEqual([])
  })

  it('says what a typo should have been', () => {
    const project = join(app, 'tsconfig.typo.json')
    writeFileSync(join(app, 'src/typo.ts'), `import { importModule } from 'unplugin-lazy-modules/runtime'\nexport const bar = importModule('charts/baz')\n`)
    writeFileSync(project, JSON.stringify({ compilerOptions, files: ['src/typo.ts', 'lazy-modules.d.ts'] }))
    // The first line and what each overload says, which lists the names.
    const names = '"charts/bar" | "charts/pie" | "locales/fr" | "string/replacer" | "tools/json" | "widgets/clock" | "src/export/pdf"'
    expect(typeErrors(project, true).filter(line => !line.startsWith('  Overload'))).toEqual([
      'src/typo.ts(2,33): error TS2769: No overload matches this call.',
      `    Argument of type '"charts/baz"' is not assignable to parameter of type '${names}'.`,
      `    Argument of type '"charts/baz"' is not assignable to parameter of type '${names}'.`,
    ])
  })

  it('changes nothing without it: any string, typed as before', () => {
    const project = join(app, 'tsconfig.untyped.json')
    writeFileSync(project, JSON.stringify({ compilerOptions, files: ['src/untyped.ts'] }))
    expect(typeErrors(project)).toEqual([])
  })

  it('offers the names as completions in a string literal', () => {
    const file = join(app, 'src/complete.ts')
    const code = `import { importModule, getLoader } from 'unplugin-lazy-modules/runtime'\nvoid importModule('ch')\nvoid getLoader('')\n`
    writeFileSync(file, code)
    const files = [file, join(app, 'lazy-modules.d.ts')]
    const options = { ...ts.convertCompilerOptionsFromJson(compilerOptions, app).options, noEmit: true }
    const service = ts.createLanguageService({
      getCompilationSettings: () => options,
      getScriptFileNames: () => files,
      getScriptVersion: () => '1',
      getScriptSnapshot: name => ts.sys.fileExists(name) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(name)!) : undefined,
      getCurrentDirectory: () => app,
      getDefaultLibFileName: ts.getDefaultLibFilePath,
      fileExists: ts.sys.fileExists,
      readFile: ts.sys.readFile,
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      realpath: ts.sys.realpath,
    })
    const names = (at: string) => service.getCompletionsAtPosition(file, code.indexOf(at) + at.length, {})?.entries.map(entry => entry.name).sort()
    const all = ['charts/bar', 'charts/pie', 'locales/fr', 'src/export/pdf', 'string/replacer', 'tools/json', 'widgets/clock']
    expect(names(`importModule('`)).toEqual(all)
    expect(names(`getLoader('`)).toEqual(all)
  })

  it('is what the runtime gives: metadata listed before anything loads', async () => {
    const main = await import(pathToFileURL(join(out, 'main.mjs')).href)
    expect(main.catalogue()).toEqual(['string/replacer: Text replacer'])
    expect(main.iterModules('widgets/')[0].meta).toEqual({ label: 'Clock', size: [2, 1] })
    expect(main.getLoader('tools/json').info.meta).toEqual({ title: 'JSON formatter', keywords: ['json'], beta: true })
    expect((await main.importModule('string/replacer')).replace('a-b', '-', '+')).toBe('a+b')
  })
})

describe('lazy-modules.d.ts of an app with a client and an ssr build', () => {
  it('lists each build\'s marked modules, whichever built last, and a module both mark type-checks', async () => {
    const root = tempDir('lazy-types-ssr-')
    mkdirSync(join(root, 'src'))
    mkdirSync(join(root, 'node_modules'))
    symlinkSync(pkg.dir, join(root, 'node_modules/unplugin-lazy-modules'), 'dir')
    for (const name of ['shared', 'client-only', 'server-only'])
      writeFileSync(join(root, `src/${name}.ts`), `export const name: string = ${JSON.stringify(name)}\n`)
    const marking = (names: string[]) => `import { load } from 'unplugin-lazy-modules/runtime'\n${names.map((name, i) => `import * as m${i} from './${name}' with { lazy: 'true' }`).join('\n')}\nexport const names = () => Promise.all([${names.map((_, i) => `load(m${i})`).join(', ')}])\n`
    writeFileSync(join(root, 'src/client.ts'), marking(['shared', 'client-only']))
    writeFileSync(join(root, 'src/server.ts'), marking(['shared', 'server-only']))
    const dts = join(root, 'lazy-modules.d.ts')
    const client = () => build({ root, configFile: false, logLevel: 'silent', plugins: [LazyModules({ report: false })], build: { outDir: join(root, 'dist/client'), rollupOptions: { input: join(root, 'src/client.ts') } } })
    const server = () => build({ root, configFile: false, logLevel: 'silent', plugins: [LazyModules({ report: false })], build: { outDir: join(root, 'dist/server'), ssr: 'src/server.ts' } })
    await client()
    await server()
    const both = readFileSync(dts, 'utf8')
    await client()
    expect(readFileSync(dts, 'utf8'), 'the client build took the ssr build\'s list out').toBe(both)
    const listed = (heading: string) => both.split(heading)[1].split('  }')[0]
    expect(listed('as the last client build found them:')).toMatch(/"src\/client-only"[^]*"src\/shared"/)
    expect(listed('as the last ssr build found them:')).toMatch(/"src\/server-only"[^]*"src\/shared"/)
    writeFileSync(join(root, 'src/use.ts'), `import { importModule } from 'unplugin-lazy-modules/runtime'\nexport const a = importModule('src/server-only').then(m => m.name.length)\nexport const b = importModule('src/shared').then(m => m.name.length)\nexport const c = importModule('src/client-only').then(m => m.name.length)\n`)
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src', 'lazy-modules.d.ts'] }))
    expect(typeErrors(join(root, 'tsconfig.json'), true)).toEqual([])
  })
})

describe('the playground', () => {
  it('builds without changing its lazy-modules.d.ts, and type-checks against it', async () => {
    const dts = join(playground, 'lazy-modules.d.ts')
    const committed = readFileSync(dts, 'utf8')
    await build({ configFile: join(playground, 'vite.config.ts'), logLevel: 'silent', build: { outDir: tempDir('lazy-playground-types-'), emptyOutDir: true } })
    expect(readFileSync(dts, 'utf8'), 'the build rewrote playground/lazy-modules.d.ts: commit what it wrote').toBe(committed)
    // Its own tsconfig.json, with the runtime's types from the built package instead of dist/.
    const project = join(app, 'tsconfig.playground.json')
    const paths = { 'unplugin-lazy-modules/runtime': [join(pkg.dir, 'dist/runtime/index.d.mts')] }
    writeFileSync(project, JSON.stringify({ extends: join(playground, 'tsconfig.json'), compilerOptions: { paths }, include: [join(playground, 'src'), dts] }))
    expect(typeErrors(project)).toEqual([])
  })
})
