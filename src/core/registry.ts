// Stage 2: turn the `modules` option into named lazy modules, and write the virtual module the
// runtime reads them from.
import type { LazyModule } from './names'
import type { ModuleEntry, ModuleInfo } from '../types'
import { existsSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { globSync, isDynamicPattern } from 'tinyglobby'
import type { ArchiveOptions } from './archive'
import { EARLY_FACTS_FUNCTION, FACTS_FUNCTION, FACTS_ID, MEMORY_RUNTIME_ID, RECOVERY_RUNTIME_ID, UPDATE_KEY } from '../contract'
import { groupModules } from './archive'
import { assertUniqueNames, globModule, isIndexFile, toPosix } from './names'

export interface ScanResult {
  modules: LazyModule[]
  /** Globs that matched no file, as messages. */
  warnings: string[]
}

/**
 * Expands every `modules` entry; globs are matched now, so the result is a plain list. Names come
 * from the entry's key, or its `name` function; its `meta` is only noted here (src/core/meta.ts reads it).
 */
export function scanModules(modules: Record<string, string | string[] | ModuleEntry>, root: string): ScanResult {
  const found: LazyModule[] = []
  const warnings: string[] = []
  for (const [pattern, value] of Object.entries(modules)) {
    const key = `modules[${JSON.stringify(pattern)}]`
    const entry: ModuleEntry = typeof value === 'object' && !Array.isArray(value) ? value : { source: value }
    const sources = Array.isArray(entry.source) ? entry.source : [entry.source]
    const start = found.length
    const ignore = ['**/node_modules/**', ...sources.filter(source => source.startsWith('!')).map(source => source.slice(1))]
    for (const source of sources.filter(source => !source.startsWith('!'))) {
      if (isDynamicPattern(source)) {
        const files = globSync(source, { cwd: root, absolute: true, onlyFiles: true, ignore }).sort()
        if (!files.length)
          warnings.push(`option \`${key}\`: the glob ${JSON.stringify(source)} matches no file in ${root}, so it registers nothing. Check the path, which is relative to the root.`)
        for (const file of files)
          found.push({ ...globModule(pattern, source, file, root), from: `${key}: ${JSON.stringify(source)}` })
      }
      else if (/^\.{0,2}\//.test(source) || isAbsolute(source) || existsSync(resolve(root, source))) {
        const id = resolve(root, source)
        if (!existsSync(id))
          throw new Error(`[lazy-modules] option \`${key}\`: ${JSON.stringify(source)} is not a file: tried ${id}. Write a path relative to the root (${root}), or a package name.`)
        found.push({ name: pattern, kind: 'registered', source: toPosix(relative(root, id)), id, isPackage: isIndexFile(id), from: key })
      }
      else {
        // A package, or a path that is not there: the bundler's resolver tells which when the registry loads.
        found.push({ name: pattern, kind: 'registered', source, id: undefined, isPackage: false, from: key })
      }
    }
    found.slice(start).forEach(module => chooseFor(module, entry, key))
  }
  assertUniqueNames(found)
  return { modules: found, warnings }
}

/** What an object entry of `modules` chooses: the module's name, and where its metadata is. */
function chooseFor(module: LazyModule, { name, meta }: ModuleEntry, key: string) {
  if (name) {
    const chosen: unknown = name(module.source, module.name)
    if (typeof chosen !== 'string' || !chosen)
      throw new Error(`[lazy-modules] option \`${key}.name\` gave ${typeof chosen === 'string' ? 'an empty string' : String(chosen)} for ${module.source}; it must return the module's name, a non-empty string.`)
    module.name = chosen
  }
  if (meta) {
    if (module.id === undefined)
      throw new Error(`[lazy-modules] option \`${key}.meta\`: ${JSON.stringify(module.source)} is a package, not a file of the app, so there is no metadata to read. Register a file that re-exports it, with the metadata beside it.`)
    module.metaFrom = meta
  }
}

/** Facts known before bundling: enough for the dev server, where no chunks exist. */
export function sourceFacts(module: LazyModule): ModuleInfo {
  const info: ModuleInfo = { name: module.name, isPackage: module.isPackage, kind: module.kind, source: module.source, file: null, imports: [], css: [], size: null, integrity: null, archive: null }
  return module.meta ? { ...info, meta: module.meta.value } : info
}

/**
 * The registry module (its exports are `RegistryModule` in src/contract.ts): what the synchronous
 * API needs, and no more, since it is part of the first load. Loaders are real `import()` calls so the
 * bundler splits, preloads and handles CSS itself. Facts about chunks live in the facts module
 * (`factsCode`), which the bundle stage fills in; it is imported lazily, or statically with
 * `integrity: true`, whose digests the first load must then have. In dev the facts are known now.
 * Pairs, not an object literal, so a name such as `__proto__` stays a plain key.
 */
export function registryCode(modules: LazyModule[], mode: 'build' | 'dev', options: { archives?: ArchiveOptions['groups'], integrity?: boolean } = {}): string {
  const registered = modules.filter(module => module.kind === 'registered')
  const loaders = registered.map(module => `  [${JSON.stringify(module.name)}, () => import(${JSON.stringify(module.id ?? module.source)})],`)
  const packages = registered.filter(module => module.isPackage).map(module => module.name)
  const withMeta = registered.filter(module => module.meta).map(module => [module.name, module.meta!.value])
  const ownCodeFirst = mode === 'build' && options.integrity
  // Every export the runtime imports by name, even when empty: a missing one would fail the build.
  const lines = [
    `export const loaders = [\n${loaders.join('\n')}\n]`,
    // With `integrity: true` the plugin's own code is in the first load: fetched later, a retry
    // would fetch it under a new URL, which no digest in the page covers.
    `export const recovery = ${ownCodeFirst ? '() => Promise.resolve(recoveryObject)' : `() => import(${JSON.stringify(RECOVERY_RUNTIME_ID)}).then(({ recovery }) => recovery)`}`,
    `export const memory = ${ownCodeFirst ? '() => Promise.resolve(memoryModule)' : 'undefined'}`,
    `export const packages = ${packages.length ? JSON.stringify(packages) : 'undefined'}`,
    `export const meta = ${withMeta.length ? JSON.stringify(withMeta) : 'undefined'}`,
  ]
  if (mode === 'dev') {
    lines.push(
      `export const facts = ${JSON.stringify({ buildId: 'dev', root: '', modules: modules.map(sourceFacts) })}`,
      `export const base = import.meta.url`,
      `export const archived = undefined, fetchArchive = undefined, updateKey = ${JSON.stringify(UPDATE_KEY)}`,
      // Files matching a glob come and go while the server runs: hand the new list to the live
      // runtime, which listens under the key named here (src/runtime/index.ts).
      `if (import.meta.hot) import.meta.hot.accept(next => next && globalThis[Symbol.for(updateKey)]?.(next))`,
    )
    return `${lines.join('\n')}\n`
  }
  // A module archived by its name's pattern, with its archive's name: its load goes past the bundler's
  // own import(), and waits for the facts, which say where it landed.
  const archived = [...groupModules(options.archives, registered.map(module => module.name))]
  lines.push(`export const archived = ${archived.length ? JSON.stringify(archived) : 'undefined'}`)
  // The facts module and the memory loader are the recovery chunk's own imports, no part of the first
  // load, unless the first load must carry every digest.
  if (ownCodeFirst)
    lines.unshift(`import { facts, base } from ${JSON.stringify(FACTS_ID)}`, `import { recovery as recoveryObject } from ${JSON.stringify(RECOVERY_RUNTIME_ID)}`, `import * as memoryModule from ${JSON.stringify(MEMORY_RUNTIME_ID)}`, `export { facts, base }`)
  else
    lines.push(`export const facts = /* #__PURE__ */ ${EARLY_FACTS_FUNCTION}()`, `export const base = import.meta.url`)
  lines.push(`export const fetchArchive = ${archived.length ? fetchArchiveCode : 'undefined'}`)
  lines.push(`export const updateKey = undefined`)
  return `${lines.join('\n')}\n`
}

/**
 * Only in builds with archives: an archived module's load calls this first, so that its archive, the
 * facts and the memory loader are fetched at once, beside the recovery chunk rather than after it.
 * Each archive once a page; the recovery chunk takes its response over (`take`), and fetches anew
 * what failed. Nothing here may reject unheard: the recovery chunk reports what it needed and failed.
 */
const fetchArchiveCode = `(() => {
  const responses = {}
  return (archive, take) => {
    if (take) {
      const response = responses[archive]
      responses[archive] = null
      return response || undefined
    }
    if (archive in responses)
      return
    // The archive first: it is the largest, and the others are the bundler's imports, which add links.
    const file = facts.archives?.[archive]?.file
    responses[archive] = file && typeof fetch === 'function' ? fetch(new URL(facts.root + file, import.meta.url)) : null
    responses[archive]?.catch(() => {})
    // By its URL, the same module as the bundler's import(), which Vite's preload helper would make
    // only once the calls under way return: the facts chunk, which has no imports, gets no preload link.
    ;(facts.facts ? import(/* @vite-ignore */ new URL(facts.root + facts.facts, import.meta.url).href) : import(${JSON.stringify(FACTS_ID)})).catch(() => {})
    import(${JSON.stringify(MEMORY_RUNTIME_ID)}).catch(() => {})
  }
})()`

/** The facts module: the call the bundle stage defines in its chunk, and that chunk's URL. */
export function factsCode(): string {
  return `export const facts = /* #__PURE__ */ ${FACTS_FUNCTION}()\nexport const base = import.meta.url\n`
}
