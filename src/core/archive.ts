// Stage 4 (optional): pack chosen lazy modules' chunks into zip archives.
//
// A chunk goes into an archive only when nothing but that archive's modules needs it, so a chunk
// loose code also needs stays loose and exists once. Archived chunks keep their bytes exactly; what
// changes when they run from memory (import specifiers, `import.meta.url`) is found here, at build
// time, and recorded as links: offsets the runtime splices a URL into without ever lexing code.
import type { ArchiveEntryInfo, ArchiveInfo, ModuleInfo } from '../types'
import type { OutputBundleLike, OutputChunkLike } from './manifest'
import { createHash } from 'node:crypto'
import { posix } from 'node:path'
import type { ChunkFacts } from '../runtime/runtime'
import { init, parse } from 'es-module-lexer'
import { integrityOf, sizeOf, staticClosure } from './manifest'
import { FACTS_FUNCTION } from './registry'
import { writeZip } from './zip-writer'

export interface ArchiveOptions {
  groups: Record<string, string[]> | true | undefined
  compression: 'store' | 'deflate'
}

export interface PackedArchives {
  archives: Record<string, ArchiveInfo>
  /** The zips to emit, by file name. */
  files: Map<string, Uint8Array>
  /** Chunks now in an archive, to leave out of the loose output. */
  archived: Set<string>
  warnings: string[]
  /** Each chunk's links found while packing, so `chunkFacts` need not look again. */
  links: Map<string, Links>
}

/** Which archive each module belongs to: by the `archives` patterns, or by first name segment for `true`. */
export function groupModules(groups: ArchiveOptions['groups'], names: string[]): Map<string, string> {
  const archiveOf = new Map<string, string>()
  if (!groups)
    return archiveOf
  for (const name of names) {
    if (groups === true) {
      if (name.includes('/'))
        archiveOf.set(name, name.slice(0, name.indexOf('/')))
      continue
    }
    const archive = Object.keys(groups).find(archive => groups[archive].some(pattern => namePattern(pattern).test(name)))
    if (archive)
      archiveOf.set(name, archive)
  }
  return archiveOf
}

/** `charts/*` matches one segment, `charts/**` any depth. */
function namePattern(pattern: string): RegExp {
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*|\*/g, star => star === '**' ? '.*' : '[^/]*')
  return new RegExp(`^${source}$`)
}

/** Plans, links and writes every archive. Pure apart from hashing and zipping the given chunks. */
export function packArchives(modules: ModuleInfo[], bundle: OutputBundleLike, options: ArchiveOptions): PackedArchives {
  const result: PackedArchives = { archives: {}, files: new Map(), archived: new Set(), warnings: [], links: new Map() }
  // `true` groups the registered modules; a marked import is one file's own business.
  const candidates = modules.filter(module => module.file && (options.groups !== true || module.kind === 'registered'))
  const archiveOf = groupModules(options.groups, candidates.map(module => module.name))
  if (!archiveOf.size)
    return result
  const chunks = new Map(Object.values(bundle).filter((file): file is OutputChunkLike => file.type === 'chunk').map(chunk => [chunk.fileName, chunk]))
  const placement = placeChunks(modules, archiveOf, chunks)

  // Settle what stays loose: a chunk whose links cannot all be found, and the target of a dynamic
  // import from archived code (two archives' chunks could otherwise each wait for the other's URL).
  const links = result.links
  for (let changed = true; changed;) {
    changed = false
    for (const file of [...placement.keys()]) {
      if (!links.has(file))
        links.set(file, findLinks(chunks.get(file)!.code, file))
      const found = links.get(file)!
      if (typeof found === 'string') {
        result.warnings.push(`${file} stays out of its archive: ${found}.`)
        changed = placement.delete(file) || changed
        continue
      }
      for (const target of found.dynamic)
        changed = placement.delete(target) || changed
    }
    if (changed)
      keepImportsOfLooseCodeLoose(placement, chunks)
  }

  const byArchive = new Map<string, string[]>()
  for (const [file, archive] of placement)
    byArchive.set(archive, [...(byArchive.get(archive) ?? []), file])
  for (const [name, files] of [...byArchive].sort(([a], [b]) => a < b ? -1 : 1)) {
    const { bytes, entries } = writeZip(files.map(file => ({ name: file, data: Buffer.from(chunks.get(file)!.code) })), { compression: options.compression })
    const fileName = `${name}-${createHash('sha256').update(bytes).digest('base64url').slice(0, 8)}.zip`
    result.files.set(fileName, bytes)
    result.archives[name] = {
      file: fileName,
      integrity: integrityOf(bytes),
      size: sizeOf(bytes),
      entries: Object.fromEntries(entries.map(entry => [entry.name, {
        offset: entry.offset,
        compressedSize: entry.compressedSize,
        size: entry.size,
        method: entry.method,
        crc32: entry.crc,
        integrity: integrityOf(chunks.get(entry.name)!.code),
        // Where each link points: '' is the chunk's own loose URL, an entry of this archive its
        // in-memory instance, anything else a loose chunk.
        links: (links.get(entry.name) as Exclude<Links, string>).all.map(([start, end, target]): ArchiveEntryInfo['links'][number] =>
          [start, end, target, target && placement.get(target) === name ? 1 : 0]),
      }])),
    }
    for (const file of files)
      result.archived.add(file)
  }
  return result
}

