/**
 * Ajv's errors told as configuration issues: `{ path, message }` with the option's path as users
 * write it (`sinks[1].path`), the value as given (`"ten" (from ${NF})`), what was expected in words,
 * "did you mean" for unknown keys and enum values; one issue per option, in the schema's order.
 */
import type { TSchema } from '@sinclair/typebox'
import type { ErrorObject } from 'ajv/dist/2020.js'
import type { ConfigIssue } from '../errors.js'
import { EnvValue } from './env.js'
import { childPath, isPlainObject } from './path.js'
import { suggest } from './suggest.js'
import { optionsSchema } from './validator.generated.js'

/** Enums longer than this are summarised in messages instead of listed. */
const MAX_LISTED_VALUES = 12

/** The branch of a union that `value` belongs to (by its `type` tag, else by its JSON kind). */
export function branchOf(schema: TSchema, value: unknown): TSchema | undefined {
  if (schema.oneOf !== undefined) {
    const tag = isPlainObject(value) ? unwrap(value.type) : undefined
    return (schema.oneOf as TSchema[]).find((branch) => branch.properties.type.const === tag)
  }
  if (schema.anyOf === undefined) return schema
  return (schema.anyOf as TSchema[]).find((branch) => fitsKind(branch, value))
}

/** Whether the value has the basic JSON type of the branch (the branch's own checks come later). */
export function fitsKind(schema: TSchema, value: unknown): boolean {
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

interface Located {
  path: string
  /** The option's value as given (an `EnvValue` when it came from `${VAR}`). */
  value: unknown
  /** Sort key: per level, the option's place in its schema (unknown keys after known ones), or the index. */
  order: number[]
}

/** Follows an Ajv instance path (JSON Pointer) through the input and the schema. */
function locate(pointer: string, input: unknown): Located {
  let path = ''
  let value = input
  let schema: TSchema | undefined = optionsSchema
  const order: number[] = []
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    const node: TSchema | undefined = schema === undefined ? undefined : branchOf(schema, value)
    if (Array.isArray(value)) {
      path = childPath(path, Number(key))
      order.push(Number(key))
      value = value[Number(key)]
      schema = node?.items
    } else {
      path = childPath(path, key)
      order.push(placeOf(node, value, key))
      value = isPlainObject(value) && Object.hasOwn(value, key) ? value[key] : undefined
      schema = node?.properties?.[key]
    }
  }
  return { path, value, order }
}

function placeOf(schema: TSchema | undefined, container: unknown, key: string): number {
  const known = Object.keys(schema?.properties ?? {})
  const at = known.indexOf(key)
  if (at !== -1) return at
  return known.length + (isPlainObject(container) ? Object.keys(container).indexOf(key) : 0)
}

