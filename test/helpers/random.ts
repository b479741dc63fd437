// Seeded randomness (mulberry32) for tests that try many generated inputs: a failure repeats.

export interface Random {
  /** [0, 1) */
  (): number
  /** An integer in [lo, hi]. */
  int: (lo: number, hi: number) => number
  pick: <T>(list: readonly T[]) => T
}

export function prng(seed: number): Random {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return Object.assign(next, {
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(list: readonly T[]) => list[Math.floor(next() * list.length)],
  })
}
