import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { validateRequestId } from '../src/context/request-id.js'
import { parseTraceparent } from '../src/context/traceparent.js'

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length })

/** Arbitrary strings, plus near-miss traceparents built from valid parts with random damage. */
const traceparentish = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc
    .tuple(hex(2), hex(32), hex(16), hex(2), fc.string({ maxLength: 10 }))
    .map(([v, t, p, f, tail]) => `${v}-${t}-${p}-${f}${tail}`),
)

describe('properties', () => {
  it('parseTraceparent never throws and returns only the documented shape', () => {
    fc.assert(
      fc.property(fc.oneof(traceparentish, fc.array(traceparentish, { maxLength: 3 })), (value) => {
        const parsed = parseTraceparent(value)
        if (parsed === undefined) return
        assert.equal(typeof value, 'string')
        assert.match(parsed.traceId, /^[0-9a-f]{32}$/)
        assert.notEqual(parsed.traceId, '0'.repeat(32))
        assert.match(parsed.parentId, /^[0-9a-f]{16}$/)
        assert.notEqual(parsed.parentId, '0'.repeat(16))
        assert.ok(Number.isInteger(parsed.flags) && parsed.flags >= 0 && parsed.flags <= 255)
        // Round trip: the fields are the header's own.
        assert.equal(
          (value as string).slice(3, 55),
          `${parsed.traceId}-${parsed.parentId}-${(value as string).slice(53, 55)}`,
        )
        assert.ok(
          (value as string).startsWith('00')
            ? (value as string).length === 55
            : (value as string).length >= 55,
        )
      }),
      { numRuns: 5000 },
    )
  })

  it('parseTraceparent accepts every well-formed version-00 header', () => {
    fc.assert(
      fc.property(hex(32), hex(16), hex(2), (t, p, f) => {
        fc.pre(/[1-9a-f]/.test(t) && /[1-9a-f]/.test(p))
        assert.deepEqual(parseTraceparent(`00-${t}-${p}-${f}`), {
          traceId: t,
          parentId: p,
          flags: Number.parseInt(f, 16),
        })
      }),
    )
  })

  it('validateRequestId never throws and returns only bounded safe strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.array(fc.string()),
        ),
        fc.integer({ min: 1, max: 150 }),
        (value, maxLength) => {
          const id = validateRequestId(value, maxLength)
          if (id === undefined) return
          assert.equal(id, value)
          assert.ok(id.length >= 1 && id.length <= maxLength)
          assert.match(id, /^[A-Za-z0-9._:@/+=~-]+$/)
        },
      ),
      { numRuns: 5000 },
    )
  })
})
