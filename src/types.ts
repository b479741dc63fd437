// Public types shared by the build side and the runtime. No code lives here.

export interface Options {
  /**
   * Modules registered by name. Keys are names, values are sources:
   * - a glob relative to `root` whose one wildcard run (`*` or `**`) fills the name's `*`:
   *   `{ 'charts/*': 'src/charts/*.ts' }` registers `src/charts/bar.ts` as `charts/bar`;
   * - a file relative to `root`: `{ settings: 'src/settings.ts' }`;
   * - a bare package name, resolved by the bundler: `{ editor: 'monaco-editor' }`;
   * - an array of globs, where a glob starting with `!` leaves files out:
   *   `{ 'locales/*': ['src/locales/*.js', '!src/locales/en.js'] }`.
   * A module whose file is named `index` is a package (`isPackage: true`) named after its folder.
   * An object (`ModuleEntry`) takes the same sources under `source`, and also chooses names and metadata:
   * `{ 'tools/*': { source: 'src/tools/*.ts', name: (path, name) => …, meta: 'meta' } }`.
   * @default {}
   */
  modules?: Record<string, string | string[] | ModuleEntry>
  /**
   * The import attribute key that marks an import lazy: `with { lazy: 'true' }`.
   * @default 'lazy'
   */
  attribute?: string
  /**
   * File name of the manifest asset, relative to the output folder. `false` emits none.
   * @default 'lazy-manifest.json'
   */
  manifest?: string | false
  /**
   * Pack chosen lazy modules' chunks into zip archives, one request each. Keys are archive names,
   * values are name patterns (`*` is one segment, `**` any depth): `{ charts: ['charts/*'] }`.
   * `true` makes one archive per top-level name segment (`charts/bar` → `charts`).
   * @default undefined (no archives)
   */
  archives?: Record<string, string[]> | true
  /**
   * How archive entries are compressed. `store` leaves compression to the server, which then
   * compresses the whole archive at once: far smaller than compressing each entry.
   * @default 'store'
   */
  compression?: 'store' | 'deflate'
  /**
   * Also keep archived chunks as loose files, as a fallback when an archive cannot be fetched.
   * @default false
   */
  keepLooseChunks?: boolean
  /**
   * Puts every lazy chunk's sha-384 in the first load, where the browser enforces it (an import map's
   * `integrity`, and each module preload's): a tampered chunk then never runs, even on a first
   * attempt. With Vite the import map is written into each HTML page at build time; with Rollup and
   * Rolldown, which write no HTML, the runtime adds it when it first loads a module. It puts all the
   * facts in the first load too: about 117 B brotli per module more with Vite, 59 B without the
   * page's map (bench/first-load.mjs). Without it, digests come with the facts, which load only when
   * needed: retries and archives check what they run either way.
   * @default false
   */
  integrity?: boolean
  /**
   * How the runtime retries a failed chunk or archive fetch: `attempts` in all (the first included),
   * waiting `delay` ms before the first retry and twice as long before each next one (with jitter,
   * at most `maxDelay`). The app can change it at run time with `configure({ retry })`.
   * @default { attempts: 3, delay: 250, maxDelay: 4000 }
   */
  retry?: { attempts?: number, delay?: number, maxDelay?: number }
  /**
   * The size report after each build: a table in the build log, `lazy-report.json` and
   * `lazy-report.html` in the output folder. `false` turns all three off; `true` is the default.
   * @default { console: true, json: 'lazy-report.json', html: 'lazy-report.html', brotli: true }
   */
  report?: boolean | ReportOptions
  /**
   * Size budgets; a build over one fails, naming what is over and by how much. Gzip unless the
   * limit says otherwise. Checked even with `report: false`.
   * @example { initial: '150 kB', lazy: { 'charts/*': '80 kB', 'editor': { brotli: '300 kB' } } }
   * @default {}
   */
  budgets?: Budgets
  /**
   * The declaration file that types the names `importModule`, `getLoader`, `iterModules` and `hasModule`
   * take, relative to `root`; include it in your tsconfig. Rewritten on every build, when the dev
   * server starts and when a file matching a `modules` glob comes or goes, only when its text changes.
   * `false` writes none; `true` is the default.
   * @default 'lazy-modules.d.ts'
   */
  dts?: string | boolean
  /**
   * Project root that names are derived from and globs are matched in.
   * @default Vite's `root`, else `process.cwd()`
   */
  root?: string
}

/** A `modules` entry that chooses its modules' names or reads their metadata. */
export interface ModuleEntry {
  /** What a plain entry takes: a file, a glob, a bare package name, or an array of globs with `!` exclusions. */
  source: string | string[]
  /**
   * The name of each matched module, from its path relative to the root (`src/tools/text-replacer/index.ts`)
   * and the name the entry's key would give it (`tools/text-replacer`).
   * @example (path, name) => name.replace(/^tools\/text-/, 'string/')
   * @default the key's pattern, filled from the path
   */
  name?: (path: string, name: string) => string
  /**
   * Where each module's metadata is, read at build time without running the module: the name of an
   * export whose value is a literal (`'meta'` for `export const meta = { title: 'Bar' }`), or a file
   * beside the module (`'./meta.json'`, or a script whose `export default` is a literal). It is then
   * `info.meta` on `getLoader(name)` and `iterModules()` before the module loads.
   * @default undefined (no metadata)
   */
  meta?: string
}

