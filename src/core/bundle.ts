// After chunking: the stages that read the finished bundle, in order, on one chunk graph. Facts
// first (what each lazy module became), then archives (which chunks leave the loose output), then
// the manifest and the registry's facts, then the report, which measures the files as written.
import type { BundleGraph, OutputFile } from './graph'
import type { HtmlConfig } from './html'
import type { ScannedImports } from './links'
import type { LazyModule } from './names'
import type { ResolvedOptions } from './options'
import type { Manifest } from '../types'
import type { SizeCache } from './report/sizes'
import { dirname, relative, sep } from 'node:path'
import { packArchives } from './archive'
import { integrityOf, sizeOf } from './bytes'
import { fileOf } from './chunk-names'
import { RESOLVED_FACTS_ID, RESOLVED_REGISTRY_ID } from '../contract'
import { chunkFacts, factsFunctionIn, moduleFacts, withFacts } from './facts'
import { chunksOf, createGraph } from './graph'
import { pageIntegrity, withImportMap, withTagIntegrity } from './html'
import { lexerReady, scanImports } from './links'
import { createManifest, withArchives } from './manifest'
import { reportWanted } from './options'
import { sizeCacheFile } from './report/sizes'
import { memoryRuntimeFile, runtimeFile } from './runtime-files'

/** What a bundler's `generateBundle` context must offer; Rollup's and Rolldown's both do. */
export interface OutputContext {
  getModuleInfo: (id: string) => { importers: readonly string[], dynamicImporters: readonly string[], isEntry: boolean, importedIds?: readonly string[], code?: string | null } | null
  /** Rollup's and Rolldown's resolver: the report's advice finds which import names a module with it. */
  resolve?: (source: string, importer?: string) => Promise<{ id: string, external?: boolean | string } | null>
  /** The bundler's parser (ESTree, typed by each bundler its own way): the report's advice reads importers with it. */
  parse?: (code: string) => object
  emitFile: (file: { type: 'asset', fileName: string, source: string | Uint8Array }) => string
  info?: (message: string) => void
  warn: (message: string) => void
  error: (message: string) => never
}

/** A use of a lazy module outside any function: it loads the module when its importer runs. */
export interface StartupUse {
  module: string
  /** The code that loads it, as written. */
  use: string
  importer: string
  /** In the importer's source. */
  line: number
  column: number
}

/** What the transform learnt: every lazy module, and the uses that load one as soon as their file runs. */
export interface TransformFindings {
  modules: LazyModule[]
  startup: StartupUse[]
}

/** What a build is for: Vite's pages (Rollup and Rolldown write none), or a server (Vite's SSR). */
export interface BuildTarget {
  html?: HtmlConfig
  server?: boolean
}

