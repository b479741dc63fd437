// The Node loader hooks (src/node/hooks.ts) called directly, as Node's loader thread calls them:
// which URLs they claim, what they read, and what they refuse.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { MessageChannel } from 'node:worker_threads'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { writeZip } from '../../src/core/zip-writer'
import { initialize, load, resolve } from '../../src/node/hooks'
import { parseZip } from '../../src/runtime/zip'
import { tempDir } from '../helpers/build'

const dir = tempDir('lazy-node-hooks-')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const files = {
  'bar.js': `import { kit } from './kit.js'\nexport const bar = kit\n`,
  'kit.js': `export const kit = 'kit'\n`,
  'assets/deep.js': `export { kit } from '../kit.js'\n`,
  'café.js': `export const name = 'café'\n`,
}

let archives = 0
/** Writes an archive of `files` beside the app, under a name of its own: the hooks keep each archive they read. */
function archive(contents: Record<string, string> = files) {
  const { bytes } = writeZip(Object.entries(contents).map(([name, text]) => ({ name, data: new TextEncoder().encode(text) })), { compression: 'store' })
  const file = join(dir, `charts-${++archives}.zip`)
  writeFileSync(file, bytes)
  return { file, url: pathToFileURL(file).href, bytes }
}

// What Node passes; the hooks read only `parentURL`.
const context = (parentURL?: string) => ({ conditions: ['node', 'import'], importAttributes: {}, parentURL }) as any
const nextResolve = () => vi.fn(async (specifier: string) => ({ url: `next:${specifier}` }))
const nextLoad = () => vi.fn(async (url: string) => ({ format: 'module' as const, source: `next:${url}` }))

describe('resolve', () => {
  it('claims a URL inside an archive that holds the entry', async () => {
    const { url } = archive()
    const next = nextResolve()
    expect(await resolve(`${url}/bar.js`, context(), next)).toEqual({ url: `${url}/bar.js`, format: 'module', shortCircuit: true })
    expect(await resolve(`${url}/caf%C3%A9.js`, context(), next)).toEqual({ url: `${url}/caf%C3%A9.js`, format: 'module', shortCircuit: true })
    expect(next).not.toHaveBeenCalled()
  })

  it('resolves relative imports inside the archive, to its entries or else to the loose file beside it', async () => {
    const { url } = archive()
    const next = nextResolve()
    expect(await resolve('./kit.js', context(`${url}/bar.js`), next)).toMatchObject({ url: `${url}/kit.js`, shortCircuit: true })
    expect(await resolve('../kit.js', context(`${url}/assets/deep.js`), next)).toMatchObject({ url: `${url}/kit.js`, shortCircuit: true })
    // A chunk the archive does not hold is loose, in the archive's folder.
    expect(await resolve('./shared.js', context(`${url}/bar.js`), next)).toEqual({ url: `next:${pathToFileURL(join(dir, 'shared.js')).href}` })
  })

  it('leaves everything else to the next resolver', async () => {
    mkdirSync(join(dir, 'folder.zip'))
    const next = nextResolve()
    const loose = pathToFileURL(join(dir, 'main.js')).href
    const folder = `${pathToFileURL(join(dir, 'folder.zip')).href}/x.js`
    const missing = `${pathToFileURL(join(dir, 'missing.zip')).href}/x.js`
    for (const specifier of ['vite', 'node:fs', './x.js', loose, folder, missing])
      expect(await resolve(specifier, context(loose), next), specifier).toEqual({ url: `next:${specifier}` })
  })

  it('refuses an archive that does not parse, and reads it again next time', async () => {
    const { file, url, bytes } = archive()
    writeFileSync(file, bytes.subarray(0, bytes.length - 10))
    await expect(resolve(`${url}/bar.js`, context(), nextResolve())).rejects.toMatchObject({ name: 'ArchiveFormatError', archive: url, reason: 'truncated' })
    // A failure is not remembered: the file, mended, is read afresh.
    writeFileSync(file, bytes)
    expect(await resolve(`${url}/bar.js`, context(), nextResolve())).toMatchObject({ url: `${url}/bar.js` })
  })
})

describe('load', () => {
  it('reads an entry out of the archive, as a module', async () => {
    const { url } = archive()
    const next = nextLoad()
    const loaded = await load(`${url}/caf%C3%A9.js`, context() as any, next)
    expect(loaded).toMatchObject({ format: 'module', shortCircuit: true })
    expect(Buffer.from(loaded.source as Uint8Array).toString()).toBe(files['café.js'])
    expect(await load('file:///app/main.js', context() as any, next)).toEqual({ format: 'module', source: 'next:file:///app/main.js' })
  })

  it('checks the CRC-32 of an archive read directly, since it has no digests', async () => {
    const { file, url, bytes } = archive()
    const data = Buffer.from(bytes)
    const at = data.indexOf('kit = ')
    data[at] = 'K'.charCodeAt(0)
    writeFileSync(file, data)
    await expect(load(`${url}/kit.js`, context() as any, nextLoad())).rejects.toMatchObject({ name: 'ArchiveFormatError', archive: url, entry: 'kit.js', reason: 'CRC-32 mismatch' })
  })
})

describe('initialize', () => {
  it('serves the bytes the app thread checked and sent, whatever the file on disk says later', async () => {
    const { file, url, bytes } = archive()
    const { port1, port2 } = new MessageChannel()
    try {
      await initialize!({ port: port2 })
      const replied = new Promise(done => port1.once('message', done))
      port1.postMessage({ id: 7, archive: url, bytes, entries: parseZip(bytes, url) })
      expect(await replied).toBe(7)
      // Swapped after the check: the hooks must not read it.
      writeFileSync(file, archive({ ...files, 'bar.js': `export const bar = 'swapped'\n` }).bytes)
      const loaded = await load(`${url}/bar.js`, context() as any, nextLoad())
      expect(Buffer.from(loaded.source as Uint8Array).toString()).toBe(files['bar.js'])
    }
    finally {
      port1.close()
    }
  })
})
