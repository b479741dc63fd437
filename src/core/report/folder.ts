// The report's input from a folder already built, for the CLI: the manifest, the chunks (archived
// ones read from their zips), the CSS, and what loads first. What a folder cannot tell: docs/report.md.
import type { Manifest } from '../../types'
import type { BundleChunk } from '../graph'
import type { ReportInput, SourceMapInput } from './types'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, posix, relative, sep } from 'node:path'
import { ArchiveFormatError } from '../../runtime/errors'
import { parseZip, readEntry } from '../../runtime/zip'
import { createGraph } from '../graph'
import { lexerReady, scanImports } from '../links'

export interface FolderReport {
  input: ReportInput
  /** Where the first load was taken from, in words. */
  source: string
  /** Chunks whose imports could not be read, so the graph may miss some of their edges. */
  warnings: string[]
}

/**
 * `manifestFile` must exist; the chunks, CSS and archives are read from `dir`. What only the build
 * knows (the first load's modules, the advice) comes from the build's report, `reportFile` in `dir`,
 * when it is of the same build; else the first load's modules come from source maps, if any.
 */
export async function readFolder(dir: string, manifestFile: string, reportFile = 'lazy-report.json'): Promise<FolderReport> {
  const manifest = readManifest(manifestFile)
  const files = listFiles(dir)
  const code = await readChunks(dir, files, manifest)
  const assets = new Map<string, Uint8Array>()
  for (const file of files.filter(file => file.endsWith('.css')))
    assets.set(file, readFileSync(join(dir, file)))
  for (const archive of Object.values(manifest.archives ?? {}))
    assets.set(archive.file, readFileSync(join(dir, archive.file)))

  await lexerReady()
  const warnings: string[] = []
  const chunks = [...code].map(([file, source]): BundleChunk => {
    const { references, unknown } = scanImports(source, file)
    if (unknown?.startsWith('it does not parse'))
      warnings.push(`${file}: its imports are not counted, since ${unknown}.`)
    const targets = (dynamic: boolean) => [...new Set(references.filter(ref => ref.dynamic === dynamic && code.has(ref.target)).map(ref => ref.target))]
    return { file, code: source, imports: targets(false), dynamicImports: targets(true), css: [], isEntry: false, isDynamicEntry: false, facadeModuleId: null, moduleIds: [], modules: {} }
  })
  const { start, css, source } = firstLoad(dir, files, chunks, manifest)
  const graph = createGraph(chunks, start)
  const input: ReportInput = { manifest, graph, assets, initialCss: css }
  const built = fromBuild(join(dir, reportFile), manifest.buildId)
  if (built)
    input.fromBuild = built
  else
    input.sourceMaps = sourceMaps(dir, graph.initial, code)
  return { input, source, warnings }
}

/** The build's own report, if it is of this build and knows what the folder cannot. */
function fromBuild(file: string, buildId: string): ReportInput['fromBuild'] {
  if (!existsSync(file))
    return undefined
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'))
    return report?.buildId === buildId && report.composition?.from === 'build' ? { advice: report.advice ?? null, composition: report.composition, plugin: report.initial?.plugin, pluginChunks: Array.isArray(report.lazy?.plugin?.files) ? report.lazy.plugin.files : undefined, archiveLoader: Array.isArray(report.lazy?.plugin?.archiveLoader) ? report.lazy.plugin.archiveLoader : undefined } : undefined
  }
  catch {
    return undefined
  }
}

/** Each chunk's source map: the file its `sourceMappingURL` names, else `<chunk>.map`. */
function sourceMaps(dir: string, files: Iterable<string>, code: Map<string, string>): Map<string, SourceMapInput> {
  const maps = new Map<string, SourceMapInput>()
  for (const file of files) {
    const named = /\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/.exec(code.get(file) ?? '')?.[1]
    const path = named && !/^(?:data|https?):/.test(named) ? posix.join(posix.dirname(file), decode(named)) : `${file}.map`
    try {
      const map = JSON.parse(readFileSync(join(dir, path), 'utf8'))
      if (typeof map?.mappings === 'string' && Array.isArray(map.sources))
        maps.set(file, map)
    }
    catch {}
  }
  return maps
}

