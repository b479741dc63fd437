// The report's shape, `lazy-report.json`, and what it is made from. Its own file so that every part of
// the report reads these types without importing the part that builds the report.
import type { Manifest } from '../../types'
import type { BundleGraph } from '../graph'

/** 2: an archived module's `loads` is its archive; `composition`, `advice` and `baseline` added. */
export const REPORT_VERSION = 2

/** Bytes of one file as written, gzipped (level 9) and brotli'd (`null`: not measured). */
export interface Sizes { raw: number, gzip: number, brotli: number | null }
export type SizeKind = keyof Sizes

export interface ReportInput {
  manifest: Manifest
  /** The bundle's chunks, archived ones included; its `initial` is the first load's JS. */
  graph: BundleGraph
  /** Other output files by name; CSS files and the manifest's archives are measured, the rest ignored. */
  assets: Map<string, string | Uint8Array>
  /** CSS a page loads at start besides what the first-load chunks import (an HTML page's style sheets). */
  initialCss?: string[]
  /** The bundler's module graph, in a live bundle only. */
  moduleInfo?: (id: string) => ModuleGraphInfo | null
  /** The bundler's resolver, in a live bundle: which import of an importer names a module. */
  resolve?: (source: string, importer: string) => Promise<string | null>
  /** The bundler's parser (ESTree, typed by each bundler its own way), in a live bundle: the advice reads importers with it. */
  parse?: (code: string) => object
  /** Reads an importer's source for the advice; `node:fs` by default. */
  readSource?: (id: string) => string | null
  /** The attribute key that marks an import lazy, for the edits the advice gives. */
  attribute?: string
  /** What only a build knows, carried over from its lazy-report.json by the CLI (same build id); `pluginChunks`: the files of its `lazy.plugin`. */
  fromBuild?: Pick<Report, 'advice' | 'composition'> & { plugin?: Sizes, pluginChunks?: string[], archiveLoader?: string[] }
  /** From a folder without the build's report: the first load's modules from the chunks' source maps. */
  sourceMaps?: Map<string, SourceMapInput>
  /** Module ids are shown relative to it. */
  root?: string
  /** Lazy modules that code running at start-up loads at once (a top-level `await`). */
  loadedAtStart?: string[]
  /** In a live build: whether a module id is the plugin's own (its runtime, registry and facts). */
  isPluginModule?: (id: string) => boolean
  /** In a live build: the plugin's own lazy chunks (its recovery runtime, facts and memory loader), each fetched once when first needed. */
  pluginChunks?: string[]
  /** Of those, what the first archived load fetches besides its archive: the facts and the memory loader. */
  archiveLoader?: string[]
  /** A build for a server (Vite's SSR), which reads its chunks from disk: no request to weigh. */
  server?: boolean
}

/** What the report reads of a module in the bundler's module graph. */
export interface ModuleGraphInfo {
  importers: readonly string[]
  dynamicImporters: readonly string[]
  isEntry?: boolean
  /** Static imports, resolved. */
  importedIds?: readonly string[]
  /** The module's code after every transform, when its file cannot be read as JavaScript. */
  code?: string | null
}

/** A chunk's source map, as far as the report reads it. */
export interface SourceMapInput {
  sources: (string | null)[]
  mappings: string
  sourceRoot?: string
}

export interface ReportFile {
  kind: 'js' | 'css' | 'archive'
  size: Sizes
  /** Part of the first load: an entry chunk, a chunk it imports statically, or their CSS. */
  initial: boolean
  /** The archive that holds this chunk, or `null`. */
  archive: string | null
  /** Lazy modules that need this file's code (for an archive: whose loading fetches it), sorted. Empty for first-load files. */
  neededBy: string[]
}

export interface ReportModule {
  name: string
  /** Its chunk (`null`: external). An archived module's chunk is an entry of its archive. */
  file: string | null
  archive: string | null
  /** Its own chunk, as a loose file. */
  size: Sizes | null
  /** What loading it fetches that the first load did not: its chunk (an archived module: its archive), the chunks it imports, CSS. */
  loads: string[]
  load: Sizes
  /** What making this module lazy kept out of the first load: the files of its code no other lazy module needs, archived chunks counted loose. */
  saved: Sizes
  /**
   * What being lazy adds to the first load: its loader there (a name and an `import()`: its pair in
   * the registry, or a marked module's lazy handle), as bytes as written and an estimate of their
   * gzip, at their chunk's gzip/raw ratio (src/core/report/loaders.ts). `null` when no first-load
   * chunk holds it.
   */
  firstLoad: Share | null
  /** It loads at start-up anyway: its chunk is in the first load, or start-up code loads it at once. */
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
  kind: 'tiny-module' | 'duplicate-module' | 'eager-only-lazy' | 'archive-fetch' | 'archive-cost'
  /** A lazy module's name, a module path relative to the root, or a package. */
  subject: string
  /** The bytes at stake: gzip for `tiny-module` and `archive-fetch`, raw module code for the others. Sorted by it. */
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
  initial: {
    files: string[]
    js: Sizes
    css: Sizes
    total: Sizes
    /**
     * The app's own data in the first load: every module's `meta`, as JSON, measured alone. Part of
     * `js`, shown apart so the plugin's cost reads apart from the app's. Absent without metadata.
     */
    metadata?: Sizes
    /**
     * What the plugin itself adds to the first load: its runtime and registry, each first-load
     * chunk's sizes split by its modules' rendered lengths (so an estimate for the compressed
     * sizes). Part of `js`. Absent without a live build.
     */
    plugin?: Sizes
  }
  /**
   * Every JS and CSS file outside the first load, archived chunks as loose files. `plugin`: of which
   * the plugin's own lazy code (its recovery runtime, facts and memory loader, and the chunks they
   * import), which a page fetches once, when first needed, and which is in no module's `loads`;
   * `archiveLoader`: of those, the facts and memory loader, which a page's first archived load
   * fetches. Absent when they are not known (a folder without the build's report).
   */
  lazy: { files: string[], total: Sizes, plugin?: { files: string[], total: Sizes, archiveLoader?: string[] } }
  files: Record<string, ReportFile>
  modules: Record<string, ReportModule>
  archives: Record<string, ReportArchive>
  suggestions: Suggestion[]
  budgets: BudgetResult[]
  /** What the first load's JS is made of, per module; `null` when neither the build nor source maps tell. */
  composition: Composition | null
  /** What in the first load is worth making lazy; `null` when neither the build nor source maps tell. */
  advice: Advice | null
  /** The change against `report.baseline` or the CLI's `--baseline`; `null` without one. */
  baseline: ReportDiff | null
}