/** Each chunk an archive's modules need that nothing else needs → that archive. */
function placeChunks(modules: ModuleInfo[], archiveOf: Map<string, string>, chunks: Map<string, OutputChunkLike>): Map<string, string> {
  const archiveOfRoot = new Map<string, string>()
  for (const module of modules) {
    const archive = archiveOf.get(module.name)
    if (archive && module.file)
      archiveOfRoot.set(module.file, archive)
  }
  // Every entry and every dynamic entry is a root; a chunk belongs to whichever roots reach it statically.
  const owners = new Map<string, Set<string>>()
  for (const root of chunks.values()) {
    if (!root.isEntry && !root.isDynamicEntry)
      continue
    const stack = [root.fileName]
    const seen = new Set<string>()
    while (stack.length) {
      const file = stack.pop()!
      if (seen.has(file) || !chunks.has(file))
        continue
      seen.add(file)
      owners.set(file, (owners.get(file) ?? new Set()).add(archiveOfRoot.get(root.fileName) ?? '\0loose'))
      stack.push(...chunks.get(file)!.imports)
    }
  }
  const placement = new Map<string, string>()
  for (const [file, set] of owners) {
    if (set.size === 1 && !set.has('\0loose'))
      placement.set(file, [...set][0])
  }
  keepImportsOfLooseCodeLoose(placement, chunks)
  return placement
}

/** Loose code cannot import what is only in an archive, so whatever it imports stays loose. */
function keepImportsOfLooseCodeLoose(placement: Map<string, string>, chunks: Map<string, OutputChunkLike>) {
  const stack = [...chunks.keys()].filter(file => !placement.has(file))
  while (stack.length) {
    for (const imported of chunks.get(stack.pop()!)!.imports) {
      if (placement.delete(imported))
        stack.push(imported)
    }
  }
  // Cycles between archived chunks cannot be given in-memory URLs one after another.
  for (const file of placement.keys()) {
    if (reaches(file, file, placement, chunks))
      placement.delete(file)
  }
}

function reaches(from: string, target: string, placement: Map<string, string>, chunks: Map<string, OutputChunkLike>, seen = new Set<string>()): boolean {
  for (const next of chunks.get(from)!.imports) {
    if (next === target)
      return true
    if (placement.has(next) && !seen.has(next)) {
      seen.add(next)
      if (reaches(next, target, placement, chunks, seen))
        return true
    }
  }
  return false
}

type Links = { all: [number, number, string][], dynamic: string[] } | string

/** es-module-lexer's WebAssembly must be ready before `findLinks` runs. */
export const linksReady: () => Promise<void> = init

/**
 * Where a chunk's code names another chunk (static and dynamic import specifiers) or itself
 * (`import.meta.url`), as `[start, end, target]`: the specifier's text without its quotes and the
 * chunk it names (relative to the output folder), or `import.meta.url` and `''` for the chunk itself.
 * A string says why the chunk cannot run from memory. es-module-lexer reads whole chunks fast, so
 * every lazy chunk can be linked without slowing the build.
 */
export function findLinks(code: string, file: string): Links {
  let imports
  try {
    [imports] = parse(code)
  }
  catch (error: any) {
    return `it does not parse as an ES module (${error.message})`
  }
  const all: [number, number, string][] = []
  const dynamic: string[] = []
  const dir = posix.dirname(file)
  for (const found of imports) {
    if (found.type === 'import-meta') {
      if (!code.startsWith('.url', found.end))
        return `it uses import.meta other than import.meta.url at offset ${found.start}`
      all.push([found.start, found.end + 4, ''])
      continue
    }
    let { specifier, start, end } = found
    if (found.type === 'dynamic') {
      if (specifier === undefined || specifier === null || !/['"`]/.test(code[start]))
        return `an import() of a computed specifier at offset ${start}`
      start++ // a dynamic import's span includes the quotes
      end--
    }
    if (!/^\.\.?\//.test(specifier!))
      continue
    const target = posix.normalize(posix.join(dir, specifier!))
    all.push([start, end, target])
    if (found.type === 'dynamic')
      dynamic.push(target)
  }
  return { all: all.sort((a, b) => a[0] - b[0]), dynamic }
}

/**
 * What the runtime needs to fetch a lazy chunk again, or run it from memory: its digest, the lazy
 * chunks it imports, its links, and its archive. Chunks that load at start-up are left out.
 */
export function chunkFacts(bundle: OutputBundleLike, packed: PackedArchives, moduleFiles: Set<string>): Record<string, ChunkFacts> {
  const chunks = Object.values(bundle).filter((file): file is OutputChunkLike => file.type === 'chunk')
  const initial = staticClosure(chunks.filter(chunk => chunk.isEntry).map(chunk => chunk.fileName), new Map(chunks.map(chunk => [chunk.fileName, chunk.imports])))
  const archiveOf = new Map(Object.entries(packed.archives).flatMap(([name, archive]) => Object.keys(archive.entries).map(entry => [entry, name])))
  const facts: Record<string, ChunkFacts> = {}
  for (const chunk of chunks) {
    // The registry's own chunk changes after this; it always loads with the runtime anyway.
    if (initial.has(chunk.fileName) || chunk.code.includes(FACTS_FUNCTION))
      continue
    const links = packed.links.get(chunk.fileName) ?? findLinks(chunk.code, chunk.fileName)
    facts[chunk.fileName] = {
      // A module's chunk has its digest on the module already; each one repeated costs every visitor.
      ...(moduleFiles.has(chunk.fileName) ? {} : { integrity: integrityOf(chunk.code) }),
      imports: chunk.imports.filter(file => !initial.has(file)),
      ...(typeof links === 'string' ? {} : { links: links.all }),
      ...(archiveOf.has(chunk.fileName) ? { archive: archiveOf.get(chunk.fileName) } : {}),
    }
  }
  return facts
}
