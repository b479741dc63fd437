import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseZip, readEntry } from '../../src/runtime/zip'
import { buildWithRollup, fixtures } from '../helpers/build'
import type { Built } from '../helpers/build'
import { expectManifestMatchesFiles } from '../helpers/manifest'
import { nodeHooksEntry } from '../helpers/node'

const root = join(fixtures, 'archive')
const modules = { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json' }
const sha384 = (bytes: Uint8Array) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`

let nodeEntry: string
beforeAll(async () => {
  nodeEntry = await nodeHooksEntry()
})

/** Runs `script` in a fresh Node beside the build, with the loader hooks, and returns what it printed as JSON. */
function runInNode(built: Built, script: string, { hooks = true } = {}) {
  writeFileSync(join(built.dir, 'run.mjs'), `const { app } = await import('./main.js')\n${script}`)
  const out = execFileSync(process.execPath, [...(hooks ? ['--import', nodeEntry] : []), join(built.dir, 'run.mjs')], { encoding: 'utf8' })
  return JSON.parse(out)
}

/** The chunk that reads archives in browsers: the only one with the zip parser. */
function memoryChunk(built: Built) {
  const [chunk, ...more] = Object.values(built.files).filter(file => file.type === 'chunk' && file.code.includes('function parseZip('))
  expect(more).toEqual([])
  return chunk as Extract<typeof chunk, { type: 'chunk' }>
}

describe('archives (Rollup 4 build, run in Node)', () => {
  let built: Built
  beforeAll(async () => {
    built = await buildWithRollup(root, 'src/main.js', { modules, archives: { charts: ['charts/*'], locales: ['locales/*'] } })
  })

  it('packs each archive\'s modules and the chunks only they need, and leaves them out of the loose output', () => {
    const { archives, modules: infos } = built.manifest
    expect(Object.keys(archives)).toEqual(['charts', 'locales'])
    const charts = Object.keys(archives.charts.entries)
    expect(charts.map(file => file.replace(/-[\w-]{8}\.js$/, ''))).toEqual(['bar', 'chart-kit', 'line', 'pie'])
    for (const file of [...charts, ...Object.keys(archives.locales.entries)])
      expect(existsSync(join(built.dir, file)), file).toBe(false)
    // shared-eager loads at start-up, so it stays loose, once, and is nothing more to fetch.
    expect(infos['charts/bar'].imports).toEqual([])
    const startup = Object.values(built.files).find(file => file.type === 'chunk' && file.code.includes('__sharedEager'))!
    expect(startup.type === 'chunk' && (startup.isEntry || startup.fileName.startsWith('main'))).toBe(true)
    expect(existsSync(join(built.dir, startup.fileName))).toBe(true)
    expect(infos['charts/bar'].archive).toEqual({ name: 'charts', file: archives.charts.file, entry: infos['charts/bar'].file })
    expect(infos['src/report'].archive).toBeNull()
    expectManifestMatchesFiles({ ...built.manifest, modules: Object.fromEntries(Object.entries<any>(infos).filter(([, info]) => !info.archive)) }, built.dir)
  })

  it('ships the stored-only zip reader, without the inflate code, to a stored build', () => {
    expect(memoryChunk(built).code).not.toContain('new DecompressionStream(')
  })

  it('records offsets, sizes, CRC-32 and digests that match the archive on disk', async () => {
    for (const archive of Object.values<any>(built.manifest.archives)) {
      expect(archive.file).toMatch(/^(charts|locales)-[\w-]{8}\.zip$/)
      const bytes = readFileSync(join(built.dir, archive.file))
      expect(archive.integrity).toBe(sha384(bytes))
      expect(archive.size.raw).toBe(bytes.length)
      for (const entry of parseZip(bytes, archive.file).values()) {
        const info = archive.entries[entry.name]
        expect({ offset: entry.offset, size: entry.size, compressedSize: entry.compressedSize, crc32: entry.crc32, method: entry.method })
          .toEqual({ offset: info.offset, size: info.size, compressedSize: info.compressedSize, crc32: info.crc32, method: 0 })
        expect(sha384(await readEntry(bytes, entry, archive.file))).toBe(info.integrity)
      }
    }
  })

  it('writes real zips that Info-ZIP and Python accept', () => {
    for (const archive of Object.values<any>(built.manifest.archives)) {
      const file = join(built.dir, archive.file)
      expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toMatch(/No errors detected/)
      expect(execFileSync('python3', ['-c', 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).testzip())', file], { encoding: 'utf8' }).trim()).toBe('None')
    }
  })

  it('is deterministic: the same input gives the same archives', async () => {
    const again = await buildWithRollup(root, 'src/main.js', { modules, archives: { charts: ['charts/*'], locales: ['locales/*'] } })
    expect(again.manifest.archives.charts.file).toBe(built.manifest.archives.charts.file)
    expect(readFileSync(join(again.dir, again.manifest.archives.charts.file))).toEqual(readFileSync(join(built.dir, built.manifest.archives.charts.file)))
  })

  it('runs archived modules in Node through the loader hooks: one instance per chunk, zip URLs', () => {
    const result = runInNode(built, `
      const bar = await app.importModule('charts/bar')
      const pie = await app.importModule('charts/pie')
      console.log(JSON.stringify({ draw: bar.draw([1, 2]), url: bar.url, barKit: bar.kit, pieKit: pie.kit, shared: globalThis.__sharedEager, en: (await app.importModule('locales/en')).default, report: await app.report() }))`)
    const archive = built.manifest.archives.charts.file
    expect(result.draw).toBe('[bar:#|##]')
    expect(result.url).toMatch(new RegExp(`^file:///.*/${archive.replace('.', '\\.')}/bar-[\\w-]{8}\\.js$`))
    expect(result.barKit).toEqual(result.pieKit)
    expect(result.barKit.instance).toBe(1)
    expect(result.shared).toBe(1)
    expect(result.en).toEqual({ hello: 'Hello' })
    expect(result.report).toBe('report ok')
  })

  it('refuses a tampered archive in Node with IntegrityError, running nothing from it', () => {
    const file = join(built.dir, built.manifest.archives.locales.file)
    const original = readFileSync(file)
    const tampered = Buffer.from(original.toString('latin1').replace('Hallo', 'Hullo'), 'latin1')
    writeFileSync(file, tampered)
    try {
      const result = runInNode(built, `
        const error = await app.importModule('locales/de').catch(error => error)
        console.log(JSON.stringify({ name: error.name, message: error.message }))`)
      expect(result.name).toBe('IntegrityError')
      expect(result.message).toMatch(/Integrity check failed for .*locales-[\w-]{8}\.zip/)
    }
    finally {
      writeFileSync(file, original)
    }
  })

  it('says how to run archived modules in Node without the hooks', () => {
    const result = runInNode(built, `
      const error = await app.importModule('charts/bar').catch(error => error)
      console.log(JSON.stringify({ name: error.name, message: error.message }))`, { hooks: false })
    expect(result.name).toBe('ModuleLoadError')
    expect(result.message).toMatch(/start it with `node --import unplugin-lazy-modules\/node`/)
  })
})

