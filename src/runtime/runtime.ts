// The runtime's public face over the registry module it is given, so tests can run it on any
// registry. Browser-safe: no Node built-ins, no eval, and no name is ever turned into a URL: only
// files the build wrote into the registry are ever requested.
import type { HANDLE_HELPER, RegistryModule, RetryPolicy } from '../contract'
import type { ModuleInfo, ModuleSummary } from '../types'
import type { RuntimeState } from './loading'
import type { Entry } from './registry'
import { DEFAULT_RETRY } from '../contract'
import { ModuleLoadError } from './errors'
import { handle, handleName, listModules, loadable, lookUp, update, urlOf } from './registry'

/** The recovery chunk's exports (src/runtime/recovery.ts). */
type Recovery = typeof import('./recovery')

export interface Loader<T = unknown> {
  readonly name: string
  /** What the first load knows: name, `isPackage`, `kind` and `meta`. */
  readonly info: ModuleSummary
  /**
   * The module's full facts (chunk, imports, CSS, size, digest, archive, source), which load with
   * the build's facts file the first time anything asks for them. Runs nothing of the module.
   */
  facts: () => Promise<ModuleInfo>
  /** Fetches and evaluates the module, once; later calls share the result. */
  load: () => Promise<T>
  /** Fetches the module's chunks without evaluating them, where the platform allows. */
  preload: () => Promise<void>
}

/**
 * The first load's part of the runtime: the registry, the public API, and a first attempt that is
 * the bundler's own `import()`. Everything else is in the recovery chunk, imported when a load fails
 * or needs more (an archive, `preload()`, facts); with all the facts at start (`integrity: true`,
 * dev), every load goes through it, so that digests are declared before anything is imported.
 * One closure past the usual length on purpose: it is the code every visitor downloads, and a closure
 * over one state minifies smaller than the same steps passing the state around.
 */
export function createRuntime(data: RegistryModule) {
  const state = {
    ...data,
    entries: new Map(),
    chunks: {},
    ran: new Set(),
    retry: {},
    events: new EventTarget(),
    archiveFetches: new Map(),
    retries: 1,
    full: false,
    loaded: new Set(),
    urlOf: (file: string) => urlOf(state, file),
  } as unknown as RuntimeState
  const { entries } = state
  update(state, data)

  /**
   * The recovery chunk, retried like any chunk: the bundler's `import()` first, then under a URL the
   * browser has kept no failure for. If it cannot be had, the load fails with `cause`, its own failure.
   */
  async function recovery<T>(name: string, use: (recovery: Recovery) => Promise<T>, cause?: unknown): Promise<T> {
    const policy = { ...DEFAULT_RETRY, ...state.facts.retry, ...state.retry }
    const file = state.facts.recovery
    for (let attempt = 1; ; attempt++) {
      // As `ownChunk` (src/runtime/loading.ts) does for the facts and the memory loader, written out
      // here so that the first load does not carry it.
      const loading = state.recoveryLoading ??= (attempt > 1 && file ? import(/* @vite-ignore */ `${state.urlOf(file)}?retry=${++state.retries}`) : state.recovery!())
      try {
        return await use(await loading as Recovery)
      }
      catch (error) {
        if (await loading.then(() => true, () => false))
          throw error
        state.recoveryLoading = undefined
        if (attempt >= policy.attempts)
          throw new ModuleLoadError(name, undefined, attempt, { cause: cause ?? error })
        await new Promise(resolve => setTimeout(resolve, Math.min(policy.maxDelay, policy.delay * 2 ** (attempt - 1))))
      }
    }
  }

  function loadEntry(entry: Entry): Promise<unknown> {
    return entry.pending ??= (async () => {
      let failed: { cause: unknown } | undefined
      // An archived module needs the facts and the memory loader: fetched beside the recovery chunk,
      // not after it. The recovery chunk imports them again, sharing these fetches (or retrying them).
      if (entry.archived && !state.full)
        [state.loadFacts, state.memory].forEach(load => load?.().catch(() => {}))
      // The recovery chunk comes in the background with the first load of a module: after a full
      // redeploy it would be gone with its build, and a failure could no longer be told apart.
      else if (!state.recoveryLoading)
        recovery(entry.info.name, async () => {}).catch(() => {})
      if (!state.full && !entry.archived) {
        try {
          const module = await entry.loader!()
          state.loaded.add(entry)
          return module
        }
        catch (cause) {
          failed = { cause }
        }
      }
      return recovery(entry.info.name, recovery => recovery.recover(state, entry, failed), failed?.cause)
    })().catch((error) => {
      entry.pending = undefined
      throw error
    })
  }

  function preload(entry: Entry): Promise<void> {
    return recovery(entry.info.name, recovery => recovery.preload(state, entry))
  }

  function importModule<T = any>(name: string): Promise<T> {
    // Not async: callers share the load's own promise. A refused name still rejects, never throws.
    try {
      return loadEntry(lookUp(entries, name)) as Promise<T>
    }
    catch (error) {
      return Promise.reject(error)
    }
  }

  return {
    events: state.events,
    __update: (next: RegistryModule): void => update(state, next),
    __lazyHandle: (name: string, loader: () => Promise<unknown>): object => handle(entries, name, loader),
    configure(options: { retry?: Partial<RetryPolicy> }): void {
      state.retry = { ...state.retry, ...options.retry }
    },
    importModule,
    getLoader<T = any>(nameOrHandle: unknown): Loader<T> | undefined {
      const entry = loadable(entries, handleName(nameOrHandle) ?? nameOrHandle)
      return entry && Object.freeze({
        name: entry.info.name,
        info: entry.info,
        load: () => loadEntry(entry) as Promise<T>,
        preload: () => preload(entry),
        facts: () => recovery(entry.info.name, recovery => recovery.facts(state, entry)),
      })
    },
    iterModules: (prefix = ''): ModuleSummary[] => listModules(entries, prefix),
    hasModule: (name: string): boolean => !!loadable(entries, name),
    load<T>(handle: T): Promise<T> {
      const name = handleName(handle)
      if (name === undefined)
        return Promise.reject(new TypeError('load() takes a lazy module handle, from `import * as mod from … with { lazy: \'true\' }`. To load by name, use importModule(name).'))
      return importModule(name)
    },
    // Async, so that a name it refuses rejects like every other look-up instead of throwing.
    preload: async (handleOrName: unknown): Promise<void> => preload(lookUp(entries, handleName(handleOrName) ?? handleOrName)),
    // The transform's code imports the helper by this name.
  } satisfies Record<string, unknown> & Record<typeof HANDLE_HELPER, unknown>
}

