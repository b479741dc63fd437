// The archive loader's chunk ships to every browser that loads an archived module: it stays at most
// 1,750 B brotli as Vite 8 writes it, retries and the strict zip reader included (issue 12). ZIP64,
// which archives the build writes never need, is left out of it (issue 11).
import { join } from 'node:path'
import { brotliCompressSync, constants } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { buildWithVite, fixtures } from '../helpers/build'

const brotli = (code: string) => brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length

describe('the archive loader chunk (Vite 8)', () => {
  it('is at most 1,750 B brotli in a stored build, and reads no ZIP64', async () => {
    const built = await buildWithVite(join(fixtures, 'archive'), { modules: { 'charts/*': 'src/charts/*.js' }, archives: { charts: ['charts/*'] }, report: false })
    const [chunk, ...more] = Object.values(built.files).filter(file => file.type === 'chunk' && /^assets\/memory-[\w-]{8}\.js$/.test(file.fileName))
    expect(more).toEqual([])
    const code = chunk.type === 'chunk' ? chunk.code : ''
    expect(code).toContain('createMemoryLoader')
    expect(brotli(code)).toBeLessThanOrEqual(1750)
    // The ZIP64 end record locator's signature, 0x07064B50, however the minifier writes it.
    expect(code).not.toMatch(/117853008|0x7064b50/i)
  })
})
