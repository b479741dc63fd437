import { describe, expect, it } from 'vitest'
import { createManifest, sortKeys, withArchives } from '../../src/core/manifest'
import { moduleInfo } from '../helpers/manifest'

describe('manifest', () => {
  const archive = { file: 'charts-abc.zip', integrity: 'sha384-z', size: { raw: 1, gzip: 1 }, entries: { 'bar.js': { offset: 0, compressedSize: 1, size: 1, method: 0, crc32: 0, integrity: 'sha384-b', links: [] } } }

  it('points archived modules at their entry and keeps only loose chunks to preload', () => {
    const [bar, pie] = withArchives([moduleInfo({ name: 'charts/bar', file: 'bar.js', imports: ['shared.js'] }), moduleInfo({ name: 'charts/pie', file: 'pie.js', imports: ['bar.js', 'shared.js'] })], { charts: archive })
    expect(bar.archive).toEqual({ name: 'charts', file: 'charts-abc.zip', entry: 'bar.js' })
    expect(pie.archive).toBeNull()
    expect(pie.imports).toEqual(['shared.js'])
  })

  it('gives equal builds equal ids, and a changed chunk a new id', () => {
    const modules = [moduleInfo({ name: 'a', file: 'a.js', integrity: 'sha384-1' })]
    expect(createManifest(modules).buildId).toBe(createManifest(modules).buildId)
    expect(createManifest([moduleInfo({ name: 'a', file: 'a.js', integrity: 'sha384-2' })]).buildId).not.toBe(createManifest(modules).buildId)
  })

  it('sorts keys at every level, so the same build gives the same bytes', () => {
    expect(JSON.stringify(sortKeys({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 2 } }))).toBe('{"a":{"c":2,"d":[{"y":2,"z":1}]},"b":1}')
  })
})
