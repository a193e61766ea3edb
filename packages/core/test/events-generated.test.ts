import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { renderAsimColumns } from '../scripts/generate-asim-columns.js'
import {
  EVENT_SCHEMA,
  EVENTS_DOC,
  renderEventSchemaJson,
  renderEventsMarkdown,
} from '../scripts/generate-events.js'
import { EVENTS_BY_NAME } from '../src/events/catalogue/index.js'

const regenerate = 'run `npm run docs` at the repository root'

describe('generated event artefacts', () => {
  test('src/schema/asim-columns.generated.ts matches spec/azure/asim-tables.json', () => {
    const path = fileURLToPath(new URL('../src/schema/asim-columns.generated.ts', import.meta.url))
    assert.equal(readFileSync(path, 'utf8'), renderAsimColumns(), regenerate)
  })

  test('docs/events.md is up to date and documents every event once', () => {
    const doc = readFileSync(EVENTS_DOC, 'utf8')
    assert.equal(doc, renderEventsMarkdown(), regenerate)
    for (const name of EVENTS_BY_NAME.keys()) {
      assert.equal(doc.split(`### \`${name}\``).length - 1, 1, `${name} documented once`)
    }
  })

  test('schema/event.schema.json is up to date and lists every event name', () => {
    assert.equal(readFileSync(EVENT_SCHEMA, 'utf8'), renderEventSchemaJson(), regenerate)
    const schema = JSON.parse(renderEventSchemaJson())
    assert.deepEqual([...schema.properties.EventOriginalType.enum].sort(), [...EVENTS_BY_NAME.keys()].sort())
    assert.ok(schema.required.includes('EventUid'))
    assert.equal(schema.properties.TimeGenerated.format, 'date-time')
  })
})
