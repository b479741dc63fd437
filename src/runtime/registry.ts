// The runtime's table of lazy modules: each name's facts and loader, taken in from the registry
// module and from handles as marked imports run. A look-up here is the only way to a loader, so a
// name the build did not register is refused, never turned into a URL.
import type { ChunkFacts, RegistryModule } from '../contract'
import type { ModuleInfo, ModuleSummary } from '../types'
import { HANDLE_KEY } from '../contract'
import { ModuleNotFoundError } from './errors'
import { suggest } from './suggest'

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
}

/** The registry module as last taken in, and the table built from it. */
export interface Registry extends RegistryModule {
  entries: Map<string, Entry>
  /** Every lazy chunk with its digest: the build lists a module's chunk digest once, on the module. */
  chunks: Record<string, ChunkFacts>
  /** Whether `facts` are all of them, not only the early ones. */
  full: boolean
  /** Whether the entries have them (src/runtime/facts.ts). */
  adopted?: boolean
}

const HANDLE = Symbol.for(HANDLE_KEY)

/** Takes in a registry module: the build's at start, the dev server's when matching files come or go. */
export function update(registry: Registry, next: RegistryModule): void {
  const { entries } = registry
  const packages = new Set(next.packages)
  const archived = new Set(next.archived)
  const meta = new Map(next.meta)
  const names = new Set<string>()
  for (const [name, loader] of next.loaders) {
    // A load under way or done carries over, so a module never runs twice.
    const old = entries.get(name)
    const info: ModuleSummary = { name, isPackage: packages.has(name), kind: 'registered' }
    if (meta.has(name))
      info.meta = meta.get(name)
    entries.set(name, { ...old, info: Object.freeze(info), archived: archived.has(name), loader })
    names.add(name)
  }
  // All the facts (dev, `integrity: true`): the recovery chunk takes them in when it first runs. A
  // marked module they list is known by name now, so a look-up before its importer runs says so.
  Object.assign(registry, next, { full: !next.loadFacts, adopted: false })
  for (const { name, kind } of next.loadFacts ? [] : next.facts.modules) {
    if (kind === 'marked' && !entries.has(name))
      entries.set(name, { info: Object.freeze({ name, isPackage: false, kind }) })
  }
  // A name gone from the registry is gone; a marked module's handle keeps its own entry.
  for (const [name, entry] of entries) {
    if (!names.has(name) && entry.info.kind === 'registered')
      entries.delete(name)
  }
}

/** The entry that can load `name`, else undefined. Anything but a string is no name. */
export function loadable(entries: Map<string, Entry>, name: unknown): Entry | undefined {
  const entry = typeof name === 'string' ? entries.get(name) : undefined
  return entry?.loader ? entry : undefined
}

/** The entry that can load `name`; throws `ModuleNotFoundError`, with close names, for any other. */
export function lookUp(entries: Map<string, Entry>, name: unknown): Entry {
  const entry = loadable(entries, name)
  if (entry)
    return entry
  const text = String(name)
  const known = [...entries.keys()].filter(key => entries.get(key)!.loader)
  const detail = typeof name === 'string' && entries.has(name) ? ` loaded yet: it is marked lazy in its importer, which registers it when it runs (register it under \`modules\` to load it from anywhere)` : ''
  throw new ModuleNotFoundError(text, suggest(text, known), detail)
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
