/**
 * Walks a value along the JSON Schema built in `options-schema.ts`: applies defaults and collects
 * EVERY issue as `{ path, message }` (not just the first), with "did you mean" for unknown keys.
 * The walk follows the schema, so its depth is bounded by the schema's, whatever the input.
 */

import proxyaddr from 'proxy-addr'
import type { ConfigIssue } from '../errors.js'
import { EnvValue } from './env.js'
import { childPath, isPlainObject, setOwn } from './path.js'
import { checkRules } from './rules.js'
import { kDefaultFrom, kOptional, type SchemaNode } from './schema-builder.js'

export interface WalkResult {
  value: unknown
  issues: ConfigIssue[]
}

/** Validates `value` against `schema`, returning it with defaults applied (new objects, input untouched). */
/** Enums longer than this are summarised in messages instead of listed. */
const MAX_LISTED_VALUES = 12

export function walkSchema(schema: SchemaNode, value: unknown, path = ''): WalkResult {
  const issues: ConfigIssue[] = []
  return { value: walk(schema, value, path, issues), issues }
}

function walk(schema: SchemaNode, input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (schema.anyOf !== undefined) return walkUnion(schema, schema.anyOf, input, path, issues)

  if (schema.const !== undefined) {
    const value = input instanceof EnvValue ? coerceScalar(schema, input) : input
    if (value !== schema.const)
      issues.push({ path, message: `expected ${show(schema.const)}, got ${show(input)}` })
    return value
  }
  if (schema.enum !== undefined) {
    const value = input instanceof EnvValue ? input.value : input
    if (!schema.enum.includes(value)) {
      const hint = typeof value === 'string' ? suggest(value, schema.enum.map(String)) : undefined
      // A long list (the event names) would drown the message: name the count, keep the suggestion.
      const expected =
        schema.enum.length > MAX_LISTED_VALUES
          ? `one of ${schema.enum.length} names (${schema.description ?? 'see the docs'})`
          : `one of ${schema.enum.map(show).join(', ')}`
      issues.push({ path, message: `expected ${expected}, got ${show(input)}${didYouMean(hint)}` })
    }
    return value
  }

  switch (schema.type) {
    case 'string':
      return walkString(schema, input, path, issues)
    case 'integer':
    case 'number':
      return walkNumber(schema, input, path, issues)
    case 'boolean': {
      const value = input instanceof EnvValue ? coerceScalar(schema, input) : input
      if (typeof value !== 'boolean')
        issues.push({ path, message: `expected true or false, got ${show(input)}` })
      return value
    }
    case 'array':
      return walkArray(schema, input, path, issues)
    case 'object':
      return walkObject(schema, input, path, issues)
    default:
      return input
  }
}

function walkString(schema: SchemaNode, input: unknown, path: string, issues: ConfigIssue[]): unknown {
  const value = input instanceof EnvValue ? input.value : input
  if (typeof value !== 'string') {
    issues.push({ path, message: `expected ${expected(schema)}, got ${show(input)}` })
  } else if (
    (schema.minLength !== undefined && value.length < schema.minLength) ||
    (schema.maxLength !== undefined && value.length > schema.maxLength)
  ) {
    // Do not echo the value: a too-short string may be a secret (`privacy.hashKey`).
    issues.push({ path, message: `expected ${lengthWords(schema)}, got ${value.length} characters` })
  } else if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
    issues.push({ path, message: `expected ${expected(schema)}, got ${show(input)}` })
  }
  return value
}

/** The length a string schema accepts, in words (the pattern, if any, is checked after it). */
function lengthWords({ minLength: min, maxLength: max }: SchemaNode): string {
  if (min !== undefined && max !== undefined) return `a string of ${min} to ${max} characters`
  if (max !== undefined) return `a string of at most ${max} characters`
  return min === 1 ? 'a non-empty string' : `a string of at least ${min} characters`
}

function walkNumber(schema: SchemaNode, input: unknown, path: string, issues: ConfigIssue[]): unknown {
  const value = input instanceof EnvValue ? coerceScalar(schema, input) : input
  const ok =
    typeof value === 'number' &&
    // Safe integers only: 1e300 is an "integer" to JavaScript but no sane threshold.
    (schema.type === 'integer' ? Number.isSafeInteger(value) : Number.isFinite(value)) &&
    (schema.minimum === undefined || value >= schema.minimum) &&
    (schema.maximum === undefined || value <= schema.maximum)
  if (!ok) issues.push({ path, message: `expected ${expected(schema)}, got ${show(input)}` })
  return value
}

