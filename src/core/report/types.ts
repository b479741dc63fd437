// The report's shape, `lazy-report.json`, and what it is made from. Its own file so that every part of
// the report reads these types without importing the part that builds the report.
import type { Manifest } from '../../types'
import type { BundleGraph } from '../graph'

export const REPORT_VERSION = 1

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
  moduleInfo?: (id: string) => { importers: readonly string[], dynamicImporters: readonly string[], isEntry?: boolean } | null
  /** Module ids are shown relative to it. */
  root?: string
  /** Lazy modules that code running at start-up loads at once (a top-level `await`). */
  loadedAtStart?: string[]
}

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
