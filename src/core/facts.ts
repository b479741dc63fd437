// What each lazy module and each lazy chunk became once chunks exist, and how those facts reach the
// runtime: written into the chunk that holds the facts module, which the first load does not
// include unless `integrity` is on; the registry's chunk gets only the few a failed load needs first.
import type { ChunkFacts, Facts } from '../contract'
import type { Manifest, ModuleInfo } from '../types'
import type { BundleGraph } from './graph'
import type { ChunkReference } from './links'
import type { LazyModule } from './names'
import { EARLY_FACTS_FUNCTION, FACTS_FUNCTION, RESOLVED_FACTS_ID, RESOLVED_REGISTRY_ID } from '../contract'
import { integrityOf, sizeOf } from './bytes'
import { sourceFacts } from './registry'

export interface ModuleFacts {
  modules: ModuleInfo[]
  /** Lazy modules that landed in a chunk the app loads at start, so marking them lazy saves nothing. */
  eager: { name: string, file: string }[]
}

/** `gzipOf`: the gzip size (level 9) of a chunk's code, or one measured earlier for the same bytes (the size cache). */
export function moduleFacts(modules: LazyModule[], graph: BundleGraph, gzipOf?: (code: string) => number): ModuleFacts {
  const eager: ModuleFacts['eager'] = []
  const infos = modules.map((module): ModuleInfo => {
    const chunk = module.id === undefined ? undefined : graph.chunkOf(module.id)
    if (!chunk) // external: the bundler left the import to the platform
      return sourceFacts(module)
    if (graph.initial.has(chunk.file))
      eager.push({ name: module.name, file: chunk.file })
    // What loads at start-up is there already: neither preloaded again nor counted.
    const imports = [...graph.closure([chunk.file])].filter(file => file !== chunk.file && !graph.initial.has(file)).sort()
    const css = [chunk.file, ...imports].flatMap(file => graph.chunks.get(file)!.css)
    return {
      ...sourceFacts(module),
      file: chunk.file,
      imports,
      css: [...new Set(css)].sort(),
      size: sizeOf(chunk.code, gzipOf?.(chunk.code)),
      integrity: integrityOf(chunk.code),
    }
  })
  return { modules: infos.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0), eager }
}

/**
 * What the runtime needs to fetch a lazy chunk again, or run it from memory: its digest, the lazy
 * chunks it imports, its links, and its archive. Chunks that load at start-up are left out.
 * `links`: each chunk's references, or why they cannot all be known.
 */
export function chunkFacts(graph: BundleGraph, manifest: Manifest, links: (file: string) => ChunkReference[] | string): Record<string, ChunkFacts> {
  const moduleFiles = new Set(Object.values(manifest.modules).map(module => module.file))
  const archiveOf = new Map(Object.entries(manifest.archives).flatMap(([name, archive]) => Object.keys(archive.entries).map(entry => [entry, name])))
  const facts: Record<string, ChunkFacts> = {}
  for (const chunk of graph.chunks.values()) {
    // The facts' own chunk changes after this, and is never fetched again but as a whole.
    if (graph.initial.has(chunk.file) || chunk.code.includes(FACTS_FUNCTION))
      continue
    const found = links(chunk.file)
    facts[chunk.file] = {
      // A module's chunk has its digest on the module already; each one repeated costs every visitor.
      ...(moduleFiles.has(chunk.file) ? {} : { integrity: integrityOf(chunk.code) }),
      imports: chunk.imports.filter(file => !graph.initial.has(file)),
      ...(typeof found === 'string' ? {} : { links: found.map(({ start, end, target }): [number, number, string] => [start, end, target]) }),
      ...(archiveOf.has(chunk.file) ? { archive: archiveOf.get(chunk.file) } : {}),
    }
  }
  return facts
}

/**
 * Which facts function a chunk calls, by the modules in it: the facts module's, or the registry's
 * early facts' (none with `integrity`, where the registry imports the facts module itself).
 */
export function factsFunctionIn(moduleIds: readonly string[], integrity: boolean): string | undefined {
  if (moduleIds.includes(RESOLVED_FACTS_ID))
    return FACTS_FUNCTION
  if (moduleIds.includes(RESOLVED_REGISTRY_ID) && !integrity)
    return EARLY_FACTS_FUNCTION
  return undefined
}

