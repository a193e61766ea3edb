/**
 * Validates options against `optionsSchema` with Ajv: defaults filled (`useDefaults`), EVERY issue
 * collected (`allErrors`), then told in our words (issues.ts). The validator is compiled once per
 * process, on first use (`DEFAULTS` is that first use, at start-up).
 */
import type { TSchema } from '@sinclair/typebox'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import proxyaddr from 'proxy-addr'
import type { ConfigIssue } from '../errors.js'
import { EnvValue } from './env.js'
import { branchOf, issuesFrom } from './issues.js'
import { optionsSchema } from './options-schema.js'
import { isPlainObject, setOwn } from './path.js'
import { checkRules } from './rules.js'

let ajv: Ajv2020 | undefined
let validator: ValidateFunction | undefined

function compiled(): { ajv: Ajv2020; validate: ValidateFunction } {
  ajv ??= new Ajv2020({
    allErrors: true, // every problem at once, not the first
    strict: true, // a keyword Ajv does not know is a mistake in the schema: fail at compile time
    useDefaults: true, // the schema's defaults, each a fresh copy, validated like given values
    discriminator: true, // sinks: only the branch `type` selects is checked (schema-kit.ts `Tagged`)
    verbose: true, // errors carry their schema, from which issues.ts words the message
    // The optimisation pass cost a third of the compile time (≈ 250 → 160 ms, docs/performance.md)
    // and made no measurable difference to a validation that runs once per start-up.
    code: { optimize: false },
    // Checking our own schema against the 2020-12 meta-schema compiled that too, at every start-up;
    // test/config-schema-examples.test.ts checks the published schema once, with meta-validation.
    validateSchema: false,
  })
  validator ??= ajv.compile(optionsSchema)
  return { ajv, validate: validator }
}

/** `input` (untouched) validated: a copy with every default filled, and every issue. */
export function validateOptions(input: unknown): { value: unknown; issues: ConfigIssue[] } {
  const { validate } = compiled()
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
  const { ajv } = compiled()
  for (const branch of branches) {
    const value = coerce(branch, input)
    if (ajv.validate(branch, value)) return value
  }
  return input.value
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
