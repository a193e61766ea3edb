/**
 * Validates options with the validator Ajv generated at build time from `options-schema.ts`
 * (`scripts/generate-config.ts`): defaults filled, EVERY issue collected, then told in our words
 * (issues.ts). Nothing is compiled here: no code is generated at run time.
 */
import type { TSchema } from '@sinclair/typebox'
import proxyaddr from 'proxy-addr'
import type { ConfigIssue } from '../errors.js'
import { EnvValue } from './env.js'
import { branchOf, fitsKind, issuesFrom } from './issues.js'
import { isPlainObject, setOwn } from './path.js'
import { checkRules } from './rules.js'
import { optionsSchema, validate } from './validator.generated.js'

/** `input` (untouched) validated: a copy with every default filled, and every issue. */
export function validateOptions(input: unknown): { value: unknown; issues: ConfigIssue[] } {
  const value = prepare(optionsSchema, input)
  if (validate(value)) return { value, issues: [] }
  return { value, issues: issuesFrom(validate.errors ?? [], input) }
}

/**
 * The copy Ajv validates (and fills in place): plain objects and arrays copied along the schema, each
 * `${VAR}` value converted to what its option expects. Unknown keys are copied as they are, not
 * walked, so the walk is as deep as the schema whatever the input (a circular code option included).
 */
function prepare(schema: TSchema | undefined, input: unknown): unknown {
  if (input instanceof EnvValue) return schema === undefined ? input.value : fromEnv(schema, input)
  // Ajv's `integer` is any whole number; past 2^53 a number is not the one written (1e300 is no sane
  // threshold). NaN is no integer to Ajv, and the message shows the value as written.
  if (typeof input === 'number' && Number.isInteger(input) && !Number.isSafeInteger(input)) return Number.NaN
  // A class instance (a Map, a Date) is no option value, though Ajv would take it for an object.
  if (typeof input === 'object' && input !== null && !Array.isArray(input) && !isPlainObject(input))
    return null
  const node = schema === undefined ? undefined : branchOf(schema, input)
  if (Array.isArray(input)) {
    return node?.type === 'array' ? input.map((item) => prepare(node.items, item)) : input
  }
  if (isPlainObject(input) && node?.type === 'object') {
    const properties: Record<string, TSchema> = node.properties ?? {}
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(input)) {
      setOwn(out, key, Object.hasOwn(properties, key) ? prepare(properties[key], input[key]) : input[key])
    }
    return out
  }
  return input
}

/**
 * A value that was exactly one `${VAR}`: the integer or boolean its option expects (`port: ${PORT}`),
 * which a string written in the file never becomes. In a union, the first branch it fits wins.
 */
function fromEnv(schema: TSchema, input: EnvValue): unknown {
  const branches: TSchema[] | undefined = schema.anyOf
  if (branches === undefined) return coerce(schema, input)
  for (const branch of branches) {
    const value = coerce(branch, input)
    if (fits(branch, value)) return value
  }
  return input.value
}

/** Whether a coerced value meets its branch's constraints (one `${VAR}` is a scalar: no array or object fits). */
function fits(schema: TSchema, value: unknown): boolean {
  if (schema.const !== undefined) return value === schema.const
  if (!fitsKind(schema, value) || (schema.enum !== undefined && !schema.enum.includes(value))) return false
  if (typeof value === 'number')
    return (
      (schema.type !== 'integer' || Number.isInteger(value)) &&
      !(value < schema.minimum || value > schema.maximum)
    )
  if (typeof value !== 'string') return true
  return (
    value.length >= (schema.minLength ?? 0) &&
    (schema.pattern === undefined || new RegExp(schema.pattern, 'u').test(value))
  )
}

function coerce(schema: TSchema, input: EnvValue): unknown {
  const text = input.value.trim()
  const type = schema.const !== undefined ? typeof schema.const : schema.type
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : input.value
  if (type === 'integer' && /^[+-]?\d+$/.test(text)) return Number(text)
  if ((type === 'number' || type === 'integer') && text !== '' && Number.isFinite(Number(text)))
    return Number(text)
  return input.value
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