export async function finishBundle(context: OutputContext, bundle: Record<string, OutputFile>, { modules, startup }: TransformFindings, options: ResolvedOptions, sizes: SizeCache, { html, server }: BuildTarget = {}): Promise<void> {
  await lexerReady()
  // Taken before archived chunks leave the bundle: the report measures them as loose files too.
  const graph = createGraph(chunksOf(bundle))
  const scans = new Map<string, ScannedImports>()
  const linksOf = (file: string) => scans.get(file) ?? scans.set(file, scanImports(graph.chunks.get(file)!.code, file)).get(file)!

  // Gzip sizes are kept on disk between builds, the lazy chunks' for the manifest and the report's.
  sizes.useDisk(sizeCacheFile(options.root))
  const { modules: loose, eager } = moduleFacts(modules, graph, code => sizes.gzipOf(code))
  const packed = packArchives(loose, graph, { groups: options.archives, compression: options.compression }, linksOf)
  const manifest = createManifest(withArchives(loose, packed.archives), packed.archives)
  const chunks = chunkFacts(graph, manifest, (file) => {
    const { references, unknown } = linksOf(file)
    return unknown ?? references
  })

  for (const file of packed.archived) {
    if (!options.keepLooseChunks)
      delete bundle[file]
  }
  for (const [fileName, source] of packed.files)
    context.emitFile({ type: 'asset', fileName, source })
  // The runtime's own lazy chunks, which it retries under a new URL; with `integrity: true` they are
  // in the first load (src/core/registry.ts), and there is nothing to fetch again.
  const lazyFile = (id: string) => {
    const file = graph.chunkOf(id)?.file
    return file && !graph.initial.has(file) ? file : undefined
  }
  const runtimeFacts = {
    chunks,
    fallback: options.keepLooseChunks,
    manifest: options.manifest || null,
    retry: options.retry,
    memory: lazyFile(memoryRuntimeFile(options.compression)),
    facts: lazyFile(RESOLVED_FACTS_ID),
    recovery: lazyFile(runtimeFile('recovery')),
  }
  // Only the chunks that call a facts function are rewritten: no other chunk's code is searched, nor
  // read out of the bundler again (the first load's can be megabytes).
  for (const chunk of graph.chunks.values()) {
    const file = bundle[chunk.file]
    if (file?.type !== 'chunk' || !factsFunctionIn(chunk.moduleIds, options.integrity))
      continue
    const early = withFacts(chunk.file, chunk.code, manifest, runtimeFacts, true)
    const code = withFacts(chunk.file, early ?? chunk.code, manifest, runtimeFacts) ?? early
    if (code === undefined)
      continue
    file.code = chunk.code = code
    // The manifest describes the file as written. The build id stays the one the facts carry.
    for (const module of Object.values(manifest.modules)) {
      if (module.file === file.fileName)
        Object.assign(module, { size: sizeOf(code), integrity: integrityOf(code) })
    }
  }
  // Every chunk is as written now; the report, next, measures the pages with their maps.
  if (options.integrity && html)
    writePageIntegrity(context, bundle, html)
  for (const warning of packed.warnings)
    context.warn(warning)
  const loadedAtStart = startupLoads(graph, startup, options.root)
  loadedAtStart.forEach(({ message }) => context.warn(message))
  for (const { name, file } of eager)
    context.warn(`lazy module ${JSON.stringify(name)} is in ${file}, which loads at start-up, because code that loads at start-up imports it eagerly too. Marking it lazy saves nothing until that eager import goes.`)
  if (options.manifest)
    context.emitFile({ type: 'asset', fileName: options.manifest, source: `${JSON.stringify(manifest, null, 2)}\n` })
  const archiveLoader = [runtimeFacts.memory, runtimeFacts.facts].filter(file => file !== undefined)
  const pluginChunks = runtimeFacts.recovery ? [runtimeFacts.recovery, ...archiveLoader] : archiveLoader
  await report(context, { graph, manifest, bundle, archives: packed.files, loadedAtStart: loadedAtStart.map(({ module }) => module), pluginChunks, archiveLoader, server }, options, sizes)
  await sizes.saveDisk()
}

/**
 * Each HTML page Vite wrote gets the digests of every chunk in its import map, and those of the
 * files it names itself (its entry chunks, module preloads and CSS) on their tags.
 */
function writePageIntegrity(context: OutputContext, bundle: Record<string, OutputFile>, html: HtmlConfig) {
  const files = Object.values(bundle)
  const digests = new Map(files.flatMap(file => file.type === 'chunk' ? [[file.fileName, integrityOf(file.code)] as const] : []))
  const styles = new Map(files.flatMap(file => file.type === 'asset' && file.fileName.endsWith('.css') ? [[file.fileName, integrityOf(file.source)] as const] : []))
  for (const page of files) {
    if (page.type !== 'asset' || !page.fileName.endsWith('.html'))
      continue
    const source = typeof page.source === 'string' ? page.source : new TextDecoder().decode(page.source)
    const integrity = pageIntegrity(page.fileName, html, digests)
    const tagged = withTagIntegrity(source, { ...integrity, ...pageIntegrity(page.fileName, html, styles) })
    const written = withImportMap(tagged, integrity, html.cspNonce)
    if (written === undefined)
      context.warn(`${page.fileName}: its <script type="importmap"> is not JSON, so the chunks' digests (option \`integrity\`) could not go into it; the runtime declares them when it first loads a module instead. Fix the import map.`)
    page.source = written ?? tagged
  }
}

