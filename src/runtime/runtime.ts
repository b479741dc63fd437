// The runtime's logic, apart from the registry it is given, so tests can run it on any registry.
// Browser-safe: no Node built-ins, no eval, and no name is ever turned into a URL: only files the
// build wrote into the registry are ever requested.
import type { ModuleInfo } from '../types'
import { ArchiveFormatError, IntegrityError, ModuleLoadError, ModuleNotFoundError, StaleBuildError } from './errors'
import { remember } from './remember'
import { suggest } from './suggest'

export type { ModuleInfo }

export interface RegistryData {
  loaders: [name: string, load: () => Promise<unknown>][]
  facts: Facts
  base: string
  /** Runs chunks from memory (archives, retries); only builds have it. */
  memory?: () => Promise<typeof import('./memory')>
}

/** What the build knows about one lazy chunk, so it can be fetched again or run from memory. */
export interface ChunkFacts {
  /** Omitted where a module's own `integrity` already gives it. */
  integrity?: string
  /** Lazy chunks it imports statically. */
  imports: string[]
  /** Where its code names chunks: `[start, end, target]`, `''` for itself. Absent when unknown. */
  links?: [number, number, string][]
  /** The archive it is in. */
  archive?: string
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number
  /** Milliseconds before the first retry; each later one waits twice as long, with jitter. */
  delay: number
  maxDelay: number
}

