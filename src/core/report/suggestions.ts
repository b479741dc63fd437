// The fixes the numbers support: a lazy module too small to be worth a request, a module copied into
// several chunks, and first-load code that only lazy code imports.
import type { ReportArchive, ReportInput, ReportModule, Sizes, Suggestion } from './types'
import { formatSize, list } from './format'
import { moduleKey, shortId } from './ids'

/**
 * What one more request costs beyond its body, in bytes: HTTP/2 headers after HPACK, and framing.
 * An estimate that errs low (docs/report.md); it only decides the `tiny-module` suggestion.
 */
export const REQUEST_OVERHEAD = 300

/** The `archive-fetch` hint: loading one module of an archive fetches more than this many times its own size. */
export const ARCHIVE_RATIO = 10

/** Every suggestion, largest `bytes` first. `initial`: the first load's files. */
export function suggest(input: ReportInput, modules: Record<string, ReportModule>, initial: Set<string>): Suggestion[] {
  return [...input.server ? [] : tinyModules(modules), ...duplicates(input, initial), ...eagerOnlyLazy(input, initial)]
    .sort((a, b) => b.bytes - a.bytes || (a.subject < b.subject ? -1 : 1))
}

/**
 * A lazy module that costs less than being lazy does: its loader in the first load (`firstLoad`, as
 * the build wrote it), plus a request.
 */
function tinyModules(modules: Record<string, ReportModule>): Suggestion[] {
  return Object.values(modules).flatMap((module) => {
    if (!module.file || module.eager || module.archive)
      return []
    const loader = module.firstLoad?.gzip ?? 0
    if (module.load.gzip >= loader + REQUEST_OVERHEAD)
      return []
    const cost = module.firstLoad
      ? `its loader in the first load (${loader} B gzip) plus a request (~${REQUEST_OVERHEAD} B)`
      : `a request (~${REQUEST_OVERHEAD} B)`
    return [{
      kind: 'tiny-module' as const,
      subject: module.name,
      bytes: module.load.gzip,
      message: `"${module.name}" loads ${module.load.gzip} B gzip, less than loading it lazily costs: ${cost}. Import it eagerly, or put it in an archive with others (option \`archives\`).`,
    }]
  })
}

interface Copy { group: string, chunk: string, id: string, bytes: number }

/** The same module in several chunks: a package installed twice, one file imported with two queries. */
function duplicates({ graph, root }: ReportInput, initial: Set<string>): Suggestion[] {
  const copies = new Map<string, Copy[]>()
  for (const chunk of graph.chunks.values()) {
    for (const [id, bytes] of Object.entries(chunk.modules)) {
      const { key, group } = moduleKey(id, root)
      if (bytes)
        copies.set(key, [...(copies.get(key) ?? []), { group, chunk: chunk.file, id, bytes }])
    }
  }
  const groups = new Map<string, { chunks: Map<string, number>, ids: Set<string>, copied: number }>()
  for (const found of copies.values()) {
    if (new Set(found.map(copy => copy.chunk)).size < 2)
      continue
    const group = groups.get(found[0].group) ?? { chunks: new Map(), ids: new Set(), copied: 0 }
    for (const copy of found) {
      group.chunks.set(copy.chunk, (group.chunks.get(copy.chunk) ?? 0) + copy.bytes)
      group.ids.add(shortId(copy.id, root))
    }
    group.copied += found.reduce((total, copy) => total + copy.bytes, 0) - Math.max(...found.map(copy => copy.bytes))
    groups.set(found[0].group, group)
  }
  return [...groups].map(([subject, { chunks, ids, copied }]) => {
    const where = [...chunks].sort().map(([chunk, bytes]) => `${chunk}${initial.has(chunk) ? ' (first load)' : ''}: ${bytes} B`).join(', ')
    return {
      kind: 'duplicate-module' as const,
      subject,
      bytes: copied,
      message: `${subject} is in ${chunks.size} chunks (${where}), from ${list([...ids].sort(), 4)}: ${copied} B raw are copies. Keep one copy: dedupe the package (one version; \`npm dedupe\`, Vite's \`resolve.dedupe\`), or import the file by one path.`,
    }
  })
}