function walkArray(schema: SchemaNode, input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (!Array.isArray(input)) {
    issues.push({ path, message: `expected ${expected(schema)}, got ${show(input)}` })
    return input
  }
  if (schema.minItems !== undefined && input.length < schema.minItems) {
    issues.push({
      path,
      message: `expected at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}, got ${input.length}`,
    })
  }
  const items = schema.items
  return items === undefined ? input : input.map((item, i) => walk(items, item, childPath(path, i), issues))
}

function walkObject(schema: SchemaNode, input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (!isPlainObject(input)) {
    issues.push({ path, message: `expected ${expected(schema)}, got ${show(input)}` })
    return input
  }
  const properties = schema.properties ?? {}
  const names = Object.keys(properties)
  const out: Record<string, unknown> = {}
  for (const key of names) {
    const prop = properties[key] as SchemaNode
    const keyPath = childPath(path, key)
    const given = Object.hasOwn(input, key) ? input[key] : undefined
    if (given !== undefined) {
      setOwn(out, key, walk(prop, given, keyPath, issues))
    } else if ('default' in prop) {
      setOwn(out, key, walk(prop, structuredClone(prop.default), keyPath, issues))
    } else if (prop.type === 'object' && (prop.required ?? []).length === 0 && prop[kOptional] !== true) {
      setOwn(out, key, walk(prop, {}, keyPath, issues))
    } else if (prop[kOptional] !== true) {
      const hint = prop[kDefaultFrom] === undefined ? '' : ` (normally ${prop[kDefaultFrom]})`
      issues.push({ path: keyPath, message: `missing required option${hint}` })
    }
  }
  for (const key of Object.keys(input)) {
    if (Object.hasOwn(properties, key)) continue
    issues.push({ path: childPath(path, key), message: `unknown option${didYouMean(suggest(key, names))}` })
  }
  return out
}

function walkUnion(
  schema: SchemaNode,
  branches: readonly SchemaNode[],
  input: unknown,
  path: string,
  issues: ConfigIssue[],
): unknown {
  const tags = discriminants(branches)
  if (tags !== undefined) {
    const list = tags.map(show).join(', ')
    if (!isPlainObject(input)) {
      issues.push({ path, message: `expected an object with a "type" of ${list}, got ${show(input)}` })
      return input
    }
    const tag = input.type instanceof EnvValue ? input.type.value : input.type
    const index = tags.indexOf(tag)
    const branch = branches[index]
    if (branch === undefined) {
      const typePath = childPath(path, 'type')
      if (tag === undefined)
        issues.push({ path: typePath, message: `missing required option; expected one of ${list}` })
      else {
        const hint = typeof tag === 'string' ? suggest(tag, tags.map(String)) : undefined
        issues.push({
          path: typePath,
          message: `expected one of ${list}, got ${show(input.type)}${didYouMean(hint)}`,
        })
      }
      return input
    }
    // Only the branch the `type` selects is checked, so its issues are the relevant ones.
    return walk(branch, input, path, issues)
  }

  // An environment string has no type of its own: the first branch it fits (in schema order) wins.
  const candidates =
    input instanceof EnvValue ? branches : branches.filter((branch) => fitsKind(branch, input))
  let firstIssues: ConfigIssue[] | undefined
  for (const branch of candidates) {
    const attempt = walkSchema(branch, input, path)
    if (attempt.issues.length === 0) return attempt.value
    // A failed constant (`false` for `true`) says less than the whole union's description.
    if (branch.const === undefined) firstIssues ??= attempt.issues
  }
  if (firstIssues !== undefined && !(input instanceof EnvValue)) issues.push(...firstIssues)
  else issues.push({ path, message: `expected ${expected(schema)}, got ${show(input)}` })
  return input instanceof EnvValue ? input.value : input
}

/** The `type` constants of a union of objects, when every branch has one (a discriminated union). */
function discriminants(branches: readonly SchemaNode[]): unknown[] | undefined {
  const tags: unknown[] = []
  for (const branch of branches) {
    const tag = branch.type === 'object' ? branch.properties?.type?.const : undefined
    if (tag === undefined) return undefined
    tags.push(tag)
  }
  return tags
}

