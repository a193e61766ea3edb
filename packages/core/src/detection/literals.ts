/**
 * Many literal strings looked for in one pass over a text, ASCII letters compared without case: an
 * Aho–Corasick automaton (Aho and Corasick, "Efficient string matching", CACM 1975) compiled into a
 * transition table. Per character of the text: one class lookup and one table load, whatever the
 * number of literals — no lower-cased copy of the text, no allocation, no regular expression, time
 * linear in the text. Detectors use it for lists of hundreds of entries (scanner User-Agents,
 * scanner paths) checked on every request.
 *
 * Literals are printable ASCII; a character outside ASCII in the text matches no literal character.
 * Every occurrence of every literal is offered to the caller's `accept`, which checks what a plain
 * substring cannot say (a word boundary, an anchor, the end of the path) and stops the scan.
 */

import { WatchpostTypeError } from '../errors.js'

/** Decides whether the occurrence of literal `id` ending before `end` in `text` counts. */
export type Accept = (id: number, end: number, text: string) => boolean

export interface LiteralMatcher {
  /** How many literals the matcher holds (ids are 0 … size-1, in the order given). */
  readonly size: number
  /** The first occurrence (by end position) that `accept` takes: its literal's id, or -1. */
  find(text: string, accept: Accept, limit?: number): number
  /**
   * The longest literal with an occurrence `accept` takes (the first of equals), or -1: the most
   * specific entry of a list. Reads the whole text, as `find` does when nothing matches.
   */
  findLongest(text: string, accept: Accept, limit?: number): number
}

const ASCII = 128

/** Compiles `literals` (printable ASCII; compared with ASCII letters folded to lower case). */
export function compileLiterals(literals: readonly string[]): LiteralMatcher {
  // Character classes: one per distinct (lower-cased) character the literals use, 0 for the rest.
  const classOf = new Uint8Array(ASCII)
  let classes = 1
  for (const literal of literals) {
    for (let i = 0; i < literal.length; i++) {
      const c = fold(literal.charCodeAt(i))
      if (c < 0x20 || c >= 0x7f)
        throw new WatchpostTypeError(
          'ERR_WATCHPOST_DETECTOR_LIST_INVALID',
          `${JSON.stringify(literal)}: printable ASCII only`,
        )
      if (classOf[c] === 0) classOf[c] = classes++
    }
  }
  for (let c = 65; c <= 90; c++) classOf[c] = classOf[c | 0x20] as number

  // The trie: children per class, the literals ending at each node.
  const children: Array<Map<number, number>> = [new Map()]
  const ends: number[][] = [[]]
  literals.forEach((literal, id) => {
    let node = 0
    for (let i = 0; i < literal.length; i++) {
      const k = classOf[fold(literal.charCodeAt(i))] as number
      let next = children[node]!.get(k)
      if (next === undefined) {
        next = children.length
        children.push(new Map())
        ends.push([])
        children[node]!.set(k, next)
      }
      node = next
    }
    if (literal.length > 0) ends[node]!.push(id)
  })

  // Breadth first: failure links, full transitions, and each node's outputs (its own and its
  // failure node's, which was finished before it).
  const states = children.length
  const table = new Int32Array(states * classes) // next state by state and class, while building
  const fail = new Int32Array(states)
  const outputs: number[][] = ends.map((own) => own.slice())
  const queue: number[] = []
  for (let k = 0; k < classes; k++) {
    const child = children[0]!.get(k)
    if (child === undefined) continue
    table[k] = child
    queue.push(child)
  }
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!
    outputs[node]!.push(...outputs[fail[node]!]!)
    for (let k = 0; k < classes; k++) {
      const child = children[node]!.get(k)
      const viaFail = table[fail[node]! * classes + k]!
      if (child === undefined) {
        table[node * classes + k] = viaFail
      } else {
        table[node * classes + k] = child
        fail[child] = viaFail
        queue.push(child)
      }
    }
  }

  // Outputs flattened: node → [start, start + count) in `ids`.
  const outStart = new Int32Array(states)
  const outCount = new Int32Array(states)
  const ids: number[] = []
  for (let node = 0; node < states; node++) {
    outStart[node] = ids.length
    outCount[node] = outputs[node]!.length
    ids.push(...outputs[node]!)
  }
  const outIds = Int32Array.from(ids)
  const lengths = Int32Array.from(literals, (l) => l.length)

  // The table the scan reads: per transition, the next state's row offset times two, plus one when
  // that state has outputs — one load and no multiplication per character.
  const rows = new Int32Array(states * classes)
  for (let i = 0; i < rows.length; i++) {
    const next = table[i] as number
    rows[i] = ((next * classes) << 1) | (outCount[next] === 0 ? 0 : 1)
  }

  /** Runs the automaton over `text`: the first accepted occurrence, or with `longest` the longest. */
  function scan(text: string, accept: Accept, limit: number, longest: boolean): number {
    const n = Math.min(limit, text.length)
    let best = -1
    let row = 0
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i)
      const next = rows[row + (c < ASCII ? (classOf[c] as number) : 0)] as number
      row = next >> 1
      if ((next & 1) === 0) continue
      const state = row / classes
      const count = outCount[state] as number
      const start = outStart[state] as number
      for (let j = start; j < start + count; j++) {
        const id = outIds[j] as number
        if (!accept(id, i + 1, text)) continue
        if (!longest) return id
        if (best === -1 || (lengths[id] as number) > (lengths[best] as number)) best = id
      }
    }
    return best
  }

  return {
    size: literals.length,
    find: (text, accept, limit = text.length) => scan(text, accept, limit, false),
    findLongest: (text, accept, limit = text.length) => scan(text, accept, limit, true),
  }
}

/** ASCII upper-case letters to lower case; any other code unchanged. */
function fold(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c
}

/** Whether `c` is an ASCII letter or digit. */
export function isAlnum(c: number): boolean {
  const l = c | 0x20
  return (l >= 97 && l <= 122) || (c >= 48 && c <= 57)
}
