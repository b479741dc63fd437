// Real npm libraries marked lazy (test/fixtures/real-app), as apps use them: a CommonJS package, a
// default-exported class, a subpath of an `exports` map, `#` imports with a browser condition, a
// large ES module library with top-level side effects, and JSON locales. Built by each bundler
// (Rollup with its usual node-resolve and CommonJS plugins), run in Chromium: nothing lazy is
// fetched at start-up, and each feature fetches its own chunks when used, and nothing else lazy.
import type { Built } from '../helpers/build'
import type { Leg } from '../helpers/matrix'
import type { OpenedPage } from '../helpers/browser'
import type { TestServer } from '../helpers/server'
import { basename, join } from 'node:path'
import commonjs from '@rollup/plugin-commonjs'
import json from '@rollup/plugin-json'
import nodeResolve from '@rollup/plugin-node-resolve'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeBrowser, launchBrowser, openPage } from '../helpers/browser'
import { fixtures } from '../helpers/build'
import { buildWith, legsOf, startupFiles } from '../helpers/matrix'
import { serve } from '../helpers/server'

const root = join(fixtures, 'real-app')
const modules = { 'locales/*': 'src/locales/*.json' }

/** Each feature: the lazy module it loads, the call in the page, what it returns. */
const features: [module: string, call: string, result: unknown][] = [
  ['jszip', `app.zipRoundTrip({ 'a.txt': 'alpha', 'b.txt': 'beta' })`, ['alpha', 'beta']],
  ['fuse.js', `app.search(['apple', 'banana', 'cherry'], 'banan')`, ['banana']],
  ['nanoid/non-secure', `app.newId().then(id => /^[ab]{12}$/.test(id))`, true],
  ['chalk', `app.red('x')`, '\u001B[31mx\u001B[39m'],
  ['leaflet', `app.showMap(document.body.appendChild(document.createElement('div')))`, { version: '1.9.4', panes: 7 }],
  ['locales/fr', `app.hello('fr')`, 'Bonjour'],
]

/** The file each lazy chunk is named after its module by (src/core/chunk-names.ts). */
const chunkNames: Record<string, string> = { 'jszip': 'jszip', 'fuse.js': 'fuse.js', 'nanoid/non-secure': 'nanoid-non-secure', 'chalk': 'chalk', 'leaflet': 'leaflet', 'locales/fr': 'fr' }

afterAll(closeBrowser)

describe.each([...legsOf('vite'), ...legsOf('rollup'), ...legsOf('rolldown')])('the real-world app built by $label, in Chromium', (leg: Leg) => {
  let built: Built
  let server: TestServer
  let opened: OpenedPage
  let startup: string[]

  beforeAll(async () => {
    const plugins = leg.bundler === 'rollup' ? [nodeResolve({ browser: true }), commonjs(), json()] : undefined
    built = await buildWith(leg, root, { modules }, { target: 'client', plugins })
    server = await serve(built.dir)
    await launchBrowser()
    opened = await openPage(server.url('index.html'))
    await opened.page.waitForFunction('!!window.app', undefined, { timeout: 10_000 })
    await server.idle()
    startup = server.requests.map(request => request.path.slice(1)).filter(path => path && path !== 'index.html')
  })
  afterAll(async () => {
    await opened?.close()
    await server?.close()
  })

  /**
   * The runtime's recovery chunk and the chunks it imports statically. What the bundler names the
   * ones it shares with the archive loader differs between versions (`remember`, `check-errors`).
   */
  const recoveryFiles = (built: Built) => {
    const chunks = Object.values(built.files).filter(file => file.type === 'chunk')
    const recovery = chunks.find(chunk => chunk.moduleIds.some(id => id.replace(/\?.*$/, '').endsWith('/runtime/recovery.ts')))
    const files = new Set<string>(recovery ? [recovery.fileName] : [])
    for (const file of files)
      chunks.find(chunk => chunk.fileName === file)?.imports.forEach(imported => files.add(imported))
    return files
  }

  /** A lazy module's chunk and the chunks it needs beyond the first load. */
  const closure = (name: string) => [built.manifest.modules[name].file, ...built.manifest.modules[name].imports]

  it('marks each library lazy and names its chunk after it', () => {
    for (const [name, prefix] of Object.entries(chunkNames))
      expect(basename(built.manifest.modules[name].file), name).toMatch(new RegExp(`^${prefix.replace('.', '\\.')}-[\\w-]+\\.js$`))
  })

  it('fetches only start-up files at start-up, no lazy chunk', () => {
    const lazy = new Set(Object.keys(built.manifest.modules).flatMap(closure))
    expect(startup.filter(file => lazy.has(file))).toEqual([])
    expect(startup.filter(file => !startupFiles(built).has(file))).toEqual([])
  })

  it('lists the locales without fetching anything', async () => {
    server.reset()
    expect(await opened.page.evaluate('app.locales()')).toEqual(['locales/de', 'locales/en', 'locales/fr'])
    await server.idle()
    expect(server.requests).toEqual([])
  })

  it.each(features)('loads %s on first use, and nothing else lazy', async (name, call, result) => {
    server.reset()
    expect(await opened.page.evaluate(call)).toEqual(result)
    await server.idle()
    const fetched = server.requests.map(request => request.path.slice(1))
    expect(fetched).toContain(built.manifest.modules[name].file)
    // Chunks shared with a feature used before are there already, so fetched is a part of the closure;
    // besides it only the runtime's recovery chunk (and what it shares), in the background with the
    // first load of the page, before any failure could make the build that wrote it gone.
    expect(fetched.filter(file => !closure(name).includes(file) && !recoveryFiles(built).has(file))).toEqual([])
    expect(opened.errors.all()).toEqual([])
  })
})
