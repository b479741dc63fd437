// The runtime's table of lazy modules: each name's summary and loader, taken in from the registry
// module and from handles as marked imports run. A look-up here is the only way to a loader, so a
// name the build did not register is refused, never turned into a URL.
import type { ChunkFacts, RegistryModule } from '../contract'
import type { ModuleInfo, ModuleSummary } from '../types'
import { HANDLE_KEY } from '../contract'

export interface Entry {
  info: ModuleSummary
  /** The module's full facts, once the runtime has them. */
  facts?: ModuleInfo
  /** Archived by its name's pattern: a load waits for the facts, which say where it landed. */
  archived?: boolean
  /** Absent for a marked module until its importer runs and makes its handle. */
  loader?: () => Promise<unknown>
  /** The load under way or done, shared by every caller; cleared when it fails. */
  pending?: Promise<unknown>
  /** Loaded by the bundler's own `import()` before the facts came: its chunks ran from their own URLs. */
  ran?: boolean
}

/** The registry module as last taken in, and the table built from it. */
export interface Registry extends RegistryModule {
  entries: Map<string, Entry>
  /** Every lazy chunk with its digest: the build lists a module's chunk digest once, on the module. */
  chunks: Record<string, ChunkFacts>
  /** Whether `facts` are all of them (dev, `integrity: true`), not only the early ones. */
  full: boolean
  /** Whether the entries have them (src/runtime/facts.ts). */
  adopted?: boolean
}

const HANDLE = Symbol.for(HANDLE_KEY)

/** Takes in the registry module the build wrote: the first load's only work at start. */
export function fill(registry: Registry, next: RegistryModule): void {
  const packages = new Set(next.packages)
  const archived = new Set(next.archived)
  const meta = new Map(next.meta)
  for (const [name, loader] of next.loaders) {
    const info: ModuleSummary = { name, isPackage: packages.has(name), kind: 'registered' }
    if (meta.has(name))
      info.meta = meta.get(name)
    // A load under way or done carries over (a dev server's update), so a module never runs twice.
    registry.entries.set(name, { ...registry.entries.get(name), info: Object.freeze(info), archived: archived.has(name), loader })
  }
  Object.assign(registry, next, { full: !!next.facts.modules, adopted: false })
}

/** Takes in a new registry module from the dev server, when files matching a `modules` glob come or go. */
export function update(registry: Registry, next: RegistryModule): void {
  const names = new Set(next.loaders.map(([name]) => name))
  // A name gone from the registry is gone; a marked module's handle keeps its own entry.
  for (const [name, entry] of registry.entries) {
    if (!names.has(name) && entry.info.kind === 'registered')
      registry.entries.delete(name)
  }
  fill(registry, next)
}

/** The entry that can load `name`, else undefined. Anything but a string is no name. */
export function loadable(entries: Map<string, Entry>, name: unknown): Entry | undefined {
  const entry = typeof name === 'string' ? entries.get(name) : undefined
  return entry?.loader ? entry : undefined
}

/** Registers a marked module's loader as its importer runs; the handle is what `load()` takes. */
export function handle(entries: Map<string, Entry>, name: string, loader: () => Promise<unknown>): object {
  const entry = entries.get(name)
  if (entry)
    entry.loader ??= loader
  else
    entries.set(name, { info: Object.freeze({ name, isPackage: false, kind: 'marked' }), loader })
  return Object.freeze({ [HANDLE]: name })
}

export function handleName(value: unknown): string | undefined {
  return value && typeof value === 'object' && HANDLE in value ? (value as any)[HANDLE] : undefined
}

export function listModules(entries: Map<string, Entry>, prefix: string): ModuleSummary[] {
  return [...entries.values()].map(entry => entry.info).filter(info => info.name.startsWith(prefix)).sort((a, b) => a.name < b.name ? -1 : 1)
}

/** A file of the output folder, as a URL: chunk paths in the facts are relative to the chunk they were written into. */
export function urlOf({ facts, base }: Registry, file: string): string {
  return new URL(facts.root + file, base).href
}
