/**
 * Writes `schema/config.schema.json` and `docs/configuration.md` from the options schema.
 * Run: `node --import tsx scripts/generate-config.ts` (from packages/core). `test/config-generated.test.ts`
 * fails when the committed files differ from what this writes.

 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderConfigSchemaJson, renderConfigurationMarkdown } from '../src/config/render.js'

export const SCHEMA_FILE = fileURLToPath(new URL('../schema/config.schema.json', import.meta.url))
export const DOCS_FILE = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url))

/** docs/configuration.md, as core renders it. */
export function configurationMarkdown(): string {
  return renderConfigurationMarkdown()
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