/** Bytes as a share of the written file: estimated from rendered lengths or source-mapped bytes. */
export interface Share { raw: number, gzip: number }

export interface Composition {
  /** `build`: the bundler's rendered length of each module; `source maps`: the bytes each source maps to. */
  from: 'build' | 'source maps'
  /** Keyed by a path relative to the root (`src/main.ts`, `node_modules/pdf-lib/es/index.js`). */
  modules: Record<string, ComposedModule>
}

export interface ComposedModule extends Share {
  /** The npm package it belongs to, or `null` for the app's own code. */
  package: string | null
  chunk: string
}

export interface Advice {
  from: 'build' | 'source maps'
  /** What holds for every candidate: an app without a lazy module pays for the runtime once. */
  note: string | null
  /** Sorted by `saved`, largest first. */
  candidates: Candidate[]
}

/**
 * - `ready`: every use is in an async function; mark the import and add `await`.
 * - `async`: some uses are in functions that must become async.
 * - `start-up`: code at the importer's top level uses it, so a lazy import would load at start anyway.
 * - `cannot`: an import that cannot be marked (for its side effects, re-exported, used in a getter).
 * - `unknown`: the importers could not be read (source maps only, or not JavaScript).
 */
export type Verdict = 'ready' | 'async' | 'start-up' | 'cannot' | 'unknown'

export interface Candidate {
  /** The import as written for a package (`date-fns/locale`), a path relative to the root for a source module. */
  subject: string
  kind: 'package' | 'module'
  package: string | null
  /** Its own code in the first load: the source module, or the modules of the package that the imported ones reach. */
  size: Share
  /** The same code as the bundler rendered it, before minification, in bytes; `null` from source maps. */
  rendered: number | null
  modules: number
  /** What the first load loses if it is lazy: its modules and what only they import (not what other start-up code needs). */
  saved: Share
  verdict: Verdict
  /** A larger candidate whose edit takes this one's bytes out of the first load too. */
  within: string | null
  importers: AdviceImport[]
  /** The edits to make, as offsets into each importer's source as on disk. */
  edits: TextEdit[]
  message: string
}

export interface AdviceImport {
  /** Relative to the root. */
  file: string
  line: number
  column: number
  /** As written. */
  statement: string
  /** The marked import to write instead; `null` when it cannot be marked as written. */
  write: string | null
  uses: AdviceUse[]
  /**
   * Lines the edit puts first in a function, as `name (line N): const …`: where a use sits in a
   * callback that must stay sync (`map`, `forEach`), the module is loaded in the function around it.
   */
  first: string[]
  /** Why it cannot be marked as written, or `null`. */
  problem: string | null
}

export interface AdviceUse {
  line: number
  column: number
  /** The expression, as written. */
  code: string
  /** The expression as it must read once the import is lazy; `null` when it needs no change (already under `await`) or cannot have one. */
  after: string | null
  /** `top level` runs at start-up; `function` must become async; `async function` is ready. */
  where: 'top level' | 'function' | 'async function'
  /** The enclosing function's name, if it has one. */
  function: string | null
}

export interface TextEdit {
  /** Relative to the root. */
  file: string
  start: number
  end: number
  text: string
}

export interface SizeDelta {
  before: Sizes | null
  after: Sizes | null
  /** `after − before` in gzip bytes; `null` when either is missing. */
  gzip: number | null
  raw: number | null
  brotli: number | null
  /** Of gzip, against `before`; `null` when either is missing or `before` is 0. */
  percent: number | null
}

export interface ReportDiff {
  /** Where the baseline came from, as given. */
  from: string
  buildId: string
  initial: { js: SizeDelta, css: SizeDelta, total: SizeDelta }
  /** Each lazy module's `load`, before and after; `status` says whether it is new or gone. */
  modules: Record<string, SizeDelta & { status: 'added' | 'removed' | 'changed' | 'same' }>
  /** Files matched by name, or by name without the content hash when only one file of that name is on each side. */
  files: { added: { file: string, size: Sizes }[], removed: { file: string, size: Sizes }[], changed: (SizeDelta & { file: string, was: string })[] }
}