/** The start-up uses in files of the first load: their modules load at start-up, however lazy. */
function startupLoads(graph: BundleGraph, startup: StartupUse[], root: string): { module: string, message: string }[] {
  return startup.flatMap(({ module, use, importer, line, column }) => {
    const chunk = graph.chunkOf(importer)
    if (!chunk || !graph.initial.has(chunk.file))
      return []
    // A Vue file's script is its own module (`App.vue?vue&type=script`): the user knows the file.
    const file = relative(root, fileOf(importer))
    return [{ module, message: `${file}:${line}:${column + 1}: \`${use}\` runs when ${file} loads, which is at start-up, so lazy module ${JSON.stringify(module)} is fetched at start-up too. Move the use into a function that runs later (an event handler, an effect), or import the module eagerly.` }]
  })
}

/** Last, so that sizes are of the chunks as written (the registry's facts included). */
async function report(context: OutputContext, built: { graph: BundleGraph, manifest: Manifest, bundle: Record<string, OutputFile>, archives: Map<string, Uint8Array>, loadedAtStart: string[], pluginChunks: string[], archiveLoader: string[], server?: boolean }, options: ResolvedOptions, sizes: SizeCache) {
  const wanted = { views: options.report, budgets: options.budgets }
  if (!reportWanted(wanted))
    return
  const started = performance.now()
  // Loaded only now: a build without a report never pays for its code.
  const { createReport, reportOutputs } = await import('./report')
  const assets = new Map<string, string | Uint8Array>(built.archives)
  for (const file of Object.values(built.bundle)) {
    if (file.type === 'asset')
      assets.set(file.fileName, file.source)
  }
  const resolve = context.resolve && (async (source: string, importer: string) => {
    const resolved = await context.resolve!(source, importer)
    return resolved && !resolved.external ? resolved.id : null
  })
  const input = { manifest: built.manifest, graph: built.graph, assets, moduleInfo: (id: string) => context.getModuleInfo(id), resolve, parse: context.parse && ((code: string) => context.parse!(code)), attribute: options.attribute, root: options.root, loadedAtStart: built.loadedAtStart, isPluginModule, pluginChunks: built.pluginChunks, archiveLoader: built.archiveLoader, server: built.server }
  const baseline = await readBaseline(options.report.baseline, context, options.root)
  const result = reportOutputs(await createReport(input, { budgets: options.budgets, cache: sizes, brotli: options.report.brotli, baseline }), { ...wanted, started })
  if (result.table) {
    // Rollup prints `info` logs (or hands them to `onLog`), Vite sends them to its logger.
    context.info ? context.info(result.table) : console.info(result.table)
  }
  for (const file of result.files)
    context.emitFile({ type: 'asset', ...file })
  for (const warning of result.warnings)
    context.warn(warning)
  if (result.failure)
    context.error(result.failure)
}

/** `report.baseline`, read; a baseline not there yet (the first build of a branch) is a warning. */
async function readBaseline(path: string | false, context: OutputContext, root: string) {
  try {
    // Named as the options name it, from the root, where it is in the root.
    return path ? { ...await (await import('./report/baseline')).loadBaseline(path), from: path.startsWith(`${root}/`) ? relative(root, path) : path } : undefined
  }
  catch (error: any) {
    context.warn(`report.baseline: ${error.message}; the report shows no change.`)
    return undefined
  }
}

/** The plugin's package folder (src/ run from source, dist/ installed): its runtime and what that shares. */
const pluginFolder = dirname(dirname(runtimeFile('index'))) + sep

/** The plugin's own modules: its runtime and shared code, and the registry and facts it writes. */
function isPluginModule(id: string): boolean {
  return id.startsWith(pluginFolder) || id.startsWith(RESOLVED_REGISTRY_ID)
}
