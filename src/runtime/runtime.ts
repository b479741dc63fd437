// The first load's part of the runtime: the look-ups over the registry, and a first attempt that is
// the bundler's own `import()`. Everything else (retries, the stale-build check, archives,
// `preload()`, the facts, and the explanation of a name refused) is in the recovery chunk, imported
// when a load fails or needs more. Each look-up is a function of its own over one state, so that a
// bundler drops those an app does not use. Browser-safe: no Node built-ins, no eval, and no name is
// ever turned into a URL: only files the build wrote into the registry are ever requested.
import type { RegistryModule, RetryPolicy } from '../contract'
import type { ModuleInfo, ModuleSummary } from '../types'
import type { RuntimeState } from './loading'
import type { Entry } from './registry'
import { ModuleLoadError } from './errors'
import { fill, handle, handleName, listModules, loadable, update, urlOf } from './registry'

/** What the recovery chunk exports (src/runtime/recovery.ts). */
type Recovery = typeof import('./recovery')['recovery']

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

/** A runtime's state over the registry module it is given. */
export function createState(data: RegistryModule): RuntimeState {
  const state = { entries: new Map(), events: new EventTarget(), retry: {}, retries: 1 } as unknown as RuntimeState
  fill(state, data)
  return state
}

/**
 * Runs `use` on the recovery chunk, which is retried like any chunk: the bundler's `import()` first,
 * then under a URL the browser has kept no failure for. If it cannot be had, the load fails with
 * `cause`, its own failure.
 */
async function withRecovery<T>(state: RuntimeState, name: string, use: (recovery: Recovery) => Promise<T>, cause?: unknown): Promise<T> {
  // The build's policy comes with the facts, defaults filled in; none (dev) means no retry.
  const policy = { ...state.facts.retry, ...state.retry }
  const file = state.facts.recovery
  for (let attempt = 1; ; attempt++) {
    // As `ownChunk` (src/runtime/loading.ts) does for the facts and the memory loader, written out
    // here so that the first load does not carry it.
    const loading = state.recoveryLoading ??= (attempt > 1 && file ? import(/* @vite-ignore */ `${urlOf(state, file)}?retry=${++state.retries}`).then(({ recovery }) => recovery) : state.recovery!())
    try {
      return await use(await loading as Recovery)
    }
    catch (error) {
      if (await loading.then(() => true, () => false))
        throw error
      state.recoveryLoading = undefined
      if (!(attempt < policy.attempts!))
        throw new ModuleLoadError(name, undefined, attempt, { cause: cause ?? error })
      await new Promise(resolve => setTimeout(resolve, Math.min(policy.maxDelay!, policy.delay! * 2 ** (attempt - 1))))
    }
  }
}

function loadEntry(state: RuntimeState, entry: Entry): Promise<unknown> {
  const { name } = entry.info
  return entry.pending ??= (async () => {
    let failed: { cause: unknown } | undefined
    // An archived module's archive comes beside the recovery chunk, not after it.
    if (entry.archived)
      state.fetchArchive!(entry.archived)
    // The recovery chunk comes in the background with the first load of a module: after a full
    // redeploy it would be gone with its build, and a failure could no longer be told apart.
    if (!state.recoveryLoading)
      withRecovery(state, name, async recovery => recovery.prepare(state)).catch(() => {})
    if (!state.full && !entry.archived) {
      try {
        const module = await entry.loader!()
        entry.ran = true
        return module
      }
      catch (cause) {
        failed = { cause }
      }
    }
    return withRecovery(state, name, recovery => recovery.recover(state, entry, failed), failed?.cause)
  })().catch((error) => {
    entry.pending = undefined
    throw error
  })
}

/** Loads a module by its registered name. Not async: callers share the load's own promise. */
export function importModule<T = any>(state: RuntimeState, name: unknown): Promise<T> {
  const entry = loadable(state.entries, name)
  return (entry ? loadEntry(state, entry) : withRecovery(state, name as string, recovery => recovery.refuse(state, name))) as Promise<T>
}

/** Loads the module behind a lazy handle; anything else is refused. */
export function load<T>(state: RuntimeState, lazy: T): Promise<T> {
  const name = handleName(lazy)
  return name === undefined ? withRecovery(state, '', recovery => recovery.refuse(state, lazy, true)) : importModule(state, name)
}

export function getLoader<T = any>(state: RuntimeState, nameOrHandle: unknown): Loader<T> | undefined {
  const entry = loadable(state.entries, handleName(nameOrHandle) ?? nameOrHandle)
  return entry && Object.freeze({
    name: entry.info.name,
    info: entry.info,
    load: () => loadEntry(state, entry) as Promise<T>,
    preload: () => withRecovery(state, entry.info.name, recovery => recovery.preload(state, entry)),
    facts: () => withRecovery(state, entry.info.name, recovery => recovery.facts(state, entry)),
  })
}

/** Fetches a module's chunks without running them. A name refused rejects, like every other look-up. */
export function preload(state: RuntimeState, handleOrName: unknown): Promise<void> {
  const name = handleName(handleOrName) ?? handleOrName
  const entry = loadable(state.entries, name)
  return withRecovery(state, name as string, recovery => entry ? recovery.preload(state, entry) : recovery.refuse(state, name))
}

export const iterModules = (state: RuntimeState, prefix = ''): ModuleSummary[] => listModules(state.entries, prefix)

export const hasModule = (state: RuntimeState, name: unknown): boolean => !!loadable(state.entries, name)

export function configure(state: RuntimeState, options: { retry?: Partial<RetryPolicy> }): void {
  state.retry = { ...state.retry, ...options.retry }
}

/** Registers a marked module's loader as its importer runs: the code the transform writes calls this. */
export const lazyHandle = (state: RuntimeState, name: string, loader: () => Promise<unknown>): object => handle(state.entries, name, loader)

/**
 * A runtime over any registry module, with every look-up bound to it: for tests and hosts that hand
 * in a registry of their own. The package's entry (src/runtime/index.ts) binds each look-up alone.
 */
export function createRuntime(data: RegistryModule) {
  const state = createState(data)
  return {
    events: state.events,
    __update: (next: RegistryModule): void => update(state, next),
    __lazyHandle: (name: string, loader: () => Promise<unknown>): object => lazyHandle(state, name, loader),
    configure: (options: { retry?: Partial<RetryPolicy> }): void => configure(state, options),
    importModule: <T = any>(name: unknown): Promise<T> => importModule<T>(state, name),
    getLoader: <T = any>(nameOrHandle: unknown): Loader<T> | undefined => getLoader<T>(state, nameOrHandle),
    iterModules: (prefix?: string): ModuleSummary[] => iterModules(state, prefix),
    hasModule: (name: unknown): boolean => hasModule(state, name),
    load: <T>(handle: T): Promise<T> => load(state, handle),
    preload: (handleOrName: unknown): Promise<void> => preload(state, handleOrName),
  }
}
