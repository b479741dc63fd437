// Small statistics helpers shared by the benchmarks.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export function summary(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length }
}

/** Deterministic PRNG (mulberry32), so the generated app is the same on every run. */
export function prng(seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1))
  next.pick = list => list[Math.floor(next() * list.length)]
  return next
}

export const fmt = {
  ms: v => `${v.toFixed(0)} ms`,
  x: v => `${v.toFixed(3)}×`,
  mbs: v => `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} MB/s`,
}

/** A plain fixed-width table for the terminal. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(row => String(row[i]).length)))
  return rows.map((row, r) => {
    const line = row.map((cell, i) => i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i])).join('  ')
    return r === 0 ? `${line}\n${widths.map(w => '-'.repeat(w)).join('  ')}` : line
  }).join('\n')
}
