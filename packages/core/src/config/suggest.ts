/** "Did you mean": the closest known name to a mistyped one. */

/** Closest candidate within Damerau–Levenshtein distance 2 (case-insensitive), if any. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  const lower = word.toLowerCase()
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase())
    // A 2-edit match on a 2-letter word is noise, not a typo.
    if (d < bestDistance && d < candidate.length) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3 // only ≤ 2 matters: skip the table for far-apart lengths
  const rows: number[][] = []
  for (let i = 0; i <= a.length; i++) rows.push([i])
  const first = rows[0] as number[]
  for (let j = 1; j <= b.length; j++) first[j] = j
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[]
    const prev = rows[i - 1] as number[]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1)
      }
      row[j] = d
    }
  }
  return (rows[a.length] as number[])[b.length] as number
}
