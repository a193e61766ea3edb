/**
 * Prototype pollution: a key (query parameter, JSON or form key) that reaches `Object.prototype`
 * when a library merges it: `__proto__`, or `constructor` followed by `prototype` (`constructor[prototype]`,
 * `constructor.prototype`). Keys and cookies, and values that spell such a key path
 * (`a=__proto__.x` is what `set(obj, path, value)` helpers are fed) or hold it as a JSON key
 * (`{"__proto__":`, `{"constructor":{"prototype":` in a value that is parsed later). Payloads from
 * PayloadsAllTheThings' prototype-pollution page and OWASP CRS rule 934130's regression tests.
 *
 * A nested body (`{"constructor":{"prototype":{…}}}`, or `constructor[prototype][x]=` through an
 * extended form parser) reaches the rule one key at a time, without the parent key, so a body key
 * that is exactly `prototype` is reported on its own (`prototype_pollution.prototype-key`, medium):
 * plain objects do not have a `prototype` key, and a query or cookie name `prototype` (which no parser
 * nests) is not reported.
 */
import type { Finding, Rule } from '../types.js'

const PROTO = '__proto__'
const CTOR = 'constructor'
const PROTOTYPE = 'prototype'
/** What may stand between `constructor` and `prototype`: `.`, `][`, `"]["`, `":{"`. */
const SEPARATORS = /^[\s.[\]"':{]{1,8}$/

export const PATTERNS: readonly RegExp[] = [SEPARATORS]

export const prototypePollution: Rule = {
  threat: 'prototype_pollution',
  match(text, kind) {
    const key = kind === 'query_key' || kind === 'body_key' || kind === 'cookie_key' || kind === 'cookie'
    if (!key && kind !== 'query' && kind !== 'body') return undefined
    // The second step of `constructor` → `prototype` in a nested body.
    if (kind === 'body_key' && text === PROTOTYPE)
      return {
        threat: 'prototype_pollution',
        rule: 'prototype_pollution.prototype-key',
        fragment: text,
        confidence: 'medium',
      }
    const proto = text.indexOf(PROTO)
    if (proto !== -1 && (key || isKeyPath(text, proto, PROTO.length) || isJsonKey(text, proto, PROTO.length)))
      return finding('prototype_pollution.proto', text, proto, PROTO.length)
    return constructorPrototype(text, key)
  },
}

/** `constructor`, a few separators, `prototype`: each occurrence of either looked up once. */
function constructorPrototype(text: string, key: boolean): Finding | undefined {
  let ctor = text.indexOf(CTOR)
  let rest = -1
  while (ctor !== -1) {
    const end = ctor + CTOR.length
    if (rest < end) rest = text.indexOf(PROTOTYPE, end)
    if (rest === -1) return undefined
    if (rest - end > 8) {
      // No `constructor` before this one can reach `prototype` either: skip to those that might.
      ctor = text.indexOf(CTOR, Math.max(end, rest - 8 - CTOR.length))
      continue
    }
    const length = rest + PROTOTYPE.length - ctor
    if (
      SEPARATORS.test(text.slice(end, rest)) &&
      (key || isKeyPath(text, ctor, length) || isJsonKey(text, ctor, CTOR.length))
    )
      return finding('prototype_pollution.constructor', text, ctor, length)
    ctor = text.indexOf(CTOR, end)
  }
  return undefined
}

/** In a value, the match must be a key path on its own (`__proto__.isAdmin`), not prose that mentions it. */
function isKeyPath(text: string, at: number, length: number): boolean {
  const before = at === 0 ? '' : text[at - 1]
  const after = text[at + length] ?? ''
  return (
    (before === '' || before === '.' || before === '[') && (after === '' || after === '.' || after === '[')
  )
}

/** A quoted JSON key: `"__proto__":`, `"constructor" :`. */
function isJsonKey(text: string, at: number, length: number): boolean {
  if (text[at - 1] !== '"' || text[at + length] !== '"') return false
  let i = at + length + 1
  while (text[i] === ' ') i++
  return text[i] === ':'
}

function finding(rule: string, text: string, at: number, length: number): Finding {
  return {
    threat: 'prototype_pollution',
    rule,
    fragment: text.slice(at, at + length + 24),
    confidence: 'high',
  }
}
