import { describe, expect, it } from 'vitest'
import { cutLosses, dominators, reachable } from '../../src/core/report/dominators'
import { prng } from '../helpers/random'

/** What the report did before: walk the graph once per cut, without the cut's edges. */
function walked(roots: string[], edges: Map<string, string[]>, target: string, importers: Set<string>): Set<string> {
  const kept = reachable(roots, edges, (from, to) => to === target && importers.has(from))
  return new Set([...reachable(roots, edges)].filter(id => !kept.has(id)))
}

describe('dominators', () => {
  it('finds immediate dominators of a diamond with a tail', () => {
    // 0 → 1, 0 → 2, 1 → 3, 2 → 3, 3 → 4
    const { idom, postorder } = dominators([[1, 2], [3], [3], [4], []])
    expect([...idom]).toEqual([0, 0, 0, 0, 3])
    expect(postorder.at(-1)).toBe(0)
  })

  it('leaves out what the root cannot reach', () => {
    const { idom, postorder } = dominators([[1], [], [1]])
    expect(postorder).not.toContain(2)
    expect(idom[2]).toBe(-1)
  })

  it('survives a long chain', () => {
    const successors = Array.from({ length: 200_000 }, (_, node) => node + 1 < 200_000 ? [node + 1] : [])
    expect(dominators(successors).idom[199_999]).toBe(199_998)
  })
})

describe('cutLosses', () => {
  it('agrees with walking the graph once per cut, on random graphs with cycles', () => {
    const rand = prng(12)
    for (let trial = 0; trial < 200; trial++) {
      const n = rand.int(2, 40)
      const ids = Array.from({ length: n }, (_, k) => `m${k}`)
      const edges = new Map(ids.map(id => [id, [] as string[]]))
      for (let e = rand.int(0, n * 3); e > 0; e--)
        edges.get(rand.pick(ids))!.push(rand.pick(ids))
      const roots = ids.filter(() => rand() < 0.15)
      if (!roots.length)
        roots.push(ids[0])
      const targets = ids.filter(() => rand() < 0.5)
      const cuts = targets.map(target => ({ target, importers: new Set(ids.filter(id => edges.get(id)!.includes(target) && rand() < 0.8)) }))
      const weights = new Map(ids.map(id => [id, { raw: rand.int(0, 999), gzip: rand.int(0, 99) }]))
      const losses = cutLosses(roots, edges, cuts, id => weights.get(id)!)
      cuts.forEach((cut, at) => {
        const expected = walked(roots, edges, cut.target, cut.importers)
        expect(losses.lost(at)).toEqual(expected)
        expect(losses.saved[at]).toEqual([...expected].reduce((sum, id) => ({ raw: sum.raw + weights.get(id)!.raw, gzip: sum.gzip + weights.get(id)!.gzip }), { raw: 0, gzip: 0 }))
      })
    }
  })
})
