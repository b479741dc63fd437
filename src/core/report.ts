// Stage 5: once the manifest exists, measure what the first load costs and what each lazy module
// keeps out of it, suggest the fixes the numbers support, and hold the build to its size budgets.
// The same report comes from a live bundle (`bundleInput`) or from a folder on disk (src/cli.ts).
import type { Manifest } from '../types'
import type { ResolvedBudget } from './report-budgets'
import { createHash } from 'node:crypto'
import { relative } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip, gzipSync } from 'node:zlib'
import { sortKeys, staticClosure } from './manifest'
import { budgetFailure, checkBudgets, sumOf } from './report-budgets'
import { formatTable, renderHtml } from './report-view'

export const REPORT_VERSION = 1
/**
 * What one more request costs beyond its body, in bytes: an HTTP/2 request and response after
 * HPACK (response headers alone, with caching and security headers, are 150–400 B) and framing.
 * An estimate that errs low; it only decides the "too small to load lazily" suggestion.
 */
export const REQUEST_OVERHEAD = 300

/**
 * Bytes of one file as written, gzipped (level 9, as in the manifest) and brotli'd (`null` with
 * `report.brotli: false`). Brotli runs at quality 5, what servers use when they compress on the fly:
 * quality 11 is about 13 % smaller but about forty times slower (Vite's 1.4 MB node.js chunk: 38 ms
 * against 1.57 s), which would make every build of a large app seconds slower.
 */
export const BROTLI_QUALITY = 5
export interface Sizes { raw: number, gzip: number, brotli: number | null }
export type SizeKind = keyof Sizes

export interface ReportFile {
  kind: 'js' | 'css' | 'archive'
  size: Sizes
  /** Part of the first load: an entry chunk, a chunk it imports statically, or their CSS. */
  initial: boolean
  /** The archive that holds this chunk, or `null`. */
  archive: string | null
  /** Lazy modules whose loading fetches this file, sorted. Empty for first-load files. */
  neededBy: string[]
}

export interface ReportModule {
  name: string
  /** Its chunk (`null`: external). An archived module's chunk is an entry of its archive. */
  file: string | null
  archive: string | null
  /** Its own chunk, as a loose file. */
  size: Sizes | null
  /** What loading it fetches that the first load did not: its chunk, the chunks it imports, CSS. */
  loads: string[]
  load: Sizes
  /** The part of `load` no other lazy module needs: what making this module lazy kept out of the first load. */
  saved: Sizes
  /** Its chunk is part of the first load anyway: code that loads at start imports it eagerly. */
  eager: boolean
}

export interface ReportArchive {
  file: string
  size: Sizes
  entries: string[]
  modules: string[]
  /** The same entries as loose files, each compressed on its own. */
  loose: Sizes
}

export interface Suggestion {
  kind: 'tiny-module' | 'duplicate-module' | 'eager-only-lazy'
  /** A lazy module's name, a module path relative to the root, or a package. */
  subject: string
  /** The bytes at stake: gzip for `tiny-module`, raw module code for the others. Sorted by it. */
  bytes: number
  message: string
}

export interface BudgetResult {
  /** `initial`, or a `budgets.lazy` pattern. */
  budget: string
  /** `initial`, or a lazy module's name. */
  subject: string
  kind: SizeKind
  limit: number
  actual: number
  ok: boolean
}

/** `lazy-report.json`. Keys are sorted at every level; `version` changes when a field changes meaning. */
export interface Report {
  version: typeof REPORT_VERSION
  buildId: string
  requestOverhead: number
  initial: { files: string[], js: Sizes, css: Sizes, total: Sizes }
  /** Every JS and CSS file outside the first load, archived chunks as loose files. */
  lazy: { files: string[], total: Sizes }
  files: Record<string, ReportFile>
  modules: Record<string, ReportModule>
  archives: Record<string, ReportArchive>
  suggestions: Suggestion[]
  budgets: BudgetResult[]
}

