import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { generateCorrelationId, validateRequestId } from '../src/context/request-id.js'

describe('validateRequestId', () => {
  it('accepts common id shapes', () => {
    for (const id of [
      'f47ac10b-58cc-4372-a567-0e02b2c3d479',
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      'Root=1-5759e988-bd862e3fe1be46a994272793',
      'abc+/=',
      'svc:web@host/req~1.2_3',
    ]) {
      assert.equal(validateRequestId(id, 128), id)
    }
  })

  it('bounds the length', () => {
    assert.equal(validateRequestId('a'.repeat(64), 64), 'a'.repeat(64))
    assert.equal(validateRequestId('a'.repeat(65), 64), undefined)
    assert.equal(validateRequestId('', 64), undefined)
  })

  it('rejects CR/LF, control characters, whitespace and separators', () => {
    for (const id of [
      'a\r\nSet-Cookie: x=1',
      'a\nb',
      'a\rb',
      'a\u0000b',
      'a\tb',
      'a b',
      'a,b',
      'a;b',
      '"a"',
      '<a>',
      'a\u007f',
    ]) {
      assert.equal(validateRequestId(id, 128), undefined, JSON.stringify(id))
    }
  })

  it('rejects non-ASCII', () => {
    for (const id of ['café', 'id-\u2028', 'id-😀', '\uff41bc'])
      assert.equal(validateRequestId(id, 128), undefined)
  })

  it('rejects a header sent several times, and missing values', () => {
    assert.equal(validateRequestId(['a', 'b'], 128), undefined)
    assert.equal(validateRequestId(['a'], 128), undefined)
    assert.equal(validateRequestId(undefined, 128), undefined)
  })
})

describe('generateCorrelationId', () => {
  it('returns 32 lowercase hex, not all zeros, unique', () => {
    const seen = new Set<string>()
    // More than one 4 KiB pool refill.
    for (let i = 0; i < 2000; i++) {
      const id = generateCorrelationId()
      assert.match(id, /^[0-9a-f]{32}$/)
      assert.notEqual(id, '0'.repeat(32))
      seen.add(id)
    }
    assert.equal(seen.size, 2000)
  })
})
