// Stage 5: once the manifest exists, measure what the first load costs and what each lazy module
// keeps out of it, suggest the fixes the numbers support, and hold the build to its size budgets.
// The same report comes from a live bundle (src/core/bundle.ts) or from a built folder (./folder.ts).
import type { ResolvedBudget } from './budgets'
import type { Report, ReportArchive, ReportFile, ReportInput, ReportModule, Sizes } from './types'
import { sortKeys } from '../manifest'
import { adviseBuild, adviseFromComposition } from './advice'
import { budgetsNeedBrotli, checkBudgets } from './budgets'
import { buildShares, compose, sourceMapShares } from './composition'
import { diffReports } from './diff'
import { loaderCosts } from './loaders'
import { SizeCache, sumOf } from './sizes'
import { archiveHints, REQUEST_OVERHEAD, suggest } from './suggestions'
import { REPORT_VERSION } from './types'

// What the plugin and the CLI use, from one place.
export { ADVICE_MAX, ADVICE_MIN_GZIP } from './advice'
export { budgetFailure, parseSize, resolveBudgets, unmatchedBudgets } from './budgets'
export { diffMarkdown, diffReports, formatDelta, formatDiff } from './diff'
export type { ResolvedBudget } from './budgets'
export { formatSize, plural } from './format'
export { reportWanted } from '../options'
export { reportOutputs } from './outputs'
export type { ReportOutputs, ResolvedReportOptions } from './outputs'
export { BROTLI_QUALITY, SizeCache, sizeCacheFile, sumOf } from './sizes'
export { ARCHIVE_RATIO, REQUEST_OVERHEAD } from './suggestions'
export type { Advice, AdviceImport, AdviceUse, BudgetResult, Candidate, Composition, Report, ReportArchive, ReportDiff, ReportFile, ReportInput, ReportModule, SizeDelta, SizeKind, Sizes, Suggestion, TextEdit, Verdict } from './types'
export { REPORT_VERSION } from './types'
export { formatAdvice } from './advice-view'
export { formatTable, renderHtml } from './view'

export interface CreateReportOptions {
  budgets?: ResolvedBudget[]
  /** Keeps sizes between the builds of one watch session; each report starts a new build in it. */
  cache?: SizeCache
  /** `false` leaves brotli out (`null`), unless a budget is in brotli. */
  brotli?: boolean
  /** An earlier report to show the change against, and where it came from. */
  baseline?: { report: Report, from: string }
}

