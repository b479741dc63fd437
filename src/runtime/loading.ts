// Loading a module past its first attempt, in the recovery chunk: an archived module read from its
// archive; a failed fetch retried with backoff, with a URL the browser has not cached a failure
// for; a chunk gone after a redeploy told apart from a flaky network. The first load's own code
// (src/runtime/runtime.ts) makes only the bundler's `import()`, and imports this when that fails.
import type { ChunkFacts, FactsModule, MemoryLoader, MemoryModule, MemorySource, RetryPolicy } from '../contract'
import type { ModuleInfo } from '../types'
import type { Entry, Registry } from './registry'
import { DEFAULT_RETRY, NODE_HOOKS_KEY } from '../contract'
import { addLink, declareIntegrity, FETCH_FAILED, fetchBytes, GONE, isMissing, staleBuild } from './browser'
import { ArchiveFormatError, IntegrityError, ModuleNotFoundError, StaleBuildError } from './check-errors'
import { ModuleLoadError } from './errors'
import { adoptFacts, factsOf } from './facts'
import { urlOf } from './registry'
import { remember } from './remember'
import { suggest } from './suggest'

/**
 * One runtime's state: its registry, and what its loads have set up and learned. It is also what the
 * memory loader is handed, so the two share one set of chunk facts, fetches and chunks that ran.
 */
export interface RuntimeState extends Registry, MemorySource {
  /** From `configure()`, over the build's policy. */
  retry: Partial<RetryPolicy>
  /** Where the stale event goes when `globalThis` is no event target. */
  events: EventTarget
  archiveFetches: Map<string, Promise<ArrayBuffer>>
  /** Forgotten when it fails, like every failure. */
  memoryLoader?: Promise<MemoryLoader>
  /** Retries in this page so far, plus one: each retry has its own number. */
  retries: number
  /** The facts module's import, until it is in; forgotten when it fails. */
  factsLoading?: Promise<void>
  /** The recovery chunk's import, until it is in; forgotten when it fails. */
  recoveryLoading?: Promise<unknown>
  /** Whether the first load's digests went into an import map (`integrity: true`). */
  declared?: boolean
}

const NODE_HOOKS = Symbol.for(NODE_HOOKS_KEY)

/**
 * What the recovery chunk adds to the runtime's state, once: its fetches and its imports. Then, where
 * the first load has the digests (`integrity: true`), an import map with them, before any lazy chunk
 * is imported.
 */
export function prepare(state: RuntimeState): void {
  if (!state.fetchBytes) {
    Object.assign(state, {
      chunks: {},
      ran: new Set(),
      archiveFetches: new Map(),
      urlOf: (file: string) => urlOf(state, file),
      fetchBytes,
      archiveBytes: (name: string) => archiveBytes(state, name),
    } satisfies Partial<RuntimeState>)
  }
  if (state.full && !state.adopted)
    adoptFacts(state, state.facts, state.base)
  if (state.full && state.facts.chunks && !state.declared) {
    state.declared = true
    declareIntegrity(state.chunks, state.urlOf)
  }
}

/**
 * Loads an entry past the bundler's own `import()`, which failed with `failed.cause` (or was never
 * made: an archived module, or a first load with all the facts). An archived module, a retry and
 * the stale-build check wait for the facts. Nothing that failed is kept: not the load (the next call
 * starts afresh), nor any fetch or import.
 */
