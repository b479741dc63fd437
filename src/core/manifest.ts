// Stage 3: once chunks exist, record what each lazy module became, write `lazy-manifest.json`,
// and hand the same facts to the registry so the runtime needs no extra request.
import type { Facts } from '../runtime/runtime'
import type { ArchiveInfo, Manifest, ModuleInfo } from '../types'
import type { LazyModule } from './registry'
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { FACTS_FUNCTION, sourceFacts } from './registry'

/** The parts of a Rollup/Rolldown output chunk this stage reads. */
export interface OutputChunkLike {
  type: 'chunk'
  fileName: string
  code: string
  facadeModuleId: string | null
  moduleIds: string[]
  imports: string[]
  isEntry: boolean
  isDynamicEntry: boolean
  viteMetadata?: { importedCss?: Set<string> }
}
export type OutputBundleLike = Record<string, OutputChunkLike | { type: 'asset', fileName: string }>

export interface FactsResult {
  modules: ModuleInfo[]
  /** Lazy modules that landed in a chunk the app loads at start, so marking them lazy saves nothing. */
  eager: { name: string, file: string }[]
}

export function collectFacts(modules: LazyModule[], bundle: OutputBundleLike): FactsResult {
  const chunks = Object.values(bundle).filter((file): file is OutputChunkLike => file.type === 'chunk')
  const byFile = new Map(chunks.map(chunk => [chunk.fileName, chunk]))
  const importsOf = new Map(chunks.map(chunk => [chunk.fileName, chunk.imports]))
  const initial = staticClosure(chunks.filter(chunk => chunk.isEntry).map(chunk => chunk.fileName), importsOf)
  const eager: FactsResult['eager'] = []
  const infos = modules.map((module): ModuleInfo => {
    const chunk = module.id === undefined ? undefined : chunkOf(module.id, chunks)
    if (!chunk) // external: the bundler left the import to the platform
      return sourceFacts(module)
    if (initial.has(chunk.fileName))
      eager.push({ name: module.name, file: chunk.fileName })
    // What loads at start-up is there already: neither preloaded again nor counted.
    const imports = [...staticClosure([chunk.fileName], importsOf)].filter(file => file !== chunk.fileName && !initial.has(file)).sort()
    // Vite's SSR build tracks CSS it does not emit; only what was written counts.
    const css = [chunk.fileName, ...imports].flatMap(file => [...(byFile.get(file)?.viteMetadata?.importedCss ?? [])]).filter(file => file in bundle)
    return {
      ...sourceFacts(module),
      file: chunk.fileName,
      imports,
      css: [...new Set(css)].sort(),
      size: sizeOf(chunk.code),
      integrity: integrityOf(chunk.code),
    }
  })
  return { modules: infos.sort((a, b) => compare(a.name, b.name)), eager }
}

/** Prefer the chunk the module is the facade of; a module merged into another chunk still has a home. */
function chunkOf(id: string, chunks: OutputChunkLike[]): OutputChunkLike | undefined {
  return chunks.find(chunk => chunk.facadeModuleId === id) ?? chunks.find(chunk => chunk.moduleIds.includes(id))
}

/** The given files and every file they import statically, directly or not (only files `imports` knows). */
export function staticClosure(start: Iterable<string>, imports: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>()
  const queue = [...start]
  while (queue.length) {
    const file = queue.pop()!
    if (!seen.has(file) && imports.has(file)) {
      seen.add(file)
      queue.push(...imports.get(file)!)
    }
  }
  return seen
}

export function sizeOf(code: string | Uint8Array) {
  return { raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length }
}

export function integrityOf(code: string | Uint8Array): string {
  return `sha384-${createHash('sha384').update(code).digest('base64')}`
}

/**
 * Points archived modules at their entries. `imports` keeps only loose chunks: the ones a
 * browser can preload beside the archive.
 */
export function withArchives(modules: ModuleInfo[], archives: Record<string, ArchiveInfo>): ModuleInfo[] {
  const archiveOf = new Map<string, string>()
  for (const [name, archive] of Object.entries(archives)) {
    for (const entry of Object.keys(archive.entries))
      archiveOf.set(entry, name)
  }
  return modules.map((module) => {
    const name = module.file && archiveOf.get(module.file)
    return {
      ...module,
      imports: module.imports.filter(file => !archiveOf.has(file)),
      archive: name ? { name, file: archives[name].file, entry: module.file! } : null,
    }
  })
}

export function createManifest(modules: ModuleInfo[], archives: Record<string, ArchiveInfo> = {}): Manifest {
  const digest = createHash('sha256')
  for (const module of modules)
    digest.update(`${module.name}\0${module.file}\0${module.integrity}\0${module.archive?.file}\n`)
  return sortKeys({
    version: 1,
    buildId: digest.digest('hex').slice(0, 16),
    modules: Object.fromEntries(modules.map(module => [module.name, module])),
    archives,
  })
}

/** Stable JSON: the same build gives the same bytes, and diffs between builds stay readable. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value))
    return value.map(sortKeys) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort(compare))
      out[key] = sortKeys((value as Record<string, unknown>)[key])
    return out as T
  }
  return value
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Gives the registry its facts by appending the function it calls to the chunk that holds it.
 * Appending (not replacing in place) moves no existing code, so the chunk's source map stays true
 * without being rewritten; function declarations are hoisted, so the call works from anywhere.
 * Chunk paths in the facts are relative to the output folder; `root` leads there from this chunk.
 */
export function fillRegistry(chunk: OutputChunkLike, manifest: Manifest, extra: Omit<Facts, 'buildId' | 'root' | 'modules' | 'archives'>): boolean {
  if (!chunk.code.includes(`${FACTS_FUNCTION}(`) || chunk.code.includes(`function ${FACTS_FUNCTION}(`))
    return false
  const facts: Facts = {
    buildId: manifest.buildId,
    root: '../'.repeat(chunk.fileName.split('/').length - 1),
    modules: Object.values(manifest.modules),
    archives: Object.fromEntries(Object.entries(manifest.archives).map(([name, { file, integrity }]) => [name, { file, integrity }])),
    ...extra,
  }
  const definition = `function ${FACTS_FUNCTION}() { return JSON.parse(${JSON.stringify(JSON.stringify(facts))}) }\n`
  const mapComment = /\n\/\/# sourceMappingURL=[^\n]*\n?$/.exec(chunk.code)
  const at = mapComment ? mapComment.index + 1 : chunk.code.length
  const head = chunk.code.slice(0, at)
  chunk.code = `${head}${head.endsWith('\n') ? '' : '\n'}${definition}${chunk.code.slice(at)}`
  return true
}
