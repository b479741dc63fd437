// Builds an app with Vite 8 and the plugin (from a snapshot of dist/), and sorts the output into what
// the page loads at start-up, the archive loader chunk, lazy chunks and archives.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { inflateRawSync } from 'node:zlib'

export const MODULES = { 'locales/*': 'src/date-fns/locale/*.js' }

/**
 * variant: 'loose' (no archives) | 'store' | 'deflate' (one archive `locales` of every module) |
 * 'grouped' (no archives; every module in one ordinary chunk through Rolldown's codeSplitting groups:
 * a reference for "one request, no in-memory work").
 * Returns the output folder, the manifest, and the files by role.
 */
export async function buildApp({ appDir, outDir, variant, dist }) {
  const { build } = await import('vite')
  const { default: LazyModules } = await import(pathToFileURL(join(dist, 'vite.mjs')).href)
  const options = { modules: MODULES }
  if (variant === 'store' || variant === 'deflate')
    Object.assign(options, { archives: { locales: ['locales/*'] }, compression: variant })
  const rolldownOptions = variant === 'grouped' ? { output: { codeSplitting: { groups: [{ name: 'locales', test: /[\\/]date-fns[\\/]/ }] } } } : undefined
  const warnings = []
  const started = performance.now()
  const result = await build({
    root: appDir,
    configFile: false,
    logLevel: 'silent',
    customLogger: { info() {}, warn: message => warnings.push(message), warnOnce: message => warnings.push(message), error: message => warnings.push(message), clearScreen() {}, hasErrorLogged: () => false, hasWarned: false },
    plugins: [LazyModules(options)],
    build: { outDir, emptyOutDir: true, reportCompressedSize: false, rolldownOptions },
  })
  const buildMs = Math.round(performance.now() - started)
  const output = (Array.isArray(result) ? result[0] : result).output
  const chunks = output.filter(file => file.type === 'chunk')
  const byName = new Map(chunks.map(chunk => [chunk.fileName, chunk]))

  // What index.html loads: the entry and its static imports.
  const initial = new Set(chunks.filter(chunk => chunk.isEntry).map(chunk => chunk.fileName))
  for (const file of initial) {
    for (const imported of byName.get(file).imports)
      initial.add(imported)
  }
  // The runtime's own lazy chunk (the archive/memory loader): every module in it comes from the plugin.
  const isArchiveLoader = chunk => chunk.moduleIds.length > 0 && chunk.moduleIds.every(id => id.startsWith(dist))
  const archiveLoader = chunks.filter(chunk => !initial.has(chunk.fileName) && isArchiveLoader(chunk)).map(chunk => chunk.fileName)
  const lazy = chunks.filter(chunk => !initial.has(chunk.fileName) && !isArchiveLoader(chunk)).map(chunk => chunk.fileName)
  const manifest = JSON.parse(readFileSync(join(outDir, 'lazy-manifest.json'), 'utf8'))
  const archives = Object.values(manifest.archives ?? {})
  const archived = new Set(archives.flatMap(archive => [...readZip(readFileSync(join(outDir, archive.file))).keys()]))
  // Archived chunks are gone from the bundle: read them back out of their zip.
  const fromZips = new Map(archives.flatMap(archive => [...readZip(readFileSync(join(outDir, archive.file)))]))
  const code = file => byName.has(file) ? Buffer.from(byName.get(file).code) : fromZips.get(file)
  return {
    variant,
    outDir,
    buildMs,
    manifest,
    warnings,
    initial: [...initial],
    archiveLoader,
    /** Lazy chunks written loose (archived ones are not written). */
    looseLazy: lazy.filter(file => !archived.has(file)),
    archived: [...archived],
    archives: archives.map(archive => archive.file),
    code,
  }
}

/** Every entry of a zip, by name, through its central directory (stored or deflated; no checks: our own output). */
export function readZip(zip) {
  let end = zip.length - 22
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054B50)
    end--
  const files = new Map()
  let p = zip.readUInt32LE(end + 16)
  for (let i = zip.readUInt16LE(end + 10); i--;) {
    const method = zip.readUInt16LE(p + 10)
    const compressedSize = zip.readUInt32LE(p + 20)
    const nameLength = zip.readUInt16LE(p + 28)
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength)
    const local = zip.readUInt32LE(p + 42)
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
    const data = zip.subarray(start, start + compressedSize)
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data))
    p += 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32)
  }
  return files
}