describe('archive options', () => {
  it('`archives: true` makes one archive per top-level name, deflate works, and loose copies can stay', async () => {
    const built = await buildWithRollup(root, 'src/main.js', { modules, archives: true, compression: 'deflate', keepLooseChunks: true })
    expect(Object.keys(built.manifest.archives)).toEqual(['charts', 'locales'])
    const entries = Object.values<any>(built.manifest.archives.charts.entries)
    expect(entries.some(entry => entry.method === 8)).toBe(true)
    expect(memoryChunk(built).code).toContain('new DecompressionStream(')
    for (const file of Object.keys(built.manifest.archives.charts.entries))
      expect(existsSync(join(built.dir, file)), file).toBe(true)
    const result = runInNode(built, `console.log(JSON.stringify({ kind: (await app.importModule('charts/line')).kind }))`)
    expect(result.kind).toBe('line')
  })

  it('keeps a chunk loose when loose code needs it too', async () => {
    const built = await buildWithRollup(root, 'src/main.js', { modules, archives: { some: ['charts/bar'] } })
    // chart-kit is needed by pie and line, which are loose: only bar's own chunk is archived.
    expect(Object.keys(built.manifest.archives.some.entries).map(file => file.replace(/-[\w-]{8}\.js$/, ''))).toEqual(['bar'])
    const result = runInNode(built, `
      const bar = await app.importModule('charts/bar'); const pie = await app.importModule('charts/pie')
      console.log(JSON.stringify({ same: bar.kit.instance === pie.kit.instance, instances: globalThis.__chartKit }))`)
    expect(result).toEqual({ same: true, instances: 1 })
  })
})
