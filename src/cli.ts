#!/usr/bin/env node
// `lazy-modules report <dir>`: the build's size report, from a folder already built. It reads
// `lazy-manifest.json`, the chunks, the CSS and the archives. What the first load is comes from the
// folder's HTML pages (scripts, module preloads, style sheets) or, without HTML, from the chunks
// nothing imports. Module ids are gone from built files, so the hints that need the bundler's module
// graph (duplicated modules, first-load code only lazy code uses) only come from a build.
import type { ReportChunk } from './core/report'
import type { Manifest } from './types'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, posix, relative, sep } from 'node:path'
import process from 'node:process'
import { init, parse } from 'es-module-lexer'
import { createReport } from './core/report'
import { formatTable } from './core/report-view'
import { ArchiveFormatError } from './runtime/errors'
import { parseZip, readEntry } from './runtime/zip'

const USAGE = `Usage: lazy-modules report <dir> [--json] [--no-brotli] [--manifest <file>]

Prints the size report of a build in <dir>: the first load, each lazy module, each archive.
  --json             print the report as JSON (the fields of lazy-report.json)
  --no-brotli        skip brotli sizes, most of the time taken (about 1.3 s per MB)
  --manifest <file>  the manifest's name in <dir> (default: lazy-manifest.json)`

class UsageError extends Error {}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || entry.name === 'node_modules')
      return []
    const path = join(dir, entry.name)
    return entry.isDirectory() ? listFiles(path, base) : [relative(base, path).split(sep).join('/')]
  })
}

/** Static and dynamic import targets of a chunk, as paths in the folder. */
function importsOf(file: string, code: string): { static: string[], dynamic: string[] } {
  const found = { static: [] as string[], dynamic: [] as string[] }
  for (const entry of parse(code, file)[0]) {
    if (entry.type === 'import-meta' || typeof entry.specifier !== 'string' || !/^\.\.?\//.test(entry.specifier))
      continue
    const target = posix.normalize(posix.join(posix.dirname(file), entry.specifier))
    found[entry.type === 'dynamic' ? 'dynamic' : 'static'].push(target)
  }
  return found
}

/** What an HTML page loads at start: module scripts, module preloads and style sheets that are in the folder. */
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
    const path = decodeURIComponent(url.replace(/^[a-z][\w+.-]*:\/\/[^/]+/i, '').replace(/[?#].*$/, ''))
    const fromPage = posix.normalize(posix.join(posix.dirname(page), path))
    if (!path.startsWith('/') && files.has(fromPage))
      return [fromPage]
    // An absolute path starts with the app's base, which the folder does not know: the longest tail that is a file.
    const segments = path.split('/').filter(Boolean)
    const tail = segments.map((_, i) => segments.slice(i).join('/')).find(candidate => files.has(candidate))
    return tail ? [tail] : []
  })
}

async function reportFromDir(dir: string, { manifestName = 'lazy-manifest.json', brotli = true } = {}) {
  const manifestFile = join(dir, manifestName)
  if (!existsSync(manifestFile))
    throw new UsageError(`${manifestFile} does not exist: build with unplugin-lazy-modules first (and the \`manifest\` option not false), or pass --manifest.`)
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest
  const files = listFiles(dir)
  const present = new Set(files)
  const code = new Map<string, string>()
  for (const file of files.filter(file => /\.[cm]?js$/.test(file)))
    code.set(file, readFileSync(join(dir, file), 'utf8'))
  const assets = new Map<string, Uint8Array>()
  for (const file of files.filter(file => file.endsWith('.css')))
    assets.set(file, readFileSync(join(dir, file)))
  for (const archive of Object.values(manifest.archives ?? {})) {
    const zip = readFileSync(join(dir, archive.file))
    assets.set(archive.file, zip)
    // The runtime's own strict reader, checked against the manifest's digests.
    const entries = parseZip(zip, archive.file)
    for (const [file, info] of Object.entries(archive.entries)) {
      const entry = entries.get(file)
      if (!entry)
        throw new ArchiveFormatError(archive.file, file, 'no such entry')
      code.set(file, new TextDecoder().decode(await readEntry(zip, entry, archive.file, info.integrity)))
    }
  }

  await init()
  const graph = new Map([...code].map(([file, source]) => [file, importsOf(file, source)]))
  const chunks: ReportChunk[] = [...code].map(([file, source]) => ({ file, code: source, imports: graph.get(file)!.static.filter(target => code.has(target)), css: [], isEntry: false }))
  const pages = files.filter(file => file.endsWith('.html'))
  const loaded = pages.map(page => [page, loadedByHtml(page, readFileSync(join(dir, page), 'utf8'), new Set([...present, ...code.keys()]))] as const).filter(([, found]) => found.length)
  const fromHtml = [...new Set(loaded.flatMap(([, found]) => found))]
  let initial = fromHtml
  let source = loaded.map(([page]) => page).join(', ')
  if (!fromHtml.length) {
    // No page says what loads first: take the chunks nothing imports and CSS no lazy module needs.
    const imported = new Set([...graph.values()].flatMap(found => [...found.static, ...found.dynamic]))
    const lazy = new Set(Object.values(manifest.modules).flatMap(info => [info.file, ...info.css]))
    initial = [...code.keys(), ...files.filter(file => file.endsWith('.css'))].filter(file => !imported.has(file) && !lazy.has(file))
    source = 'the chunks no other chunk imports (no HTML page names its scripts)'
  }
  const report = await createReport({ manifest, chunks, assets, initial }, [], undefined, { brotli })
  return { report, source }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE)
    return command ? 0 : 1
  }
  if (command !== 'report')
    throw new UsageError(`unknown command ${JSON.stringify(command)}.\n\n${USAGE}`)
  let dir: string | undefined
  let json = false
  let brotli = true
  let manifest: string | undefined
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--json')
      json = true
    else if (rest[i] === '--no-brotli')
      brotli = false
    else if (rest[i] === '--manifest' && rest[i + 1])
      manifest = rest[++i]
    else if (!rest[i].startsWith('-') && dir === undefined)
      dir = rest[i]
    else
      throw new UsageError(`unexpected argument ${JSON.stringify(rest[i])}.\n\n${USAGE}`)
  }
  if (!dir)
    throw new UsageError(`which folder?\n\n${USAGE}`)
  const { report, source } = await reportFromDir(dir, { manifestName: manifest, brotli })
  console.log(json ? JSON.stringify(report, null, 2) : `${formatTable(report)}\nfirst load from ${source}`)
  return 0
}

main(process.argv.slice(2)).then(code => process.exitCode = code, (error) => {
  console.error(`lazy-modules: ${error instanceof UsageError ? error.message : error?.stack ?? error}`)
  process.exitCode = error instanceof UsageError ? 2 : 1
})