// Longer than most: the report's sections in the order they depend on one another, each a helper where it has logic of its own.
export async function createReport(input: ReportInput, { budgets = [], cache = new SizeCache(), brotli = true, baseline }: CreateReportOptions = {}): Promise<Report> {
  // The hints and the advice both read the module graph; each look-up crosses into Rolldown's native code.
  if (input.moduleInfo)
    input = { ...input, moduleInfo: remember(input.moduleInfo) }
  const { manifest, graph } = input
  cache.nextBuild()
  const sizes = await measure(input, cache, brotli || budgetsNeedBrotli(budgets))
  const total = (files: Iterable<string>) => sumOf([...files].map(file => sizes.get(file)!))

  const initialCss = [...input.initialCss ?? [], ...[...graph.initial].flatMap(file => graph.chunks.get(file)!.css)]
  const initial = new Set([...graph.initial, ...initialCss].filter(file => sizes.has(file)))
  const modules = lazyModules(input, initial, sizes)
  const loaders = loaderCosts(graph, Object.keys(modules), sizes)
  for (const module of Object.values(modules))
    module.firstLoad = loaders.get(module.name) ?? null
  const neededBy = new Map<string, string[]>()
  for (const module of Object.values(modules))
    module.loads.forEach(file => neededBy.set(file, [...neededBy.get(file) ?? [], module.name]))
  for (const module of Object.values(modules))
    module.saved = total(module.loads.filter(file => neededBy.get(file)!.length === 1))
  // What an archived module's loading fetches is its archive, and what it needs beyond it.
  const loose = new Map(Object.values(modules).map(module => [module.name, module.load]))
  for (const module of Object.values(modules)) {
    const archive = module.archive ? manifest.archives[module.archive] : undefined
    if (archive && sizes.has(archive.file)) {
      module.loads = [archive.file, ...module.loads.filter(file => !(file in archive.entries))].sort()
      module.load = total(module.loads)
      neededBy.set(archive.file, [...neededBy.get(archive.file) ?? [], module.name])
    }
  }

  const archiveOf = new Map(Object.entries(manifest.archives ?? {}).flatMap(([name, archive]) => Object.keys(archive.entries).map(entry => [entry, name])))
  const archiveFiles = new Set(Object.values(manifest.archives ?? {}).map(archive => archive.file))
  const files: Record<string, ReportFile> = {}
  for (const [file, size] of sizes) {
    const kind = archiveFiles.has(file) ? 'archive' : file.endsWith('.css') ? 'css' : 'js'
    files[file] = { kind, size, initial: initial.has(file), archive: archiveOf.get(file) ?? null, neededBy: (neededBy.get(file) ?? []).sort() }
  }
  const archives: Record<string, ReportArchive> = {}
  for (const [name, archive] of Object.entries(manifest.archives ?? {})) {
    const entries = Object.keys(archive.entries).filter(entry => sizes.has(entry)).sort()
    const modulesIn = Object.values(modules).filter(module => module.archive === name).map(module => module.name)
    archives[name] = { file: archive.file, size: sizes.get(archive.file)!, entries, modules: modulesIn, loose: total(entries) }
  }

  const shares = input.moduleInfo ? buildShares(graph, sizes) : input.sourceMaps ? sourceMapShares(graph, input.sourceMaps, sizes) : new Map()
  const composition = input.fromBuild ? input.fromBuild.composition : compose(shares, input.root, input.moduleInfo ? 'build' : 'source maps')
  const advice = input.fromBuild
    ? input.fromBuild.advice
    : input.moduleInfo && shares.size ? await adviseBuild(input, shares) : composition ? adviseFromComposition(composition) : null

  const initialFiles = [...initial].sort()
  const lazyFiles = Object.keys(files).filter(file => files[file].kind !== 'archive' && !initial.has(file)).sort()
  const own = pluginLazyFiles(input, initial, sizes)
  const archiveLoader = (input.archiveLoader ?? input.fromBuild?.archiveLoader ?? []).filter(file => own.includes(file))
  const report: Report = {
    version: REPORT_VERSION,
    buildId: manifest.buildId,
    requestOverhead: REQUEST_OVERHEAD,
    initial: {
      files: initialFiles,
      js: total(initialFiles.filter(file => !file.endsWith('.css'))),
      css: total(initialFiles.filter(file => file.endsWith('.css'))),
      total: total(initialFiles),
      ...await metadataSize(input, cache, brotli || budgetsNeedBrotli(budgets)),
      ...pluginSize(input, sizes),
    },
    lazy: { files: lazyFiles, total: total(lazyFiles), ...own.length ? { plugin: { files: own, total: total(own), ...archiveLoader.length ? { archiveLoader } : {} } } : {} },
    files,
    modules,
    archives,
    suggestions: [...suggest(input, modules, initial), ...input.server ? [] : archiveHints(modules, archives, loose, archiveLoader.length ? total(archiveLoader) : undefined)].sort((a, b) => b.bytes - a.bytes || (a.subject < b.subject ? -1 : 1)),
    budgets: [],
    composition,
    advice,
    baseline: null,
  }
  report.budgets = checkBudgets(report, budgets)
  if (baseline)
    report.baseline = diffReports(baseline.report, report, baseline.from)
  return sortKeys(report)
}

