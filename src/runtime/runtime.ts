// The runtime's logic, apart from the registry it is given, so tests can run it on any registry.
// Browser-safe: no Node built-ins, no eval, and no name is ever turned into a URL: only files the
// build wrote into the registry are ever requested.
import type { ArchiveInfo, ModuleInfo } from '../types'
import { ArchiveFormatError, IntegrityError, ModuleLoadError, ModuleNotFoundError } from './errors'
import { suggest } from './suggest'

export type { ModuleInfo }

export interface RegistryData {
  loaders: [name: string, load: () => Promise<unknown>][]
  facts: Facts
  base: string
  /** The archive loader, in builds that have archives. */
  archive?: () => Promise<typeof import('./archive')>
}

export interface Facts {
  buildId: string
  /** From the registry's chunk back to the output folder. */
  root: string
  modules: ModuleInfo[]
  archives?: Record<string, ArchiveInfo>
  /** Archived chunks were kept loose too, to fall back on. */
  fallback?: boolean
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
  let facts = data.facts
  let archive = data.archive
  let archiveLoader: Promise<ReturnType<typeof import('./archive').createArchiveLoader>> | undefined

  function update(next: RegistryData) {
    base = next.base
    facts = next.facts
    archive = next.archive
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
    const { info } = entry
    entry.pending ??= (async () => {
      // A hint: a failure here surfaces from the load itself.
      preloadFiles(info).catch(() => {})
      try {
        if (!info.archive)
          return await entry.loader!()
        try {
          return await fromArchive(info)
        }
        catch (error) {
          // Loose copies stand in for an archive that could not be fetched, never for one that lied.
          if (!facts.fallback || error instanceof IntegrityError || error instanceof ArchiveFormatError)
            throw error
          return await entry.loader!()
        }
      }
      catch (cause) {
        // Not cached: the next call tries again.
        entry.pending = undefined
        const url = info.archive ? urlOf(info.archive.file) : info.file ? urlOf(info.file) : undefined
        throw cause instanceof IntegrityError || cause instanceof ArchiveFormatError ? cause : new ModuleLoadError(info.name, url, 1, { cause })
      }
    })()
    return entry.pending
  }

  function loadArchives() {
    return archiveLoader ??= archive!().then(({ createArchiveLoader }) => createArchiveLoader(facts.archives ?? {}, urlOf, fetchBytes))
  }

  async function fromArchive({ archive, css }: ModuleInfo): Promise<unknown> {
    const { name, file, entry } = archive!
    // Node runs archived code through its loader hooks (`unplugin-lazy-modules/node`), so relative
    // imports and import.meta.url work natively there; elsewhere it runs from memory.
    const nodeHooks = (globalThis as any)[Symbol.for('lazy-modules:node-hooks')]
    if (nodeHooks) {
      const url = urlOf(file)
      const { integrity, entries } = facts.archives![name]
      const refusal = await nodeHooks.trust(url, { archive: integrity, entries: Object.fromEntries(Object.entries(entries).map(([entry, info]) => [entry, info.integrity])) })
      if (refusal?.name === 'IntegrityError')
        throw new IntegrityError(refusal.source, refusal.entry, refusal.expected, refusal.actual)
      if (refusal)
        throw new ArchiveFormatError(refusal.archive, refusal.entry, refusal.reason)
      return import(/* @vite-ignore */ `${url}/${entry}`)
    }
    // CSS stays loose; Vite's own import() wrapper, which would have added it, is bypassed here.
    if (typeof document !== 'undefined')
      await Promise.all(css.map(file => addLink('stylesheet', urlOf(file))))
    return (await loadArchives()).importEntry(name, entry)
  }

  function urlOf(file: string): string {
    return new URL(facts.root + file, base).href
  }

  /**
   * `<link rel=modulepreload>` for the module and every chunk it imports, so none waits for another.
   * CSS is left to the bundler's own `import()` wrapper, which Vite adds and which applies it in order.
   */
  function preloadFiles(info: ModuleInfo): Promise<void> {
    const files = info.archive ? info.imports : [info.file!, ...info.imports]
    const links = typeof document === 'undefined' || !info.file ? [] : files.map(file => addLink('modulepreload', urlOf(file)))
    // An archive is fetched and checked whole, which runs nothing (`imports` holds only loose chunks).
    const archive = info.archive && !(globalThis as any)[Symbol.for('lazy-modules:node-hooks')]
      ? loadArchives().then(loader => loader.prefetch(info.archive!.name))
      : undefined
    return Promise.all([...links, archive]).then(() => {})
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
        entries.set(name, { info: Object.freeze({ name, isPackage: false, kind: 'marked', source: name, file: null, imports: [], css: [], size: null, integrity: null, archive: null }), loader })
      return Object.freeze({ [HANDLE]: name })
    },
    importModule,
    getLoader<T = any>(nameOrHandle: unknown): Loader<T> | undefined {
      const name = handleName(nameOrHandle) ?? nameOrHandle
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

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  if (url.startsWith('file:'))
    throw new Error(`${url} is a file: Node runs archived modules through its loader hooks, so start it with \`node --import unplugin-lazy-modules/node\`.`)
  const response = await fetch(url)
  if (!response.ok)
    throw new Error(`HTTP ${response.status} for ${url}`)
  return response.arrayBuffer()
}

function addLink(rel: string, href: string): Promise<void> {
  for (const existing of document.querySelectorAll<HTMLLinkElement>(`link[rel="${rel}"]`)) {
    if (existing.href === href)
      return Promise.resolve()
  }
  const element = document.createElement('link')
  element.rel = rel
  // Same-origin links are written as a path, the form Vite's own preloading looks for, so the
  // two never add a chunk twice.
  const url = new URL(href)
  element.setAttribute('href', url.origin === location.origin ? url.pathname + url.search : href)
  return new Promise((resolve) => {
    // A failed preload is only a missed hint: the import itself reports the failure.
    element.onload = element.onerror = () => resolve()
    document.head.appendChild(element)
  })
}
