// Content hashes never lie: a file keeps its name only while it keeps its bytes. The registry's facts
// are written into their chunk after chunk names are hashed, so every option that shapes those facts
// (or any other emitted code) must reach the name too. Built here: the fixture app under each such
// option, by Vite 8 and by Rollup 4, and the fixture with one lazy module's source changed.
import type { Options } from '../../src/types'
import type { Built } from '../helpers/build'
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildWithRollup, buildWithVite, fixtures, tempDir } from '../helpers/build'

const app = join(fixtures, 'app')
const modules = { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json', 'plugins/*': 'src/plugins/**/*.js' }

/** Every option that changes what is emitted, each alone, and a few together. */
const variants: [label: string, options: Options][] = [
  ['defaults', {}],
  ['archives: true', { archives: true }],
  ['archives: a map giving what true gives', { archives: { charts: ['charts/*'], locales: ['locales/*'], plugins: ['plugins/*'] } }],
  ['archives: a smaller map', { archives: { charts: ['charts/*'] } }],
  ['compression: deflate', { archives: true, compression: 'deflate' }],
  ['keepLooseChunks', { archives: true, keepLooseChunks: true }],
  ['keepLooseChunks without archives', { keepLooseChunks: true }],
  ['retry.attempts', { retry: { attempts: 5 } }],
  ['retry.delay', { retry: { delay: 10, maxDelay: 100 } }],
  ['manifest: another name', { manifest: 'build/modules.json' }],
  ['manifest: false', { manifest: false }],
  ['attribute: another key', { attribute: 'deferred' }],
]

/** Hashed output files by name: the names a server may declare immutable. */
function hashedFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/')
    if (entry.isFile() && /-[\w-]{8}\.(?:js|css|zip)$/.test(path))
      files.set(path, readFileSync(join(dir, path)))
  }
  return files
}

/** Fails, naming both builds, for any name two builds wrote with different bytes. */
function expectHonestNames(builds: [label: string, built: Built][]) {
  const seen = new Map<string, { label: string, bytes: Buffer }>()
  const lies: string[] = []
  let shared = 0
  for (const [label, built] of builds) {
    for (const [name, bytes] of hashedFiles(built.dir)) {
      const first = seen.get(name)
      if (!first)
        seen.set(name, { label, bytes })
      else if (!first.bytes.equals(bytes))
        lies.push(`${name}: "${first.label}" and "${label}" wrote different bytes`)
      else
        shared++
    }
  }
  expect(lies).toEqual([])
  // The call that named the other chunks for the hash is gone from what was written.
  expect([...seen].filter(([, { bytes }]) => /__lazyModulesFacts\(["'`]/.test(bytes.toString())).map(([name]) => name)).toEqual([])
  // Names are shared where bytes are: a test that never compared two files would prove nothing.
  expect(shared).toBeGreaterThan(0)
  return seen
}

/** A copy of a fixture with one lazy module's source changed. */
function changedCopy(fixture: string, file: string, edit: (code: string) => string): string {
  const root = tempDir('lazy-hashes-')
  cpSync(fixture, root, { recursive: true })
  writeFileSync(join(root, file), edit(readFileSync(join(root, file), 'utf8')))
  return root
}

/** Rollup names entries without a hash by default; a server would not declare those immutable. */
const hashedEntries = { name: 'hashed-entries', outputOptions: (output: object) => ({ ...output, entryFileNames: '[name]-[hash].js' }) }

/** Rollup's inputs, where the build helper takes one. */
const inputs = (root: string, files: string[]) => ({ name: 'inputs', options: (options: object) => ({ ...options, input: files.map(file => join(root, file)) }) })

const pages = join(fixtures, 'pages')
/** Each app, and its inputs: its pages for Vite, its scripts for Rollup. */
const apps = {
  app: { root: app, rollupInput: ['src/main.js'], modules, pages: undefined },
  // Two pages share the runtime, so the registry is in a chunk that imports neither page's modules.
  pages: { root: pages, rollupInput: ['src/a.js', 'src/b.js'], modules: { settings: 'src/settings.js' }, pages: ['a.html', 'b.html'] },
}
type App = typeof apps[keyof typeof apps]

describe.each([
  ['Vite 8', (app: App, options: Options, root = app.root) => buildWithVite(root, { modules: app.modules, report: false, ...options }, app.pages && { build: { rollupOptions: { input: app.pages.map(page => join(root, page)) } } })],
  ['Rollup 4', (app: App, options: Options, root = app.root) => buildWithRollup(root, app.rollupInput[0], { modules: app.modules, report: false, ...options }, { plugins: [hashedEntries, inputs(root, app.rollupInput)] })],
])('content hashes under every option that shapes the output (%s)', (_, build) => {
  it('two files with one name have the same bytes, across every option', async () => {
    const builds: [string, Built][] = []
    for (const [label, options] of variants)
      builds.push([label, await build(apps.app, options)])
    const names = expectHonestNames(builds)
    // The registry's chunk, at least, differs between option sets: its name must have followed.
    const registries = [...names].filter(([, { bytes }]) => bytes.includes('function __lazyModulesFacts()'))
    expect(registries.length).toBeGreaterThan(variants.length / 2)
  })

  it.each([
    ['a marked module', apps.app, 'src/pdf-export.js'],
    ['a registered module', apps.app, 'src/charts/pie.js'],
    ['a marked module of one page, the registry shared by two', apps.pages, 'src/report.js'],
    ['a registered module, the registry shared by two pages', apps.pages, 'src/settings.js'],
  ])('two files with one name have the same bytes when %s changed', async (_, app, file) => {
    const before = await build(app, {})
    const after = await build(app, {}, changedCopy(app.root, file, code => `${code}export const changed = true\n`))
    expectHonestNames([['before', before], ['after', after]])
    // The chunk holding the facts about the changed module got a new name.
    const registry = (built: Built) => [...hashedFiles(built.dir)].find(([, bytes]) => bytes.includes('function __lazyModulesFacts()'))![0]
    expect(registry(after)).not.toBe(registry(before))
  })
})
