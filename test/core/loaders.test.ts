import type { Random } from '../helpers/random'
import { describe, expect, it } from 'vitest'
import { LOADER, loaderMatches } from '../../src/core/report/loaders'
import { prng } from '../helpers/random'

// Pieces that make loaders, near-loaders and the strings, escapes and line breaks around them.
const PIECES = ['"', '\'', '`', '\\', '\\"', '\\\'', '\n', '\r', ' ', ',', ', ', '()=>', '() => ', 'function(){', 'function () {', '(', ')', '[', ']', 'a', 'charts/bar', 'import("x")', 'x'.repeat(499), 'y'.repeat(501), '\\x'.repeat(500), '\\x'.repeat(499), '"n"', '\'m\'', '`t`', ', () => import("y")', ',function(){return import(\'z\')}', '["c", () => import("./c.js")],']

function randomCode(rand: Random): string {
  let code = ''
  const length = 1 + Math.floor(rand() * 60)
  for (let n = 0; n < length; n++)
    code += PIECES[Math.floor(rand() * PIECES.length)]
  return code
}

const spans = (matches: Iterable<RegExpMatchArray>) => [...matches].map(match => [match.index, match[0], match[1], match[2]])

describe('loaderMatches', () => {
  it('finds what a global search with the loader pattern finds', () => {
    const code = `const loaders = [["charts/a", () => import("./a.js")], ['charts/b',function(){return import("./b.js")}], "x", () => 1]`
    expect(spans(loaderMatches(code))).toEqual(spans(code.matchAll(LOADER)))
    expect(loaderMatches(code).map(match => match[2])).toEqual(['charts/a', 'charts/b', 'x'])
  })

  it('agrees with the global search on 20,000 random strings', () => {
    const rand = prng(12)
    let found = 0
    for (let n = 0; n < 20_000; n++) {
      const code = randomCode(rand)
      const expected = spans(code.matchAll(LOADER))
      expect(spans(loaderMatches(code)), JSON.stringify(code)).toEqual(expected)
      found += expected.length
    }
    // Not only strings without a loader.
    expect(found).toBeGreaterThan(10_000)
  })
})