export interface ReportOptions {
  /** Print the table through the bundler's logger. @default true */
  console?: boolean
  /** File name of the JSON report in the output folder; `false` writes none. @default 'lazy-report.json' */
  json?: string | false
  /** File name of the HTML report in the output folder; `false` writes none. @default 'lazy-report.html' */
  html?: string | false
  /**
   * Measure brotli sizes (quality 5, as servers compress on the fly; about 30 ms per MB of output on
   * one core). `false` leaves them out (`null`), unless a budget is in brotli.
   * @default true
   */
  brotli?: boolean
  /**
   * An earlier build to compare with: its `lazy-report.json`, or the folder it was built into,
   * relative to the root. The table and the HTML report then show the change in the first load and
   * in each lazy module. A baseline not there yet is a warning.
   * @default undefined
   */
  baseline?: string
}

/**
 * A size limit: `'150 kB'`, `'150kB'`, `'1.2 MB'`, `'900 B'`, `'64 KiB'` or a number of bytes, all
 * gzip; or per compression, every one checked: `{ brotli: '120 kB' }`, `{ raw: '1 MB', gzip: '300 kB' }`.
 * kB and MB are 1000 and 1000² bytes (as Vite prints them), KiB and MiB 1024 and 1024².
 */
export type SizeLimit = number | string | { raw?: number | string, gzip?: number | string, brotli?: number | string }

export interface Budgets {
  /** The first load: entry chunks, the chunks they import statically, and their CSS. */
  initial?: SizeLimit
  /**
   * Per lazy module, by name pattern (`*` one segment, `**` any depth): what loading the module
   * fetches beyond the first load (its chunk, the chunks it imports, its CSS). Each match is checked.
   */
  lazy?: Record<string, SizeLimit>
}

/** Sizes of one file in bytes. */
export interface Size {
  raw: number
  gzip: number
}

/** What the runtime and the manifest know about one lazy module. `null` fields are unknown (dev server). */
export interface ModuleInfo {
  /** Stable name: the key `importModule` takes. */
  name: string
  /** True when the module is an `index` file, named after its folder, like a Python package. */
  isPackage: boolean
  /** `registered` under `modules`, or `marked` by an import with the lazy attribute. */
  kind: 'registered' | 'marked'
  /** The module's source: a path relative to the root, or a bare package specifier. */
  source: string
  /** The chunk that holds the module, relative to the output folder. */
  file: string | null
  /** Every chunk the module's chunk imports statically, transitively, so all load in parallel. */
  imports: string[]
  /** CSS files the module and its imports need. */
  css: string[]
  /** Size of the module's own chunk. */
  size: Size | null
  /** Subresource-integrity digest of the chunk (`sha384-…`). */
  integrity: string | null
  /** The archive holding the module's chunk (a key of `Manifest.archives`) and its entry, or `null`. */
  archive: { name: string, file: string, entry: string } | null
  /** The module's metadata, read at build time (`meta` of its `modules` entry); absent without one. */
  meta?: unknown
}

/**
 * What the first load knows of a module, before anything loads: `iterModules()` and
 * `getLoader(name).info`. The rest of its `ModuleInfo` is `await getLoader(name).facts()`.
 */
export type ModuleSummary = Pick<ModuleInfo, 'name' | 'isPackage' | 'kind' | 'meta'>

/** One file in an archive: where it is, how to check it, and where its code names other chunks. */
export interface ArchiveEntryInfo {
  /** Offset of the local header in the archive. */
  offset: number
  compressedSize: number
  size: number
  /** 0 stored, 8 deflated. */
  method: number
  crc32: number
  /** `sha384-…` of the entry's bytes. */
  integrity: string
  /**
   * `[start, end, target, inArchive]`: code offsets to fill with a URL when the chunk runs from memory.
   * `target` is a chunk relative to the output folder (`''`: this chunk, for `import.meta.url`);
   * `inArchive` is 1 when the target is an entry of the same archive.
   */
  links: [start: number, end: number, target: string, inArchive: 0 | 1][]
}

export interface ArchiveInfo {
  /** The zip, relative to the output folder. */
  file: string
  /** `sha384-…` of the whole archive. */
  integrity: string
  size: Size
  /** Keyed by entry name, which is the chunk's path relative to the output folder. */
  entries: Record<string, ArchiveEntryInfo>
}

/** `lazy-manifest.json`. Keys are sorted; `version` changes when a field changes meaning. */
export interface Manifest {
  version: 1
  /** Digest of every module's name, file and integrity: equal builds have equal ids. */
  buildId: string
  modules: Record<string, ModuleInfo>
  archives: Record<string, ArchiveInfo>
}
