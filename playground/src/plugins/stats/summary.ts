import type { Datum } from '../../contracts'

export interface Summary {
  total: number
  mean: number
  best: Datum
  worst: Datum
}

export function summarize(data: Datum[]): Summary {
  const total = data.reduce((sum, d) => sum + d.value, 0)
  const byValue = [...data].sort((a, b) => a.value - b.value)
  return { total, mean: total / data.length, best: byValue.at(-1)!, worst: byValue[0] }
}