/** Whether the value has the basic JSON type of the branch (the branch's own checks come later). */
function fitsKind(schema: SchemaNode, value: unknown): boolean {
  if (schema.const !== undefined) return typeof value === typeof schema.const
  switch (schema.type) {
    case 'integer':
    case 'number':
      return typeof value === 'number'
    case 'array':
      return Array.isArray(value)
    case 'object':
      return isPlainObject(value)
    default:
      return typeof value === schema.type
  }
}

function coerceScalar(schema: SchemaNode, input: EnvValue): unknown {
  const text = input.value.trim()
  const type = schema.const !== undefined ? typeof schema.const : schema.type
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : input.value
  if (type === 'integer' && /^[+-]?\d+$/.test(text)) return Number(text)
  if ((type === 'number' || type === 'integer') && text !== '' && Number.isFinite(Number(text)))
    return Number(text)
  return input.value
}

/** What a schema accepts, in words: `a positive integer`, `an integer between 8 and 256`. */
export function expected(schema: SchemaNode): string {
  if (schema.anyOf !== undefined) {
    const parts = schema.anyOf.map(expected)
    return parts.length <= 1 ? (parts[0] ?? 'nothing') : `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}`
  }
  if (schema.const !== undefined) return show(schema.const)
  if (schema.enum !== undefined) return `one of ${schema.enum.map(show).join(', ')}`
  const { minimum: min, maximum: max } = schema
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const noun = schema.type === 'integer' ? 'integer' : 'number'
      if (min !== undefined && max !== undefined) return `an ${noun} between ${min} and ${max}`
      if (min === 1 && schema.type === 'integer') return 'a positive integer'
      if (min === 0) return `a non-negative ${noun}`
      if (min !== undefined) return `an ${noun} ≥ ${min}`
      if (max !== undefined) return `an ${noun} ≤ ${max}`
      return `an ${noun}`
    }
    case 'string': {
      if (schema.pattern !== undefined) return `a string matching /${schema.pattern}/`
      if (schema.minLength !== undefined && schema.minLength > 1)
        return `a string of at least ${schema.minLength} characters`
      return schema.minLength === 1 ? 'a non-empty string' : 'a string'
    }
    case 'boolean':
      return 'true or false'
    case 'array':
      return schema.items === undefined ? 'an array' : `an array of ${plural(expected(schema.items))}`
    case 'object':
      return 'an object'
    default:
      return 'a value'
  }
}

function plural(phrase: string): string {
  return phrase.replace(/^an? /, '').replace(/\b(string|integer|number|object|value)\b/, '$1s')
}

/** A value as it appears in a message; long strings are cut, EnvValues say where they came from. */
export function show(value: unknown): string {
  if (value instanceof EnvValue) return `${show(value.value)} (from \${${value.variable}})`
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (value === null) return 'null'
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object') return 'an object'
  return String(value)
}

function didYouMean(hint: string | undefined): string {
  return hint === undefined ? '' : `; did you mean ${JSON.stringify(hint)}?`
}

/** Closest candidate within Damerau–Levenshtein distance 2 (case-insensitive), if any. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  const lower = word.toLowerCase()
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase())
    // A 2-edit match on a 2-letter word is noise, not a typo.
    if (d < bestDistance && d < candidate.length) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3 // only ≤ 2 matters: skip the table for far-apart lengths
  const rows: number[][] = []
  for (let i = 0; i <= a.length; i++) rows.push([i])
  const first = rows[0] as number[]
  for (let j = 1; j <= b.length; j++) first[j] = j
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[]
    const prev = rows[i - 1] as number[]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1)
      }
      row[j] = d
    }
  }
  return (rows[a.length] as number[])[b.length] as number
}

/**
 * Checks the schema cannot express: `trustProxy` addresses and CIDRs must parse (as Express would);
 * the rules must be able to run (rules.ts).
 */
export function checkSemantics(config: Record<string, unknown>, issues: ConfigIssue[]): void {
  checkRules(config as unknown as Parameters<typeof checkRules>[0], issues)
  const trust = config.trustProxy
  if (typeof trust === 'string' || Array.isArray(trust)) {
    const list = (typeof trust === 'string' ? trust.split(',') : (trust as string[])).map((s) => s.trim())
    try {
      proxyaddr.compile(list)
    } catch (err) {
      issues.push({ path: 'trustProxy', message: err instanceof Error ? err.message : String(err) })
    }
  }
}