/** The plugin's own modules' share of each first-load chunk, by rendered length: what it costs the first load. */
function pluginSize({ graph, isPluginModule, fromBuild }: ReportInput, sizes: Map<string, Sizes>): { plugin?: Sizes } {
  if (!isPluginModule)
    return fromBuild?.plugin ? { plugin: fromBuild.plugin } : {}
  const plugin: Sizes = { raw: 0, gzip: 0, brotli: 0 }
  for (const file of graph.initial) {
    const lengths = Object.entries(graph.chunks.get(file)!.modules)
    const total = lengths.reduce((sum, [, length]) => sum + length, 0)
    const own = lengths.reduce((sum, [id, length]) => sum + (isPluginModule(id) ? length : 0), 0)
    const size = sizes.get(file)
    if (!size || !total || !own)
      continue
    plugin.raw += Math.round(size.raw * own / total)
    plugin.gzip += Math.round(size.gzip * own / total)
    plugin.brotli = size.brotli === null || plugin.brotli === null ? null : plugin.brotli + Math.round(size.brotli * own / total)
  }
  return { plugin }
}

/**
 * The plugin's own lazy code: its recovery runtime, facts and memory loader, and the chunks they
 * import. A page fetches each once, when first needed, so none is in any module's `loads`.
 */
function pluginLazyFiles({ graph, pluginChunks, fromBuild, isPluginModule }: ReportInput, initial: Set<string>, sizes: Map<string, Sizes>): string[] {
  const start = pluginChunks ?? fromBuild?.pluginChunks ?? []
  // Where a bundler put one of them into a chunk of the app's, the chunks that one imports are the app's.
  const ours = (file: string) => !isPluginModule || graph.chunks.get(file)!.moduleIds.some(isPluginModule)
  return [...graph.closure(start)].filter(file => !initial.has(file) && sizes.has(file) && ours(file)).sort()
}

/** The metadata the registry carries to the first load (`meta` of `modules` entries), as one JSON text. */
async function metadataSize({ manifest }: ReportInput, cache: SizeCache, brotli: boolean): Promise<{ metadata?: Sizes }> {
  const metadata = Object.values(manifest.modules).flatMap(module => module.meta === undefined ? [] : [module.meta])
  return metadata.length ? { metadata: await cache.measure(JSON.stringify(metadata), brotli) } : {}
}

/** Every chunk, archived ones included, every CSS file and every archive of the manifest. */
async function measure({ manifest, graph, assets }: ReportInput, cache: SizeCache, brotli: boolean): Promise<Map<string, Sizes>> {
  const archives = new Set(Object.values(manifest.archives ?? {}).map(archive => archive.file))
  const bytes = [
    ...[...graph.chunks.values()].map(chunk => [chunk.file, chunk.code] as const),
    ...[...assets].filter(([file]) => file.endsWith('.css') || archives.has(file)),
  ]
  return new Map(await Promise.all(bytes.map(async ([file, data]) => [file, await cache.measure(data, brotli)] as const)))
}

/** Each lazy module of the manifest and what loading it fetches beyond the first load; `saved` and `firstLoad` are filled in later. */
function lazyModules({ manifest, graph, loadedAtStart = [] }: ReportInput, initial: Set<string>, sizes: Map<string, Sizes>): Record<string, ReportModule> {
  const modules: Record<string, ReportModule> = {}
  for (const info of Object.values(manifest.modules)) {
    const own = info.file && graph.chunks.has(info.file) ? info.file : null
    const needs = own ? [...graph.closure([own]), ...info.css, ...graph.chunks.get(own)!.css] : []
    const loads = [...new Set(needs)].filter(file => !initial.has(file) && sizes.has(file)).sort()
    const load = sumOf(loads.map(file => sizes.get(file)!))
    modules[info.name] = { name: info.name, file: info.file, archive: info.archive?.name ?? null, size: own ? sizes.get(own)! : null, loads, load, saved: load, firstLoad: null, eager: (!!own && initial.has(own)) || loadedAtStart.includes(info.name) }
  }
  return modules
}

function remember<T>(lookUp: (id: string) => T): (id: string) => T {
  const known = new Map<string, T>()
  return id => known.has(id) ? known.get(id)! : known.set(id, lookUp(id)).get(id)!
}
