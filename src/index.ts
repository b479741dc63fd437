// Wires the pipeline stages into bundler hooks. The work itself lives in src/core/.
import type { UnpluginFactory } from 'unplugin'
import type { ViteDevServer } from 'vite'
import type { OutputContext } from './core/bundle'
import type { LazyModule } from './core/registry'
import type { Options } from './types'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, resolve } from 'node:path'
import { createUnplugin } from 'unplugin'
import { finishBundle } from './core/bundle'
import { resolveOptions } from './core/options'
import { SizeCache } from './core/report'
import { INFLATING_MEMORY_RUNTIME_ID, MEMORY_RUNTIME_ID, assertUniqueNames, markedModuleName, registeredAt, registryCode, REGISTRY_ID, RESOLVED_REGISTRY_ID, scanModules } from './core/registry'
import { markerPattern, RUNTIME_ID } from './core/marker'

export type { Report } from './core/report'
export type { Manifest, ModuleInfo, Options, Size } from './types'

const PLUGIN_NAME = 'unplugin-lazy-modules'

/**
 * The built runtime, found through the package's own `exports` (a package may import itself by
 * name), so it does not matter which chunk of the build this code landed in. Run from source
 * (tests, the playground), that is the last build's runtime: not every bundler reads TypeScript.
 */
function runtimeFile(name: 'index' | 'memory' | 'memory-deflate'): string {
  try {
    return createRequire(import.meta.url).resolve(`${PLUGIN_NAME}/runtime${name === 'index' ? '' : `/${name}`}`)
  }
  catch {
    throw new Error(`[lazy-modules] the runtime is missing: run \`npm run build\` (or reinstall the package).`)
  }
}

