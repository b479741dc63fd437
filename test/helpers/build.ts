import type { OutputAsset, OutputChunk, Plugin } from 'rollup'
import type { Options } from '../../src/types'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import json from '@rollup/plugin-json'
import { Parser } from 'acorn'
import { rollup } from 'rollup'
import { transformWithOxc, build as viteBuild } from 'vite'
import LazyRollup from '../../src/rollup'
import LazyVite from '../../src/vite'

export const fixtures = resolve(import.meta.dirname, '../fixtures')

export function tempDir(prefix = 'lazy-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export interface Built {
  dir: string
  files: Record<string, OutputChunk | OutputAsset>
  warnings: string[]
  manifest: any
  /** Imports an output file in a fresh module instance. */
  run: (file: string) => Promise<any>
}

const src = resolve(import.meta.dirname, '../../src') + sep

/**
 * Run from source, the plugin bundles the runtime's source (src/core/runtime-files.ts), which Vite
 * and Rolldown compile themselves but Rollup cannot read. This strips the types of the package's own
 * .ts files and finds their extensionless relative imports: every `rollup()` that bundles this
 * package's source takes it.
 */
export const runtimeSource: Plugin = {
  name: 'runtime-source',
  resolveId(source, importer) {
    if (!importer?.startsWith(src) || !/^\.\.?\//.test(source))
      return null
    const file = resolve(dirname(importer), `${source}.ts`)
    return existsSync(file) ? file : null
  },
  async transform(code, id) {
    if (!id.startsWith(src) || !id.endsWith('.ts'))
      return null
    const { code: js, map } = await transformWithOxc(code, id, { sourcemap: true })
    return { code: js, map }
  },
}

// Rollup reads no CSS; the fixtures import some for Vite's sake.
export const cssStub = { name: 'css-stub', transform: (_: string, id: string) => id.endsWith('.css') ? 'export {}' : null }

let runs = 0
export function runner(dir: string) {
  return (file: string) => import(`${pathToFileURL(join(dir, file)).href}?run=${runs++}`)
}

export async function buildWithRollup(root: string, input: string, options: Options, extra: { plugins?: any[], sourcemap?: boolean } = {}): Promise<Built> {
  const warnings: string[] = []
  const bundle = await rollup({
    input: join(root, input),
    plugins: [LazyRollup({ root, report: { console: false }, ...options }), runtimeSource, json(), cssStub, ...(extra.plugins ?? [])],
    onwarn: warning => warnings.push(warning.message),
  })
  const dir = tempDir('lazy-rollup-')
  const { output } = await bundle.write({ dir, format: 'es', sourcemap: extra.sourcemap })
  await bundle.close()
  const files = Object.fromEntries(output.map(file => [file.fileName, file]))
  assertValidJs(files)
  return { dir, files, warnings, manifest: readManifest(dir), run: runner(dir) }
}

export async function buildWithVite(root: string, options: Options, config: Record<string, any> = {}): Promise<Built> {
  const warnings: string[] = []
  const dir = tempDir('lazy-vite-')
  const result: any = await viteBuild({
    root,
    configFile: false,
    logLevel: 'silent',
    customLogger: { info() {}, warn: (message: string) => warnings.push(message), warnOnce: (message: string) => warnings.push(message), error() {}, clearScreen() {}, hasErrorLogged: () => false, hasWarned: false } as any,
    plugins: [LazyVite(options)],
    ...config,
    build: { outDir: dir, emptyOutDir: true, ...config.build },
  })
  const output = (Array.isArray(result) ? result[0] : result).output as (OutputChunk | OutputAsset)[]
  const files = Object.fromEntries(output.map(file => [file.fileName, file]))
  assertValidJs(files)
  return { dir, files, warnings, manifest: readManifest(dir), run: runner(dir) }
}

export function readManifest(dir: string) {
  try {
    return JSON.parse(readFileSync(join(dir, 'lazy-manifest.json'), 'utf8'))
  }
  catch {
    return undefined
  }
}

/**
 * Every JS file a build writes must parse: a bundler's rewrite of the runtime's `import()` once
 * made a chunk invalid (Vite 8.0–8.1 wrapped `import(await …)` in a function that was not async).
 */
export function assertValidJs(files: Record<string, OutputChunk | OutputAsset>) {
  for (const file of Object.values(files)) {
    if (file.type !== 'chunk')
      continue
    try {
      Parser.parse(file.code, { ecmaVersion: 'latest', sourceType: 'module' })
    }
    catch (error) {
      throw new Error(`${file.fileName} is not valid JavaScript: ${(error as Error).message}`)
    }
  }
}
