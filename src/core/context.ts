// The plugin's state and the steps that use it. Each bundler hook in src/index.ts is one call here.
import type { Program } from 'estree'
import type { TransformResult } from 'unplugin'
import type { Options } from '../types'
import type { OutputContext, StartupUse } from './bundle'
import type { ChunkFileNames } from './chunk-names'
import type { DtsEntries } from './dts'
import type { HtmlConfig } from './html'
import type { OutputFile } from './graph'
import type { MetaError } from './meta'
import type { LocatedLookUp } from './look-ups'
import type { LazyModule } from './names'
import type { ResolvedOptions } from './options'
import type { SourceMapLike } from './positions'
import type { MarkedImport } from './transform'
import { existsSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { FACTS_ID, MEMORY_RUNTIME_ID, RECOVERY_RUNTIME_ID, REGISTRY_ID, RESOLVED_FACTS_ID, RESOLVED_REGISTRY_ID, RUNTIME_ID } from '../contract'
import { finishBundle } from './bundle'
import { chunkName, fileOf, namedChunkFileNames } from './chunk-names'
import { DEV_SERVER, dtsCode, dtsEntries, markedIn, readIfThere, writeIfChanged } from './dts'
import { factsFunctionIn, namingCall } from './facts'
import { isKnown, unknownLookUps } from './look-ups'
import { assertUniqueNames, isBare, markedModuleName, registeredAt, sameMarkedModule } from './names'
import { resolveOptions } from './options'
import { codeFrame, locate, originalPosition } from './positions'
import { factsCode, registryCode, scanModules } from './registry'
import { SizeCache } from './report/sizes'
import { memoryRuntimeFile, runtimeFile } from './runtime-files'

/**
 * What the hook contexts of Vite, Rollup and Rolldown all give (Rollup's `PluginContext`). unplugin
 * types its hooks' `this` for every bundler it supports, so it has neither.
 */
export interface HostContext {
  resolve: (source: string, importer?: string) => Promise<{ id: string, external?: unknown } | null>
  error: (error: { message: string, id?: string, loc?: { file?: string, line: number, column: number }, frame?: string }, pos?: number) => never
  getCombinedSourcemap?: () => SourceMapLike
  warn: (message: string) => void
  addWatchFile?: (id: string) => void
  /** The bundler's parser (ESTree): Rollup 4, Rolldown and Vite 5–8, in builds and in the dev server, all lend one. */
  parse: (code: string) => object
}

export class Context {
  options: ResolvedOptions
  mode: 'build' | 'dev' = 'build'
  /** Modules named under `modules`, as the last scan found them. */
  registered: LazyModule[] = []
  /**
   * Per importer, so a watch rebuild that reuses an unchanged importer's cached transform keeps its
   * marked modules, and an importer that left the graph takes its marked modules with it.
   */
  private markedBy = new Map<string, LazyModule[]>()
  /** The marked modules the declaration file lists: the last build's, and in dev those found since. */
  private dtsMarked: Map<string, DtsEntries> | undefined
  /** Per importer too: its uses of lazy modules outside any function, which load them when it runs. */
  private startupBy = new Map<string, StartupUse[]>()
  /** Per importer too: its look-ups by a name written out, checked once every name is known. */
  private lookUpsBy = new Map<string, LocatedLookUp[]>()
  /** Each lazy module's chunk name, by its file (src/core/chunk-names.ts); known once a bundle renders. */
  private chunkNames = new Map<string, string>()
  /** A watch rebuild reuses the sizes of files whose bytes did not change. */
  private sizes = new SizeCache()
  /**
   * Which build this is, for the marked modules the declaration file lists: Vite's `client` or
   * `ssr` (Vite 5 names no environment); `''` for Rollup and Rolldown.
   */
  private environment = ''
  /** How Vite writes its HTML pages; Rollup and Rolldown write none. */
  private html: HtmlConfig | undefined
  /** The ids the plugin resolves itself, to the files they name. */
  readonly provided: Record<string, string> = {
    [REGISTRY_ID]: RESOLVED_REGISTRY_ID,
    [FACTS_ID]: RESOLVED_FACTS_ID,
    [RUNTIME_ID]: runtimeFile('index'),
    [RECOVERY_RUNTIME_ID]: runtimeFile('recovery'),
  }

  constructor(private rawOptions: Options | undefined) {
    this.options = resolveOptions(rawOptions)
    this.provided[MEMORY_RUNTIME_ID] = memoryRuntimeFile(this.options.compression)
  }

  /** Vite's resolved config: its root, whether it serves or builds, and how it writes HTML. */
  configure(config: { root: string, command: 'build' | 'serve', base: string, html?: { cspNonce?: string }, build: { reportCompressedSize: boolean, ssr?: unknown } }) {
    this.mode = config.command === 'serve' ? 'dev' : 'build'
    this.environment = config.build.ssr ? 'ssr' : 'client'
    this.html = { base: config.base, cspNonce: config.html?.cspNonce }
    this.options = resolveOptions(this.rawOptions, config.root, { compressedSizes: config.build.reportCompressedSize })
  }

  /**
   * Matches the `modules` globs again and reads their metadata; says whether names, sources or
   * metadata changed, and what matched nothing. A change rewrites the declaration file.
   */
  async rescan(warn: (message: string) => void): Promise<{ changed: boolean, warnings: string[] }> {
    const { modules, warnings } = scanModules(this.options.modules, this.options.root)
    if (modules.some(module => module.metaFrom)) {
      // The parser loads only for apps whose modules have metadata.
      const { readMeta } = await import('./meta')
      for (const module of modules) {
        if (module.metaFrom)
          module.meta = readMeta(module.id!, module.metaFrom, this.options.root)
      }
    }
    const summary = (list: LazyModule[]) => JSON.stringify(list.map(({ name, source, meta }) => [name, source, meta?.value]))
    const changed = summary(modules) !== summary(this.registered)
    this.registered = modules
    if (changed)
      this.writeDts(warn)
    return { changed, warnings }
  }

  /** Files whose edits change some module's metadata: the dev server rescans when one changes. */
  readsMetaFrom(file: string): boolean {
    return this.registered.some(module => module.meta?.file === file)
  }

  async buildStart(host: HostContext) {
    const warn = (message: string) => host.warn(message)
    try {
      (await this.rescan(warn)).warnings.forEach(warn)
    }
    catch (error) {
      if ((error as Error).name !== 'MetaError')
        throw error
      const { message, file, code, pos } = error as MetaError
      const at = code === undefined || pos === undefined ? undefined : locate(code, pos)
      return host.error({ message, id: file, ...at && { loc: { file, ...at }, frame: codeFrame(code!, at.line, at.column) } })
    }
    // A metadata file beside its module is in no module graph: a watch build must still see it change.
    for (const { meta, id } of this.registered) {
      if (meta && meta.file !== id)
        host.addWatchFile?.(meta.file)
    }
    this.writeDts(warn)
  }

  /**
   * Rewrites the declaration file if its text changes. `built`: a build's marked modules, all of
   * them, and which build it is (`where`), whose list they replace; the other builds' lists stay,
   * and the dev server's goes. Without it, the file keeps the marked modules it lists.
   */
  writeDts(warn: (message: string) => void, built?: { where: string, marked: LazyModule[] }) {
    const file = this.options.dts
    if (!file)
      return
    const content = dtsEntries([...this.registered, ...built?.marked ?? []], file, built?.where)
    if (built) {
      // Read again: the client and the server build may be two processes, each writing its own list.
      const listed = this.dtsMarked = markedIn(readIfThere(file))
      listed.delete(DEV_SERVER)
      // A list by no build's name, in a Vite app, is one a version before these lists wrote.
      if (built.where)
        listed.delete('')
      listed.set(built.where, content.marked.get(built.where) ?? new Map())
    }
    content.marked = this.dtsMarked ??= markedIn(readIfThere(file))
    try {
      writeIfChanged(file, dtsCode(content))
    }
    catch (error) {
      warn(`could not write the declaration file ${file} (option \`dts\`): ${(error as Error).message}`)
    }
  }

  /** Resolving the runtime here keeps it bundled, beside this build's registry, even where it would be external. */
  resolveId(id: string): string | undefined {
    return this.provided[id]
  }

  async loadRegistry(host: HostContext): Promise<string> {
    // A bare package is resolved as if imported from the root, so the registry's `import()` finds it.
    for (const module of this.registered) {
      if (module.id === undefined) {
        const resolved = await host.resolve(module.source, `${this.options.root}/index.js`)
        // Without a resolver for packages (Rollup with no node-resolve), an installed package is left to the platform.
        if (!resolved && !isInstalled(module.source, this.options.root))
          return host.error({ message: `option \`${module.from}\`: ${JSON.stringify(module.source)} is neither a file in ${this.options.root} nor a package that resolves from there (tried the bundler's resolver, and node_modules from the root up). Install the package, or fix the path (relative to the root).` })
        if (resolved && !resolved.external)
          module.id = resolved.id
      }
    }
    const { archives, integrity } = this.options
    return registryCode(this.registered, this.mode, { archives, integrity })
  }

  /** The facts module: its facts are written into its chunk once chunks exist. */
  loadFacts(): string {
    return factsCode()
  }

  async transform(host: HostContext, code: string, id: string): Promise<TransformResult> {
    // The rewrite and its parser load on the first marked file: unmarked builds never pay for them.
    const { LazyTransformError, transformLazyImports } = await import('./transform')
    const found: LazyModule[] = []
    try {
      const result = await transformLazyImports(code, id, {
        attribute: this.options.attribute,
        nameOf: marked => this.nameMarkedImport(host, marked, id, found),
        parse: code => host.parse(code) as Program,
      })
      this.markedBy.set(id, found)
      if (this.mode === 'dev' && found.length)
        this.noteMarked(found, message => host.warn(message))
      // A look-up of a registered name needs no position: only the others are checked at the end. The
      // source map, which each file with positions to keep costs a bundler's merge, is taken for few.
      // (A watch rebuild that reuses this transform after the name left its glob warns of nothing.)
      const registered = this.registered.map(module => module.name)
      const lookUps = result?.lookUps.filter(lookUp => !isKnown(lookUp, registered)) ?? []
      const map = result?.startup.length || lookUps.length ? host.getCombinedSourcemap?.() : undefined
      // Positions in the importer's own source, for warnings the bundle stage gives.
      const located = <T extends { pos: number }>({ pos, ...rest }: T) => {
        const { line, column } = originalPosition(code, pos, map)
        return { ...rest, importer: id, line, column }
      }
      this.startupBy.set(id, result?.startup.map(located) ?? [])
      this.lookUpsBy.set(id, lookUps.map(located))
      return result?.rewritten
    }
    catch (error) {
      if (!(error instanceof LazyTransformError))
        throw error
      // In the user's own source, not the compiled code this hook was given; with a frame of it. The
      // dev server maps an error's position through the source map itself, so there it gets the code's.
      const at = originalPosition(code, error.pos, host.getCombinedSourcemap?.())
      const loc = this.mode === 'dev' ? locate(code, error.pos) : at
      return host.error({ message: error.message, id, loc: { file: id, line: loc.line, column: loc.column }, frame: codeFrame(at.code, at.line, at.column) })
    }
  }

  /**
   * A marked import's name: a registered module's if it is one, else its own, from the specifier.
   * It is named now and resolved in the background: awaiting the bundler's resolver here would hold
   * up the whole build, and the chunk is needed only at the end.
   */
  private nameMarkedImport(host: HostContext, { source }: MarkedImport, importer: string, found: LazyModule[]): string | Promise<string> {
    const candidate = isBare(source) ? undefined : resolve(dirname(importer), source)
    // A path with no file behind it: ask the resolver now (an alias may still serve it), so that a
    // missing file is an error at the import, not the bundler's, which has no position.
    if (candidate && !looksPresent(candidate)) {
      return host.resolve(source, importer).then((resolved) => {
        if (!resolved)
          throw new Error(`Cannot find ${JSON.stringify(source)}: no file at ${candidate} (with or without an extension, or as a folder's index), and no plugin resolves it. Fix the path of this marked import.`)
        return this.nameResolvedImport(host, source, importer, candidate, found)
      })
    }
    return this.nameResolvedImport(host, source, importer, candidate, found)
  }

  private nameResolvedImport(host: HostContext, source: string, importer: string, candidate: string | undefined, found: LazyModule[]): string {
    const registeredModule = candidate ? registeredAt(candidate, this.registered) : this.registered.find(module => module.source === source)
    if (registeredModule)
      return registeredModule.name
    const { root } = this.options
    const module: LazyModule = { kind: 'marked', ...markedModuleName(source, candidate, root), from: `a marked import in ${importer}` }
    module.resolving = host.resolve(source, importer).then(resolved =>
      markedModuleName(source, resolved && !resolved.external ? fileOf(resolved.id) : undefined, root))
    // Awaited once chunks exist; a transform that fails, or a dev server that closes, never gets there.
    module.resolving.catch(() => {})
    // Against the other importers' marked modules: this importer's own, from its last transform, go
    // when this one ends. Theirs may be resolved already (a watch rebuild), this one not yet.
    for (const [from, others] of this.markedBy) {
      if (from !== importer)
        assertUniqueNames([...others, module], sameMarkedModule)
    }
    found.push(module)
    return module.name
  }

  /** The dev server finds marked modules as it serves their importers: the declaration file lists them too. */
  private noteMarked(found: LazyModule[], warn: (message: string) => void) {
    if (!this.options.dts)
      return
    const listed = this.dtsMarked ??= markedIn(readIfThere(this.options.dts))
    // Only Vite has a dev server: a list by no build's name is one a version before these lists wrote.
    listed.delete('')
    // Named as a build names them once resolved: by the file, with its extension.
    const entries = dtsEntries(found.map(module => ({ ...module, id: module.id && (presentFile(module.id) ?? module.id) })), this.options.dts, DEV_SERVER).marked.get(DEV_SERVER) ?? new Map()
    const known = (name: string, type: string) => [...listed.values()].some(list => list.get(name) === type)
    if ([...entries].every(([name, type]) => known(name, type)))
      return
    const own = listed.get(DEV_SERVER) ?? listed.set(DEV_SERVER, new Map()).get(DEV_SERVER)!
    entries.forEach((type, name) => known(name, type) || own.set(name, type))
    this.writeDts(warn)
  }

  /** The marked modules of the importers still in the graph, resolved. */
  private async markedModules(output: OutputContext): Promise<LazyModule[]> {
    const found = [...this.markedBy].flatMap(([importer, modules]) => output.getModuleInfo(importer) ? modules : [])
    // Resolutions started during the transform; by now they are long done.
    for (const module of found) {
      if (module.resolving)
        Object.assign(module, { ...await module.resolving, name: module.name, resolving: undefined })
    }
    // Each resolved now: two files of one name (`src/pdf.ts` and `src/pdf.js`) are told apart.
    assertUniqueNames(found)
    return [...new Map(found.map(module => [module.name, module])).values()]
  }

  /**
   * The facts are written into their module's chunk, and the early facts into the registry's, after
   * chunk names are hashed. What they hold comes from the other chunks, which `renderChunk` folds
   * into the hash, and from these options, which it must reflect too: two files with one name never differ.
   */
  hashSalt(chunk: { moduleIds: readonly string[] }): string | undefined {
    if (!factsFunctionIn(chunk.moduleIds, this.options.integrity))
      return undefined
    const { archives, compression, keepLooseChunks, retry, manifest } = this.options
    return JSON.stringify({ archives, compression, keepLooseChunks, retry, manifest })
  }

  /**
   * The facts' chunk and the registry's name every other chunk (`files`), so that their hashes
   * follow theirs: a chunk that imports none of them, as the facts' chunk or a runtime shared by two
   * pages does, would keep its name when a lazy module changed. `map: null` tells the bundler no code moved.
   */
  renderChunk(code: string, chunk: { fileName: string, moduleIds: readonly string[] }, files: string[]): { code: string, map: null } | undefined {
    const fn = factsFunctionIn(chunk.moduleIds, this.options.integrity)
    if (!fn)
      return undefined
    return { code: code + namingCall(files.filter(file => file !== chunk.fileName), fn), map: null }
  }

  /** Before chunks are named: the lazy modules' files, for `chunkFileNames` to name their chunks after them. */
  async renderStart(output: OutputContext): Promise<void> {
    this.chunkNames.clear()
    for (const module of [...this.registered, ...await this.markedModules(output)]) {
      const name = chunkName(module)
      if (module.id !== undefined && name)
        this.chunkNames.set(module.id, name)
    }
  }

  /** The output options, with lazy chunks named after their modules. */
  nameChunks<T extends { chunkFileNames?: ChunkFileNames }>(options: T): T {
    return { ...options, chunkFileNames: namedChunkFileNames(options.chunkFileNames, id => this.chunkNames.get(id)) }
  }

  /** `environment`: the Vite environment built (`client`, `ssr`), and whether it is a server's (its size report weighs no request), where Vite names it. */
  async generateBundle(output: OutputContext, bundle: Record<string, OutputFile>, environment = this.environment, server = environment === 'ssr'): Promise<void> {
    const marked = await this.markedModules(output)
    this.writeDts(message => output.warn(message), { where: environment, marked })
    const modules = [...this.registered, ...marked]
    const inGraph = <T>(by: Map<string, T[]>) => [...by].flatMap(([importer, found]) => output.getModuleInfo(importer) ? found : [])
    unknownLookUps(inGraph(this.lookUpsBy), modules.map(module => module.name), this.options.root).forEach(message => output.warn(message))
    const startup = inGraph(this.startupBy)
    await finishBundle(output, bundle, { modules, startup }, this.options, this.sizes, { html: this.html, server })
  }
}

/** Whether a package's folder exists in a node_modules from `root` up. */
function isInstalled(specifier: string, root: string): boolean {
  const name = specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', name, 'package.json')))
      return true
    if (dirname(dir) === dir)
      return false
  }
}

/** A file, the same with a script or JSON extension, or a folder with an index: the cheap check before asking the resolver. */
function looksPresent(path: string): boolean {
  return presentFile(path) !== undefined
}

/** The file `looksPresent` finds. */
function presentFile(path: string): string | undefined {
  const stem = path.replace(/[?#].*$/, '')
  const extensions = ['.js', '.ts', '.jsx', '.tsx', '.mjs', '.mts', '.json', '.vue', '.svelte']
  return [stem, stem.replace(/\.[cm]?js$/, '.ts'), stem.replace(/\.jsx$/, '.tsx'), ...extensions.map(ext => stem + ext), ...extensions.map(ext => join(stem, `index${ext}`))]
    .find(file => existsSync(file) && statSync(file).isFile())
}
