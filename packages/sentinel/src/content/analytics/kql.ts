/** KQL text: string literals, lists, comments. */

/** A KQL string literal: single-quoted, with backslash, quote and line breaks escaped. */
export function kqlString(value: string): string {
  const escaped = value.replace(/[\\'\n\r\t]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\${c}`,
  )
  return `'${escaped}'`
}

/** `('a', 'b')`: the right side of an `in`. */
export function kqlList(values: readonly string[]): string {
  return `(${values.map(kqlString).join(', ')})`
}

/** Text for a `//` comment: one line, no control characters. */
export function commentText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
}
