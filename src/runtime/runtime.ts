// The runtime's public face over the registry module it is given, so tests can run it on any
// registry. Browser-safe: no Node built-ins, no eval, and no name is ever turned into a URL: only
// files the build wrote into the registry are ever requested.
import type { HANDLE_HELPER, RegistryModule, RetryPolicy } from '../contract'
import type { ModuleInfo } from '../types'
import type { RuntimeState } from './loading'
import { declareIntegrity, fetchBytes } from './browser'
import { archiveBytes, loadEntry, preloadFiles } from './loading'
import { handle, handleName, listModules, loadable, lookUp, update, urlOf } from './registry'

export interface Loader<T = unknown> {
  readonly name: string
  readonly info: ModuleInfo
  /** Fetches and evaluates the module, once; later calls share the result. */
  load: () => Promise<T>
  /** Fetches the module's chunks without evaluating them, where the platform allows. */
  preload: () => Promise<void>
}

export function createRuntime(data: RegistryModule) {
  const state: RuntimeState = {
    ...data,
    entries: new Map(),
    chunks: {},
    ran: new Set(),
    retry: {},
    events: new EventTarget(),
    archiveFetches: new Map(),
    retries: 1,
    urlOf: file => urlOf(state, file),
    fetchBytes,
    archiveBytes: name => archiveBytes(state, name),
  }
  const { entries } = state
  update(state, data)
  if (data.facts.chunks)
    declareIntegrity(state.chunks, state.urlOf)

  function importModule<T = any>(name: string): Promise<T> {
    // Not async: callers share the load's own promise. A refused name still rejects, never throws.
    try {
      return loadEntry(state, lookUp(entries, name)) as Promise<T>
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
        load: () => loadEntry(state, entry) as Promise<T>,
        preload: () => preloadFiles(state, entry.info),
      })
    },
    iterModules: (prefix = ''): ModuleInfo[] => listModules(entries, prefix),
    hasModule: (name: string): boolean => !!loadable(entries, name),
    load<T>(handle: T): Promise<T> {
      const name = handleName(handle)
      if (name === undefined)
        return Promise.reject(new TypeError('load() takes a lazy module handle, from `import * as mod from … with { lazy: \'true\' }`. To load by name, use importModule(name).'))
      return importModule(name)
    },
    // Async, so that a name it refuses rejects like every other look-up instead of throwing.
    preload: async (handleOrName: unknown): Promise<void> => preloadFiles(state, lookUp(entries, handleName(handleOrName) ?? handleOrName).info),
    // The transform's code imports the helper by this name.
  } satisfies Record<string, unknown> & Record<typeof HANDLE_HELPER, unknown>
}

