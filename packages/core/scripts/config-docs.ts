// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax, not a template
/**
 * Renders the published artefacts from the one schema: `schema/config.schema.json` and
 * `docs/configuration.md`. `scripts/generate-config.ts` writes them; a test fails when the committed
 * files differ, so the docs cannot drift from the code.
 */
import type { TSchema } from '@sinclair/typebox'
import { CONFIG_FILE_NAMES } from '../src/config/load.js'
import { optionsSchema } from '../src/config/options-schema.js'
import { isOptional, kDefaultFrom } from '../src/config/schema-kit.js'
import { CONFIG_WARNINGS } from '../src/config/warnings.js'
import { ERRORS, type WatchpostErrorCode } from '../src/errors.js'

export const CONFIG_SCHEMA_ID = 'https://unpkg.com/@watchpost/core/schema/config.schema.json'

export function renderConfigSchemaJson(): string {
  const { properties, ...root } = inFileOrder(optionsSchema)
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: CONFIG_SCHEMA_ID,
    title: 'Watchpost configuration',
    ...root,
    properties: {
      $schema: {
        type: 'string',
        description: 'JSON Schema of this file, for editor completion; ignored by Watchpost.',
        examples: ['./node_modules/@watchpost/core/schema/config.schema.json'],
      },
      ...properties,
    },
  }
  // Symbol-keyed markers (TypeBox's kinds, computed defaults) are not JSON Schema: stringify skips them.
  return `${JSON.stringify(schema, null, 2)}\n`
}

const LEADING = ['type', 'const', 'enum', 'items', 'properties', 'required', 'additionalProperties', 'anyOf']

/**
 * The schema with its keywords in the order the published file has always had (TypeBox writes the
 * options first) and `required` on every object, so that a diff of the file shows changes of meaning.
 */
function inFileOrder(schema: TSchema): TSchema {
  const out: Record<string, unknown> = {}
  for (const key of [...LEADING, ...Object.keys(schema)]) {
    if (Object.hasOwn(schema, key)) out[key] = schema[key]
    else if (key === 'required' && schema.properties !== undefined) out.required = []
  }
  const each = (list: TSchema[]) => list.map(inFileOrder)
  if (schema.items !== undefined) out.items = inFileOrder(schema.items)
  if (schema.anyOf !== undefined) out.anyOf = each(schema.anyOf)
  if (schema.oneOf !== undefined) out.oneOf = each(schema.oneOf)
  if (schema.properties !== undefined) {
    const entries = Object.entries<TSchema>(schema.properties).map(([key, value]) => [
      key,
      inFileOrder(value),
    ])
    out.properties = Object.fromEntries(entries)
  }
  return out as TSchema
}

/** A complete file: every section, realistic values. The tests validate it. */
export const EXAMPLE_YAML = `# yaml-language-server: $schema=./node_modules/@watchpost/core/schema/config.schema.json
$schema: ./node_modules/@watchpost/core/schema/config.schema.json
app:
  name: orders-api
  environment: \${NODE_ENV:-production}
  port: \${PORT:-3000}
mode: protect
trustProxy: loopback, 10.0.0.0/8
correlation:
  requestIdHeaders: [x-request-id, x-amzn-trace-id]
  responseHeader: x-request-id
privacy:
  hashKey: \${WATCHPOST_HASH_KEY}
  hashUserIds: true
  truncateIps: true
  sensitiveKeys: [iban, ssn]
detectors:
  notFound:
    threshold: 15
  protocol:
    allowedMethods: [GET, POST, PUT, DELETE, OPTIONS]
routes:
  - match: /health
    ignore: true
  - match: /admin/*
    detectors:
      authFailure:
        threshold: 3
rules:
  - id: watchpost.credential-stuffing
    response:
      action: block
      durationSeconds: 900
  - id: orders.refund-burst
    title: Many refunds by one user
    events: [sensitive_update]
    where:
      - field: HttpRoute
        in: [/orders/:id/refund]
    groupBy: [ActorUsername]
    threshold: 20
    windowSeconds: 600
    severity: Medium
sinks:
  - type: console
    format: json
  - type: file
    path: logs/security.jsonl
    maxFiles: 10
`

interface Row {
  path: string
  schema: TSchema
}

/** Leaf options of an object schema, depth first; arrays of objects continue as `name[].field`. */
function rows(schema: TSchema, prefix: string, out: Row[]): Row[] {
  for (const [key, prop] of Object.entries<TSchema>(schema.properties ?? {})) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (path === 'routes[].detectors') {
      out.push({ path, schema: prop }) // same shape as `detectors`: documented once, there
    } else if (prop.type === 'object') {
      rows(prop, path, out)
    } else if (prop.type === 'array' && prop.items?.oneOf !== undefined) {
      out.push({ path, schema: prop })
      for (const branch of prop.items.oneOf as TSchema[]) {
        const tag = branch.properties?.type?.const
        rows(branch, `${path}[type=${String(tag)}]`, out)
      }
    } else if (prop.type === 'array' && prop.items?.type === 'object') {
      out.push({ path, schema: prop })
      rows(prop.items, `${path}[]`, out)
    } else {
      out.push({ path, schema: prop })
    }
  }
  return out
}

