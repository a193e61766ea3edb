/**
 * Prototype pollution: a key (query parameter, JSON or form key) that reaches `Object.prototype`
 * when a library merges it: `__proto__`, or `constructor` followed by `prototype` (`constructor[prototype]`,
 * `constructor.prototype`). Keys only, and values that spell such a key path (`a=__proto__.x` is
 * what `set(obj, path, value)` helpers are fed).
 */
import type { Finding, Rule } from '../types.js'

const PROTO = '__proto__'
/** What may stand between `constructor` and `prototype` in a key path. */
const SEPARATORS = /^[\s.[\]"']*$/

/** Every regular expression of this file, for the ReDoS test. */
export const PATTERNS: readonly RegExp[] = [SEPARATORS]

export const prototypePollution: Rule = {
  threat: 'prototype_pollution',
  match(text, kind) {
    const key = kind === 'query_key' || kind === 'body_key' || kind === 'cookie'
    if (!key && kind !== 'query' && kind !== 'body') return undefined
    // The second step of `constructor` → `prototype` in a nested body or bracketed query key.
    if (key && text === 'prototype')
      return {
        threat: 'prototype_pollution',
        rule: 'prototype_pollution.prototype-key',
        fragment: text,
        confidence: 'medium',
      }
    const proto = text.indexOf(PROTO)
    if (proto !== -1 && (key || isKeyPath(text, proto, PROTO.length)))
      return finding('prototype_pollution.proto', text, proto, PROTO.length)
    const ctor = text.indexOf('constructor')
    if (ctor !== -1) {
      const rest = text.indexOf('prototype', ctor + 11)
      // `constructor[prototype]`, `constructor.prototype`, `constructor][prototype`: only separators between.
      if (rest !== -1 && rest - (ctor + 11) <= 3 && SEPARATORS.test(text.slice(ctor + 11, rest))) {
        if (key || isKeyPath(text, ctor, rest + 9 - ctor))
          return finding('prototype_pollution.constructor', text, ctor, rest + 9 - ctor)
      }
    }
    return undefined
  },
}

/** In a value, the match must be a key path on its own (`__proto__.isAdmin`), not prose that mentions it. */
function isKeyPath(text: string, at: number, length: number): boolean {
  const before = at === 0 ? '' : text[at - 1]
  const after = text[at + length] ?? ''
  return (
    (before === '' || before === '.' || before === '[') && (after === '' || after === '.' || after === '[')
  )
}

function finding(rule: string, text: string, at: number, length: number): Finding {
  return {
    threat: 'prototype_pollution',
    rule,
    fragment: text.slice(at, at + length + 24),
    confidence: 'high',
  }
}
