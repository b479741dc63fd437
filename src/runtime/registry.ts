// The runtime's table of lazy modules: each name's facts and loader, taken in from the registry
// module and from handles as marked imports run. A look-up here is the only way to a loader, so a
// name the build did not register is refused, never turned into a URL.
import type { ChunkFacts, RegistryModule } from '../contract'
import type { ModuleInfo } from '../types'
import { HANDLE_KEY } from '../contract'
import { ModuleNotFoundError } from './errors'
import { suggest } from './suggest'

export interface Entry {
  info: ModuleInfo
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
}

const HANDLE = Symbol.for(HANDLE_KEY)

/** Takes in a registry module: the build's at start, the dev server's when matching files come or go. */
export function update(registry: Registry, next: RegistryModule): void {
  const { entries } = registry
  const chunks = { ...next.facts.chunks }
  const loaders = new Map(next.loaders)
  const names = new Set<string>()
  for (const info of next.facts.modules) {
    const { name, file, integrity } = info
    if (file && chunks[file] && integrity)
      chunks[file] = { ...chunks[file], integrity }
    // A load under way or done carries over, so a module never runs twice.
    const old = entries.get(name)
    entries.set(name, { ...old, info: Object.freeze(info), loader: loaders.get(name) ?? old?.loader })
    names.add(name)
  }
  Object.assign(registry, next, { chunks })
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
  const entry = typeof name === 'string' ? entries.get(name) : undefined
  if (entry?.loader)
    return entry
  const text = String(name)
  const known = [...entries.keys()].filter(key => entries.get(key)!.loader)
  const detail = entry ? ` loaded yet: it is marked lazy in its importer, which registers it when it runs (register it under \`modules\` to load it from anywhere)` : ''
  throw new ModuleNotFoundError(text, suggest(text, known), detail)
}

/** Registers a marked module's loader as its importer runs; the handle is what `load()` takes. */
export function handle(entries: Map<string, Entry>, name: string, loader: () => Promise<unknown>): object {
  const entry = entries.get(name)
  if (entry)
    entry.loader ??= loader
  else
    entries.set(name, { info: Object.freeze({ name, isPackage: false, kind: 'marked', source: name, file: null, imports: [], css: [], size: null, integrity: null, archive: null }), loader })
  return Object.freeze({ [HANDLE]: name })
}

export function handleName(value: unknown): string | undefined {
  return value && typeof value === 'object' && HANDLE in value ? (value as any)[HANDLE] : undefined
}

export function listModules(entries: Map<string, Entry>, prefix: string): ModuleInfo[] {
  return [...entries.values()].map(entry => entry.info).filter(info => info.name.startsWith(prefix)).sort((a, b) => a.name < b.name ? -1 : 1)
}

/** A file of the output folder, as a URL: chunk paths in the facts are relative to the registry's chunk. */
export function urlOf({ facts, base }: Registry, file: string): string {
  return new URL(facts.root + file, base).href
}
