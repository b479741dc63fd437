// Stage 2: turn the `modules` option (and marked imports) into named lazy modules, and write the
// virtual module the runtime reads them from.
import type { ModuleInfo } from '../types'
import { existsSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { globSync, isDynamicPattern } from 'tinyglobby'

export const REGISTRY_ID = 'virtual:lazy-modules'
/** Runs chunks from memory (archives, retries): a chunk of its own, fetched only when needed. */
export const MEMORY_RUNTIME_ID = 'unplugin-lazy-modules/runtime/memory'
/** The same for builds whose archives are deflated: only those carry the inflating code. */
export const INFLATING_MEMORY_RUNTIME_ID = 'unplugin-lazy-modules/runtime/memory-deflate'
export const RESOLVED_REGISTRY_ID = `\0${REGISTRY_ID}`
/**
 * The registry calls this for the facts that exist only once chunks do; `generateBundle` defines it
 * in the chunk. Unbound until then, so minifiers keep its name.
 */
export const FACTS_FUNCTION = '__lazyModulesFacts'

export interface LazyModule {
  name: string
  kind: ModuleInfo['kind']
  /** Path relative to the root, or a bare package specifier. */
  source: string
  /** Absolute file path, once known. Bare packages get one when the bundler resolves them. */
  id: string | undefined
  isPackage: boolean
  /** A marked module's facts from its resolution, still under way: needed only once chunks exist. */
  resolving?: Promise<Omit<LazyModule, 'kind' | 'name'>>
}

/** Expands every `modules` entry; globs are matched now, so the result is a plain list. */
export function scanModules(modules: Record<string, string>, root: string): LazyModule[] {
  const found: LazyModule[] = []
  for (const [pattern, source] of Object.entries(modules)) {
    if (isDynamicPattern(source)) {
      const files = globSync(source, { cwd: root, absolute: true, onlyFiles: true, ignore: ['**/node_modules/**'] }).sort()
      for (const file of files)
        found.push(globModule(pattern, source, file, root))
    }
    else if (isPathLike(source, root)) {
      const id = resolve(root, source)
      found.push({ name: pattern, kind: 'registered', source: toPosix(relative(root, id)), id, isPackage: isIndexFile(id) })
    }
    else {
      found.push({ name: pattern, kind: 'registered', source, id: undefined, isPackage: false })
    }
  }
  assertUniqueNames(found)
  return found
}

function isPathLike(source: string, root: string): boolean {
  return /^\.{0,2}\//.test(source) || isAbsolute(source) || existsSync(resolve(root, source))
}

/** `charts/*` + `src/charts/*.ts` + `/root/src/charts/bar.ts` → `charts/bar`. */
function globModule(pattern: string, glob: string, file: string, root: string): LazyModule {
  const path = toPosix(relative(root, file))
  const first = glob.search(/[*?[{]/)
  const last = Math.max(glob.lastIndexOf('*'), glob.lastIndexOf('?'), glob.lastIndexOf(']'), glob.lastIndexOf('}'))
  const prefix = glob.slice(0, first).replace(/^\.\//, '')
  const suffix = glob.slice(last + 1)
  let capture = path.slice(prefix.length, suffix && path.endsWith(suffix) ? path.length - suffix.length : undefined)
  capture = capture.replace(/\.[^/.]+$/, '')
  const isPackage = isIndexFile(file)
  if (isPackage)
    capture = capture.replace(/\/?index$/, '')
  const name = pattern.includes('*') ? pattern.replace('*', capture).replace(/\/$/, '') : pattern
  return { name, kind: 'registered', source: path, id: file, isPackage }
}

/** The name of a module marked lazy: its path relative to the root, or the package specifier. */
export function markedModuleName(specifier: string, id: string | undefined, root: string): Omit<LazyModule, 'kind'> {
  const file = id?.replace(/[?#].*$/, '')
  const bare = !/^[./]/.test(specifier) && !isAbsolute(specifier)
  if (!file || !isAbsolute(file) || (bare && file.includes('/node_modules/')))
    return { name: specifier, source: specifier, id: file, isPackage: false }
  const source = toPosix(relative(root, file))
  const isPackage = isIndexFile(file)
  const name = source.replace(/\.[^/.]+$/, '').replace(/(?:^|\/)index$/, '') || '.'
  return { name, source, id: file, isPackage }
}

/**
 * The registered module a marked import names, found without the bundler's resolver (which would
 * hold up the build): same file, with or without its extension, or the folder of its index file.
 */
export function registeredAt(candidate: string, registered: LazyModule[]): LazyModule | undefined {
  const stem = (path: string) => path.replace(/[?#].*$/, '').replace(/\.[^/.\\]+$/, '').replace(/[/\\]index$/, '')
  const wanted = stem(candidate)
  return registered.find(module => module.id !== undefined && stem(module.id) === wanted)
}

function isIndexFile(file: string): boolean {
  return /(?:^|[/\\])index\.[^/\\]+$/.test(file)
}

function toPosix(path: string): string {
  return path.replaceAll('\\', '/')
}

export function assertUniqueNames(modules: LazyModule[]) {
  const byName = new Map<string, LazyModule>()
  for (const module of modules) {
    const other = byName.get(module.name)
    if (other && other.id !== module.id)
      throw new Error(`[lazy-modules] two modules are named ${JSON.stringify(module.name)}: ${other.source} and ${module.source}. Rename one pattern under \`modules\`, or narrow its glob.`)
    byName.set(module.name, module)
  }
}

/** Facts known before bundling: enough for the dev server, where no chunks exist. */
export function sourceFacts(module: LazyModule): ModuleInfo {
  return { name: module.name, isPackage: module.isPackage, kind: module.kind, source: module.source, file: null, imports: [], css: [], size: null, integrity: null, archive: null }
}

/**
 * The registry module. Loaders are real `import()` calls so the bundler splits, preloads and
 * handles CSS itself. Facts about chunks come from `generateBundle` (build) or are known now (dev).
 * Pairs, not an object literal, so a name such as `__proto__` stays a plain key.
 */
export function registryCode(modules: LazyModule[], mode: 'build' | 'dev', compression: 'store' | 'deflate' = 'store'): string {
  const loaders = modules
    .filter(module => module.kind === 'registered')
    .map(module => `  [${JSON.stringify(module.name)}, () => import(${JSON.stringify(module.id ?? module.source)})],`)
  const facts = mode === 'build'
    ? `/* #__PURE__ */ ${FACTS_FUNCTION}()`
    : JSON.stringify({ buildId: 'dev', root: '', modules: modules.map(sourceFacts) })
  const lines = [
    `export const loaders = [\n${loaders.join('\n')}\n]`,
    `export const facts = ${facts}`,
    `export const base = import.meta.url`,
    `export const memory = ${mode === 'build' ? `() => import(${JSON.stringify(compression === 'deflate' ? INFLATING_MEMORY_RUNTIME_ID : MEMORY_RUNTIME_ID)})` : 'undefined'}`,
  ]
  if (mode === 'dev') {
    // Files matching a glob come and go while the server runs: hand the new list to the live runtime.
    lines.push(`if (import.meta.hot) import.meta.hot.accept(next => next && globalThis[Symbol.for('lazy-modules:update')]?.(next))`)
  }
  return `${lines.join('\n')}\n`
}
