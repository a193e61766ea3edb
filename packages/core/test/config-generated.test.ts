import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { EXAMPLE_YAML, renderConfigSchemaJson } from '../scripts/config-docs.js'
import {
  configurationMarkdown,
  DOCS_FILE,
  renderValidatorModule,
  SCHEMA_FILE,
  VALIDATOR_FILE,
} from '../scripts/generate-config.js'
import { loadConfig } from '../src/config/index.js'
import { dirWith } from './config-fixtures.js'

const regenerate = 'run `node --import tsx scripts/generate-config.ts` in packages/core'

describe('generated configuration artefacts', () => {
  it('schema/config.schema.json is up to date', () => {
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), renderConfigSchemaJson(), regenerate)
  })

  it('docs/configuration.md is up to date', () => {
    assert.equal(readFileSync(DOCS_FILE, 'utf8'), configurationMarkdown(), regenerate)
  })

  it('src/config/validator.generated.ts is up to date', () => {
    assert.equal(readFileSync(VALIDATOR_FILE, 'utf8'), renderValidatorModule(), regenerate)
  })

  it('the schema is JSON Schema 2020-12 with $id, title, descriptions and defaults', () => {
    const schema = JSON.parse(renderConfigSchemaJson())
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema')
    assert.match(schema.$id, /config\.schema\.json$/)
    assert.equal(schema.title, 'Watchpost configuration')
    assert.equal(schema.additionalProperties, false)
    const threshold = schema.properties.detectors.properties.notFound.properties.threshold
    assert.deepEqual(threshold.default, 20)
    assert.equal(threshold.type, 'integer')
    assert.equal(threshold.minimum, 1)
    assert.ok(threshold.description.length > 0)
    assert.deepEqual(
      schema.properties.sinks.items.oneOf.map(
        (s: { properties: { type: { const: string } } }) => s.properties.type.const,
      ),
      ['console', 'file', 'sentinel', 'webhook'],
    )
    // One branch per sink, chosen by `type`: editors and Ajv's discriminator report that branch's problems only.
    assert.deepEqual(schema.properties.sinks.items.discriminator, { propertyName: 'type' })
    assert.deepEqual(schema.properties.rules.items.required, ['id'])
  })

  it('the documented example is a valid configuration', () => {
    const cwd = dirWith({ 'watchpost.config.yaml': EXAMPLE_YAML })
    const config = loadConfig({}, { cwd, env: { WATCHPOST_HASH_KEY: 'k'.repeat(32), PORT: '8080' } })
    assert.equal(config.app.port, 8080)
    assert.equal(config.sinks.length, 2)
    assert.equal(config.rules.length, 2)
    assert.ok(configurationMarkdown().includes(EXAMPLE_YAML))
  })

  it('documents every option, and links the warning and error codes of the configuration', () => {
    const docs = configurationMarkdown()
    for (const path of [
      'detectors.notFound.threshold',
      'privacy.hashKey',
      'sinks[type=file].path',
      'routes[].detectors',
      'trustProxy',
    ]) {
      assert.ok(docs.includes(`\`${path}\``), path)
    }
    for (const code of [
      'WATCHPOST_W001',
      'WATCHPOST_W004',
      'ERR_WATCHPOST_CONFIG_ENV',
      'ERR_WATCHPOST_CONFIG_PARSE',
    ]) {
      assert.ok(docs.includes(`(errors.md#${code.toLowerCase()})`), code)
    }
  })
})
