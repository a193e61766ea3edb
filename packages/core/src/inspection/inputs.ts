/**
 * The inputs of a request, one by one: the path, each query parameter's name and value, each
 * cookie, the headers attackers write into (User-Agent, Referer, X-Forwarded-For, and those the
 * config adds), and the parsed body's keys and string values. Bounded: per value, per request in
 * characters, in body depth and in the number of values, so that input size or shape cannot make the
 * request path slow; what is left out is reported as `truncated`.
 *
 * Names are not built while walking: a body value's name is the live key stack, joined only when a
 * rule matched (`fieldName`).
 */

import { type HeaderValue, textOf } from '../context/header-slots.js'

export type InputKind =
  | 'path'
  | 'query'
  | 'query_key'
  | 'cookie'
  | 'cookie_key'
  | 'header'
  | 'body'
  | 'body_key'

export interface InspectionLimits {
  /** Characters of one value looked at; the rest of a longer value is not. */
  readonly maxValueLength: number
  /** Characters looked at per request, over all inputs. */
  readonly maxTotalLength: number
  /** Nesting of the body walked. */
  readonly maxDepth: number
  /** Keys and values looked at per request. */
  readonly maxValues: number
}

export const DEFAULT_LIMITS: InspectionLimits = {
  maxValueLength: 8192,
  maxTotalLength: 65_536,
  maxDepth: 32,
  maxValues: 1024,
}

/** Where an input sits: a header, parameter or cookie name, or the body's key stack (live: copy it to keep it). */
export type InputName = string | readonly (string | number)[]

/**
 * Looks at one input (`raw` already cut to the value bound); returns `true` to stop the walk
 * (enough found).
 */
export type InputVisitor = (kind: InputKind, raw: string, name: InputName) => boolean

export interface RequestInputs {
  readonly url: string
  /** The `Cookie` header. */
  readonly cookie: HeaderValue
  /**
   * The inspected headers' values, in the order of the names given to the walk (`undefined` where
   * the request has none): the injection detector takes them from the context's header slots, read
   * in one pass for all of core (context/header-slots.ts).
   */
  readonly headers: readonly HeaderValue[]
  /** The parsed body as the framework left it (`request.body`, `req.body`), if any. */
  readonly body: unknown
}

/** What the walk could not look at. */
export interface WalkResult {
  /** Some input was cut or left out by a bound. */
  readonly truncated: boolean
  /** The walk was stopped by the visitor. */
  readonly stopped: boolean
}

const DONE: WalkResult = { truncated: false, stopped: false }
const STOPPED: WalkResult = { truncated: false, stopped: true }

/**
 * ThreatField of an input: `query:q`, `body:items.0.name`, `header:user-agent`, `path`. A key is
 * itself the input, so a key's field names where it sits, not the key: `query_key`,
 * `body_key:filter` (the object holding it), never the attacker's text whole.
 */
export function fieldName(kind: InputKind, name: InputName): string {
  if (kind === 'path') return 'path'
  if (kind === 'query_key' || kind === 'cookie_key') return kind
  if (kind === 'body_key') {
    const parents = typeof name === 'string' ? [] : name.slice(0, -1)
    if (parents.length === 0) return 'body_key'
    name = parents
  }
  const n = typeof name === 'string' ? name : name.join('.')
  return `${kind}:${n.length > 96 ? n.slice(0, 96) : n}`
}

/**
 * Says which inputs need no closer look (decoded.ts: the prefilter and its memory), so that the walk
 * calls its visitor, and builds a body input's name, only for the others.
 */
export interface InputScreen {
  /** `raw` (already cut to the bounds) cannot hold an attack; `isPath` for the request's path. */
  clean(raw: string, isPath: boolean): boolean
}

/**
 * Visits every input of the request in order, within the bounds; with a `screen`, only those it does
 * not call clean (they still count against the bounds).
 */
export function walkInputs(
  input: RequestInputs,
  headerNames: readonly string[],
  limits: InspectionLimits,
  visit: InputVisitor,
  screen?: InputScreen,
): WalkResult {
  return new InputWalker(headerNames, limits, visit, screen).walk(input)
}

