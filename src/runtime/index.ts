// `unplugin-lazy-modules/runtime`: Python's importlib and pkgutil, for a bundled app.
// The plugin resolves this file itself, so it always sees the registry of the build it is in.
import type { RegistryModule, RetryPolicy } from '../contract'
import type { ModuleSummary } from '../types'
import type { Loader } from './runtime'
import { archived, base, facts, fetchArchive, loaders, memory, meta, packages, recovery, updateKey } from 'virtual:lazy-modules'
import { update } from './registry'
import * as runtime from './runtime'

export type { ChunkFacts, RetryPolicy } from '../contract'
export type { ModuleInfo, ModuleSummary } from '../types'
export { ArchiveFormatError, IntegrityError, ModuleNotFoundError, StaleBuildError } from './check-errors'
export { ModuleLoadError } from './errors'
export type { Loader } from './runtime'

/**
 * The registry's names and their modules' types. Empty here; the declaration file the plugin writes
 * (option `dts`, `lazy-modules.d.ts`) fills it in: `interface LazyModules { 'charts/bar': typeof import('./src/charts/bar.js') }`.
 * While it is empty the look-ups take any string, as they would untyped.
 */
export interface LazyModules {}
/** The metadata of the modules that have some (`meta` of a `modules` entry), by name. Filled in like `LazyModules`. */
export interface LazyModuleMeta {}

/** A name the declaration file lists. */
export type ModuleName = keyof LazyModules & string
type Typed = [ModuleName] extends [never] ? false : true
// Spelled out, not `ModuleName`, where a type error shows it: tsc then lists the names themselves.
/**
 * A look-up's argument besides a listed name: a `string` that is no literal (`string`, or a template
 * such as `` `charts/${string}` ``, which an object type may have as a key without having it), or a
 * handle; a literal must be a listed name.
 */
type OrAName<S> = S extends string ? {} extends Record<S, true> ? S : { [K in keyof LazyModules]: K }[keyof LazyModules] : S
/** What the first load knows of a listed module, with its name and its metadata typed: a union for a union of names. */
export type ModuleInfoOf<N extends ModuleName> = N extends unknown
  ? ModuleSummary & { name: N } & (N extends keyof LazyModuleMeta ? { meta: LazyModuleMeta[N] } : unknown)
  : never
export type LoaderOf<N extends ModuleName> = Loader<LazyModules[N]> & { readonly name: N, readonly info: ModuleInfoOf<N> }

interface TypedLookUps {
  importModule: {
    <N extends { [K in keyof LazyModules]: K }[keyof LazyModules]>(name: N): Promise<LazyModules[N]>
    <T = unknown, S extends string = string>(name: OrAName<S>): Promise<T>
  }
  getLoader: {
    <N extends { [K in keyof LazyModules]: K }[keyof LazyModules]>(name: N): LoaderOf<N>
    /** A handle: `import * as mod from … with { lazy: 'true' }` is typed as its module. */
    <M extends object>(handle: M): Loader<M> | undefined
    <T = unknown, S extends string = string>(name: OrAName<S>): Loader<T> | undefined
  }
  iterModules: <P extends string = ''>(prefix?: P) => ModuleInfoOf<Extract<ModuleName, `${P}${string}`>>[]
  hasModule: (name: string) => name is ModuleName
  preload: <S extends string | object>(handleOrName: OrAName<S>) => Promise<void>
}
interface LookUps {
  importModule: <T = any>(name: string) => Promise<T>
  getLoader: <T = any>(nameOrHandle: unknown) => Loader<T> | undefined
  iterModules: (prefix?: string) => ModuleSummary[]
  hasModule: (name: string) => boolean
  preload: (handleOrName: unknown) => Promise<void>
}
/** The look-ups' types: checked against the declaration file's names once it is included, as before without it. */
type LookUp<K extends keyof LookUps> = Typed extends true ? TypedLookUps[K] : LookUps[K]

// Each look-up is bound alone, so a bundler drops the ones an app never calls.
const state = runtime.createState({ loaders, packages, archived, meta, facts, base, recovery, memory, fetchArchive })

/** Loads a module by its registered name, like `importlib.import_module`. Rejects with `ModuleNotFoundError` for unknown names, fetching none of them. */
export const importModule = (name => runtime.importModule(state, name)) as LookUp<'importModule'>
/** A loader for the name (or a lazy handle), or `undefined`, like `pkgutil.get_loader`. Nothing is fetched or run. */
export const getLoader = (nameOrHandle => runtime.getLoader(state, nameOrHandle)) as LookUp<'getLoader'>
/** Every module whose name starts with `prefix`, like `pkgutil.iter_modules`. Loads nothing. */
export const iterModules = (prefix => runtime.iterModules(state, prefix)) as LookUp<'iterModules'>
/** Whether `importModule(name)` can load the name. */
export const hasModule = (name => runtime.hasModule(state, name)) as LookUp<'hasModule'>
/** Loads the module behind a lazy handle, from a namespace import marked lazy. */
export const load = <T>(handle: T): Promise<T> => runtime.load(state, handle)
/** Fetches a module's chunks without running them. Takes a handle or a name; rejects with `ModuleNotFoundError` for unknown names. */
export const preload = (handleOrName => runtime.preload(state, handleOrName)) as LookUp<'preload'>
/** Changes how failed fetches are retried, for this page: `configure({ retry: { attempts: 5 } })`. */
export const configure = (options: { retry?: Partial<RetryPolicy> }): void => runtime.configure(state, options)
/** Where `lazy-modules:stale` is dispatched when there is no `window` and `globalThis` is no event target (Node). */
export const events: EventTarget = state.events
/** @internal Used by code the transform writes (`HANDLE_HELPER` in src/contract.ts). */
export const __lazyHandle = (name: string, loader: () => Promise<unknown>): object => runtime.lazyHandle(state, name, loader)

// The dev server's registry hands a new registry module here, under the key it names, when files
// matching a `modules` glob come or go. A build's registry names none, so the bundler drops this.
if (updateKey)
  (globalThis as any)[Symbol.for(updateKey)] = (next: RegistryModule): void => update(state, next)