export interface ReportChunk {
  file: string
  code: string | Uint8Array
  /** Chunks it imports statically. */
  imports: string[]
  /** CSS files it needs (Vite's `viteMetadata.importedCss`). */
  css: string[]
  isEntry: boolean
  /** Rendered bytes per module id: only a live bundle knows them. */
  modules?: Record<string, number>
}

export interface ReportInput {
  manifest: Manifest
  /** Every chunk, archived ones included. */
  chunks: ReportChunk[]
  /** CSS files and archives, by file name. */
  assets: Map<string, string | Uint8Array>
  /** Files that load at start (JS brings its static imports); by default the entry chunks. */
  initial?: string[]
  /** The bundler's module graph, in a live bundle only. */
  moduleInfo?: (id: string) => { importers: readonly string[], dynamicImporters: readonly string[], isEntry?: boolean } | null
  /** Module ids are shown relative to it. */
  root?: string
}

const gzipAsync = promisify(gzip)
const brotliAsync = promisify(brotliCompress)

/**
 * Compresses on libuv's thread pool, so files are measured in parallel; a chunk is one job however
 * large. Brotli at quality 5 costs about 30 ms per MB on one core, gzip -9 about the same.
 * A watch rebuild reuses the sizes of files whose bytes did not change.
 */
export class SizeCache {
  private previous = new Map<string, Promise<Sizes>>()
  private current = new Map<string, Promise<Sizes>>()

  measure(data: string | Uint8Array, brotli = true): Promise<Sizes> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data
    const key = `${brotli}:${createHash('sha1').update(bytes).digest('base64')}`
    const sizes = this.current.get(key) ?? this.previous.get(key) ?? Promise.all([
      gzipAsync(bytes, { level: 9 }),
      brotli ? brotliAsync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }) : null,
    ]).then(([gzipped, brotlied]) => ({ raw: bytes.length, gzip: gzipped.length, brotli: brotlied?.length ?? null }))
    this.current.set(key, sizes)
    return sizes
  }

  /** Forgets the sizes the last build did not ask for. */
  nextBuild() {
    this.previous = this.current
    this.current = new Map()
  }
}

function sum(files: Iterable<string>, sizes: Map<string, Sizes>): Sizes {
  return sumOf([...files].map(file => sizes.get(file)!))
}

