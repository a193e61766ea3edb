/**
 * NoSQL injection against MongoDB-style query APIs, three ways (PayloadsAllTheThings' NoSQL
 * injection page and its Intruder list; OWASP CRS rule 942290's regression tests):
 *
 * - An operator where the app expects a plain value: as a key (`password[$ne]=`,
 *   `{"password": {"$ne": null}}`), as a JSON document or bracket syntax in a value (`{"$gt": ""}`,
 *   `[$ne]=1`), or written into a value as query-document text — a value that *is* an operator
 *   document (`{ $ne: 1 }`) or breaks out of a string into one (`', $or: [ {}, {'a':'a`), and the
 *   JavaScript-running `$where` / `$function` / `$accumulator` anywhere (`1, $where: '1 == 1'`).
 *   An operator further inside prose (`find({ tags: { $in: [...] } })` in a forum post) is left
 *   alone. Rule `nosql_injection.<operator>`.
 * - Server-side JavaScript for a `$where` string (`nosql_injection.javascript`): a quote that closes
 *   the string, then a statement (`';sleep(5000);`, `";return(true);var x='a`, `';it=new Date();…`,
 *   `0;return true`) or a boolean operator with a tautology or `this.` (`' && this.password.match(`,
 *   `|| 1==1`).
 * - Mongo shell calls that write or run code (`db.x.insert(`, `db.x.mapReduce(`) at the start of a
 *   value or after a quote, `;` or `=` (`nosql_injection.shell`); `db.x.find(` is left to prose.
 */
import type { Confidence, Finding, Rule } from '../types.js'

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
/** What follows an operator in a JSON or bracketed value: `":`, `]`. */
const OPERATOR_END = /^["']?\s*[:\]]/
/** A value that is an operator document, or breaks out of a string into one: `{ $ne: 1 }`, `', $or: [`. */
const OPERATOR_TEXT = /^['"]?[\s,{}[\]()]{0,12}\$([a-z]{2,12})\s{0,4}:/
/** The operators that run JavaScript, as query text anywhere in a value. */
const WHERE_TEXT = /(?:^|[\s,{(;'"])\$(where|function|accumulator)\s{0,4}:/
/** Cheap hint that JAVASCRIPT or SHELL might match. */
const SCRIPT_HINT = /['"|&]|return|db\s{0,2}\./
/**
 * JavaScript after a string break-out, for a `$where` clause. Not `'; const x` (that is every
 * `import … from 'x'; const …` in a code post): a return of a constant, `sleep(`, a loop, a timer.
 */
const JAVASCRIPT =
  /['"\d]\s{0,4};\s{0,4}(?:sleep\s{0,2}\(|return\s{0,2}\(?\s{0,2}(?:true\b|1\b|['"])|while\s{0,2}\(|do\s{0,2}\{|[a-z_$][\w$]{0,16}\s{0,2}=\s{0,2}new\s{1,4}date\b)|(?:^|['"\d])\s{0,4}(?:&&|\|\|)\s{0,4}(?:this\s{0,2}\.|sleep\s{0,2}\(|\d{1,6}\s{0,2}===?\s{0,2}\d{1,6}\b|'[^']{0,16}'\s{0,2}===?|"[^"]{0,16}"\s{0,2}===?)/
/** Mongo shell calls that write, drop or run code. */
const SHELL =
  /(?:^|[;'"=])\s{0,4}db\s{0,2}\.\s{0,2}(?:(?:dropdatabase|eval|shutdownserver)\s{0,2}\(|[a-z_]\w{0,40}\s{0,2}\.\s{0,2}(?:insert(?:one|many)?|update(?:one|many)?|remove|delete(?:one|many)|drop|mapreduce|save|replaceone|findandmodify)\s{0,2}\()/

export const PATTERNS: readonly RegExp[] = [
  OPERATOR,
  OPERATOR_END,
  OPERATOR_TEXT,
  WHERE_TEXT,
  SCRIPT_HINT,
  JAVASCRIPT,
  SHELL,
]

export const nosqlInjection: Rule = {
  threat: 'nosql_injection',
  match(text, kind) {
    const key = kind === 'query_key' || kind === 'body_key'
    if (text.includes('$')) {
      const found = key ? operatorKey(text) : operatorValue(text)
      if (found !== undefined || key) return found
    } else if (key) return undefined
    return script(text)
  },
}

/** Keys: the operator is the key (`$ne`) or a bracketed or dotted part of it (`password[$ne]`). */
function operatorKey(text: string): Finding | undefined {
  OPERATOR.lastIndex = 0
  for (let m = OPERATOR.exec(text); m !== null; m = OPERATOR.exec(text)) {
    const before = m.index === 0 ? '' : text[m.index - 1]
    if (OPERATORS.has(m[0]) && (before === '' || before === '[' || before === '.'))
      return operatorFinding(m[0], text, m.index)
  }
  return undefined
}

/** Values: a JSON object or bracket syntax around the operator, or query-document text. */
function operatorValue(text: string): Finding | undefined {
  OPERATOR.lastIndex = 0
  for (let m = OPERATOR.exec(text); m !== null; m = OPERATOR.exec(text)) {
    const op = m[0]
    const at = m.index
    const before = at === 0 ? '' : text[at - 1]
    if (!OPERATORS.has(op) || !(before === '"' || before === "'" || before === '[' || before === '{'))
      continue
    if (OPERATOR_END.test(text.slice(at + op.length, at + op.length + 3)))
      return operatorFinding(op, text, at)
  }
  const start = OPERATOR_TEXT.exec(text)
  if (start !== null) {
    const op = `$${start[1]}`
    // `$comment` is no filter, but only an injection writes it into a value (`' } ], $comment:'…'`).
    if (OPERATORS.has(op) || op === '$comment') return operatorFinding(op, text, text.indexOf('$'))
  }
  const where = WHERE_TEXT.exec(text)
  if (where !== null) return operatorFinding(`$${where[1]}`, text, text.indexOf('$', where.index))
  return undefined
}

/** Server-side JavaScript or a Mongo shell call in a value. */
function script(text: string): Finding | undefined {
  if (!SCRIPT_HINT.test(text)) return undefined
  const js = JAVASCRIPT.exec(text)
  if (js !== null) return finding('nosql_injection.javascript', text, js.index, 'medium')
  const shell = SHELL.exec(text)
  if (shell !== null) return finding('nosql_injection.shell', text, shell.index, 'medium')
  return undefined
}

function operatorFinding(op: string, text: string, at: number): Finding {
  const confidence = op === '$where' || op === '$function' || op === '$accumulator' ? 'high' : 'medium'
  return {
    threat: 'nosql_injection',
    rule: `nosql_injection.${op.slice(1)}`,
    fragment: text.slice(Math.max(0, at - 16), at + 40),
    confidence,
  }
}

function finding(rule: string, text: string, at: number, confidence: Confidence): Finding {
  return { threat: 'nosql_injection', rule, fragment: text.slice(at, at + 56), confidence }
}
