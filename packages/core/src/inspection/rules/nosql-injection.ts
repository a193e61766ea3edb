/**
 * NoSQL operator injection: a MongoDB query operator where the app expects a plain value — as a
 * key (`password[$ne]=`, `{"password": {"$ne": null}}`) or as a JSON document in a value
 * (`{"$gt": ""}`) — and server-side JavaScript in `$where` / `$function`.
 */
import type { Finding, Rule } from '../types.js'

/** Operators an injection uses; a key starting with `$` that is none of these is left alone. */
const OPERATORS = new Set([
  '$ne',
  '$eq',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$regex',
  '$where',
  '$exists',
  '$expr',
  '$function',
  '$accumulator',
  '$or',
  '$and',
  '$not',
  '$nor',
  '$elemmatch',
  '$size',
  '$type',
  '$mod',
  '$all',
  '$text',
  '$jsonschema',
  '$lookup',
  '$options',
])

/** `$op` inside a key (`user[$ne]`, `$where`) or a value holding `{"$op"` / `[$op]`. */
const OPERATOR = /\$[a-z]{2,12}/g
const AFTER_OPERATOR = /^["']?\s*[:\]]/

/** Every regular expression of this file, for the ReDoS test. */
export const PATTERNS: readonly RegExp[] = [OPERATOR, AFTER_OPERATOR]

export const nosqlInjection: Rule = {
  threat: 'nosql_injection',
  match(text, kind) {
    if (!text.includes('$')) return undefined
    const key = kind === 'query_key' || kind === 'body_key'
    OPERATOR.lastIndex = 0
    for (let m = OPERATOR.exec(text); m !== null; m = OPERATOR.exec(text)) {
      const op = m[0]
      if (!OPERATORS.has(op)) continue
      const at = m.index
      const before = at === 0 ? '' : text[at - 1]
      // Keys: the operator is the key (`$ne`) or a bracketed part of it (`password[$ne]`).
      if (key && (before === '' || before === '[' || before === '.')) return finding(op, text, at)
      // Values: a JSON object or bracket syntax around the operator (`{"$gt":""}`, `[$ne]=1`).
      if (!key && (before === '"' || before === "'" || before === '[' || before === '{')) {
        const after = text.slice(at + op.length, at + op.length + 3)
        if (AFTER_OPERATOR.test(after)) return finding(op, text, at)
      }
    }
    return undefined
  },
}

function finding(op: string, text: string, at: number): Finding {
  const confidence = op === '$where' || op === '$function' || op === '$accumulator' ? 'high' : 'medium'
  return {
    threat: 'nosql_injection',
    rule: `nosql_injection.${op.slice(1)}`,
    fragment: text.slice(Math.max(0, at - 16), at + 40),
    confidence,
  }
}