export async function createReport(input: ReportInput, budgets: ResolvedBudget[] = [], cache = new SizeCache(), { brotli = true } = {}): Promise<Report> {
  const { manifest } = input
  const chunks = new Map(input.chunks.map(chunk => [chunk.file, chunk]))
  const imports = new Map(input.chunks.map(chunk => [chunk.file, chunk.imports]))
  const archiveOf = new Map(Object.entries(manifest.archives ?? {}).flatMap(([name, archive]) => Object.keys(archive.entries).map(entry => [entry, name])))
  const archiveFiles = new Set(Object.values(manifest.archives ?? {}).map(archive => archive.file))
  const bytes = new Map<string, string | Uint8Array>([...input.chunks.map(chunk => [chunk.file, chunk.code] as const), ...input.assets])
  // Budgets in brotli need brotli sizes, whatever the report shows.
  const measureBrotli = brotli || budgets.some(budget => budget.limits.some(limit => limit.kind === 'brotli'))
  const sizes = new Map(await Promise.all([...bytes].map(async ([file, data]) => [file, await cache.measure(data, measureBrotli)] as const)))

  const roots = input.initial ?? input.chunks.filter(chunk => chunk.isEntry).map(chunk => chunk.file)
  const initialJs = staticClosure(roots, imports)
  const initialCss = [...roots.filter(file => file.endsWith('.css')), ...[...initialJs].flatMap(file => chunks.get(file)!.css)]
  const initial = new Set([...initialJs, ...initialCss].filter(file => sizes.has(file)))

  const neededBy = new Map<string, string[]>()
  const modules: Record<string, ReportModule> = {}
  for (const info of Object.values(manifest.modules)) {
    const own = info.file && chunks.has(info.file) ? info.file : null
    const needs = own ? [...staticClosure([own], imports), ...info.css, ...chunks.get(own)!.css] : []
    const loads = [...new Set(needs)].filter(file => !initial.has(file) && sizes.has(file)).sort()
    loads.forEach(file => neededBy.set(file, [...(neededBy.get(file) ?? []), info.name]))
    modules[info.name] = { name: info.name, file: info.file, archive: info.archive?.name ?? null, size: own ? sizes.get(own)! : null, loads, load: sum(loads, sizes), saved: sum([], sizes), eager: !!own && initial.has(own) }
  }
  for (const module of Object.values(modules))
    module.saved = sum(module.loads.filter(file => neededBy.get(file)!.length === 1), sizes)

  const files: Record<string, ReportFile> = {}
  for (const [file, size] of sizes) {
    const kind = archiveFiles.has(file) ? 'archive' : file.endsWith('.css') ? 'css' : 'js'
    files[file] = { kind, size, initial: initial.has(file), archive: archiveOf.get(file) ?? null, neededBy: (neededBy.get(file) ?? []).sort() }
  }
  const archives: Record<string, ReportArchive> = {}
  for (const [name, archive] of Object.entries(manifest.archives ?? {})) {
    const entries = Object.keys(archive.entries).filter(entry => sizes.has(entry)).sort()
    const modulesIn = Object.values(modules).filter(module => module.archive === name).map(module => module.name)
    archives[name] = { file: archive.file, size: sizes.get(archive.file)!, entries, modules: modulesIn, loose: sum(entries, sizes) }
  }

  const initialFiles = [...initial].sort()
  const lazyFiles = Object.keys(files).filter(file => files[file].kind !== 'archive' && !initial.has(file)).sort()
  const report: Report = {
    version: REPORT_VERSION,
    buildId: manifest.buildId,
    requestOverhead: REQUEST_OVERHEAD,
    initial: {
      files: initialFiles,
      js: sum(initialFiles.filter(file => !file.endsWith('.css')), sizes),
      css: sum(initialFiles.filter(file => file.endsWith('.css')), sizes),
      total: sum(initialFiles, sizes),
    },
    lazy: { files: lazyFiles, total: sum(lazyFiles, sizes) },
    files,
    modules,
    archives,
    suggestions: [...tinyModules(modules, manifest), ...duplicates(input, initial), ...eagerOnlyLazy(input, initial)]
      .sort((a, b) => b.bytes - a.bytes || (a.subject < b.subject ? -1 : 1)),
    budgets: [],
  }
  report.budgets = checkBudgets(report, budgets)
  return sortKeys(report)
}

/** A lazy module that costs less than being lazy does: its manifest entry in the first load, plus a request. */
function tinyModules(modules: Record<string, ReportModule>, manifest: Manifest): Suggestion[] {
  return Object.values(modules).flatMap((module) => {
    if (!module.file || module.eager || module.archive)
      return []
    // The entry is compressed with the rest of the registry's chunk: its gzip header and trailer (18 B) do not count.
    const entry = gzipSync(JSON.stringify(manifest.modules[module.name]), { level: 9 }).length - 18
    if (module.load.gzip >= entry + REQUEST_OVERHEAD)
      return []
    return [{
      kind: 'tiny-module' as const,
      subject: module.name,
      bytes: module.load.gzip,
      message: `"${module.name}" loads ${module.load.gzip} B gzip, less than loading it lazily costs: its manifest entry (${entry} B gzip, in the first load) plus a request (~${REQUEST_OVERHEAD} B). Import it eagerly, or put it in an archive with others (option \`archives\`).`,
    }]
  })
}

function shortId(id: string, root: string | undefined): string {
  return root && id.startsWith('/') ? relative(root, id) : id
}