export async function recover(state: RuntimeState, entry: Entry, failed?: { cause: unknown }): Promise<unknown> {
  prepare(state)
  const { name } = entry.info
  // A hint: a failure here surfaces from the load itself.
  if (state.full && !failed)
    preloadFiles(state, factsOf(entry)).catch(() => {})
  for (let attempt = 1; ; attempt++) {
    const number = attempt > 1 ? ++state.retries : 1
    let info: ModuleInfo | undefined
    try {
      if (failed && attempt === 1)
        throw failed.cause
      if (entry.archived || attempt > 1)
        await loadFacts(state, number)
      info = state.full ? factsOf(entry) : undefined
      const module = info ? await attemptLoad(state, entry, info, number) : await entry.loader!()
      if (info)
        closure(state.chunks, info.file).forEach(file => state.ran.add(file))
      else
        entry.ran = true
      return module
    }
    catch (cause) {
      const retryable = !isFinal(cause)
      // The facts say what to retry and how to tell a redeploy; without them, what failed may be
      // the facts' own chunk, gone with the build that wrote it.
      const factsFailed = retryable && !state.full && await loadFacts(state, number).then(() => false, () => true)
      info = state.full ? factsOf(entry) : undefined
      // A failed import ran nothing of its graph: what never ran gets a new URL next time.
      if (info)
        await state.memoryLoader?.then(loader => loader.forget(closure(state.chunks, info!.file)), () => {})
      const policy = { ...DEFAULT_RETRY, ...state.facts.retry, ...state.retry }
      const url = !info
        ? factsFailed && state.facts.facts ? state.urlOf(state.facts.facts) : undefined
        : info.archive && !(state.facts.fallback && attempt > 1) ? state.urlOf(info.archive.file) : info.file && state.urlOf(info.file)
      const gone = (cause as any)?.[FETCH_FAILED] === GONE
      const final = !retryable || attempt >= policy.attempts
      const currentBuild = url && retryable && (attempt === 1 || final || gone) ? await redeployedBuild(state, url, gone) : undefined
      if (final || currentBuild) {
        entry.pending = undefined
        if (currentBuild)
          return staleBuild(new StaleBuildError(name, url!, state.facts.buildId, currentBuild), state.events)
        throw typed(name, cause, url, attempt)
      }
      await new Promise(resolve => setTimeout(resolve, backoff(policy, attempt)))
    }
  }
}

/**
 * Refuses a look-up of a name the first load cannot load, with the names close to it. The facts, when
 * they can be had, tell a marked module whose importer has not run yet from a name nothing registers.
 */
export async function refuse(state: RuntimeState, name: unknown, notAHandle?: boolean): Promise<never> {
  if (notAHandle)
    throw new TypeError('load() takes a lazy module handle, from `import * as mod from … with { lazy: \'true\' }`. To load by name, use importModule(name).')
  prepare(state)
  await loadFacts(state).catch(() => {})
  const { entries } = state
  const text = String(name)
  const known = [...entries.keys()].filter(key => entries.get(key)!.loader)
  const detail = typeof name === 'string' && entries.has(name) ? ` loaded yet: it is marked lazy in its importer, which registers it when it runs (register it under \`modules\` to load it from anywhere)` : ''
  throw new ModuleNotFoundError(text, suggest(text, known), detail)
}

/** `loader.facts()`: the module's whole `ModuleInfo`, once the facts are in. */
export function facts(state: RuntimeState, entry: Entry): Promise<ModuleInfo> {
  prepare(state)
  return loadFacts(state).then(() => factsOf(entry), cause => Promise.reject(typed(entry.info.name, cause)))
}

/** `preload()`: module preloads for the module's chunks, with their digests, or its archive fetched and checked. */
export function preload(state: RuntimeState, entry: Entry): Promise<void> {
  prepare(state)
  return loadFacts(state).then(() => preloadFiles(state, factsOf(entry)), cause => Promise.reject(typed(entry.info.name, cause)))
}

/**
 * One of the runtime's own chunks (recovery, facts, memory loader), retried like any chunk: the
 * bundler's `import()` on a first attempt, and on a later one (`attempt`, a number no retry in this
 * page had before) a URL the browser has kept no failure for.
 */
function ownChunk<T>(state: RuntimeState, file: string | undefined, load: () => Promise<T>, attempt: number): Promise<T> {
  if (attempt === 1 || !file)
    return load()
  const url = `${state.urlOf(file)}?retry=${attempt}`
  return import(/* @vite-ignore */ url)
}

/** All the facts, from the facts module, imported once (`ownChunk`). */
export function loadFacts(state: RuntimeState, attempt = 1): Promise<void> {
  if (state.full)
    return Promise.resolve()
  return state.factsLoading ??= ownChunk(state, state.facts.facts, state.loadFacts ?? (() => import('virtual:lazy-modules/facts')), attempt).then(
    ({ facts, base }: FactsModule) => {
      adoptFacts(state, facts, base)
      // What loaded before ran from its own URL: a chunk it shares is that instance, never a second.
      for (const entry of state.entries.values()) {
        if (entry.ran)
          closure(state.chunks, factsOf(entry).file).forEach(file => state.ran.add(file))
      }
    },
    (error) => {
      state.factsLoading = undefined
      throw error
    },
  )
}

