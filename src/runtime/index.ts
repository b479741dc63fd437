// `unplugin-lazy-modules/runtime`: Python's importlib and pkgutil, for a bundled app.
// The plugin resolves this file itself, so it always sees the registry of the build it is in.
import type { RetryPolicy } from '../contract'
import type { ModuleInfo } from '../types'
import type { Loader } from './runtime'
import * as registry from 'virtual:lazy-modules'
import { UPDATE_KEY } from '../contract'
import { createRuntime } from './runtime'

export type { ChunkFacts, RetryPolicy } from '../contract'
export type { ModuleInfo } from '../types'
export { ArchiveFormatError, IntegrityError, ModuleLoadError, ModuleNotFoundError, StaleBuildError } from './errors'
export type { Loader } from './runtime'

const runtime = createRuntime(registry)

// The dev server hands a new registry here when files matching a `modules` glob come or go.
;(globalThis as any)[Symbol.for(UPDATE_KEY)] = runtime.__update

/** Loads a module by its registered name, like `importlib.import_module`. Rejects with `ModuleNotFoundError` for unknown names, without any request. */
export const importModule: <T = any>(name: string) => Promise<T> = runtime.importModule
/** A loader for the name (or a lazy handle), or `undefined`, like `pkgutil.get_loader`. Nothing is fetched or run. */
export const getLoader: <T = any>(nameOrHandle: unknown) => Loader<T> | undefined = runtime.getLoader
/** Every module whose name starts with `prefix`, like `pkgutil.iter_modules`. Loads nothing. */
export const iterModules: (prefix?: string) => ModuleInfo[] = runtime.iterModules
/** Whether `importModule(name)` can load the name. */
export const hasModule: (name: string) => boolean = runtime.hasModule
/** Loads the module behind a lazy handle, from a namespace import marked lazy. */
export const load: <T>(handle: T) => Promise<T> = runtime.load
/** Fetches a module's chunks without running them. Takes a handle or a name; rejects with `ModuleNotFoundError` for unknown names. */
export const preload: (handleOrName: unknown) => Promise<void> = runtime.preload
/** Changes how failed fetches are retried, for this page: `configure({ retry: { attempts: 5 } })`. */
export const configure: (options: { retry?: Partial<RetryPolicy> }) => void = runtime.configure
/** Where `lazy-modules:stale` is dispatched when there is no `window` and `globalThis` is no event target (Node). */
export const events: EventTarget = runtime.events
/** @internal Used by code the transform writes (`HANDLE_HELPER` in src/contract.ts). */
export const __lazyHandle: (name: string, loader: () => Promise<unknown>) => object = runtime.__lazyHandle
