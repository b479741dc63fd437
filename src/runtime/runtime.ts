// The runtime's logic, apart from the registry it is given, so tests can run it on any registry.
// Browser-safe: no Node built-ins, no eval, and no name is ever turned into a URL: only files the
// build wrote into the registry are ever requested.
import type { ModuleInfo } from '../types'
import { ModuleLoadError, ModuleNotFoundError } from './errors'
import { suggest } from './suggest'

export type { ModuleInfo }

export interface RegistryData {
  loaders: [name: string, load: () => Promise<unknown>][]
  facts: { buildId: string, root: string, modules: ModuleInfo[] }
  base: string
}

export interface Loader<T = unknown> {
  readonly name: string
  readonly info: ModuleInfo
  /** Fetches and evaluates the module, once; later calls share the result. */
  load: () => Promise<T>
  /** Fetches the module's chunks without evaluating them, where the platform allows. */
  preload: () => Promise<void>
}

const HANDLE = Symbol.for('lazy-modules:handle')

interface Entry {
  info: ModuleInfo
  loader?: () => Promise<unknown>
  pending?: Promise<unknown>
}

export function createRuntime(data: RegistryData) {
  const entries = new Map<string, Entry>()
  let base = data.base
  let root = ''

  function update(next: RegistryData) {
    base = next.base
    root = next.facts.root
    const loaders = new Map(next.loaders)
    for (const info of next.facts.modules) {
      const old = entries.get(info.name)
      entries.set(info.name, { info: Object.freeze(info), loader: loaders.get(info.name) ?? old?.loader, pending: old?.pending })
    }
    // A name gone from the registry is gone; a marked module's handle keeps its own entry.
    const names = new Set(next.facts.modules.map(info => info.name))
    for (const [name, entry] of entries) {
      if (!names.has(name) && entry.info.kind === 'registered')
        entries.delete(name)
    }
  }
  update(data)

  function lookUp(name: unknown): Entry {
    const entry = typeof name === 'string' ? entries.get(name) : undefined
    if (entry?.loader)
      return entry
    const text = typeof name === 'string' ? name : String(name)
    const known = [...entries.keys()].filter(key => entries.get(key)!.loader)
    const detail = entry ? ` loaded yet: it is marked lazy in its importer, which registers it when it runs (register it under \`modules\` to load it from anywhere)` : ''
    throw new ModuleNotFoundError(text, suggest(text, known), detail)
  }

  function loadEntry(entry: Entry): Promise<unknown> {
    entry.pending ??= (async () => {
      preloadFiles(entry.info)
      try {
        return await entry.loader!()
      }
      catch (cause) {
        // Not cached: the next call tries again.
        entry.pending = undefined
        throw new ModuleLoadError(entry.info.name, entry.info.file ? urlOf(entry.info.file) : undefined, 1, { cause })
      }
    })()
    return entry.pending
  }

  function urlOf(file: string): string {
    return new URL(root + file, base).href
  }

  /**
   * `<link rel=modulepreload>` for the module and every chunk it imports, so none waits for another.
   * CSS is left to the bundler's own `import()` wrapper, which Vite adds and which applies it in order.
   */
  function preloadFiles(info: ModuleInfo): Promise<void> {
    if (typeof document === 'undefined' || !info.file)
      return Promise.resolve()
    return Promise.all([info.file, ...info.imports].map(file => modulePreload(urlOf(file)))).then(() => {})
  }

  function importModule<T = any>(name: string): Promise<T> {
    try {
      return loadEntry(lookUp(name)) as Promise<T>
    }
    catch (error) {
      return Promise.reject(error)
    }
  }

  return {
    __update: update,
    __handle(name: string, loader: () => Promise<unknown>): object {
      const entry = entries.get(name)
      if (entry)
        entry.loader ??= loader
      else
        entries.set(name, { info: Object.freeze({ name, isPackage: false, kind: 'marked', source: name, file: null, imports: [], css: [], size: null, integrity: null }), loader })
      return Object.freeze({ [HANDLE]: name })
    },
    importModule,
    getLoader<T = any>(name: string): Loader<T> | undefined {
      const entry = typeof name === 'string' ? entries.get(name) : undefined
      if (!entry?.loader)
        return undefined
      return Object.freeze({
        name: entry.info.name,
        info: entry.info,
        load: () => loadEntry(entry) as Promise<T>,
        preload: () => preloadFiles(entry.info),
      })
    },
    iterModules(prefix = ''): ModuleInfo[] {
      return [...entries.values()].map(entry => entry.info).filter(info => info.name.startsWith(prefix)).sort((a, b) => a.name < b.name ? -1 : 1)
    },
    hasModule(name: string): boolean {
      return typeof name === 'string' && !!entries.get(name)?.loader
    },
    load<T>(handle: T): Promise<T> {
      const name = handleName(handle)
      if (name === undefined)
        return Promise.reject(new TypeError('load() takes a lazy module handle, from `import * as mod from … with { lazy: \'true\' }`. To load by name, use importModule(name).'))
      return importModule(name)
    },
    preload(handleOrName: unknown): Promise<void> {
      const name = handleName(handleOrName) ?? handleOrName
      return preloadFiles(lookUp(name).info)
    },
  }
}

function handleName(value: unknown): string | undefined {
  return value && typeof value === 'object' && HANDLE in value ? (value as any)[HANDLE] : undefined
}

function modulePreload(href: string): Promise<void> {
  for (const existing of document.querySelectorAll<HTMLLinkElement>('link[rel="modulepreload"]')) {
    if (existing.href === href)
      return Promise.resolve()
  }
  const element = document.createElement('link')
  element.rel = 'modulepreload'
  element.href = href
  return new Promise((resolve) => {
    // A failed preload is only a missed hint: the import itself reports the failure.
    element.onload = element.onerror = () => resolve()
    document.head.appendChild(element)
  })
}