/**
 * `walkInputs` for one visitor, request after request: its state is set up once and reset for each
 * walk, so that a request allocates nothing to be walked (on `GET /hello` the walk's state, the
 * inputs and two closures were most of the injection detector's ≈ 370 bytes a request). Not
 * re-entrant: a visitor that starts another walk must use another walker (`busy`).
 */
export class InputWalker {
  readonly #walk: Walk
  readonly #headerNames: readonly string[]
  #busy = false

  constructor(
    headerNames: readonly string[],
    limits: InspectionLimits,
    visit: InputVisitor,
    screen?: InputScreen,
  ) {
    this.#walk = new Walk(limits, visit, screen)
    this.#headerNames = headerNames
  }

  /** A walk is under way (its visitor is running). */
  get busy(): boolean {
    return this.#busy
  }

  walk(input: RequestInputs): WalkResult {
    this.#busy = true
    try {
      return walk(this.#walk.reset(), input, this.#headerNames)
    } finally {
      this.#busy = false
    }
  }
}

function walk(walk: Walk, input: RequestInputs, headerNames: readonly string[]): WalkResult {
  const url = input.url
  const q = url.indexOf('?')
  const path = walk.take(q === -1 ? url : url.slice(0, q))
  if (path !== undefined && walk.look('path', path, '')) return STOPPED
  if (q !== -1 && q < url.length - 1 && walk.pairs(url.slice(q + 1), '&', 'query')) return STOPPED

  const cookie = textOf(input.cookie)
  if (cookie !== undefined && cookie !== '' && walk.pairs(cookie, ';', 'cookie')) return STOPPED
  // An index, not for-of: over this (frozen, configured) list TurboFan kept for-of a call of the
  // iterator builtin, ≈ 550 instructions per request (test/bench/instructions.mjs; ≈ 200 net).
  for (let i = 0; i < headerNames.length; i++) {
    const text = textOf(input.headers[i])
    if (text === undefined || text === '') continue
    const raw = walk.take(text)
    if (raw !== undefined && walk.look('header', raw, headerNames[i] as string)) return STOPPED
  }

  const body = input.body
  if (typeof body === 'string') {
    const raw = walk.take(body)
    if (raw !== undefined && walk.look('body', raw, '')) return STOPPED
  } else if (body !== null && typeof body === 'object' && !ArrayBuffer.isView(body)) {
    if (walk.object(body, walk.maxDepth)) return STOPPED
  }
  return walk.truncated ? { truncated: true, stopped: false } : DONE
}

const hasOwn = Object.prototype.hasOwnProperty

/**
 * One request's walk: the bounds left and the body's key stack. Its methods return `true` when the
 * visitor stopped the walk.
 *
 * Written for the 4 KB JSON body of a busy API (313 keys and values): a key or value the screen calls
 * clean costs no call of the visitor and no push onto the key stack, and the bounds are checked in
 * one comparison while the value is shorter than both (packages/core/bench/inspection.bench.ts,
 * "4 KB JSON order").
 */
class Walk {
  budget = 0
  values = 0
  truncated = false
  readonly stack: (string | number)[] = []
  /**
   * Per depth, the keys the screen called clean, by their position in the object last walked at that
   * depth. The objects of an array (a JSON API's list of items) mostly have the same keys in the same
   * order, the very strings (V8 interns a parsed key): a key identical to the one there is clean
   * without asking the screen, whose memory is a `Map` lookup (≈ 8 ns a key). Whether a string is
   * clean depends on the string alone, so a key from any earlier object of the request counts.
   */
  #cleanKeys: (string | undefined)[][] | undefined
  readonly #maxValueLength: number
  readonly #limits: InspectionLimits
  readonly maxDepth: number

  constructor(
    limits: InspectionLimits,
    private readonly visit: InputVisitor,
    private readonly screen: InputScreen | undefined,
  ) {
    this.#limits = limits
    this.#maxValueLength = limits.maxValueLength
    this.maxDepth = limits.maxDepth
    this.#cleanKeys = undefined
    this.reset()
  }

  /** Ready for a new request: the bounds full again, the key stack empty (a visitor may have thrown). */
  reset(): this {
    this.budget = this.#limits.maxTotalLength
    this.values = this.#limits.maxValues
    this.truncated = false
    // Setting an array's length is a runtime call, ≈ 10 ns: only after a visitor threw.
    if (this.stack.length !== 0) this.stack.length = 0
    // Per request: kept across requests, an attacker's long keys would stay in memory.
    this.#cleanKeys = undefined
    return this
  }

