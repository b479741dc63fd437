// `integrity: true` with Vite 8: every page Vite writes gets one import map, ahead of its module
// scripts, with the digest of every chunk on disk, named as the browser resolves it, under any `base`
// and for a page in a folder; and the page's own script, module preload and stylesheet tags carry
// the digests of the files they name.
import type { Built } from '../helpers/build'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildWithVite, fixtures } from '../helpers/build'

const root = join(fixtures, 'pages')
const pages = ['a.html', 'b.html', 'nested/c.html']
const build = (options: object, base?: string) => buildWithVite(root, { modules: { settings: 'src/settings.js' }, report: false, ...options }, {
  ...base === undefined ? {} : { base },
  build: { sourcemap: true, rollupOptions: { input: pages.map(page => join(root, page)) } },
})

const sha384 = (bytes: Buffer) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`

/** Every import map in the page, parsed, and where the first one and the first module script or preload are. */
function read(built: Built, page: string) {
  const html = readFileSync(join(built.dir, page), 'utf8')
  const maps = [...html.matchAll(/<script type="importmap"[^>]*>(.*?)<\/script>/gs)].map(match => JSON.parse(match[1]))
  return { html, maps, mapAt: html.indexOf('<script type="importmap"'), firstLoadAt: html.search(/<script type="module"|<link rel="modulepreload"/) }
}

/** Every JS file written, by its path in the output folder. */
function jsOnDisk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(file => file.endsWith('.js')).map(file => file.split('\\').join('/')).sort()
}

/** What the page loads at start: its entry chunk and every chunk that imports statically. */
function initial(built: Built, page: string): Set<string> {
  const chunks = Object.values(built.files).filter(file => file.type === 'chunk')
  const entry = chunks.find(chunk => chunk.isEntry && chunk.facadeModuleId === join(root, page))!
  const files = new Set([entry.fileName])
  for (const file of files)
    chunks.find(chunk => chunk.fileName === file)!.imports.forEach(imported => files.add(imported))
  return files
}

/**
 * The page's map holds exactly the JS files on disk, each with the digest of its bytes; each of its
 * tags that names a file on disk carries that file's digest.
 */
function expectMapOf(built: Built, page: string, url: (file: string) => string) {
  const { html, maps, mapAt, firstLoadAt } = read(built, page)
  expect(maps).toHaveLength(1)
  expect(mapAt).toBeGreaterThanOrEqual(0)
  expect(mapAt).toBeLessThan(firstLoadAt)
  expect(maps[0].integrity).toEqual(Object.fromEntries(jsOnDisk(built.dir).map(file => [url(file), sha384(readFileSync(join(built.dir, file)))])))
  const tags = [...html.matchAll(/<(?:script|link)\b[^>]*\s(?:src|href)="([^"]+)"[^>]*>/g)]
  const onDisk = new Map(readdirSync(built.dir, { recursive: true, encoding: 'utf8' }).map(file => [url(file.split('\\').join('/')), file]))
  const checked = tags.filter(([, src]) => onDisk.has(src))
  // The page's entry chunk at least, and whatever it preloads and its CSS.
  expect(checked.filter(([tag]) => tag.startsWith('<script')).length).toBeGreaterThan(0)
  for (const [tag, src] of checked)
    expect(tag).toContain(` integrity="${sha384(readFileSync(join(built.dir, onDisk.get(src)!)))}"`)
  return maps[0]
}

describe('vite 8, `integrity: true`: the digests in each page\'s import map', () => {
  it('covers every chunk, the runtime\'s own and the page\'s start-up files among them, in every page; its own tags carry their digests', async () => {
    const built = await build({ integrity: true })
    for (const page of pages)
      expectMapOf(built, page, file => `/${file}`)
    const { integrity } = read(built, 'b.html').maps[0]
    const settings = built.manifest.modules.settings
    // The module and what it imports.
    for (const file of [settings.file, ...settings.imports])
      expect(integrity[`/${file}`]).toBe(settings.file === file ? settings.integrity : expect.any(String))
    // Page a's lazy module is page b's too, should its runtime ask: b's map has it.
    expect(Object.keys(integrity)).toContain(`/${built.manifest.modules['src/report'].file}`)
  })

  it('leaves nothing of the plugin\'s to fetch later, where a retry\'s new URL would escape every digest: its recovery runtime and memory loader are in the first load', async () => {
    const built = await build({ integrity: true })
    const chunks = Object.values(built.files).filter(file => file.type === 'chunk')
    const own = chunks.filter(chunk => chunk.moduleIds.some(id => /[/\\]runtime[/\\](?:recovery|memory)\.[mt]?[jt]s$/.test(id)))
    expect(own.map(chunk => chunk.moduleIds.filter(id => /[/\\]runtime[/\\]/.test(id)).map(id => id.replace(/^.*[/\\]runtime[/\\]/, '')).sort()).flat()).toEqual(expect.arrayContaining(['memory.ts', 'recovery.ts']))
    const firstLoads = pages.map(page => initial(built, page))
    for (const chunk of own)
      expect(firstLoads.some(files => files.has(chunk.fileName)), chunk.fileName).toBe(true)
    // Without `integrity`, they stay lazy: the first load carries none of them.
    const lean = await build({})
    const leanChunks = Object.values(lean.files).filter(file => file.type === 'chunk')
    const recovery = leanChunks.find(chunk => chunk.moduleIds.some(id => /[/\\]runtime[/\\]recovery\.[mt]?[jt]s$/.test(id)))!
    expect(pages.some(page => initial(lean, page).has(recovery.fileName))).toBe(false)
  })

  it('merges into a page\'s own import map, which keeps what it had', async () => {
    const built = await build({ integrity: true })
    const map = expectMapOf(built, 'nested/c.html', file => `/${file}`)
    expect(map.imports).toEqual({ greeting: 'data:text/javascript,export default \'hi\'' })
  })

  it('names files under `base: \'/sub/\'` as the page does', async () => {
    const built = await build({ integrity: true }, '/sub/')
    for (const page of pages)
      expectMapOf(built, page, file => `/sub/${file}`)
    expect(read(built, 'a.html').html).toMatch(/<script type="module" crossorigin src="\/sub\/assets\//)
  })

  it('names files relative to each page under `base: \'./\'`, a page in a folder included', async () => {
    const built = await build({ integrity: true }, './')
    for (const page of pages)
      expectMapOf(built, page, file => relative(join(built.dir, page, '..'), join(built.dir, file)).replace(/^(?!\.\.\/)/, './'))
    expect(Object.keys(read(built, 'nested/c.html').maps[0].integrity)).toEqual(expect.arrayContaining([expect.stringMatching(/^\.\.\/assets\/settings-[\w-]{8}\.js$/)]))
    expect(Object.keys(read(built, 'a.html').maps[0].integrity)).toEqual(expect.arrayContaining([expect.stringMatching(/^\.\/assets\/settings-[\w-]{8}\.js$/)]))
  })

  it('writes no map without `integrity`, and leaves a page\'s own map as it was', async () => {
    const built = await build({})
    expect(read(built, 'a.html').maps).toEqual([])
    expect(read(built, 'nested/c.html').maps).toEqual([{ imports: { greeting: 'data:text/javascript,export default \'hi\'' } }])
  })
})