export interface Facts {
  buildId: string
  /** From the registry's chunk back to the output folder. */
  root: string
  modules: ModuleInfo[]
  chunks?: Record<string, ChunkFacts>
  /** Archive name → its zip and the zip's digest. */
  archives?: Record<string, { file: string, integrity: string }>
  /** Archived chunks were kept loose too, to fall back on. */
  fallback?: boolean
  /** The manifest's file, read to tell a redeploy from a flaky network. */
  manifest?: string | null
  retry?: RetryPolicy
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
const DEFAULT_RETRY: RetryPolicy = { attempts: 3, delay: 250, maxDelay: 4000 }

interface Entry {
  info: ModuleInfo
  loader?: () => Promise<unknown>
  pending?: Promise<unknown>
}

type MemoryLoader = ReturnType<typeof import('./memory').createMemoryLoader>

export function createRuntime(data: RegistryData) {
  const entries = new Map<string, Entry>()
  let { base, facts, memory } = data
  /** Every lazy chunk with its digest: the build lists a module's chunk digest once, on the module. */
  let chunks: Record<string, ChunkFacts> = {}
  let memoryLoader: Promise<MemoryLoader> | undefined
  let retry: Partial<RetryPolicy> = {}
  /** Lazy chunks that ran from the URL they have now; initial chunks are not listed and count as run. */
  const ran = new Set<string>()
  const events = new EventTarget()
  const archiveFetches = new Map<string, Promise<ArrayBuffer>>()

  function update(next: RegistryData) {
    ;({ base, facts, memory } = next)
    chunks = { ...facts.chunks }
    for (const { file, integrity } of facts.modules) {
      if (file && chunks[file] && integrity)
        chunks[file] = { ...chunks[file], integrity }
    }
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
  declareIntegrity()

  /**
   * Tells the browser every lazy chunk's digest through an import map's `integrity`, which applies to
   * `import()` too: a tampered chunk then fails to load instead of running. Browsers that do not
   * support it ignore it; the retry that follows a failure checks the digest itself.
   */
  function declareIntegrity() {
    if (typeof document === 'undefined' || !facts.chunks || !HTMLScriptElement.supports?.('importmap'))
      return
    const integrity = Object.fromEntries(Object.entries(chunks).filter(([, chunk]) => !chunk.archive).map(([file, chunk]) => [urlOf(file), chunk.integrity]))
    const script = document.createElement('script')
    script.type = 'importmap'
    script.textContent = JSON.stringify({ integrity })
    document.head.appendChild(script)
  }

  function lookUp(name: unknown): Entry {
    const entry = typeof name === 'string' ? entries.get(name) : undefined
    if (entry?.loader)
      return entry
    const text = typeof name === 'string' ? name : String(name)
    const known = [...entries.keys()].filter(key => entries.get(key)!.loader)
    const detail = entry ? ` loaded yet: it is marked lazy in its importer, which registers it when it runs (register it under \`modules\` to load it from anywhere)` : ''
    throw new ModuleNotFoundError(text, suggest(text, known), detail)
  }

  function urlOf(file: string): string {
    return new URL(facts.root + file, base).href
  }

  function memoryLoaderOf(): Promise<MemoryLoader> {
    return memoryLoader ??= memory!().then(({ createMemoryLoader }) => createMemoryLoader({ chunks, urlOf, fetchBytes, archiveBytes, ran }))
  }

  /**
   * One fetch per archive, started as soon as a module from it is wanted, alongside the download
   * of the code that reads it rather than after; a failed fetch is forgotten.
   */
  function archiveBytes(name: string): [string, Promise<ArrayBuffer>] {
    const url = urlOf(facts.archives![name].file)
    return [url, remember(archiveFetches, name, () => fetchBytes(url))]
  }

  /** The module's chunk and every lazy chunk it imports statically. */
  function closure(file: string | null): Set<string> {
    const files = new Set<string>(file ? [file] : [])
    for (const each of files)
      chunks[each]?.imports.forEach(imported => files.add(imported))
    return files
  }

  function loadEntry(entry: Entry): Promise<unknown> {
    const { info } = entry
    const policy = { ...DEFAULT_RETRY, ...facts.retry, ...retry }
    return entry.pending ??= (async () => {
      // A hint: a failure here surfaces from the load itself.
      preloadFiles(info).catch(() => {})
      for (let attempt = 1; ; attempt++) {
        try {
          const module = await attemptLoad(entry, attempt)
          closure(info.file).forEach(file => ran.add(file))
          return module
        }
        catch (cause) {
          // A failed import ran nothing of its graph: what never ran gets a new URL next time.
          ;(await memoryLoader)?.forget(closure(info.file))
          const url = info.archive && !(facts.fallback && attempt > 1) ? urlOf(info.archive.file) : info.file && urlOf(info.file)
          const final = isFinal(cause) || attempt >= policy.attempts
          const currentBuild = url && (attempt === 1 || final) && !isFinal(cause) ? await redeployedBuild(url) : undefined
          if (final || currentBuild) {
            entry.pending = undefined
            if (currentBuild)
              return staleBuild(new StaleBuildError(info.name, url!, facts.buildId, currentBuild), events)
            throw isOurs(cause) ? cause : new ModuleLoadError(info.name, url || undefined, attempt, { cause })
          }
          await new Promise(resolve => setTimeout(resolve, backoff(policy, attempt)))
        }
      }
    })()
  }

  async function attemptLoad(entry: Entry, attempt: number): Promise<unknown> {
    const { info } = entry
    const nodeHooks = (globalThis as any)[Symbol.for('lazy-modules:node-hooks')]
    if (info.archive && nodeHooks)
      return fromNodeArchive(info.archive, nodeHooks)
    if (info.archive && !(facts.fallback && attempt > 1)) {
      // CSS stays loose; Vite's own import() wrapper, which would have added it, is bypassed here.
      archiveBytes(info.archive.name)[1].catch(() => {})
      if (typeof document !== 'undefined')
        await Promise.all(info.css.map(file => addLink('stylesheet', urlOf(file))))
      return (await memoryLoaderOf()).importFile(info.file!, attempt)
    }
    // A chunk this module needs already runs from memory (after an earlier retry): link to that one.
    const loaded = memoryLoader && await memoryLoader
    if (attempt === 1 && info.file && loaded?.holds(closure(info.file)))
      return loaded.importFile(info.file, 2)
    // The bundler's own import() first; on a retry it would meet the failure the browser keeps.
    if (attempt === 1 || !info.file || !memory)
      return entry.loader!()
    // The loose copy of an archived chunk, or a chunk on a server's disk (Node cannot fetch it into
    // memory): a new URL is all a retry can change.
    if (info.archive || typeof document === 'undefined')
      return import(/* @vite-ignore */ `${urlOf(info.file)}?retry=${attempt}`)
    return (await memoryLoaderOf()).importFile(info.file, attempt)
  }

  async function fromNodeArchive(archive: NonNullable<ModuleInfo['archive']>, nodeHooks: any): Promise<unknown> {
    // Node runs archived code through its loader hooks (`unplugin-lazy-modules/node`), so relative
    // imports and import.meta.url work natively there. The hooks first check the archive here.
    const url = urlOf(archive.file)
    const entries = Object.fromEntries(Object.entries(chunks).filter(([, chunk]) => chunk.archive === archive.name).map(([file, chunk]) => [file, chunk.integrity]))
    const refusal = await nodeHooks.trust(url, { archive: facts.archives![archive.name].integrity, entries })
    if (refusal?.name === 'IntegrityError')
      throw new IntegrityError(refusal.source, refusal.entry, refusal.expected, refusal.actual)
    if (refusal)
      throw new ArchiveFormatError(refusal.archive, refusal.entry, refusal.reason)
    return import(/* @vite-ignore */ `${url}/${archive.entry}`)
  }

  /**
   * The build id the server has now, when `url` is gone (404/410) and that build is not ours:
   * a redeploy, not a flaky network.
   */
  async function redeployedBuild(url: string): Promise<string | undefined> {
    if (!facts.manifest || typeof fetch !== 'function' || !/^https?:/.test(url))
      return undefined
    const gone = await fetch(url, { method: 'HEAD', cache: 'no-store' }).then(response => response.status === 404 || response.status === 410, () => false)
    if (!gone)
      return undefined
    const current = await fetch(`${urlOf(facts.manifest)}?t=${Date.now()}`, { cache: 'no-store' }).then(response => response.ok ? response.json() : undefined).catch(() => undefined)
    return typeof current?.buildId === 'string' && current.buildId !== facts.buildId ? current.buildId : undefined
  }

  /**
   * `<link rel=modulepreload>` for the module and every chunk it imports, so none waits for another,
   * each with the build's digest: where the browser enforces it, a tampered chunk never runs.
   * CSS is left to the bundler's own `import()` wrapper, which Vite adds and which applies it in order.
   */
  function preloadFiles(info: ModuleInfo): Promise<void> {
    const files = info.archive ? info.imports : [info.file!, ...info.imports]
    const links = typeof document === 'undefined' || !info.file ? [] : files.map(file => addLink('modulepreload', urlOf(file), chunks[file]?.integrity))
    // An archive is fetched and checked whole, which runs nothing (`imports` holds only loose chunks).
    const archive = info.archive && !(globalThis as any)[Symbol.for('lazy-modules:node-hooks')]
      ? (archiveBytes(info.archive.name), memoryLoaderOf().then(loader => loader.prefetch(info.archive!.name)))
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
    events,
    __update: update,
    __handle(name: string, loader: () => Promise<unknown>): object {
      const entry = entries.get(name)
      if (entry)
        entry.loader ??= loader
      else
        entries.set(name, { info: Object.freeze({ name, isPackage: false, kind: 'marked', source: name, file: null, imports: [], css: [], size: null, integrity: null, archive: null }), loader })
      return Object.freeze({ [HANDLE]: name })
    },
    configure(options: { retry?: Partial<RetryPolicy> }) {
      retry = { ...retry, ...options.retry }
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

function isOurs(error: unknown): boolean {
  return error instanceof ModuleNotFoundError || error instanceof IntegrityError || error instanceof ArchiveFormatError || error instanceof StaleBuildError
}

/** Failures a retry cannot cure: a wrong name, bytes that fail a check, the module's own exception. */
function isFinal(error: unknown): boolean {
  if (isOurs(error))
    return true
  const { name, message, code } = (error ?? {}) as { name?: string, message?: string, code?: string }
  // What browsers and Node say when a module could not be fetched (a truncated body fails to parse).
  const fetchFailed = name === 'SyntaxError' || code === 'ERR_MODULE_NOT_FOUND' || (error as any)?.[FETCH_FAILED]
    || (name === 'TypeError' && /fetch|load|import|module script/i.test(message ?? ''))
  return !fetchFailed
}

function backoff({ delay, maxDelay }: RetryPolicy, attempt: number): number {
  // Exponential, with jitter so that many clients hit by one outage do not return in step.
  return Math.min(maxDelay, delay * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2)
}

/**
 * Dispatches the cancelable `lazy-modules:stale` event on `window` (on `globalThis` where that is an
 * event target, as in workers; else, as in Node, on the runtime's `events`). An app that cancels
 * it has taken over.
 */
function staleBuild(error: StaleBuildError, events: EventTarget): Promise<never> {
  const global = globalThis as unknown as Partial<EventTarget>
  const target = typeof global.dispatchEvent === 'function' ? global as EventTarget : events
  const event = new CustomEvent('lazy-modules:stale', { cancelable: true, detail: error })
  if (!target.dispatchEvent(event))
    return new Promise(() => {}) // the app reloads or otherwise handles it; nothing to settle
  return Promise.reject(error)
}

function handleName(value: unknown): string | undefined {
  return value && typeof value === 'object' && HANDLE in value ? (value as any)[HANDLE] : undefined
}

const FETCH_FAILED = Symbol('fetch failed')

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  if (url.startsWith('file:'))
    throw new Error(`${url} is a file: Node runs archived modules through its loader hooks, so start it with \`node --import unplugin-lazy-modules/node\`.`)
  const response = await fetch(url).catch((error) => {
    throw Object.assign(error, { [FETCH_FAILED]: true })
  })
  if (!response.ok)
    throw Object.assign(new Error(`HTTP ${response.status} for ${url}`), { [FETCH_FAILED]: true })
  // A body cut short rejects here, and is retried like any failed fetch.
  return response.arrayBuffer().catch((error) => {
    throw Object.assign(error, { [FETCH_FAILED]: true })
  })
}

function addLink(rel: string, href: string, integrity?: string): Promise<void> {
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
  if (integrity)
    element.integrity = integrity
  return new Promise((resolve) => {
    // A failed preload is only a missed hint: the import itself reports the failure.
    element.onload = element.onerror = () => resolve()
    document.head.appendChild(element)
  })
}