/** First-load code that only lazy code imports: manual chunking or chunk merging pulled it forward. */
function eagerOnlyLazy({ graph, moduleInfo, root }: ReportInput, initial: Set<string>): Suggestion[] {
  if (!moduleInfo)
    return []
  const groups = new Map<string, { chunk: string, bytes: number, importers: Set<string> }>()
  for (const chunk of graph.chunks.values()) {
    if (!initial.has(chunk.file))
      continue
    for (const [id, bytes] of Object.entries(chunk.modules)) {
      const info = bytes ? moduleInfo(id) : null
      const importers = [...info?.importers ?? [], ...info?.dynamicImporters ?? []].filter(importer => graph.chunkOf(importer))
      if (!importers.length || info!.isEntry || importers.some(importer => initial.has(graph.chunkOf(importer)!.file)))
        continue
      const { group } = moduleKey(id, root)
      const found = groups.get(group) ?? { chunk: chunk.file, bytes: 0, importers: new Set() }
      found.bytes += bytes
      importers.forEach(importer => found.importers.add(`${shortId(importer, root)} in ${graph.chunkOf(importer)!.file}`))
      groups.set(group, found)
    }
  }
  return [...groups].map(([subject, { chunk, bytes, importers }]) => ({
    kind: 'eager-only-lazy' as const,
    subject,
    bytes,
    message: `${subject} (${bytes} B raw) is in ${chunk}, part of the first load, yet only lazy code imports it (${list([...importers].sort(), 3)}). Leaving it to the lazy chunks takes ${bytes} B raw off the first load: see what put it there (manualChunks, advancedChunks, merged chunks).`,
  }))
}

/**
 * An archive of alternatives used one at a time (locales, themes) makes whoever needs one fetch them
 * all. `loose`: what each module would load as loose files. One hint per archive, naming the median
 * module of those over `ARCHIVE_RATIO`.
 */
export function archiveHints(modules: Record<string, ReportModule>, archives: Record<string, ReportArchive>, loose: Map<string, Sizes>, loader?: Sizes): Suggestion[] {
  return [...archiveCost(archives, loader), ...Object.entries(archives).flatMap(([name, archive]) => {
    const over = archive.modules
      .map(module => ({ module, own: loose.get(module)!.gzip, fetched: modules[module].load.gzip }))
      .filter(({ own, fetched }) => own > 0 && fetched > ARCHIVE_RATIO * own)
      .sort((a, b) => a.fetched / a.own - b.fetched / b.own || (a.module < b.module ? -1 : 1))
    if (!over.length)
      return []
    const { module, own, fetched } = over[Math.floor((over.length - 1) / 2)]
    const others = over.length === archive.modules.length ? `all ${archive.modules.length} of its modules` : `${over.length} of its ${archive.modules.length} modules`
    return [{
      kind: 'archive-fetch' as const,
      subject: name,
      bytes: fetched - own,
      message: `loading ${module} fetches the ${formatSize(archive.size.gzip)} archive "${name}", ${Math.round(fetched / own)}× its own ${formatSize(own)} (gzip); ${others} fetch over ${ARCHIVE_RATIO}× their own size. An archive suits modules loaded together; for alternatives loaded one at a time (locales, themes), leave them loose or archive them in smaller groups.`,
    }]
  })]
}

/**
 * Archives that save less than what they bring: loaded together, their modules would save a request
 * each but one, and the bytes one zip compresses better than its entries alone; the first archived
 * load fetches the plugin's facts and memory loader (`loader`), which an app without archives
 * fetches only when a load fails.
 */
function archiveCost(archives: Record<string, ReportArchive>, loader: Sizes | undefined): Suggestion[] {
  const all = Object.values(archives)
  if (!loader || !all.length)
    return []
  const requests = all.reduce((total, archive) => total + Math.max(0, archive.entries.length - 1), 0)
  const saved = requests * REQUEST_OVERHEAD + all.reduce((total, archive) => total + archive.loose.gzip - archive.size.gzip, 0)
  if (saved >= loader.gzip)
    return []
  const names = Object.keys(archives).map(name => JSON.stringify(name))
  return [{
    kind: 'archive-cost' as const,
    subject: Object.keys(archives).join(', '),
    bytes: loader.gzip - saved,
    message: `${all.length === 1 ? `archive ${names[0]} saves` : `archives ${list(names, 3)} save`} about ${formatSize(Math.max(0, saved))} gzip over loose files (${requests} request${requests === 1 ? '' : 's'} fewer, and the zip's compression), less than the ${formatSize(loader.gzip)} of the plugin's facts and archive loader that the first archived load fetches. Leave these modules loose, or archive more of the modules an app loads together.`,
  }]
}