/**
 * `attempt` is 1 on a load's first attempt, else a number no retry in this page had before: a
 * browser keeps a failed module fetch for its URL, so `?retry=<attempt>` must never repeat.
 */
async function attemptLoad(state: RuntimeState, entry: Entry, info: ModuleInfo, attempt: number): Promise<unknown> {
  const nodeHooks = (globalThis as any)[NODE_HOOKS]
  if (info.archive && nodeHooks)
    return fromNodeArchive(state, info.archive, nodeHooks)
  if (info.archive && !(state.facts.fallback && attempt > 1)) {
    // What this attempt fetches is taken now, and a failure of either fails the attempt here: nothing
    // in it asks for the archive or the memory loader again. CSS stays loose; Vite's own import()
    // wrapper, which would have added it, is bypassed here.
    const [loader] = await Promise.all([
      memoryLoaderOf(state, attempt),
      state.archiveBytes(info.archive.name)[1],
      typeof document !== 'undefined' && Promise.all(info.css.map(file => addLink('stylesheet', state.urlOf(file)))),
    ])
    return loader.importFile(info.file!, attempt)
  }
  // A chunk this module needs already runs from memory (after an earlier retry): link to that one.
  // A memory loader that failed to load holds nothing, and is no failure of this module.
  const loaded = await state.memoryLoader?.catch(() => {})
  if (attempt === 1 && info.file && loaded?.holds(closure(state.chunks, info.file)))
    return loaded.importFile(info.file, ++state.retries)
  // The bundler's own import() first; on a retry it would meet the failure the browser keeps.
  if (attempt === 1 || !info.file || !memoryImport(state))
    return entry.loader!()
  // The loose copy of an archived chunk, or a chunk on a server's disk (Node cannot fetch it into
  // memory): a new URL is all a retry can change.
  if (info.archive || typeof document === 'undefined') {
    const url = `${state.urlOf(info.file)}?retry=${attempt}`
    return import(/* @vite-ignore */ url)
  }
  return (await memoryLoaderOf(state, attempt)).importFile(info.file, attempt)
}

async function fromNodeArchive(state: RuntimeState, archive: NonNullable<ModuleInfo['archive']>, nodeHooks: any): Promise<unknown> {
  // Node runs archived code through its loader hooks (`unplugin-lazy-modules/node`), so relative
  // imports and import.meta.url work natively there. The hooks first check the archive here.
  const url = state.urlOf(archive.file)
  const entries = Object.fromEntries(Object.entries(state.chunks).filter(([, chunk]) => chunk.archive === archive.name).map(([file, chunk]) => [file, chunk.integrity]))
  const refusal = await nodeHooks.trust(url, { archive: state.facts.archives![archive.name].integrity, entries })
  if (refusal?.name === 'IntegrityError')
    throw new IntegrityError(refusal.source, refusal.entry, refusal.expected, refusal.actual)
  if (refusal)
    throw new ArchiveFormatError(refusal.archive, refusal.entry, refusal.reason)
  const entry = `${url}/${archive.entry}`
  return import(/* @vite-ignore */ entry)
}

/**
 * `<link rel=modulepreload>` for the module and every chunk it imports, so none waits for another,
 * each with the build's digest: where the browser enforces it, a tampered chunk never runs.
 * CSS is left to the bundler's own `import()` wrapper, which Vite adds and which applies it in order.
 */
export function preloadFiles(state: RuntimeState, info: ModuleInfo): Promise<void> {
  const files = info.archive ? info.imports : [info.file!, ...info.imports]
  const links = typeof document === 'undefined' || !info.file ? [] : files.map(file => addLink('modulepreload', state.urlOf(file), state.chunks[file]?.integrity))
  // An archive is fetched and checked whole, which runs nothing (`imports` holds only loose chunks).
  // Checked once both have arrived: a fetch that failed is not made again by the check.
  const archive = info.archive && !(globalThis as any)[NODE_HOOKS]
    ? Promise.all([memoryLoaderOf(state), state.archiveBytes(info.archive.name)[1]]).then(([loader]) => loader.prefetch(info.archive!.name))
    : undefined
  return Promise.all([...links, archive]).then(() => {}, cause => Promise.reject(typed(info.name, cause)))
}

