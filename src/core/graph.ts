// The finished bundle's chunk graph, built once and handed to every stage that reads the bundle:
// the facts, the archives, the manifest and the report. The CLI builds the same graph from a folder.
/** One chunk, in the one shape every stage reads. */
export interface BundleChunk {
  file: string
  code: string
  /** Chunks it imports statically. */
  imports: string[]
  /** Chunks it imports with `import()`. */
  dynamicImports: string[]
  /** CSS files it needs, as written: Vite's SSR build tracks CSS it never emits. */
  css: string[]
  isEntry: boolean
  isDynamicEntry: boolean
  facadeModuleId: string | null
  moduleIds: string[]
  /** Rendered bytes per module id. Only a live bundle knows them. */
  modules: Record<string, number>
}

export interface BundleGraph {
  chunks: Map<string, BundleChunk>
  /** What loads at start: the start files and every chunk they import statically, directly or not. */
  initial: Set<string>
  /** The given files and every chunk they import statically, directly or not. */
  closure: (files: Iterable<string>) => Set<string>
  /** The chunk a module is the facade of, else the chunk it was merged into. */
  chunkOf: (moduleId: string) => BundleChunk | undefined
}

/** The parts of a Rollup or Rolldown (Vite 8) output file read here; the two are typed apart. */
export type OutputFile = {
  type: 'chunk'
  fileName: string
  code: string
  imports: readonly string[]
  dynamicImports: readonly string[]
  isEntry: boolean
  isDynamicEntry: boolean
  facadeModuleId: string | null
  moduleIds: readonly string[]
  modules: Record<string, { renderedLength: number }>
  /** Vite's own: the CSS files the chunk needs. */
  viteMetadata?: { importedCss?: Set<string> }
} | { type: 'asset', fileName: string, source: string | Uint8Array }

export function chunksOf(bundle: Record<string, OutputFile>): BundleChunk[] {
  const written = new Set(Object.keys(bundle))
  return Object.values(bundle).flatMap((file): BundleChunk[] => {
    if (file.type !== 'chunk')
      return []
    let modules: Record<string, number> | undefined
    return [{
      file: file.fileName,
      code: file.code,
      imports: [...file.imports],
      dynamicImports: [...file.dynamicImports],
      css: [...(file.viteMetadata?.importedCss ?? [])].filter(css => written.has(css)),
      isEntry: file.isEntry,
      isDynamicEntry: file.isDynamicEntry,
      facadeModuleId: file.facadeModuleId,
      moduleIds: [...file.moduleIds],
      // Read when first asked for (only the report does): Rolldown makes an object per module of the
      // chunk, thousands for a first load's, and crosses into native code for each length.
      get modules() {
        return modules ??= Object.fromEntries(Object.entries(file.modules ?? {}).map(([id, module]) => [id, module.renderedLength]))
      },
    }]
  })
}

/** `start`: what the app loads first (an HTML page's scripts); by default the entry chunks. */
export function createGraph(list: BundleChunk[], start?: Iterable<string>): BundleGraph {
  const chunks = new Map(list.map(chunk => [chunk.file, chunk]))
  const closures = new Map<string, Set<string>>()
  function closure(files: Iterable<string>): Set<string> {
    const seen = new Set<string>()
    for (const file of files) {
      let own = closures.get(file)
      if (!own)
        closures.set(file, own = staticClosure(file, chunks))
      own.forEach(each => seen.add(each))
    }
    return seen
  }
  const byFacade = new Map(list.filter(chunk => chunk.facadeModuleId).map(chunk => [chunk.facadeModuleId!, chunk]))
  const byModule = new Map(list.flatMap(chunk => chunk.moduleIds.map(id => [id, chunk] as const)).reverse())
  return {
    chunks,
    initial: closure(start ?? list.filter(chunk => chunk.isEntry).map(chunk => chunk.file)),
    closure,
    chunkOf: id => byFacade.get(id) ?? byModule.get(id),
  }
}

function staticClosure(start: string, chunks: ReadonlyMap<string, BundleChunk>): Set<string> {
  const seen = new Set<string>()
  const queue = [start]
  while (queue.length) {
    const file = queue.pop()!
    if (!seen.has(file) && chunks.has(file)) {
      seen.add(file)
      queue.push(...chunks.get(file)!.imports)
    }
  }
  return seen
}