export const unpluginFactory: UnpluginFactory<Options | undefined, false> = (rawOptions) => {
  let options = resolveOptions(rawOptions)
  let mode: 'build' | 'dev' = 'build'
  let registered: LazyModule[] = []
  // Per importer, so a watch rebuild that reuses an unchanged importer's cached transform keeps its
  // marked modules, and an importer that left the graph takes its marked modules with it.
  const markedBy = new Map<string, LazyModule[]>()
  const runtimeFiles: Record<string, string> = {
    [RUNTIME_ID]: runtimeFile('index'),
    [MEMORY_RUNTIME_ID]: runtimeFile('memory'),
    [INFLATING_MEMORY_RUNTIME_ID]: runtimeFile('memory-deflate'),
  }
  const sizes = new SizeCache()

  function rescan(): boolean {
    const next = scanModules(options.modules, options.root)
    const changed = next.map(module => module.name).join('\n') !== registered.map(module => module.name).join('\n')
    registered = next
    return changed
  }

  // Rollup and Rolldown (Vite 8) type their contexts apart but agree on everything used here.
  const generateBundle = {
    order: 'post' as const,
    async handler(this: OutputContext, _output: unknown, bundle: Record<string, any>) {
      const marked = new Map<string, LazyModule>()
      for (const [importer, modules] of markedBy) {
        if (this.getModuleInfo(importer))
          modules.forEach(module => marked.set(module.name, module))
      }
      // Resolutions started during the transform; by now they are long done.
      for (const module of marked.values()) {
        if (module.resolving)
          Object.assign(module, { ...await module.resolving, name: module.name, resolving: undefined })
      }
      await finishBundle(this, bundle, [...registered, ...marked.values()], options, sizes)
    },
  }

  return {
    // No `enforce`: the transform must see JavaScript, after TypeScript and JSX are compiled.
    name: PLUGIN_NAME,

    buildStart() {
      rescan()
    },

    resolveId: {
      // Before the bundler's own resolver, which would leave the runtime external.
      order: 'pre',
      filter: { id: new RegExp(`^(?:${[REGISTRY_ID, ...Object.keys(runtimeFiles)].map(escape).join('|')})$`) },
      handler(id) {
        // Resolving the runtime here keeps it bundled (and so beside this build's registry) even where
        // it would be external: Rollup without node-resolve, or Vite's SSR build.
        return id === REGISTRY_ID ? RESOLVED_REGISTRY_ID : runtimeFiles[id]
      },
    },

    load: {
      filter: { id: new RegExp(`^${escape(RESOLVED_REGISTRY_ID)}$`) },
      async handler() {
        // A bare package is resolved as if imported from the root, so the registry's `import()` finds it.
        for (const module of registered) {
          if (module.id === undefined) {
            const resolved = await (this as any).resolve(module.source, `${options.root}/index.js`)
            if (resolved && !resolved.external)
              module.id = resolved.id
          }
        }
        return registryCode(registered, mode, options.compression)
      },
    },

    transform: {
      filter: { code: markerPattern(options.attribute) },
      async handler(code, id) {
        // The rewrite and its parser load on the first marked file: unmarked builds never pay for them.
        const { LazyTransformError, transformLazyImports } = await import('./core/transform')
        const found: LazyModule[] = []
        try {
          const result = await transformLazyImports(code, id, {
            attribute: options.attribute,
            nameOf: ({ source }) => {
              // Named now, from the specifier; resolved in the background, since awaiting the
              // bundler's resolver here holds up the whole build (the chunk is needed only at the end).
              const bare = !/^[./]/.test(source) && !isAbsolute(source)
              const candidate = bare ? undefined : resolve(dirname(id), source)
              const registeredModule = bare ? registered.find(module => module.source === source) : registeredAt(candidate!, registered)
              if (registeredModule)
                return registeredModule.name
              const module: LazyModule = { kind: 'marked', ...markedModuleName(source, candidate, options.root) }
              module.resolving = (this as any).resolve(source, id).then((resolved: { id: string, external?: unknown } | null) =>
                markedModuleName(source, resolved && !resolved.external ? resolved.id : undefined, options.root))
              for (const other of markedBy.values())
                assertUniqueNames([...other, module])
              found.push(module)
              return module.name
            },
          })
          markedBy.set(id, found)
          return result
        }
        catch (error) {
          if (error instanceof LazyTransformError) {
            // The position as a second argument makes Rollup and Vite print a code frame.
            const context = this as unknown as { error: (error: object, pos: number) => never }
            return context.error({ message: error.message, id, loc: { ...locate(code, error.pos), file: id } }, error.pos)
          }
          throw error
        }
      },
    },

    vite: {
      config() {
        // The runtime must never be pre-bundled: it imports the registry, which only this plugin provides.
        return { optimizeDeps: { exclude: [PLUGIN_NAME, ...Object.keys(runtimeFiles)] } }
      },
      configResolved(config) {
        mode = config.command === 'serve' ? 'dev' : 'build'
        options = resolveOptions(rawOptions, config.root, { compressedSizes: config.build.reportCompressedSize })
        // The dev server refuses files outside the workspace; a linked or global install is outside it.
        config.server.fs.allow.push(dirname(runtimeFiles[RUNTIME_ID]))
      },
      configureServer(server: ViteDevServer) {
        const onFileSetChange = () => {
          if (!rescan())
            return
          for (const environment of Object.values(server.environments)) {
            const registry = environment.moduleGraph.getModuleById(RESOLVED_REGISTRY_ID)
            if (registry)
              void environment.reloadModule(registry)
          }
        }
        server.watcher.on('add', onFileSetChange)
        server.watcher.on('unlink', onFileSetChange)
      },
      generateBundle,
    },

    rollup: {
      generateBundle,
    },
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** 1-based line, 0-based column, as Rollup and Vite expect in `loc`. */
function locate(code: string, pos: number) {
  const before = code.slice(0, pos)
  const line = before.split('\n').length
  return { line, column: pos - before.lastIndexOf('\n') - 1 }
}

export const unplugin = /* #__PURE__ */ createUnplugin(unpluginFactory)
export default unplugin