export function issuesFrom(errors: readonly ErrorObject[], input: unknown): ConfigIssue[] {
  const found = new Map<string, Located & { message: string }>()
  const add = (pointer: string, message: (at: Located) => string) => {
    const at = locate(pointer, input)
    // Ajv checks type before length before pattern: the first problem of an option is its issue.
    if (!found.has(at.path)) found.set(at.path, { ...at, message: message(at) })
  }
  const silenced = new Set<ErrorObject>()
  for (const error of errors) {
    if (error.keyword !== 'anyOf') continue
    // A failed union: the first branch of the value's kind speaks for it (a failed constant says
    // less than the whole union), else the union's description does. The other branches are noise.
    const at = locate(error.instancePath, input)
    const branches = error.schema as TSchema[]
    const speaker =
      at.value instanceof EnvValue
        ? -1
        : branches.findIndex((branch) => branch.const === undefined && fitsKind(branch, at.value))
    for (const other of errors) {
      if (other.schemaPath.startsWith(`${error.schemaPath}/`)) {
        if (!other.schemaPath.startsWith(`${error.schemaPath}/${speaker}/`)) silenced.add(other)
      }
    }
    if (speaker === -1)
      add(
        error.instancePath,
        ({ value }) => `expected ${expected(error.parentSchema as TSchema)}, got ${show(value)}`,
      )
  }
  for (const error of errors) {
    if (silenced.has(error) || error.keyword === 'anyOf' || error.keyword === 'oneOf') continue
    const pointer = error.instancePath
    const schema = error.parentSchema as TSchema
    const { params } = error
    switch (error.keyword) {
      case 'additionalProperties': {
        const key = params.additionalProperty as string
        const hint = suggest(key, Object.keys(schema.properties ?? {}))
        add(`${pointer}/${pointerEscape(key)}`, () => `unknown option${didYouMean(hint)}`)
        break
      }
      case 'required':
        add(`${pointer}/${pointerEscape(params.missingProperty)}`, () => 'missing required option')
        break
      case 'discriminator': {
        const tags = (schema.oneOf as TSchema[])
          .map((branch) => show(branch.properties.type.const))
          .join(', ')
        const tag = params.tagValue as unknown
        add(`${pointer}/type`, ({ value }) =>
          tag === undefined
            ? `missing required option; expected one of ${tags}`
            : `expected one of ${tags}, got ${show(value)}${didYouMean(typeof tag === 'string' ? suggest(tag, tagsOf(schema)) : undefined)}`,
        )
        break
      }
      case 'minItems':
      case 'maxItems': {
        const [least, limit] = [error.keyword === 'minItems', params.limit as number]
        const items = `${limit} item${limit === 1 ? '' : 's'}`
        add(
          pointer,
          () => `expected at ${least ? 'least' : 'most'} ${items}, got ${(error.data as unknown[]).length}`,
        )
        break
      }
      case 'minLength':
      case 'maxLength':
        // Do not echo the value: a too-short string may be a secret (`privacy.hashKey`).
        add(pointer, () => `expected ${lengthWords(schema)}, got ${(error.data as string).length} characters`)
        break
      default:
        add(pointer, ({ value }) => mismatch(schema, value))
    }
  }
  return [...found.values()]
    .sort((a, b) => compare(a.order, b.order))
    .map(({ path, message }) => ({ path, message }))
}

function mismatch(schema: TSchema, value: unknown): string {
  if (schema.oneOf !== undefined) {
    return `expected an object with a "type" of ${tagsOf(schema).map(show).join(', ')}, got ${show(value)}`
  }
  if (schema.enum !== undefined) {
    const values = schema.enum as unknown[]
    const given = unwrap(value)
    const hint = typeof given === 'string' ? suggest(given, values.map(String)) : undefined
    // A long list (the event names) would drown the message: name the count, keep the suggestion.
    const expected =
      values.length > MAX_LISTED_VALUES
        ? `one of ${values.length} names (${schema.description ?? 'see the docs'})`
        : `one of ${values.map(show).join(', ')}`
    return `expected ${expected}, got ${show(value)}${didYouMean(hint)}`
  }
  return `expected ${expected(schema)}, got ${show(value)}`
}

function tagsOf(schema: TSchema): string[] {
  return (schema.oneOf as TSchema[]).map((branch) => branch.properties.type.const)
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  }
  return a.length - b.length
}

function pointerEscape(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1')
}

function unwrap(value: unknown): unknown {
  return value instanceof EnvValue ? value.value : value
}

/** The length a string schema accepts, in words (the pattern, if any, is checked after it). */
function lengthWords({ minLength: min, maxLength: max }: TSchema): string {
  if (min !== undefined && max !== undefined) return `a string of ${min} to ${max} characters`
  if (max !== undefined) return `a string of at most ${max} characters`
  return min === 1 ? 'a non-empty string' : `a string of at least ${min} characters`
}

/** What a schema accepts, in words: `a positive integer`, `an integer between 8 and 256`. */
export function expected(schema: TSchema): string {
  if (schema.oneOf !== undefined) return 'an object'
  if (schema.anyOf !== undefined) {
    const parts = (schema.anyOf as TSchema[]).map(expected)
    return parts.length <= 1 ? (parts[0] ?? 'nothing') : `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}`
  }
  if (schema.const !== undefined) return show(schema.const)
  if (schema.enum !== undefined) return `one of ${(schema.enum as unknown[]).map(show).join(', ')}`
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
