// The memory loader on its own, in Node: data: URLs import there as in browsers (Blob URLs do not,
// so chunks that other chunks import are left to the Chromium tests).
import type { ChunkFacts } from '../../src/contract'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { IntegrityError } from '../../src/runtime/errors'
import { createMemoryLoader } from '../../src/runtime/memory'
import { writeZip } from '../../src/core/zip-writer'

const sha384 = (code: string) => `sha384-${createHash('sha384').update(code).digest('base64')}`
const urlOf = (file: string) => `https://app.test/assets/${file}`

function loader(chunks: Record<string, ChunkFacts>, served: Record<string, string>, archive?: Uint8Array) {
  const fetched: string[] = []
  const fetchBytes = async (url: string) => {
    fetched.push(url)
    return new TextEncoder().encode(served[url.replace(/\?.*$/, '')]).buffer as ArrayBuffer
  }
  const memory = createMemoryLoader({
    chunks,
    urlOf,
    fetchBytes,
    archiveBytes: name => [urlOf(`${name}.zip`), Promise.resolve(archive!.buffer as ArrayBuffer)],
    ran: new Set(),
  })
  return { memory, fetched }
}

describe('createMemoryLoader', () => {
  it('fetches a loose chunk anew under a new URL on a retry, checks it, and imports it from memory', async () => {
    const code = 'export default 42'
    const { memory, fetched } = loader({ 'a.js': { imports: [], links: [], integrity: sha384(code) } }, { [urlOf('a.js')]: code })
    expect((await memory.importFile('a.js', 2) as any).default).toBe(42)
    expect(fetched).toEqual([`${urlOf('a.js')}?retry=2`])
    expect(memory.holds(['a.js'])).toBe(true)
  })

  it('refuses changed bytes with IntegrityError, and runs nothing', async () => {
    globalThis.__memoryRan = false
    const { memory } = loader({ 'a.js': { imports: [], links: [], integrity: sha384('export default 1') } }, { [urlOf('a.js')]: 'globalThis.__memoryRan = true' })
    await expect(memory.importFile('a.js', 2)).rejects.toBeInstanceOf(IntegrityError)
    expect(globalThis.__memoryRan).toBe(false)
  })

  it('reads an archived chunk from its archive, splicing in the URL of `import.meta.url`', async () => {
    const code = 'export const where = import.meta.url'
    const start = code.indexOf('import.meta.url')
    const { bytes } = writeZip([{ name: 'c.js', data: new TextEncoder().encode(code) }], { compression: 'store' })
    const { memory, fetched } = loader({ 'c.js': { imports: [], links: [[start, start + 15, '']], integrity: sha384(code), archive: 'charts' } }, {}, bytes)
    expect((await memory.importFile('c.js', 1) as any).where).toBe(urlOf('c.js'))
    expect(fetched).toEqual([])
  })

  it('forgets what never ran, so a failed chunk gets a fresh URL next time', async () => {
    const code = 'export default 7'
    const { memory } = loader({ 'a.js': { imports: [], links: [], integrity: sha384(code) } }, { [urlOf('a.js')]: code })
    await memory.importFile('a.js', 2)
    memory.forget(['a.js'])
    expect(memory.holds(['a.js'])).toBe(false)
  })
})

declare global {
  // eslint-disable-next-line vars-on-top
  var __memoryRan: boolean
}
