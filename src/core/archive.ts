// Stage 4 (optional): pack chosen lazy modules' chunks into zip archives.
//
// A chunk goes into an archive only when nothing but that archive's modules needs it, so a chunk
// loose code also needs stays loose and exists once. Archived chunks keep their bytes exactly; what
// changes when they run from memory (import specifiers, `import.meta.url`) is found here, at build
// time, and recorded as links: offsets the runtime splices a URL into without ever lexing code.
import type { ArchiveEntryInfo, ArchiveInfo, ModuleInfo } from '../types'
import type { BundleChunk, BundleGraph } from './graph'
import type { ScannedImports } from './links'
import { createHash } from 'node:crypto'
import { integrityOf, sizeOf } from './bytes'
import { namePattern } from './names'
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

/** A pattern that matches no name packs nothing: say so, with the names it may have meant. */
function unmatchedPatterns(groups: ArchiveOptions['groups'], names: string[]): string[] {
  if (!groups || groups === true)
    return []
  return Object.entries(groups).flatMap(([archive, patterns]) => patterns.flatMap((pattern) => {
    const regex = namePattern(pattern)
    if (names.some(name => regex.test(name)))
      return []
    const prefix = pattern.slice(0, pattern.search(/\*|$/))
    const near = names.filter(name => name.startsWith(prefix)).slice(0, 5)
    const hint = near.length ? ` Names it may have meant: ${near.join(', ')} (\`*\` is one name segment, \`**\` any number).` : names.length ? ` The lazy module names are ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}.` : ' The build has no lazy module yet.'
    return [`option \`archives[${JSON.stringify(archive)}]\`: the pattern ${JSON.stringify(pattern)} matches no lazy module name, so it packs nothing.${hint}`]
  }))
}

/**
 * Plans, links and writes every archive. Pure apart from hashing and zipping the given chunks.
 * `linksOf` gives each chunk's references (scanned once for the whole bundle stage).
 */
export function packArchives(modules: ModuleInfo[], graph: BundleGraph, options: ArchiveOptions, linksOf: (file: string) => ScannedImports): PackedArchives {
  const result: PackedArchives = { archives: {}, files: new Map(), archived: new Set(), warnings: [] }
  // `true` groups the registered modules; a marked import is one file's own business.
  const candidates = modules.filter(module => module.file && (options.groups !== true || module.kind === 'registered'))
  const archiveOf = groupModules(options.groups, candidates.map(module => module.name))
  result.warnings.push(...unmatchedPatterns(options.groups, candidates.map(module => module.name)))
  if (!archiveOf.size)
    return result
  const chunks = graph.chunks
  const placement = placeChunks(modules, archiveOf, graph)

  // Settle what stays loose: a chunk whose links cannot all be found, and the target of a dynamic
  // import from archived code (two archives' chunks could otherwise each wait for the other's URL).
  for (let changed = true; changed;) {
    changed = false
    for (const file of [...placement.keys()]) {
      const { references, unknown } = linksOf(file)
      if (unknown) {
        result.warnings.push(`${file} stays out of its archive: ${unknown}.`)
        changed = placement.delete(file) || changed
        continue
      }
      for (const { target, dynamic } of references) {
        if (dynamic)
          changed = placement.delete(target) || changed
      }
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
        crc32: entry.crc32,
        integrity: integrityOf(chunks.get(entry.name)!.code),
        // Where each link points: '' is the chunk's own loose URL, an entry of this archive its
        // in-memory instance, anything else a loose chunk.
        links: linksOf(entry.name).references.map(({ start, end, target }): ArchiveEntryInfo['links'][number] =>
          [start, end, target, target && placement.get(target) === name ? 1 : 0]),
      }])),
    }
    for (const file of files)
      result.archived.add(file)
  }
  return result
}

/** Each chunk an archive's modules need that nothing else needs → that archive. */
function placeChunks(modules: ModuleInfo[], archiveOf: Map<string, string>, graph: BundleGraph): Map<string, string> {
  const archiveOfRoot = new Map<string, string>()
  for (const module of modules) {
    const archive = archiveOf.get(module.name)
    if (archive && module.file)
      archiveOfRoot.set(module.file, archive)
  }
  // Every entry and every dynamic entry is a root; a chunk belongs to whichever roots reach it statically.
  const owners = new Map<string, Set<string>>()
  for (const root of graph.chunks.values()) {
    if (!root.isEntry && !root.isDynamicEntry)
      continue
    for (const file of graph.closure([root.file]))
      owners.set(file, (owners.get(file) ?? new Set()).add(archiveOfRoot.get(root.file) ?? '\0loose'))
  }
  const placement = new Map<string, string>()
  for (const [file, set] of owners) {
    if (set.size === 1 && !set.has('\0loose'))
      placement.set(file, [...set][0])
  }
  keepImportsOfLooseCodeLoose(placement, graph.chunks)
  return placement
}

/** Loose code cannot import what is only in an archive, so whatever it imports stays loose. */
function keepImportsOfLooseCodeLoose(placement: Map<string, string>, chunks: Map<string, BundleChunk>) {
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

function reaches(from: string, target: string, placement: Map<string, string>, chunks: Map<string, BundleChunk>, seen = new Set<string>()): boolean {
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
