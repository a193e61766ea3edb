/**
 * The hostile-input corpus (test/corpus/, provenance in SOURCES.md) through both adapters over real
 * HTTP: every attack category is found as what it is in at least 95 % of its entries — an event of
 * its class, and for the injection classes one naming the kind of input the payload sits in
 * (ThreatField) — and at most 0.5 % of the benign requests produce any attack finding.
 * `node test/corpus/replay.mjs` prints the same replay as a report, with the misses.
 */
import { strict as assert } from 'node:assert'
import { after, describe, it } from 'node:test'
// @ts-expect-error an ES module of the test tooling, without types
import { closeAgent, load, replay, startExpress, startFastify } from './corpus/replay-lib.mjs'

interface Result {
  id: string
  category: string
  field: string
  detected: boolean
  classified: boolean
  located: boolean
  events: { type: string }[]
}

/** Injection classes, whose events name the input (ThreatField); the others are judged by class only. */
const LOCATED = new Set([
  'sqli',
  'xss',
  'path_traversal',
  'command_injection',
  'jndi',
  'template_injection',
  'prototype_pollution',
  'nosql_injection',
  'ssrf',
])

const entries = [...load('attacks.jsonl'), ...load('benign.jsonl')]

/** The share of each category's entries that must be found, as their class at their input. */
const REQUIRED = 0.95

/**
 * Fastify's JSON parser refuses a body with a `__proto__` or `constructor.prototype` key (400,
 * FST_ERR_CTP_INVALID_JSON_BODY): the body never reaches the app nor the inspection, and the request
 * is recorded as a malformed body. That is the right finding there.
 */
function refusedByFastify(name: string, r: Result): boolean {
  return (
    name === 'fastify' &&
    r.category === 'prototype_pollution' &&
    r.field.startsWith('body') &&
    r.events.some((e) => e.type === 'input_validation_malformed_body')
  )
}

after(() => closeAgent())

for (const [name, start] of [
  ['fastify', startFastify],
  ['express', startExpress],
] as const) {
  describe(`the corpus through @watchpost/${name}`, async () => {
    const { results } = (await replay(name, start, entries)) as { results: Result[] }

    const categories = [...new Set(results.map((r) => r.category))].filter((c) => c !== 'benign')
    for (const category of categories) {
      it(`finds ${category} as ${category} in ≥ ${REQUIRED * 100} % of its entries`, () => {
        const of = results.filter((r) => r.category === category)
        const found = of.filter(
          (r) => (LOCATED.has(category) ? r.located : r.classified) || refusedByFastify(name, r),
        )
        const missed = of.filter((r) => !found.includes(r)).map((r) => `${r.id} [${r.field}]`)
        assert.ok(
          found.length / of.length >= REQUIRED,
          `${found.length}/${of.length}; missed: ${missed.join(', ')}`,
        )
      })
    }

    it('records an attack finding for at most 0.5 % of the benign requests', () => {
      const benign = results.filter((r) => r.category === 'benign')
      const flagged = benign.filter((r) => r.detected)
      assert.ok(benign.length >= 500, `${benign.length} benign entries`)
      assert.ok(
        flagged.length / benign.length <= 0.005,
        `${flagged.length}/${benign.length}: ${flagged.map((r) => `${r.id} (${r.events.map((e) => e.type).join(', ')})`).join('; ')}`,
      )
    })
  })
}