/** How the memory loader is imported, where there is one: only builds have its chunk (`facts.memory`). */
function memoryImport(state: RuntimeState): (() => Promise<MemoryModule>) | undefined {
  return state.memory ?? (state.facts.memory ? () => import('unplugin-lazy-modules/runtime/memory') : undefined)
}

/** The memory loader, from its own chunk (`ownChunk`). */
function memoryLoaderOf(state: RuntimeState, attempt = 1): Promise<MemoryLoader> {
  return state.memoryLoader ??= ownChunk(state, state.facts.memory, memoryImport(state)!, attempt).then(
    ({ createMemoryLoader }: MemoryModule) => createMemoryLoader(state),
    (error) => {
      state.memoryLoader = undefined
      throw error
    },
  )
}

/**
 * One fetch per archive, started as soon as a module from it is wanted, alongside the download
 * of the code that reads it rather than after; a failed fetch is forgotten.
 */
export function archiveBytes(state: RuntimeState, name: string): [string, Promise<ArrayBuffer>] {
  const url = state.urlOf(state.facts.archives![name].file)
  // The first load's fetch, when it made one, is taken once: a retry fetches anew.
  return [url, remember(state.archiveFetches, name, () => fetchBytes(url, state.fetchArchive?.(name, true)))]
}

/** The module's chunk and every lazy chunk it imports statically. */
function closure(chunks: Record<string, ChunkFacts>, file: string | null): Set<string> {
  const files = new Set<string>(file ? [file] : [])
  for (const each of files)
    chunks[each]?.imports.forEach(imported => files.add(imported))
  return files
}

/**
 * The build id the server has now, when `url` is gone (404, 410, or HTML: `gone` when a fetch of
 * this load found that already) and that build is not ours: a redeploy, not a flaky network. The
 * manifest counts only as JSON: a host that answers missing paths with its page has no manifest.
 */
async function redeployedBuild(state: RuntimeState, url: string, gone: boolean): Promise<string | undefined> {
  const { manifest, buildId } = state.facts
  if (!manifest || typeof fetch !== 'function' || !/^https?:/.test(url)
    || !(gone || await fetch(url, { method: 'HEAD', cache: 'no-store' }).then(isMissing, () => false)))
    return undefined
  const current = await fetch(`${state.urlOf(manifest)}?t=${Date.now()}`, { cache: 'no-store' })
    .then(response => response.ok && /json/.test(response.headers.get('content-type')!) ? response.json() : undefined)
    .catch(() => undefined)
  return typeof current?.buildId === 'string' && current.buildId !== buildId ? current.buildId : undefined
}

/** Every rejection is one of the runtime's errors: anything else is a `ModuleLoadError` with its cause. */
function typed(name: string, cause: unknown, url?: string | null, attempts = 1): Error {
  return isOurs(cause) || cause instanceof ModuleLoadError ? cause as Error : new ModuleLoadError(name, url || undefined, attempts, { cause })
}

function isOurs(error: unknown): boolean {
  return error instanceof ModuleNotFoundError || error instanceof IntegrityError || error instanceof ArchiveFormatError || error instanceof StaleBuildError
}

/** Failures a retry cannot cure: a wrong name, bytes that fail a check, the module's own exception. */
export function isFinal(error: unknown): boolean {
  if (isOurs(error))
    return true
  const { name, message, code } = (error ?? {}) as { name?: string, message?: string, code?: string }
  // What browsers and Node say when a module could not be fetched (a truncated body fails to parse).
  const fetchFailed = name === 'SyntaxError' || code === 'ERR_MODULE_NOT_FOUND' || (error as any)?.[FETCH_FAILED]
    || (name === 'TypeError' && /fetch|load|import|module script/i.test(message ?? ''))
  return !fetchFailed
}

export function backoff({ delay, maxDelay }: RetryPolicy, attempt: number): number {
  // Exponential, with jitter so that many clients hit by one outage do not return in step.
  return Math.min(maxDelay, delay * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2)
}