/** Copies of the same code share a key: the id without its query, a package file wherever it is installed. */
function moduleKey(id: string, root: string | undefined): { key: string, group: string } {
  const path = id.replace(/[?#].*$/, '')
  const at = path.lastIndexOf('/node_modules/')
  if (at < 0)
    return { key: shortId(path, root), group: shortId(path, root) }
  const inPackage = path.slice(at + '/node_modules/'.length)
  const segments = inPackage.split('/')
  return { key: `node_modules/${inPackage}`, group: segments.slice(0, segments[0].startsWith('@') ? 2 : 1).join('/') }
}

/** The same module in several chunks: a package installed twice, one file imported with two queries. */
function duplicates(input: ReportInput, initial: Set<string>): Suggestion[] {
  const copies = new Map<string, { group: string, chunk: string, id: string, bytes: number }[]>()
  for (const chunk of input.chunks) {
    for (const [id, bytes] of Object.entries(chunk.modules ?? {})) {
      const { key, group } = moduleKey(id, input.root)
      if (bytes)
        copies.set(key, [...(copies.get(key) ?? []), { group, chunk: chunk.file, id, bytes }])
    }
  }
  const groups = new Map<string, { chunks: Map<string, number>, ids: Set<string>, copied: number }>()
  for (const found of copies.values()) {
    if (new Set(found.map(copy => copy.chunk)).size < 2)
      continue
    const group = groups.get(found[0].group) ?? { chunks: new Map(), ids: new Set(), copied: 0 }
    for (const copy of found) {
      group.chunks.set(copy.chunk, (group.chunks.get(copy.chunk) ?? 0) + copy.bytes)
      group.ids.add(shortId(copy.id, input.root))
    }
    group.copied += found.reduce((total, copy) => total + copy.bytes, 0) - Math.max(...found.map(copy => copy.bytes))
    groups.set(found[0].group, group)
  }
  return [...groups].map(([subject, { chunks, ids, copied }]) => {
    const where = [...chunks].sort().map(([chunk, bytes]) => `${chunk}${initial.has(chunk) ? ' (first load)' : ''}: ${bytes} B`).join(', ')
    return {
      kind: 'duplicate-module' as const,
      subject,
      bytes: copied,
      message: `${subject} is in ${chunks.size} chunks (${where}), from ${list([...ids].sort(), 4)}: ${copied} B raw are copies. Keep one copy: dedupe the package (one version; \`npm dedupe\`, Vite's \`resolve.dedupe\`), or import the file by one path.`,
    }
  })
}

/** First-load code that only lazy code imports: manual chunking or chunk merging pulled it forward. */
function eagerOnlyLazy(input: ReportInput, initial: Set<string>): Suggestion[] {
  const chunkOf = new Map(input.chunks.flatMap(chunk => Object.keys(chunk.modules ?? {}).map(id => [id, chunk.file])))
  const groups = new Map<string, { chunk: string, bytes: number, importers: Set<string> }>()
  for (const chunk of input.chunks) {
    if (!initial.has(chunk.file) || !input.moduleInfo)
      continue
    for (const [id, bytes] of Object.entries(chunk.modules ?? {})) {
      const info = bytes ? input.moduleInfo(id) : null
      const importers = [...info?.importers ?? [], ...info?.dynamicImporters ?? []].filter(importer => chunkOf.has(importer))
      if (!importers.length || info!.isEntry || importers.some(importer => initial.has(chunkOf.get(importer)!)))
        continue
      const { group } = moduleKey(id, input.root)
      const found = groups.get(group) ?? { chunk: chunk.file, bytes: 0, importers: new Set() }
      found.bytes += bytes
      importers.forEach(importer => found.importers.add(`${shortId(importer, input.root)} in ${chunkOf.get(importer)}`))
      groups.set(group, found)
    }
  }
  return [...groups].map(([subject, { chunk, bytes, importers }]) => ({
    kind: 'eager-only-lazy' as const,
    subject,
    bytes,
    message: `${subject} (${bytes} B raw) is in ${chunk}, part of the first load, yet only lazy code imports it (${list([...importers].sort(), 3)}). Leaving it to the lazy chunks takes ${bytes} B raw off the first load: see what put it there (manualChunks, advancedChunks, merged chunks).`,
  }))
}

function list(items: string[], most: number): string {
  return items.length > most ? `${items.slice(0, most).join(', ')} and ${items.length - most} more` : items.join(', ')
}

// --- a live bundle ------------------------------------------------------------------------------

/** The parts of a Rollup/Rolldown output file this stage reads. */
export type OutputFileLike = {
  type: 'chunk'
  fileName: string
  code: string
  imports: string[]
  isEntry: boolean
  modules?: Record<string, { renderedLength: number }>
  viteMetadata?: { importedCss?: Set<string> }
} | { type: 'asset', fileName: string, source: string | Uint8Array }

/** `files` is every output file, archived chunks included: take it before they leave the bundle. */
export function bundleInput(files: OutputFileLike[], manifest: Manifest, archives: Map<string, Uint8Array>, extra: Pick<ReportInput, 'moduleInfo' | 'root'> = {}): ReportInput {
  const written = new Set(files.map(file => file.fileName))
  const chunks: ReportChunk[] = []
  const assets = new Map<string, string | Uint8Array>(archives)
  for (const file of files) {
    if (file.type === 'asset' && file.fileName.endsWith('.css'))
      assets.set(file.fileName, file.source)
    if (file.type !== 'chunk')
      continue
    // Vite's SSR build tracks CSS it does not emit; only what was written counts.
    const css = [...(file.viteMetadata?.importedCss ?? [])].filter(name => written.has(name))
    const modules = Object.fromEntries(Object.entries(file.modules ?? {}).map(([id, module]) => [id, module.renderedLength]))
    chunks.push({ file: file.fileName, code: file.code, imports: file.imports, css, isEntry: file.isEntry, modules })
  }
  return { manifest, chunks, assets, ...extra }
}

// --- in the plugin ------------------------------------------------------------------------------

export interface ResolvedReportOptions { console: boolean, json: string | false, html: string | false, brotli: boolean }

/** The plugin context, as Rollup 4 and Rolldown (Vite 8) both give it in `generateBundle`. */
export interface ReportContext {
  info?: (message: string) => void
  warn: (message: string) => void
  error: (message: string) => never
  emitFile: (file: { type: 'asset', fileName: string, source: string }) => string
}

/** Prints, emits and checks the report as the options say; fails the build over a budget. */
export async function emitReport(context: ReportContext, input: ReportInput, options: { report: ResolvedReportOptions, budgets: ResolvedBudget[] }, cache: SizeCache): Promise<Report | undefined> {
  const { report: views, budgets } = options
  if (!views.console && !views.json && !views.html && !budgets.length)
    return undefined
  const report = await createReport(input, budgets, cache, { brotli: views.brotli })
  cache.nextBuild()
  if (views.console) {
    const table = formatTable(report, { html: views.html })
    // Rollup prints `info` logs (or hands them to `onLog`), Vite sends them to its logger.
    context.info ? context.info(table) : console.info(table)
  }
  if (views.json)
    context.emitFile({ type: 'asset', fileName: views.json, source: `${JSON.stringify(report, null, 2)}\n` })
  if (views.html)
    context.emitFile({ type: 'asset', fileName: views.html, source: renderHtml(report) })
  for (const { budget, pattern } of budgets) {
    if (pattern && !report.budgets.some(result => result.budget === budget))
      context.warn(`size budget "${budget}" matches no lazy module; names are ${list(Object.keys(report.modules), 5) || 'none'}.`)
  }
  const failure = budgetFailure(report)
  if (failure)
    context.error(failure)
  return report
}
