// How lazy modules get their names: from a `modules` glob, from a marked import's specifier or file,
// and how names are matched by the patterns of `archives` and `budgets`.
import type { ModuleInfo } from '../types'
import type { ModuleMeta } from './meta'
import { isAbsolute, relative } from 'node:path'

export interface LazyModule {
  name: string
  kind: ModuleInfo['kind']
  /** Path relative to the root, or a bare package specifier. */
  source: string
  /** Absolute file path, once known. Bare packages get one when the bundler resolves them. */
  id: string | undefined
  isPackage: boolean
  /** Where the name came from, for messages: the `modules` key and glob, or the importer. */
  from?: string
  /** Where its `modules` entry says its metadata is (an export name, or `./file` beside it)... */
  metaFrom?: string
  /** ...and the metadata once read (src/core/meta.ts). */
  meta?: ModuleMeta
  /** A marked module's facts from its resolution, still under way: needed only once chunks exist. */
  resolving?: Promise<Omit<LazyModule, 'kind' | 'name'>>
}

/** `charts/*` + `src/charts/*.ts` + `/root/src/charts/bar.ts` → `charts/bar`. */
export function globModule(pattern: string, glob: string, file: string, root: string): LazyModule {
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
  if (!file || !isAbsolute(file) || (isBare(specifier) && file.includes('/node_modules/')))
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
  const wanted = stem(candidate)
  return registered.find(module => module.id !== undefined && stem(module.id) === wanted)
}

/** A file as an import may name it: without its query, its extension, or a folder's `index`. */
function stem(path: string): string {
  return path.replace(/[?#].*$/, '').replace(/\.[^/.\\]+$/, '').replace(/[/\\]index$/, '')
}

/**
 * Whether two marked imports may name one module: the same package, or the same file, whether or not
 * the bundler resolved it yet (`src/pdf` and `src/pdf.ts`). Two files of one stem are told apart
 * once every marked module is resolved.
 */
export function sameMarkedModule(a: LazyModule, b: LazyModule): boolean {
  // A package the bundler has not resolved yet has no file, only its specifier.
  if (a.id === undefined || b.id === undefined)
    return a.source === b.source
  return stem(a.id) === stem(b.id)
}

/** Two modules of one name are an error; `same` says when two of them are one module. */
export function assertUniqueNames(modules: LazyModule[], same = (a: LazyModule, b: LazyModule) => a.id === b.id) {
  const byName = new Map<string, LazyModule>()
  for (const module of modules) {
    const other = byName.get(module.name)
    if (other && !same(other, module))
      throw new Error(`[lazy-modules] two modules are named ${JSON.stringify(module.name)}: ${other.source}${via(other)} and ${module.source}${via(module)}. Rename one pattern under \`modules\`, narrow its glob, or leave files out with a '!' glob in an array of sources.`)
    byName.set(module.name, module)
  }
}

function via(module: LazyModule): string {
  return module.from ? ` (from ${module.from})` : ''
}

/** A name pattern of `archives` or `budgets`: `charts/*` matches one segment, `charts/**` any depth. */
export function namePattern(pattern: string): RegExp {
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*|\*/g, star => star === '**' ? '.*' : '[^/]*')
  return new RegExp(`^${source}$`)
}

/** A package specifier, not a path. */
export function isBare(specifier: string): boolean {
  return !/^[./]/.test(specifier) && !isAbsolute(specifier)
}

export function isIndexFile(file: string): boolean {
  return /(?:^|[/\\])index\.[^/\\]+$/.test(file)
}

export function toPosix(path: string): string {
  return path.replaceAll('\\', '/')
}
