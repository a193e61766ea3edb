/**
 * Writes `schema/config.schema.json` and `docs/configuration.md` from the options schema.
 * Run: `node --import tsx scripts/generate-config.ts` (from packages/core). `test/config-generated.test.ts`
 * fails when the committed files differ from what this writes.
 *
 * Options that are validated but not in effect yet (`NOT_IN_EFFECT`) stay in the option reference,
 * whose descriptions say so, and are left out of the page's example: a user copying it gets only
 * options that do something.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { EXAMPLE_YAML, renderConfigSchemaJson, renderConfigurationMarkdown } from '../src/config/render.js'

export const SCHEMA_FILE = fileURLToPath(new URL('../schema/config.schema.json', import.meta.url))
export const DOCS_FILE = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url))

/** Top-level options that are validated but do nothing yet (the rules engine is not built). */
export const NOT_IN_EFFECT = ['mode', 'rules'] as const

/** `yaml` without the top-level keys `keys` and the indented lines under them. */
function withoutTopLevelKeys(yaml: string, keys: readonly string[]): string {
  const out: string[] = []
  let skipping = false
  for (const line of yaml.split('\n')) {
    const key = /^([A-Za-z$][\w$]*):/.exec(line)?.[1]
    if (key !== undefined) skipping = keys.includes(key)
    else if (line !== '' && !/^[\s-]/.test(line)) skipping = false
    if (!skipping) out.push(line)
  }
  return out.join('\n')
}

/** The example shown in docs/configuration.md: core's complete example minus `NOT_IN_EFFECT`. */
export const DOCUMENTED_EXAMPLE_YAML = withoutTopLevelKeys(EXAMPLE_YAML, NOT_IN_EFFECT)

/** docs/configuration.md: core's rendering, with the documented example in place of the complete one. */
export function configurationMarkdown(): string {
  const markdown = renderConfigurationMarkdown()
  if (!markdown.includes(EXAMPLE_YAML))
    throw new Error('generate-config: the rendered page no longer holds EXAMPLE_YAML')
  return markdown.replace(EXAMPLE_YAML, () => DOCUMENTED_EXAMPLE_YAML)
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, text)
  console.log(`wrote ${file}`)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  write(SCHEMA_FILE, renderConfigSchemaJson())
  write(DOCS_FILE, configurationMarkdown())
}