/** The same in code, for the bundler's native hook filter: a chunk that calls a facts function. */
export const FACTS_CALL = new RegExp(`\\b(?:${FACTS_FUNCTION}|${EARLY_FACTS_FUNCTION})\\(`)

/**
 * A call to `fn` (the facts' function, or the early facts' in the registry's chunk) naming every
 * other chunk, for the end of its chunk while names are still the bundler's hash placeholders:
 * Rollup and Rolldown then fold those chunks' hashes into this chunk's, so its name changes whenever
 * a fact it will carry about them does (the options that shape the facts are added by
 * `augmentChunkHash`). Only characters that need no escaping are kept, the placeholders among them,
 * so a minifier may choose any quotes. `withFacts` takes the call out.
 */
export function namingCall(files: string[], fn: string = FACTS_FUNCTION): string {
  return `\n${fn}(${JSON.stringify(files.map(file => file.replace(/[^\w$!~{}./-]/g, '')).join(' '))});\n`
}

/** The naming call as a minifier leaves it: any quotes, and maybe joined to the statement before. */
const namingCallPattern = (fn: string) => new RegExp(`[,;]?${fn}\\((["'\`])[\\w$!~{}./ -]*\\1\\);?\\n*$`)

/**
 * `code` without the naming call at its end. The pattern runs on the text from the last call on:
 * no earlier one can reach the end, since a name holds no parenthesis. A chunk of the first load
 * can be megabytes long, and a pattern anchored at the end would try every offset of it.
 */
function withoutNamingCall(code: string, fn: string): string {
  const from = Math.max(0, code.lastIndexOf(`${fn}(`) - 1)
  return code.slice(0, from) + code.slice(from).replace(namingCallPattern(fn), '')
}

/**
 * Gives the facts module its facts by appending the function it calls to the chunk that holds it,
 * in place of the naming call, and the registry its early facts (`early`: all but the modules and
 * chunks, which only a later step needs) the same way. Appending (not replacing in
 * place) moves no existing code, so the chunk's source map stays true without being rewritten;
 * function declarations are hoisted, so the call works from anywhere.
 * Chunk paths in the facts are relative to the output folder; `root` leads there from this chunk.
 * A module in this very chunk gets no size or digest here: no file can hold its own digest, and the
 * runtime never fetches a chunk it is running from. Returns the new code, or `undefined` for a
 * chunk without the call.
 */
export function withFacts(file: string, code: string, manifest: Manifest, extra: Omit<Facts, 'buildId' | 'root' | 'modules' | 'archives'>, early = false): string | undefined {
  const fn = early ? EARLY_FACTS_FUNCTION : FACTS_FUNCTION
  if (!code.includes(`${fn}(`) || code.includes(`function ${fn}(`))
    return undefined
  const root = '../'.repeat(file.split('/').length - 1)
  const { manifest: manifestFile, retry, facts: factsFile, recovery } = extra
  const archives = Object.fromEntries(Object.entries(manifest.archives).map(([name, { file, integrity }]) => [name, { file, integrity }]))
  // Early: only what a failed first attempt needs before the rest come (the retry policy, defaults
  // filled in, so the first load needs no copy of them), and the archives, which an archived
  // module's load fetches at once.
  const facts: Facts = early
    ? { buildId: manifest.buildId, root, manifest: manifestFile, retry, facts: factsFile, recovery, ...Object.keys(archives).length ? { archives } : {} }
    : {
        buildId: manifest.buildId,
        root,
        modules: Object.values(manifest.modules).map(module => module.file === file ? { ...module, size: null, integrity: null } : module),
        archives,
        ...extra,
      }
  // The early facts are few and read once: an object literal costs the first load less than JSON.parse.
  const definition = `function ${fn}() { return ${early ? JSON.stringify(facts) : `JSON.parse(${JSON.stringify(JSON.stringify(facts))})`} }\n`
  const mapComment = /\n\/\/# sourceMappingURL=[^\n]*\n?$/.exec(code)
  const at = mapComment ? mapComment.index + 1 : code.length
  const head = withoutNamingCall(code.slice(0, at), fn)
  return `${head}${head.endsWith('\n') ? '' : '\n'}${definition}${code.slice(at)}`
}
