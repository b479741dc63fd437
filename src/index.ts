// Wires bundler hooks to the plugin's context (src/core/context.ts), where the work is done.
import type { UnpluginFactory } from 'unplugin'
import type { ViteDevServer } from 'vite'
import type { HostContext } from './core/context'
import type { OutputContext } from './core/bundle'
import type { ChunkFileNames } from './core/chunk-names'
import type { OutputFile } from './core/graph'
import type { Options } from './types'
import { dirname } from 'node:path'
import { createUnplugin } from 'unplugin'
import { RESOLVED_FACTS_ID, RESOLVED_REGISTRY_ID, RUNTIME_ID } from './contract'
import { Context } from './core/context'
import { FACTS_CALL } from './core/facts'
import { transformPattern } from './core/marker'

export type { Report } from './core/report'
export type { Manifest, ModuleInfo, Options, Size } from './types'

const PLUGIN_NAME = 'unplugin-lazy-modules'

/**
 * unplugin types a hook's `this` for every bundler it supports; Vite, Rollup and Rolldown, the ones
 * this plugin supports, all give Rollup's plugin context.
 */
const host = (context: unknown) => context as HostContext

export const unpluginFactory: UnpluginFactory<Options | undefined, false> = (rawOptions) => {
  const context = new Context(rawOptions)
  // Rollup and Rolldown (Vite 8) type their contexts apart but agree on everything used here.
  const augmentChunkHash = (chunk: { moduleIds: readonly string[] }) => context.hashSalt(chunk)
  const renderChunk = {
    // Only the chunks that call a facts function are rewritten: Rolldown tests this in native code
    // and calls JavaScript for none of the others (Rollup ignores the filter).
    filter: { code: FACTS_CALL },
    handler: (code: string, chunk: { fileName: string, moduleIds: readonly string[] }, _options: unknown, meta: { chunks: Record<string, unknown> }) =>
      context.renderChunk(code, chunk, Object.keys(meta.chunks)),
  }
  const renderStart = function (this: OutputContext) {
    return context.renderStart(this)
  }
  const outputOptions = <T extends { chunkFileNames?: ChunkFileNames }>(options: T) => context.nameChunks(options)
  const generateBundle = {
    order: 'post' as const,
    handler(this: OutputContext & { environment?: { name: string, config: { consumer: string } } }, _output: unknown, bundle: Record<string, OutputFile>) {
      // Vite 6 and later build each environment (client, ssr) with its own context.
      const environment = this.environment
      return context.generateBundle(this, bundle, environment?.name, environment && environment.config.consumer === 'server')
    },
  }

  return {
    // No `enforce`: the transform must see JavaScript, after TypeScript and JSX are compiled.
    name: PLUGIN_NAME,
    buildStart() {
      return context.buildStart(host(this))
    },
    resolveId: {
      // Before the bundler's own resolver, which would leave the runtime external.
      order: 'pre',
      filter: { id: exactly(Object.keys(context.provided)) },
      handler: id => context.resolveId(id),
    },
    load: {
      filter: { id: exactly([RESOLVED_REGISTRY_ID, RESOLVED_FACTS_ID]) },
      handler(id) {
        return id === RESOLVED_FACTS_ID ? context.loadFacts() : context.loadRegistry(host(this))
      },
    },
    transform: {
      filter: { code: transformPattern(context.options.attribute) },
      handler(code, id) {
        return context.transform(host(this), code, id)
      },
    },
    vite: {
      config: () => ({
        // The runtime must never be pre-bundled: it imports the registry, which only this plugin provides.
        optimizeDeps: { exclude: [PLUGIN_NAME, ...Object.keys(context.provided)] },
        // Nor handed to Node as it is installed, for the same reason: Vite's SSR dev server and
        // Vitest (which reads this for its own `server.deps.inline`) would externalize it.
        ssr: { noExternal: [PLUGIN_NAME] },
      }),
      configResolved(config) {
        context.configure(config)
        // The dev server refuses files outside the workspace; a linked or global install is outside it.
        config.server.fs.allow.push(dirname(context.provided[RUNTIME_ID]))
      },
      configureServer: (server: ViteDevServer) => watchModules(context, server),
      outputOptions,
      renderStart,
      renderChunk,
      augmentChunkHash,
      generateBundle,
    },
    rollup: { outputOptions, renderStart, renderChunk, augmentChunkHash, generateBundle },
    rolldown: { outputOptions, renderStart, renderChunk, augmentChunkHash, generateBundle },
  }
}

/**
 * Files matching a `modules` glob come and go, and metadata is edited, while the dev server runs:
 * reload the registry (the context rewrites the declaration file).
 */
function watchModules(context: Context, server: ViteDevServer) {
  const { logger } = server.config
  const onFileSetChange = async () => {
    try {
      // Outside a hook, so Vite names no plugin: the message names it.
      if (!(await context.rescan(message => logger.warn(`[lazy-modules] ${message}`))).changed)
        return
    }
    catch (error) {
      // A metadata edit that cannot be read: the last good registry stays.
      return logger.error((error as Error).message)
    }
    // Vite 6 and later keep a module graph per environment; Vite 5 has only the server's.
    if (server.environments)
      Object.values(server.environments).forEach(environment => reloadRegistry(environment))
    else
      reloadRegistry(server)
  }
  server.watcher.on('add', onFileSetChange)
  server.watcher.on('unlink', onFileSetChange)
  server.watcher.on('change', file => context.readsMetaFrom(file) && onFileSetChange())
}

/** The registry module, reloaded in a server or environment that has it. */
function reloadRegistry<M>(owner: { moduleGraph: { getModuleById: (id: string) => M | undefined }, reloadModule: (module: M) => Promise<void> }) {
  const registry = owner.moduleGraph.getModuleById(RESOLVED_REGISTRY_ID)
  if (registry)
    void owner.reloadModule(registry)
}

function exactly(ids: string[]): RegExp {
  return new RegExp(`^(?:${ids.map(id => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`)
}

export const unplugin = /* #__PURE__ */ createUnplugin(unpluginFactory)
export default unplugin
