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
import { Parser } from 'acorn'
import { walk } from 'estree-walker'
import { integrityOf, sizeOf } from './manifest'
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

/** `charts/*` matches one segment, `charts/**` any depth. */
function namePattern(pattern: string): RegExp {
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*|\*/g, star => star === '**' ? '.*' : '[^/]*')
  return new RegExp(`^${source}$`)
}

/** Plans, links and writes every archive. Pure apart from hashing and zipping the given chunks. */
export function packArchives(modules: ModuleInfo[], bundle: OutputBundleLike, options: ArchiveOptions): PackedArchives {
  const result: PackedArchives = { archives: {}, files: new Map(), archived: new Set(), warnings: [] }
  // `true` groups the registered modules; a marked import is one file's own business.
  const candidates = modules.filter(module => module.file && (options.groups !== true || module.kind === 'registered'))
  const archiveOf = groupModules(options.groups, candidates.map(module => module.name))
  if (!archiveOf.size)
    return result
  const chunks = new Map(Object.values(bundle).filter((file): file is OutputChunkLike => file.type === 'chunk').map(chunk => [chunk.fileName, chunk]))
  const placement = placeChunks(modules, archiveOf, chunks)

  // Settle what stays loose: a chunk whose links cannot all be found, and the target of a dynamic
  // import from archived code (two archives' chunks could otherwise each wait for the other's URL).
  const links = new Map<string, Links>()
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

/**
 * Where a chunk's code names another chunk (static and dynamic import specifiers) or itself
 * (`import.meta.url`), as `[start, end, target]`: the specifier's text without its quotes and the
 * chunk it names (relative to the output folder), or `import.meta.url` and `''` for the chunk itself.
 * A string says why the chunk cannot run from memory.
 */
export function findLinks(code: string, file: string): Links {
  let ast
  try {
    ast = Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'module' })
  }
  catch (error: any) {
    return `it does not parse as an ES module (${error.message})`
  }
  const all: [number, number, string][] = []
  const dynamic: string[] = []
  let problem: string | undefined
  const dir = posix.dirname(file)
  walk(ast as any, {
    enter(node: any, parent: any) {
      const source = /^(?:ImportExpression|ImportDeclaration|ExportAllDeclaration|ExportNamedDeclaration)$/.test(node.type) ? node.source : undefined
      if (source) {
        if (source.type !== 'Literal' || typeof source.value !== 'string') {
          problem ??= `an import() of a computed specifier at offset ${node.start}`
        }
        else if (/^\.\.?\//.test(source.value)) {
          const target = posix.normalize(posix.join(dir, source.value))
          all.push([source.start + 1, source.end - 1, target])
          if (node.type === 'ImportExpression')
            dynamic.push(target)
        }
      }
      if (node.type === 'MetaProperty' && node.meta.name === 'import') {
        if (parent?.type === 'MemberExpression' && !parent.computed && parent.property.name === 'url')
          all.push([parent.start, parent.end, ''])
        else
          problem ??= `it uses import.meta other than import.meta.url at offset ${node.start}`
      }
    },
  })
  return problem ?? { all: all.sort((a, b) => a[0] - b[0]), dynamic }
}
