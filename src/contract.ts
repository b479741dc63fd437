// Everything the build and the runtime share: the ids of the modules the plugin provides, the keys
// both sides look up on `globalThis`, the registry module's shape and the facts it carries.
// The runtime ships to browsers, so only types and small constants live here.
import type { ModuleInfo } from './types'

/** The registry: a virtual module the plugin writes and only the runtime imports. */
export const REGISTRY_ID = 'virtual:lazy-modules'
export const RESOLVED_REGISTRY_ID = `\0${REGISTRY_ID}`
/**
 * The facts that exist only once chunks do, in a module of their own: the registry imports it lazily
 * (statically with `integrity: true`), so by default they are no part of the first load.
 */
export const FACTS_ID = 'virtual:lazy-modules/facts'
export const RESOLVED_FACTS_ID = `\0${FACTS_ID}`
export const RUNTIME_ID = 'unplugin-lazy-modules/runtime'
/**
 * Loads past the bundler's own first `import()`: retries, the stale-build check, archives, the facts.
 * A chunk of its own, fetched only when a load fails or needs more.
 */
export const RECOVERY_RUNTIME_ID = 'unplugin-lazy-modules/runtime/recovery'
/**
 * Runs chunks from memory (archives, retries): a chunk of its own, which the recovery chunk imports
 * only when needed. The plugin resolves it to `memory-deflate` for builds whose archives are deflated.
 */
export const MEMORY_RUNTIME_ID = 'unplugin-lazy-modules/runtime/memory'

/**
 * The registry calls this for the facts that exist only once chunks do; the bundle stage defines it
 * in the chunk. Unbound until then, so minifiers keep its name.
 */
export const FACTS_FUNCTION = '__lazyModulesFacts'
/**
 * The registry calls this for the few facts a failed first attempt needs before the facts module
 * arrives (`EarlyFacts`); the bundle stage defines it in the registry's chunk, like `FACTS_FUNCTION`.
 */
export const EARLY_FACTS_FUNCTION = '__lazyModulesEarlyFacts'
/** The runtime export that code written by the transform calls to make a lazy handle. */
export const HANDLE_HELPER = '__lazyHandle'

/** `Symbol.for` keys: the same symbol in every copy of the runtime, the Node hooks and the dev registry. */
export const HANDLE_KEY = 'lazy-modules:handle'
/** The dev registry hands a new registry module to the live runtime through this. */
export const UPDATE_KEY = 'lazy-modules:update'
/** Set by `unplugin-lazy-modules/node`: archived code then runs through Node's loader hooks. */
export const NODE_HOOKS_KEY = 'lazy-modules:node-hooks'
/** The cancelable event a load dispatches when the server has a newer build. */
export const STALE_EVENT = 'lazy-modules:stale'

/** What the registry module exports: only what the synchronous API needs; the recovery chunk imports the rest. */
export interface RegistryModule {
  /** Registered names and their `import()`s, which the bundler splits and preloads. */
  loaders: [name: string, load: () => Promise<unknown>][]
  /** Registered names that are packages (`index` files). */
  packages?: string[]
  /** Registered names archived by their name's pattern, with their archive's name: their loads wait for the facts. */
  archived?: [name: string, archive: string][]
  /**
   * Only in builds with archives: fetches an archive, once a page, and starts importing the facts and
   * the memory loader, beside the recovery chunk. The recovery chunk takes the response over (`take`).
   */
  fetchArchive?: ((archive: string, take?: boolean) => Promise<Response> | undefined) | undefined
  /** Registered modules' metadata, by name, for those that have some. */
  meta?: [name: string, meta: unknown][]
  /**
   * All the facts where the first load has them (dev, `integrity: true`, tests); else only the early
   * ones (no `modules`), and the recovery chunk imports the facts module when a load first needs them.
   */
  facts: Facts
  /** The URL of the chunk `facts` was written into: its chunk paths are relative to it through `facts.root`. */
  base: string
  /** The recovery chunk (`RECOVERY_RUNTIME_ID`): loads past the bundler's own first `import()`. */
  recovery?: (() => Promise<unknown>) | undefined
  /**
   * Left out by the build: the recovery chunk imports the facts module and the memory loader itself.
   * A host with no bundler (a test) hands in its own, and so does a build with `integrity: true`, whose
   * first load holds all of the plugin's code (`memory`; its recovery chunk is `recovery`).
   */
  loadFacts?: () => Promise<FactsModule>
  memory?: (() => Promise<MemoryModule>) | undefined
}

/** What `FACTS_ID` exports. */
export interface FactsModule {
  facts: Facts
  base: string
}

/**
 * What `MEMORY_RUNTIME_ID` exports. Spelled here rather than as
 * `typeof import('./runtime/memory')`, which imports this file: the seam would be a cycle.
 */
export interface MemoryModule {
  createMemoryLoader: (source: MemorySource) => MemoryLoader
}

/** What the runtime hands the memory loader: its facts and its fetches, so the two share one of each. */
export interface MemorySource {
  /** Every chunk that can run from memory, by file (relative to the output folder). */
  chunks: Record<string, ChunkFacts>
  /** The URL a file of the output folder has, or would have loose. */
  urlOf: (file: string) => string
  fetchBytes: (url: string) => Promise<ArrayBuffer>
  /** An archive's URL and bytes. The runtime starts this fetch before the memory loader has even loaded. */
  archiveBytes: (name: string) => [url: string, bytes: Promise<ArrayBuffer>]
  /** Chunks known to have run from the URL they have now: their instance is the one to share. */
  ran: Set<string>
}

export interface MemoryLoader {
  /** Fetches and checks an archive, running nothing. */
  prefetch: (archive: string) => Promise<unknown>
  /** Imports a chunk; `attempt` > 1 means earlier attempts failed, so fetch what never ran anew. */
  importFile: (file: string, attempt: number) => Promise<unknown>
  /** After a failed import (which ran nothing of its graph): what never ran gets a new URL next time. */
  forget: (files: Iterable<string>) => void
  /**
   * Whether a graph holds a chunk that runs from memory: its real URL would then be a second
   * instance, so the whole graph must be linked there instead.
   */
  holds: (files: Iterable<string>) => boolean
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number
  /** Milliseconds before the first retry; each later one waits twice as long, with jitter. */
  delay: number
  maxDelay: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, delay: 250, maxDelay: 4000 }

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

/**
 * The facts, as the bundle stage writes them into the chunk of the facts module. The registry's chunk
 * gets the early ones: those a failed first attempt needs before the rest arrive (`buildId`, `root`,
 * `manifest`, `retry`, `facts`, `recovery`), and the `archives`, which an archived load fetches at once.
 */
export interface Facts {
  buildId: string
  /** From the facts' chunk back to the output folder. */
  root: string
  /** Absent from the early facts. */
  modules?: ModuleInfo[]
  chunks?: Record<string, ChunkFacts>
  /** Archive name → its zip and the zip's digest. */
  archives?: Record<string, { file: string, integrity: string }>
  /** Archived chunks were kept loose too, to fall back on. */
  fallback?: boolean
  /** The manifest's file, read to tell a redeploy from a flaky network. */
  manifest?: string | null
  /** The memory loader's chunk, imported under a new URL on a retry. */
  memory?: string
  /** The facts module's chunk, imported under a new URL on a retry. */
  facts?: string
  /** The recovery chunk (`recovery` of the registry), imported under a new URL on a retry. */
  recovery?: string
  retry?: RetryPolicy
}
