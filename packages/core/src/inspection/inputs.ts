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
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
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

export function walkInputs(
  input: RequestInputs,
  headerNames: readonly string[],
  limits: InspectionLimits,
  visit: InputVisitor,
): WalkResult {
  const state = { budget: limits.maxTotalLength, values: limits.maxValues, truncated: false }
  const take = (raw: string): string | undefined => {
    if (state.values <= 0 || state.budget <= 0) {
      state.truncated = true
      return undefined
    }
    state.values--
    let value = raw
    if (value.length > limits.maxValueLength) {
      value = value.slice(0, limits.maxValueLength)
      state.truncated = true
    }
    if (value.length > state.budget) {
      value = value.slice(0, state.budget)
      state.truncated = true
    }
    state.budget -= value.length
    return value
  }
  const url = input.url
  const q = url.indexOf('?')
  const path = take(q === -1 ? url : url.slice(0, q))
  if (path !== undefined && visit('path', path, '')) return STOPPED
  if (q !== -1 && q < url.length - 1 && walkPairs(url.slice(q + 1), '&', 'query', take, visit)) return STOPPED

  const cookie = input.headers.cookie
  if (typeof cookie === 'string' && cookie !== '' && walkPairs(cookie, ';', 'cookie', take, visit))
    return STOPPED
  // An index, not for-of: over this (frozen, configured) list TurboFan kept for-of a call of the
  // iterator builtin, ≈ 550 instructions per request (test/bench/instructions.mjs; ≈ 200 net).
  for (let i = 0; i < headerNames.length; i++) {
    const name = headerNames[i] as string
    const value = input.headers[name]
    const text = typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : undefined
    if (text === undefined || text === '') continue
    const raw = take(text)
    if (raw !== undefined && visit('header', raw, name)) return STOPPED
  }

  const body = input.body
  if (typeof body === 'string') {
    const raw = take(body)
    if (raw !== undefined && visit('body', raw, '')) return STOPPED
  } else if (body !== null && typeof body === 'object' && !ArrayBuffer.isView(body)) {
    if (walkBody(body, [], limits.maxDepth, take, visit, state)) return STOPPED
  }
  return state.truncated ? { truncated: true, stopped: false } : DONE
}

/** `a=1&b=2` (query) or `a=1; b=2` (cookies): each name (`query_key`, `cookie_key`), and each value, in order. */
function walkPairs(
  text: string,
  separator: string,
  kind: 'query' | 'cookie',
  take: (raw: string) => string | undefined,
  visit: InputVisitor,
): boolean {
  let start = 0
  while (start <= text.length) {
    let end = text.indexOf(separator, start)
    if (end === -1) end = text.length
    const pair = text.slice(start, end)
    start = end + 1
    if (pair.trim() === '') continue
    const eq = pair.indexOf('=')
    const name = (eq === -1 ? pair : pair.slice(0, eq)).trim()
    const key = take(name)
    if (key !== undefined && visit(kind === 'query' ? 'query_key' : 'cookie_key', key, name)) return true
    if (eq !== -1) {
      const value = take(pair.slice(eq + 1))
      if (value !== undefined && visit(kind, value, name)) return true
    }
  }
  return false
}

function walkBody(
  node: object,
  stack: (string | number)[],
  depth: number,
  take: (raw: string) => string | undefined,
  visit: InputVisitor,
  state: { truncated: boolean },
): boolean {
  if (depth <= 0) {
    state.truncated = true
    return false
  }
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      stack.push(i)
      const stop = walkValue(node[i], stack, depth, take, visit, state)
      stack.pop()
      if (stop) return true
    }
    return false
  }
  // Own enumerable keys only (for...in would walk the prototype chain of class instances).
  for (const key of Object.keys(node)) {
    const k = take(key)
    stack.push(key)
    const stop =
      (k !== undefined && visit('body_key', k, stack)) ||
      walkValue((node as Record<string, unknown>)[key], stack, depth, take, visit, state)
    stack.pop()
    if (stop) return true
  }
  return false
}

function walkValue(
  value: unknown,
  stack: (string | number)[],
  depth: number,
  take: (raw: string) => string | undefined,
  visit: InputVisitor,
  state: { truncated: boolean },
): boolean {
  if (typeof value === 'string') {
    const raw = take(value)
    return raw !== undefined && visit('body', raw, stack)
  }
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value))
    return walkBody(value, stack, depth - 1, take, visit, state)
  return false
}
