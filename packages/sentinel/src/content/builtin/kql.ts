/**
 * The few KQL semantics the built-in rules' conditions rest on, applied to one projected row
 * (spec/azure/asim-analytics.md, "How the rules see Watchpost's rows"): a string column a row does
 * not carry reads as `""`; `count()` counts rows, whatever their EventCount; `has` matches whole
 * terms; `=~`, `has` and `contains` ignore case; `bin()` slots are aligned on the epoch.
 */

export type Row = Readonly<Record<string, unknown>>

/** A string column as KQL reads it: absent → `""`, a number → its text. */
export function str(row: Row, column: string): string {
  const value = row[column]
  if (value === undefined || value === null) return ''
  return typeof value === 'string' ? value : String(value)
}

/** `toint(column)`: the integer a string or number holds, else null. */
export function toint(row: Row, column: string): number | null {
  const text = str(row, column).trim()
  if (!/^[+-]?\d+$/.test(text)) return null
  return Number.parseInt(text, 10)
}

/** `toint()` of a number column (ThreatRiskLevel), null when absent. */
export function num(row: Row, column: string): number | null {
  const value = row[column]
  return typeof value === 'number' && Number.isFinite(value) ? value : toint(row, column)
}

/** `TimeGenerated` in ms since the epoch, or NaN. */
export function timeOf(row: Row): number {
  return Date.parse(str(row, 'TimeGenerated'))
}

/** `bin(t, size)`: the start of the epoch-aligned slot holding `t`. */
export function bin(t: number, sizeMs: number): number {
  return Math.floor(t / sizeMs) * sizeMs
}

const ALNUM = /[\p{L}\p{N}]/u

/**
 * `value has term`, case-insensitive: `term` occurs in `value` with no letter or digit right before
 * it (when it starts with one) or right after it (when it ends with one) — a whole term, or a run of
 * whole terms for a term with spaces or punctuation inside.
 */
export function has(value: string, term: string): boolean {
  if (term === '') return false
  const haystack = value.toLowerCase()
  const needle = term.toLowerCase()
  const boundedStart = ALNUM.test(needle[0]!)
  const boundedEnd = ALNUM.test(needle[needle.length - 1]!)
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const before = haystack[at - 1]
    const after = haystack[at + needle.length]
    if (boundedStart && before !== undefined && ALNUM.test(before)) continue
    if (boundedEnd && after !== undefined && ALNUM.test(after)) continue
    return true
  }
  return false
}

/** `value has_any (terms)`. */
export function hasAny(value: string, terms: readonly string[]): boolean {
  return terms.some((term) => has(value, term))
}

/** `value contains text`, case-insensitive. */
export function contains(value: string, text: string): boolean {
  return value.toLowerCase().includes(text.toLowerCase())
}

/** `url_decode(url)`; a malformed escape decodes to nothing, as KQL's yields null. */
export function urlDecode(url: string): string {
  try {
    return decodeURIComponent(url)
  } catch {
    return ''
  }
}

/** `tostring(parse_url(url)["Host"])`: empty for a path without scheme and host (Watchpost's Url). */
export function urlHost(url: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?([^/?#:]*)/i.exec(url)
  return match?.[1] ?? ''
}
