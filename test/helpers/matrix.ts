// The bundler versions the plugin is tested with (package.json installs the older ones under npm
// aliases: `"vite-6": "npm:vite@^6.4.6"`), and one way to build an app with any of them, the plugin
// run from source. `npm test` builds with the newest of each bundler; MATRIX=1 (.ci/run) with all.
import type { OutputAsset, OutputChunk } from 'rollup'
import type { Options } from '../../src/types'
import type { Built } from './build'
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import json from '@rollup/plugin-json'
import LazyRolldown from '../../src/rolldown'
import LazyRollup from '../../src/rollup'
import LazyVite from '../../src/vite'
import { assertValidJs, cssStub, readManifest, runner, runtimeSource, tempDir } from './build'

export type Bundler = 'vite' | 'rollup' | 'rolldown'

export interface Leg {
  bundler: Bundler
  /** The package's name in node_modules: its alias, or the bundler's own name for the newest. */
  pkg: string
  version: string
  /** The newest of its bundler: `npm test` builds with it only. */
  newest: boolean
  label: string
}

const nodeModules = resolve(import.meta.dirname, '../../node_modules')

/** Oldest first. The newest of each is the devDependency itself. */
const packages: Record<Bundler, string[]> = {
  vite: ['vite-5', 'vite-6-0', 'vite-6', 'vite-7-0', 'vite-7', 'vite-8-0', 'vite-8-2', 'vite'],
  rollup: ['rollup-4-0', 'rollup'],
  rolldown: ['rolldown-1-0', 'rolldown'],
}

/** Set by .ci/run: build with every version, not only the newest of each bundler. */
export const fullMatrix = process.env.MATRIX === '1'

/** The versions of a bundler to test in this run; `all`: every version, whatever the run. */
export function legsOf(bundler: Bundler, { all: every = fullMatrix } = {}): Leg[] {
  const legs = packages[bundler].map((pkg, index, list): Leg => {
    const { version } = JSON.parse(readFileSync(join(nodeModules, pkg, 'package.json'), 'utf8'))
    return { bundler, pkg, version, newest: index === list.length - 1, label: `${bundler} ${version}` }
  })
  return every ? legs : legs.filter(leg => leg.newest)
}

export interface MatrixBuild {
  /** `server`: Node output of `src/main.js` (Vite: an SSR build). `client`: a page, `index.html`. */
  target: 'server' | 'client'
  /** Plugins for Vite, or for Rollup besides the plugin, the runtime's source and a CSS stub (default: JSON). */
  plugins?: any[]
  /** The server build's entry, relative to the root. */
  entry?: string
  /** The client build's entry, for Rollup and Rolldown, which have no HTML entry. */
  clientEntry?: string
}

/** Builds the app at `root` with one version of one bundler, the plugin run from source. */
export async function buildWith(leg: Leg, root: string, options: Options, build: MatrixBuild): Promise<Built> {
  const warnings: string[] = []
  const dir = tempDir(`lazy-${leg.pkg}-`)
  const lazyOptions: Options = { report: { console: false }, ...options }
  const entry = build.target === 'server' ? build.entry ?? 'src/main.js' : build.clientEntry ?? 'src/client.js'
  let output: (OutputChunk | OutputAsset)[]
  if (leg.bundler === 'vite') {
    const { build: viteBuild } = await import(leg.pkg)
    const result = await viteBuild({
      root,
      configFile: false,
      logLevel: 'silent',
      customLogger: { info() {}, warn: (message: string) => warnings.push(message), warnOnce: (message: string) => warnings.push(message), error() {}, clearScreen() {}, hasErrorLogged: () => false, hasWarned: false },
      plugins: [LazyVite(lazyOptions), ...build.plugins ?? []],
      build: { outDir: dir, emptyOutDir: true, ...build.target === 'server' ? { ssr: entry } : {} },
    })
    output = (Array.isArray(result) ? result[0] : result).output
  }
  else {
    // Rollup and Rolldown have no HTML entry: the page below loads the entry, whose name is hashed
    // like a Vite page's, so that the registry's chunk changes name when its facts do.
    const naming = build.target === 'client' ? { entryFileNames: '[name]-[hash].js' } : {}
    let bundle
    if (leg.bundler === 'rollup') {
      const { rollup } = await import(leg.pkg)
      bundle = await rollup({
        input: join(root, entry),
        plugins: [LazyRollup({ root, ...lazyOptions }), runtimeSource, ...build.plugins ?? [json()], cssStub],
        onwarn: (warning: { message: string }) => warnings.push(warning.message),
      })
    }
    else {
      const { rolldown } = await import(leg.pkg)
      bundle = await rolldown({
        input: join(root, entry),
        cwd: root,
        platform: build.target === 'server' ? 'node' : 'browser',
        plugins: [LazyRolldown({ root, ...lazyOptions }), rolldownCssStub],
        onwarn: (warning: { message: string }) => warnings.push(warning.message),
      })
    }
    output = (await bundle.write({ dir, format: 'es', ...naming })).output
    await bundle.close()
    if (build.target === 'client') {
      const main = output.find(file => file.type === 'chunk' && file.isEntry)!
      writeFileSync(join(dir, 'index.html'), `<!doctype html>\n<html><head><meta charset="utf-8"><title>fixture</title></head>\n<body><script type="module" src="/${main.fileName}"></script></body></html>\n`)
    }
  }
  const files = Object.fromEntries(output.map(file => [file.fileName, file]))
  assertValidJs(files)
  return { dir, files, warnings, manifest: readManifest(dir), run: runner(dir) }
}

/** Rolldown reads CSS itself, as CSS: the stub must say its code is JavaScript now. */
const rolldownCssStub = {
  name: 'css-stub',
  transform: (_: string, id: string) => id.endsWith('.css') ? { code: 'export {}', moduleType: 'js' } : null,
}

/** The page's start-up files: the entry chunks and what they import statically, CSS included. */
export function startupFiles(built: Built): Set<string> {
  const chunks = Object.values(built.files).filter(file => file.type === 'chunk') as OutputChunk[]
  const files = new Set(chunks.filter(chunk => chunk.isEntry).map(chunk => chunk.fileName))
  for (const file of files) {
    const chunk = built.files[file] as OutputChunk | undefined
    for (const imported of [...chunk?.imports ?? [], ...(chunk as any)?.viteMetadata?.importedCss ?? []])
      files.add(imported)
  }
  return files
}