  /** `raw` cut to what the bounds leave, or `undefined` when they leave nothing. */
  take(raw: string): string | undefined {
    if (this.values <= 0 || this.budget <= 0) {
      this.truncated = true
      return undefined
    }
    this.values--
    const length = raw.length
    if (length <= this.#maxValueLength && length <= this.budget) {
      this.budget -= length
      return raw
    }
    const value = raw.slice(0, Math.min(this.#maxValueLength, this.budget))
    this.truncated = true
    this.budget -= value.length
    return value
  }

  /** Shows `raw` to the visitor unless the screen calls it clean. */
  look(kind: InputKind, raw: string, name: InputName): boolean {
    const screen = this.screen
    if (screen?.clean(raw, kind === 'path') === true) return false
    return this.visit(kind, raw, name)
  }

  /** A body key or string value, named by the key stack with `key` on top, unless the screen calls it clean. */
  lookIn(kind: 'body' | 'body_key', raw: string, key: string | number): boolean {
    return this.screen?.clean(raw, false) !== true && this.visitIn(kind, raw, key)
  }

  /** Shows a body key or string value to the visitor, named by the key stack with `key` on top. */
  visitIn(kind: 'body' | 'body_key', raw: string, key: string | number): boolean {
    const stack = this.stack
    stack.push(key)
    const stop = this.visit(kind, raw, stack)
    stack.pop()
    return stop
  }

  /** `a=1&b=2` (query) or `a=1; b=2` (cookies): each name (`query_key`, `cookie_key`), and each value, in order. */
  pairs(text: string, separator: string, kind: 'query' | 'cookie'): boolean {
    let start = 0
    while (start <= text.length) {
      let end = text.indexOf(separator, start)
      if (end === -1) end = text.length
      const pair = text.slice(start, end)
      start = end + 1
      if (pair.trim() === '') continue
      const eq = pair.indexOf('=')
      const name = (eq === -1 ? pair : pair.slice(0, eq)).trim()
      const key = this.take(name)
      if (key !== undefined && this.look(kind === 'query' ? 'query_key' : 'cookie_key', key, name))
        return true
      if (eq !== -1) {
        const value = this.take(pair.slice(eq + 1))
        if (value !== undefined && this.look(kind, value, name)) return true
      }
    }
    return false
  }

  object(node: object, depth: number): boolean {
    if (depth <= 0) {
      this.truncated = true
      return false
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) if (this.value(node[i], i, depth)) return true
      return false
    }
    // Own enumerable keys, as Object.keys gives them, but read through for-in: V8 then loads each
    // value by the enumeration cache's field index, where `node[key]` after Object.keys is a keyed
    // lookup that turns megamorphic over the shapes of many bodies (≈ 23,000 instructions per 4 KB
    // JSON order after the attack mix: `test/bench/instructions.mjs --traffic order --mix 5000`).
    // hasOwnProperty.call in a for-in over the same object is a map check once optimised.
    this.#cleanKeys ??= []
    let cleanKeys = this.#cleanKeys[depth]
    if (cleanKeys === undefined) {
      cleanKeys = []
      this.#cleanKeys[depth] = cleanKeys
    }
    let position = 0
    for (const key in node) {
      if (!hasOwn.call(node, key)) continue
      const k = this.take(key)
      if (k !== undefined && cleanKeys[position] !== k) {
        if (this.screen?.clean(k, false) === true) cleanKeys[position] = k
        else if (this.visitIn('body_key', k, key)) return true
      }
      position++
      if (this.value((node as Record<string, unknown>)[key], key, depth)) return true
    }
    return false
  }

  /** The value under `key` (an index in an array). */
  value(value: unknown, key: string | number, depth: number): boolean {
    if (typeof value === 'string') {
      const raw = this.take(value)
      return raw !== undefined && this.lookIn('body', raw, key)
    }
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return false
    const stack = this.stack
    stack.push(key)
    const stop = this.object(value, depth - 1)
    stack.pop()
    return stop
  }
}
