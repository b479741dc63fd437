import type { Random } from '../helpers/random'
import { relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { shortId } from '../../src/core/report/ids'
import { prng } from '../helpers/random'

const SEGMENTS = ['app', 'src', '.tmp', '.', '..', '', 'node_modules', 'a.js', '.hidden', '...', 'x y']

function randomPath(rand: Random, from = ''): string {
  let path = from
  const length = Math.floor(rand() * 5)
  for (let n = 0; n < length; n++)
    path += `/${SEGMENTS[Math.floor(rand() * SEGMENTS.length)]}`
  return rand() < 0.1 ? `${path}/` : path
}

describe('shortId', () => {
  it('is the path from the root, as path.relative gives it, on 200,000 random paths', () => {
    const rand = prng(7)
    let sliced = 0
    for (let n = 0; n < 200_000; n++) {
      const root = randomPath(rand) || '/'
      // Most ids inside the root, as a build's are; some anywhere.
      const id = rand() < 0.8 ? randomPath(rand, root) : randomPath(rand) || '/'
      if (!id.startsWith('/'))
        continue
      expect(shortId(id, root), JSON.stringify({ id, root })).toBe(relative(root, id))
      if (id.startsWith(`${root}/`) && !/(?:^|\/)\.{1,2}(?:\/|$)|\/\//.test(id))
        sliced++
    }
    // Not only paths that go through path.relative.
    expect(sliced).toBeGreaterThan(10_000)
  })

  it('slices a clean id inside a clean absolute root', () => {
    expect(shortId('/work/app/.tmp/src/main.js', '/work/app/.tmp')).toBe('src/main.js')
    expect(shortId('/work/app/../src/main.js', '/work/app')).toBe('../src/main.js')
    expect(shortId('\0virtual', '/work/app')).toBe('\0virtual')
  })
})

describe('compose', () => {
  it('names a virtual module once as virtual, whether or not its id already says so', async () => {
    const { compose } = await import('../../src/core/report/composition')
    const share = { chunk: 'index.js', raw: 10, gzip: 5 }
    const composed = compose(new Map([['\0virtual:lazy-modules', share], ['\0commonjsHelpers.js', share], ['virtual:own', share]]), '/app', 'build')!
    expect(Object.keys(composed.modules).sort()).toEqual(['virtual:commonjsHelpers.js', 'virtual:lazy-modules', 'virtual:own'])
  })
})