function typeText(schema: TSchema): string {
  const union: TSchema[] | undefined = schema.anyOf ?? schema.oneOf
  if (union !== undefined) return union.map(typeText).join(' \\| ')
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  if (schema.enum !== undefined) return (schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(' \\| ')
  if (schema.type === 'array') {
    const item = schema.items === undefined ? 'unknown' : typeText(schema.items)
    return schema.items?.anyOf === undefined && schema.items?.oneOf === undefined
      ? `${item}[]`
      : `(${item})[]`
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    const { minimum: min, maximum: max } = schema
    if (min !== undefined && max !== undefined) return `${schema.type} ${min}–${max}`
    if (min !== undefined) return `${schema.type} ≥ ${min}`
    return schema.type
  }
  if (schema.type === 'string' && schema.minLength !== undefined && schema.minLength > 1)
    return `string (≥ ${schema.minLength} chars)`
  return schema.type ?? 'unknown'
}

function defaultText(schema: TSchema): string {
  if ('default' in schema) return code(JSON.stringify(schema.default))
  const from = (schema as { [kDefaultFrom]?: string })[kDefaultFrom]
  if (from !== undefined) return from
  if (schema.type === 'object' && (schema.required ?? []).length === 0) return '(all fields optional)'
  return isOptional(schema) ? 'unset' : '**required**'
}

function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ')
}

function table(list: readonly Row[]): string {
  const lines = ['| Option | Type | Default | Description |', '|---|---|---|---|']
  for (const { path, schema } of list) {
    const example =
      schema.examples === undefined
        ? ''
        : ` Example: ${(schema.examples as unknown[]).map((e) => code(typeof e === 'string' ? e : JSON.stringify(e))).join(', ')}.`
    lines.push(
      `| \`${path}\` | ${typeText(schema)} | ${cell(defaultText(schema))} | ${cell((schema.description ?? '') + example)} |`,
    )
  }
  return lines.join('\n')
}

export function renderConfigurationMarkdown(): string {
  const all = rows(optionsSchema, '', [])
  const sections: string[] = []
  const topLevel = all.filter((row) => !row.path.includes('.') && !row.path.includes('['))
  sections.push(`### Top level\n\n${table(topLevel)}`)
  for (const [key, prop] of Object.entries(optionsSchema.properties)) {
    const inSection = all.filter((row) => row.path.startsWith(`${key}.`) || row.path.startsWith(`${key}[`))
    if (inSection.length === 0) continue
    sections.push(`### \`${key}\`\n\n${prop.description ?? ''}\n\n${table(inSection)}`)
  }

  return `<!-- Generated by packages/core/scripts/generate-config.ts from packages/core/src/config/options-schema.ts. Do not edit. -->
# Configuration

Watchpost reads its options from a file and from the options passed in code. Both have the same
shape; **code wins**. Objects deep-merge, arrays replace: \`defaults ← file ← code\`.

## Where the file comes from

1. \`options.config\` in code — a path (relative to the working directory); \`false\` disables file loading.
2. else the \`WATCHPOST_CONFIG\` environment variable — a path; a missing file is an error.
3. else the first of ${CONFIG_FILE_NAMES.map((n) => `\`${n}\``).join(', ')} in the working directory.
4. else no file: the defaults below apply.

YAML is parsed as YAML 1.2 (a duplicated key is an error), JSON with \`JSON.parse\`. A \`$schema\` key is
allowed and ignored: point it at \`./node_modules/@watchpost/core/schema/config.schema.json\` for editor
completion and checking.

## Environment variables

Any string value may reference environment variables: \`\${NAME}\`, or \`\${NAME:-default}\` (the default
also applies when the variable is empty). \`$\${\` writes a literal \`\${\`. Substitution is applied to the
parsed values, never to the raw text, so a variable cannot inject YAML structure. A value that is exactly
one reference (\`port: \${PORT}\`) is converted to the integer or boolean the option expects. An unset
variable without a default is an error naming the option and the variable.

Keep secrets such as \`privacy.hashKey\` out of the file: \`hashKey: \${WATCHPOST_HASH_KEY}\`.

## Options

${sections.join('\n\n')}

## Example

\`\`\`yaml
${EXAMPLE_YAML}\`\`\`

## Warnings and errors

A valid but suspicious configuration emits a process warning (type \`WatchpostWarning\`) once per
process: ${CONFIG_WARNINGS.map((w) => link(w.code)).join(', ')}.

An unusable configuration throws a \`ConfigError\` at start-up, its \`code\` one of
${CONFIG_ERROR_CODES.map(link).join(', ')}. \`err.issues\` lists every problem as
\`{ path, message, line?, column? }\`: \`line\` and \`column\` (1-based) say where the option is in the file
when it came from the file, e.g. \`detectors.notFound.threshold: expected a positive integer,
got "ten" (/app/watchpost.config.yaml:12:16)\`. \`err.file\`, \`err.line\` and \`err.column\` give the file and the first
located problem (or the syntax error).

Each code's cause and fix: [errors.md](errors.md).
`
}

const CONFIG_ERROR_CODES = (Object.keys(ERRORS) as WatchpostErrorCode[]).filter(
  (code) => ERRORS[code].class === 'ConfigError',
)

function link(code: string): string {
  return `[\`${code}\`](errors.md#${code.toLowerCase()})`
}
