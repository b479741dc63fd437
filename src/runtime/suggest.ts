/** Up to three known names close to `name`: same prefix, or a small edit distance. */
export function suggest(name: string, known: string[]): string[] {
  // Hostile input can be huge; nothing that long is a typo of a real name.
  if (name.length > 200)
    return []
  const limit = Math.max(2, Math.floor(name.length / 3))
  return known
    .map(candidate => ({ candidate, distance: candidate.startsWith(name) && name ? 0 : editDistance(name, candidate, limit) }))
    .filter(({ distance }) => distance <= limit)
    .sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : 1))
    .slice(0, 3)
    .map(({ candidate }) => candidate)
}

/** Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit)
    return limit + 1
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
      best = Math.min(best, current[j])
    }
    if (best > limit)
      return limit + 1
    previous = current
  }
  return previous[b.length]
}
