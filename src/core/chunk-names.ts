// Lazy chunks are named after their module's name, through the bundler's own naming option:
// `chunkFileNames` with `[name]` filled in before hashing, so chunking and hashes stay the bundler's.
// A facade module or an emitted chunk would name a chunk too, but each changes the chunking (an
// emitted chunk is an entry, so code it shares with the app splits off into chunks of its own).
import type { LazyModule } from './names'

/** What Rollup's and Rolldown's `chunkFileNames` functions are given, as far as it is read here. */
export interface ChunkToName {
  facadeModuleId: string | null
  isDynamicEntry?: boolean
  moduleIds?: readonly string[]
}

export type ChunkFileNames = string | ((chunk: any) => string)

/**
 * `@dbml/core` → `dbml-core` (a marked package: the whole specifier), `src/pdf-export` → `pdf-export`
 * (a marked file: its file, or its folder for an index file), `charts/bar` → `bar` (a registered
 * module: the last segment of its name). Only characters that are safe in a file name are kept.
 */
export function chunkName(module: Pick<LazyModule, 'kind' | 'name' | 'source'>): string | undefined {
  // A marked package keeps its specifier as its name and source (src/core/names.ts); a file's source is its path.
  const isPackage = module.kind === 'marked' && module.source === module.name
  const base = isPackage ? module.name : module.name.split('/').at(-1)!
  const name = base.replace(/[^\w.-]+/g, '-').replace(/^[-.]+|-+$/g, '')
  return name || undefined
}

/**
 * The user's `chunkFileNames` (a pattern or a function, Rollup's default when unset), with `[name]`
 * taken from the lazy module a chunk is the facade of. Other chunks keep the bundler's names.
 */
export function namedChunkFileNames(given: ChunkFileNames | undefined, nameOf: (file: string) => string | undefined) {
  return (chunk: ChunkToName): string => {
    const pattern = typeof given === 'function' ? given(chunk) : given ?? '[name]-[hash].js'
    const name = lazyChunkName(chunk, id => nameOf(fileOf(id)))
    return name ? pattern.replaceAll('[name]', name) : pattern
  }
}

function lazyChunkName(chunk: ChunkToName, nameOf: (id: string) => string | undefined): string | undefined {
  if (chunk.facadeModuleId)
    return nameOf(chunk.facadeModuleId)
  // Rollup gives a dynamic entry no facade when the module cannot be one, as a CommonJS module
  // behind its ES import proxy cannot: the chunk is still that module's if it holds no other.
  if (!chunk.isDynamicEntry)
    return undefined
  const names = new Set(chunk.moduleIds?.map(nameOf).filter(name => name !== undefined))
  return names.size === 1 ? [...names][0] : undefined
}

/** The file of a module id: plugins mark the ids they make with `\0` (CommonJS proxies) and queries. */
export function fileOf(id: string): string {
  return id.replace(/^\0/, '').replace(/[?#].*$/, '')
}