function readManifest(file: string): Manifest {
  let manifest: Manifest
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'))
  }
  catch (error: any) {
    throw new Error(`${file} is not JSON (${error.message}); is it the manifest unplugin-lazy-modules wrote?`)
  }
  if (!manifest || typeof manifest.modules !== 'object' || typeof manifest.buildId !== 'string')
    throw new Error(`${file} is not a manifest of unplugin-lazy-modules: it has no \`buildId\` and \`modules\`.`)
  return manifest
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || entry.name === 'node_modules')
      return []
    const path = join(dir, entry.name)
    return entry.isDirectory() ? listFiles(path, base) : [relative(base, path).split(sep).join('/')]
  })
}

/** Every JS file, and each archived chunk from its zip, read with the runtime's strict reader and checked against the manifest's digests. */
async function readChunks(dir: string, files: string[], manifest: Manifest): Promise<Map<string, string>> {
  const code = new Map<string, string>()
  for (const file of files.filter(file => /\.[cm]?js$/.test(file)))
    code.set(file, readFileSync(join(dir, file), 'utf8'))
  for (const archive of Object.values(manifest.archives ?? {})) {
    const zip = readFileSync(join(dir, archive.file))
    const entries = parseZip(zip, archive.file)
    for (const [file, info] of Object.entries(archive.entries)) {
      const entry = entries.get(file)
      if (!entry)
        throw new ArchiveFormatError(archive.file, file, 'no such entry')
      code.set(file, new TextDecoder().decode(await readEntry(zip, entry, archive.file, info.integrity)))
    }
  }
  return code
}

/** What the HTML pages load at start; without them, the chunks nothing imports and CSS no lazy module needs. */
function firstLoad(dir: string, files: string[], chunks: BundleChunk[], manifest: Manifest): { start: string[], css: string[], source: string } {
  const known = new Set([...files, ...chunks.map(chunk => chunk.file)])
  const pages = files.filter(file => file.endsWith('.html'))
    .map(page => [page, loadedByHtml(page, readFileSync(join(dir, page), 'utf8'), known)] as const)
    .filter(([, loaded]) => loaded.length)
  let loaded = [...new Set(pages.flatMap(([, found]) => found))]
  let source = pages.map(([page]) => page).join(', ')
  if (!loaded.length) {
    const imported = new Set(chunks.flatMap(chunk => [...chunk.imports, ...chunk.dynamicImports]))
    const lazy = new Set(Object.values(manifest.modules).flatMap(info => [info.file, ...info.css]))
    loaded = [...chunks.map(chunk => chunk.file), ...files.filter(file => file.endsWith('.css'))].filter(file => !imported.has(file) && !lazy.has(file))
    source = 'the chunks no other chunk imports (no HTML page names its scripts)'
  }
  return { start: loaded.filter(file => !file.endsWith('.css')), css: loaded.filter(file => file.endsWith('.css')), source }
}

/** Module scripts, module preloads and style sheets of a page that are in the folder. */
function loadedByHtml(page: string, html: string, files: Set<string>): string[] {
  const attribute = (tag: string, name: string) => new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag)?.slice(1).find(value => value !== undefined)
  const urls: string[] = []
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/gi)) {
    if (/^<script/i.test(tag))
      urls.push(attribute(tag, 'src') ?? '')
    else if (/^(?:modulepreload|stylesheet)$/i.test(attribute(tag, 'rel') ?? ''))
      urls.push(attribute(tag, 'href') ?? '')
  }
  return urls.flatMap((url) => {
    if (!url || /^(?:data|blob):/i.test(url))
      return []
    const path = decode(url.replace(/^[a-z][\w+.-]*:\/\/[^/]+/i, '').replace(/[?#].*$/, ''))
    const fromPage = posix.normalize(posix.join(posix.dirname(page), path))
    if (!path.startsWith('/') && files.has(fromPage))
      return [fromPage]
    // An absolute path starts with the app's base, which the folder does not know: the longest tail that is a file.
    const segments = path.split('/').filter(Boolean)
    const tail = segments.map((_, i) => segments.slice(i).join('/')).find(candidate => files.has(candidate))
    return tail ? [tail] : []
  })
}

/** A URL path as a file name; one with a stray `%` is taken as written. */
function decode(path: string): string {
  try {
    return decodeURIComponent(path)
  }
  catch {
    return path
  }
}
