// Public types shared by the build side and the runtime. No code lives here.

export interface Options {
  /**
   * Modules registered by name. Keys are names, values are sources:
   * - a glob relative to `root` whose one wildcard run (`*` or `**`) fills the name's `*`:
   *   `{ 'charts/*': 'src/charts/*.ts' }` registers `src/charts/bar.ts` as `charts/bar`;
   * - a file relative to `root`: `{ settings: 'src/settings.ts' }`;
   * - a bare package name, resolved by the bundler: `{ editor: 'monaco-editor' }`.
   * A module whose file is named `index` is a package (`isPackage: true`) named after its folder.
   * @default {}
   */
  modules?: Record<string, string>
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
   * Project root that names are derived from and globs are matched in.
   * @default Vite's `root`, else `process.cwd()`
   */
  root?: string
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
}

/** `lazy-manifest.json`. Keys are sorted; `version` changes when a field changes meaning. */
export interface Manifest {
  version: 1
  /** Digest of every module's name, file and integrity: equal builds have equal ids. */
  buildId: string
  modules: Record<string, ModuleInfo>
}
