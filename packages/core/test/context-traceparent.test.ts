import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { parseTraceparent } from '../src/context/traceparent.js'

// Vectors from W3C Trace Context level 1 §3.2 and its test suite (test/test.py "traceparent" cases).
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const PARENT_ID = '00f067aa0ba902b7'
const VALID = `00-${TRACE_ID}-${PARENT_ID}-01`

describe('parseTraceparent', () => {
  it('parses the spec example', () => {
    assert.deepEqual(parseTraceparent(VALID), { traceId: TRACE_ID, parentId: PARENT_ID, flags: 1 })
  })

  it('parses unsampled and unknown flags', () => {
    assert.equal(parseTraceparent(`00-${TRACE_ID}-${PARENT_ID}-00`)?.flags, 0)
    assert.equal(parseTraceparent(`00-${TRACE_ID}-${PARENT_ID}-ff`)?.flags, 255)
  })

  it('accepts a higher version with extra fields after a dash (§3.2.4)', () => {
    assert.deepEqual(parseTraceparent(`01-${TRACE_ID}-${PARENT_ID}-01-what-the-future-will-be-like`), {
      traceId: TRACE_ID,
      parentId: PARENT_ID,
      flags: 1,
    })
    assert.equal(parseTraceparent(`cc-${TRACE_ID}-${PARENT_ID}-01`)?.traceId, TRACE_ID)
  })

  const invalid: Array<[string, string | string[] | undefined]> = [
    ['missing', undefined],
    ['empty', ''],
    ['several header values', [VALID, VALID]],
    ['one-element array', [VALID]],
    ['version ff', `ff-${TRACE_ID}-${PARENT_ID}-01`],
    ['uppercase version', `0A-${TRACE_ID}-${PARENT_ID}-01`],
    ['non-hex version', `0g-${TRACE_ID}-${PARENT_ID}-01`],
    ['uppercase trace-id', `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`],
    ['uppercase parent-id', `00-${TRACE_ID}-00F067AA0BA902B7-01`],
    ['uppercase flags', `00-${TRACE_ID}-${PARENT_ID}-0A`],
    ['all-zero trace-id', `00-${'0'.repeat(32)}-${PARENT_ID}-01`],
    ['all-zero parent-id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['version 00 with extra fields', `${VALID}-extra`],
    ['version 00 with a trailing character', `${VALID}.`],
    ['higher version followed by a non-dash', `01-${TRACE_ID}-${PARENT_ID}-01.extra`],
    ['trace-id too short', `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`],
    ['trace-id too long', `00-${TRACE_ID}0-${PARENT_ID}-01`],
    ['parent-id too short', `00-${TRACE_ID}-${PARENT_ID.slice(1)}-01`],
    ['parent-id too long', `00-${TRACE_ID}-${PARENT_ID}0-01`],
    ['flags one char', `00-${TRACE_ID}-${PARENT_ID}-1`],
    ['flags three chars', `00-${TRACE_ID}-${PARENT_ID}-011`],
    ['wrong separator', `00_${TRACE_ID}_${PARENT_ID}_01`],
    ['leading whitespace', ` ${VALID}`],
    ['trailing whitespace', `${VALID} `],
    ['two values joined by Node', `${VALID}, ${VALID}`],
    ['non-hex in trace-id', `00-${TRACE_ID.slice(0, 31)}z-${PARENT_ID}-01`],
    ['non-ASCII', `00-${TRACE_ID.slice(0, 31)}é-${PARENT_ID}-01`],
  ]
  for (const [name, value] of invalid) {
    it(`rejects ${name}`, () => {
      assert.equal(parseTraceparent(value), undefined)
    })
  }
})
