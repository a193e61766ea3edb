/**
 * Fits one row into a byte budget by trimming its fields, longest first, instead of sending a
 * request the service must refuse for ever (a record over 1 MB is a 413 on every retry). Strings are
 * cut (on a code point boundary) and marked; objects and arrays that are the longest field are
 * replaced by a short note. Identity fields stay whole because they are short: trimming always
 * takes the longest field first, so it reaches them only when nothing else is left.
 */

/** Appended to a string that was cut. */
export const TRIM_MARK = '…[trimmed]'

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value))
}

/** Cuts `s` so that its JSON form is at most `budget` bytes (mark included); '' when nothing fits. */
function cutString(s: string, budget: number): string {
  const markBytes = jsonBytes(TRIM_MARK) - 2
  let room = budget - 2 - markBytes
  if (room <= 0) return ''
  // JSON escaping can grow a character to 6 bytes; walk code points and count their escaped size.
  let end = 0
  for (const ch of s) {
    const size = jsonBytes(ch) - 2
    if (size > room) break
    room -= size
    end += ch.length
  }
  return s.slice(0, end) + TRIM_MARK
}

/**
 * A copy of `row` whose JSON is at most `maxBytes`, or `undefined` when even an empty shell of its
 * fields does not fit. `trimmed` lists the fields that were cut, for the record's own diagnostics.
 */
export function trimRow(
  row: Readonly<Record<string, unknown>>,
  maxBytes: number,
): { row: Record<string, unknown>; json: string; trimmed: string[] } | undefined {
  const out: Record<string, unknown> = { ...row }
  const trimmed: string[] = []
  let json = JSON.stringify(out)
  let size = Buffer.byteLength(json)
  const done = new Set<string>()
  while (size > maxBytes) {
    let longest: string | undefined
    let longestBytes = -1
    for (const key of Object.keys(out)) {
      if (done.has(key)) continue
      const b = jsonBytes(out[key])
      if (b > longestBytes) {
        longest = key
        longestBytes = b
      }
    }
    if (longest === undefined || longestBytes <= 2) return undefined
    done.add(longest)
    const value = out[longest]
    const excess = size - maxBytes
    const budget = Math.max(0, longestBytes - excess)
    out[longest] = typeof value === 'string' ? cutString(value, budget) : TRIM_MARK
    trimmed.push(longest)
    json = JSON.stringify(out)
    size = Buffer.byteLength(json)
  }
  return { row: out, json, trimmed }
}
