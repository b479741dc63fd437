// What the first load's JS is made of: each module's share of the chunk it was written into. A build
// knows each module's rendered length; a folder only has source maps, which say which source each
// byte of a chunk came from. Either way the shares add up to the chunk as written (minified).
import type { BundleGraph } from '../graph'
import type { ComposedModule, Composition, Share, Sizes, SourceMapInput } from './types'
import { decodedMappings, TraceMap } from '@jridgewell/trace-mapping'
import { posix } from 'node:path'
import { isVirtual, moduleKey } from './ids'

/** A first-load module by its full id, with its chunk and its share of the chunk's written bytes. */
export interface ModuleShare extends Share { chunk: string }

/** From a live build: the chunk's written bytes split by each module's rendered length. */
export function buildShares(graph: BundleGraph, sizes: Map<string, Sizes>): Map<string, ModuleShare> {
  const shares = new Map<string, ModuleShare>()
  for (const file of graph.initial) {
    const chunk = graph.chunks.get(file)!
    split(file, Object.entries(chunk.modules), sizes.get(file), shares)
  }
  return shares
}

/** From a folder: the chunk's written bytes split by the source each byte maps to; unmapped bytes are `(unmapped)`. */
export function sourceMapShares(graph: BundleGraph, maps: Map<string, SourceMapInput>, sizes: Map<string, Sizes>): Map<string, ModuleShare> {
  const shares = new Map<string, ModuleShare>()
  for (const file of graph.initial) {
    const map = maps.get(file)
    if (map)
      split(file, [...mappedBytes(file, graph.chunks.get(file)!.code, map)], sizes.get(file), shares)
  }
  return shares
}

function split(chunk: string, lengths: [id: string, length: number][], size: Sizes | undefined, into: Map<string, ModuleShare>) {
  const total = lengths.reduce((sum, [, length]) => sum + length, 0)
  if (!size || !total)
    return
  for (const [id, length] of lengths) {
    if (length)
      into.set(id, { chunk, raw: Math.round(size.raw * length / total), gzip: Math.round(size.gzip * length / total) })
  }
}

/** Characters of generated code per source: from each mapping to the next on its line. */
function mappedBytes(file: string, code: string, map: SourceMapInput): Map<string, number> {
  const counts = new Map<string, number>()
  const add = (source: string, length: number) => counts.set(source, (counts.get(source) ?? 0) + length)
  let lines: ReturnType<typeof decodedMappings>
  try {
    lines = decodedMappings(new TraceMap(map as ConstructorParameters<typeof TraceMap>[0]))
  }
  catch {
    return counts
  }
  const sources = map.sources.map(source => source === null ? '(unmapped)' : sourcePath(file, map.sourceRoot ?? '', source))
  code.split('\n').forEach((text, line) => {
    const segments = lines[line] ?? []
    let mapped = 0
    segments.forEach((segment, index) => {
      const end = index + 1 < segments.length ? segments[index + 1][0] : text.length + 1
      const length = Math.max(0, end - segment[0])
      if (segment.length >= 4)
        add(sources[segment[1]!] ?? '(unmapped)', length)
      else
        add('(unmapped)', length)
      mapped += length
    })
    add('(unmapped)', text.length + 1 - mapped)
  })
  return counts
}

/** A source of a chunk's map as a path from the project's root: the output folder is taken to sit in it. */
function sourcePath(file: string, sourceRoot: string, source: string): string {
  const path = posix.normalize(posix.join(posix.dirname(file), sourceRoot, source.replace(/^[a-z][\w+.-]*:\/\/\/?/i, '')))
  return path.replace(/^(?:\.\.\/)+/, '')
}

/** Shares by full id → the report's composition, keyed by short id; copies under one key add up. */
export function compose(shares: Map<string, ModuleShare>, root: string | undefined, from: Composition['from']): Composition | null {
  if (!shares.size)
    return null
  const modules: Record<string, ComposedModule> = {}
  for (const [id, share] of shares) {
    const { key, package: pkg } = isVirtual(id) ? { key: id.startsWith('\0') ? id.slice(1).replace(/^(?!virtual:)/, 'virtual:') : id, package: null } : moduleKey(id, root)
    const known = modules[key]
    modules[key] = known
      ? { ...known, raw: known.raw + share.raw, gzip: known.gzip + share.gzip }
      : { package: pkg, chunk: share.chunk, raw: share.raw, gzip: share.gzip }
  }
  return { from, modules }
}
