// `unplugin-lazy-modules/node` (src/node/index.ts) in a real `node --import`, built into a temporary
// folder (test/helpers/node.ts): trust() checks an archive against its build's digests in the app's
// thread, refuses with plain facts, and hands the checked bytes to the hooks.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NODE_HOOKS_KEY } from '../../src/contract'
import { writeZip } from '../../src/core/zip-writer'
import { tempDir } from '../helpers/build'
import { nodeHooksEntry } from '../helpers/node'

const sha384 = (bytes: Uint8Array) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`
const encode = (text: string) => new TextEncoder().encode(text)

const dir = tempDir('lazy-node-trust-')
let entry: string
beforeAll(async () => {
  entry = await nodeHooksEntry()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const files = {
  'bar.js': `import { kit } from './kit.js'\nimport { loose } from './loose.js'\nexport const who = 'checked'\nexport const url = import.meta.url\nexport { kit, loose }\n`,
  'kit.js': `export const kit = 'kit'\n`,
}

let archives = 0
/** An archive on disk, its URL, and the digests a build would record for it. */
function archive(contents: Record<string, string> = files) {
  const entries = Object.entries(contents).map(([name, text]) => ({ name, data: encode(text) }))
  const { bytes } = writeZip(entries, { compression: 'store' })
  const file = join(dir, `charts-${++archives}.zip`)
  writeFileSync(file, bytes)
  const digests = { archive: sha384(bytes), entries: Object.fromEntries(entries.map(({ name, data }) => [name, sha384(data)])) }
  return { file, url: pathToFileURL(file).href, bytes, digests }
}

/** Runs `script` (with `trust` in scope) under `node --import` the built entry; returns what it printed as JSON. */
function run(script: string) {
  const file = join(dir, `run-${archives}.mjs`)
  writeFileSync(file, `const { trust } = globalThis[Symbol.for(${JSON.stringify(NODE_HOOKS_KEY)})]\n${script}`)
  // The entry must not keep the process alive once the script is done: a hang fails here.
  return JSON.parse(execFileSync(process.execPath, ['--import', entry, file], { encoding: 'utf8', timeout: 30_000 }))
}

describe('trust()', () => {
  it('accepts an archive whose digests match; the hooks then run exactly the bytes it checked', () => {
    const { file, url, digests } = archive()
    writeFileSync(join(dir, 'loose.js'), `export const loose = 'loose'\n`)
    const swapped = archive({ ...files, 'bar.js': files['bar.js'].replace(`'checked'`, `'swapped'`) })
    const result = run(`
      const refusal = await trust(${JSON.stringify(url)}, ${JSON.stringify(digests)})
      // Swapped on disk after the check.
      ;(await import('node:fs')).copyFileSync(${JSON.stringify(swapped.file)}, ${JSON.stringify(file)})
      const bar = await import(${JSON.stringify(`${url}/bar.js`)})
      console.log(JSON.stringify({ refusal: refusal ?? null, who: bar.who, url: bar.url, kit: bar.kit, loose: bar.loose }))`)
    expect(result).toEqual({ refusal: null, who: 'checked', url: `${url}/bar.js`, kit: 'kit', loose: 'loose' })
    expect(readFileSync(file)).toEqual(readFileSync(swapped.file))
  })

  it('refuses an archive whose digest is not the build\'s: IntegrityError facts, with both digests', () => {
    const { url, bytes, digests } = archive()
    const wrong = sha384(encode('another archive'))
    const result = run(`console.log(JSON.stringify(await trust(${JSON.stringify(url)}, ${JSON.stringify({ ...digests, archive: wrong })})))`)
    expect(result).toEqual({ name: 'IntegrityError', source: url, expected: wrong, actual: sha384(bytes) })
  })

  it('refuses an entry whose digest is not the build\'s, though the archive\'s is', () => {
    const { url, digests } = archive()
    const wrong = sha384(encode('other code'))
    const result = run(`console.log(JSON.stringify(await trust(${JSON.stringify(url)}, ${JSON.stringify({ ...digests, entries: { ...digests.entries, 'kit.js': wrong } })})))`)
    expect(result).toEqual({ name: 'IntegrityError', source: url, entry: 'kit.js', expected: wrong, actual: digests.entries['kit.js'] })
  })

  it('refuses a malformed archive with ArchiveFormatError facts, even when its digest matches', () => {
    // One of the zip reader's regression inputs: an entry named ../ty.txt.
    const bytes = readFileSync(join(import.meta.dirname, '../fixtures/zip-crashers/827731183e64.zip'))
    const file = join(dir, 'escape.zip')
    writeFileSync(file, bytes)
    const url = pathToFileURL(file).href
    const result = run(`console.log(JSON.stringify(await trust(${JSON.stringify(url)}, ${JSON.stringify({ archive: sha384(bytes), entries: {} })})))`)
    expect(result).toEqual({ name: 'ArchiveFormatError', archive: url, entry: '../ty.txt', reason: 'unsafe name' })
  })

  it('rejects when the archive cannot be read at all, which is no refusal of its bytes', () => {
    const url = pathToFileURL(join(dir, 'missing.zip')).href
    const result = run(`console.log(JSON.stringify(await trust(${JSON.stringify(url)}, { archive: 'sha384-x', entries: {} }).then(() => 'resolved', error => error.code)))`)
    expect(result).toBe('ENOENT')
  })
})
