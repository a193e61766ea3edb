import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  compileRedactor,
  isLuhnValid,
  type JsonValue,
  MAX_KEY_LENGTH,
  type Redactor,
} from '../src/redaction/index.js'

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const NUM_RUNS = 300

/** Any UTF-16 code unit, biased towards the troublesome ones. */
const codeUnit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }),
  fc.integer({ min: 0, max: 0x20 }),
  fc.integer({ min: 0x7f, max: 0x9f }),
  fc.integer({ min: 0xd800, max: 0xdfff }),
  fc.constantFrom(0x2028, 0x2029, 0x0a, 0x0d),
  fc.integer({ min: 0x30, max: 0x39 }),
)
const anyString = fc.string({ unit: codeUnit.map((c) => String.fromCharCode(c)), maxLength: 120 })
const secret = fc.stringMatching(/^[A-Za-z]{6}[A-Za-z0-9]{14}$/).map((s) => `Zq${s}`)

const SENSITIVE = [
  'password',
  'Password',
  'user_password',
  'passwd',
  'client_secret',
  'access_token',
  'refreshToken',
  'X-CSRF-Token',
  'apiKey',
  'x-api-key',
  'Authorization',
  'set-cookie',
  'sessionId',
  'PHPSESSID',
  'private_key',
  'credentials',
  'card_number',
  'cvv',
  'ssn',
  'otp',
  'pin',
  'customerRef',
]
const sensitiveKey = fc.constantFrom(...SENSITIVE)

const BIG = 'B'.repeat(1024 * 1024)

/** Every string in the output, keys included. */
function strings(value: JsonValue, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value)
  else if (Array.isArray(value)) for (const v of value) strings(v, out)
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k)
      strings(v, out)
    }
  }
  return out
}

function assertClean(s: string, max: number): void {
  assert.equal(typeof s, 'string')
  assert.doesNotMatch(s, CONTROL)
  assert.doesNotMatch(s, LONE_SURROGATE)
  assert.ok(s.length <= max, `length ${s.length} > ${max}`)
}

function assertBounded(value: JsonValue, r: Redactor, level = 0): void {
  if (typeof value === 'string') {
    assertClean(value, r.options.maxStringLength)
    return
  }
  if (typeof value === 'number') assert.ok(Number.isFinite(value))
  if (value === null || typeof value !== 'object') return
  assert.ok(level < r.options.maxDepth, `container at level ${level}`)
  if (Array.isArray(value)) {
    assert.ok(value.length <= r.options.maxKeys)
    for (const v of value) assertBounded(v, r, level + 1)
    return
  }
  assert.equal(Object.getPrototypeOf(value), Object.prototype)
  const keys = Object.keys(value)
  assert.ok(keys.length <= r.options.maxKeys + (keys.includes('message') ? 2 : 0))
  for (const k of keys) {
    assertClean(k, MAX_KEY_LENGTH)
    assert.ok(!['__proto__', 'constructor', 'prototype'].includes(k), k)
    assertBounded(value[k]!, r, level + 1)
  }
}

/** A Luhn-valid number of 13–19 digits, optionally grouped by 4 with spaces or dashes. */
const cardNumber = fc
  .tuple(
    fc.integer({ min: 13, max: 19 }),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }),
  )
  .map(([length, digits]) => {
    const body = digits.slice(0, length - 1)
    for (let check = 0; check <= 9; check++) {
      const candidate = body.join('') + check
      if (isLuhnValid(candidate)) return candidate
    }
    throw new Error('unreachable')
  })
const formattedCard = fc.tuple(cardNumber, fc.constantFrom('', ' ', '-')).map(([digits, sep]) => ({
  digits,
  text: sep === '' ? digits : digits.replace(/(\d{4})(?=\d)/g, `$1${sep}`),
}))

/** Hostile leaves: everything `value()` must survive. */
const hostileLeaf = fc.constantFrom<() => unknown>(
  () =>
    Object.defineProperty({}, 'x', {
      enumerable: true,
      get: () => {
        throw new Error('getter')
      },
    }),
  () =>
    new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('ownKeys')
        },
      },
    ),
  () =>
    new Proxy(
      { a: 1 },
      {
        get: () => {
          throw new Error('get')
        },
      },
    ),
  () =>
    new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error('proto')
        },
      },
    ),
  () => {
    const p = Proxy.revocable({}, {})
    p.revoke()
    return p.proxy
  },
  () => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
  () => {
    const c: Record<string, unknown> = { a: 1 }
    c.c = c
    return c
  },
  () => 10n ** 40n,
  () => Symbol('s'),
  () => () => 1,
  () => new Date(Number.NaN),
  () => Buffer.alloc(3),
  () => BIG,
  () => ({
    toJSON: () => {
      throw new Error('toJSON')
    },
  }),
  () => Object.create(null),
  () =>
    new Map<unknown, unknown>([
      [{}, 1],
      ['k', BIG],
    ]),
)

/** Hostile values are built only at test time: fast-check itself must not touch a revoked Proxy. */
class Hostile {
  constructor(readonly build: () => unknown) {}
}

/** Replace `Hostile` markers by the real thing; keys (even `__proto__`) are kept as own properties. */
function materialise(node: unknown): unknown {
  if (node instanceof Hostile) return node.build()
  if (Array.isArray(node)) return node.map(materialise)
  if (node !== null && typeof node === 'object') {
    const out = {}
    for (const [k, v] of Object.entries(node)) {
      Object.defineProperty(out, k, {
        value: materialise(v),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return out
  }
  return node
}

const tree = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      anyString,
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.bigInt(),
      hostileLeaf.map((f) => new Hostile(f)),
    ),
    fc.array(tie('node'), { maxLength: 6 }),
    fc.dictionary(anyString, tie('node'), { maxKeys: 6 }),
  ),
})).node

/** Put `value` under `key` inside random containers `steps` deep. */
function plant(
  value: unknown,
  key: string,
  path: { key: string; inArray: boolean; sibling: unknown }[],
): unknown {
  let current: unknown = { [key]: value }
  for (const step of path) {
    current = step.inArray ? [step.sibling, current] : { [step.key]: current, sibling: step.sibling }
  }
  return current
}
const pathArb = fc.array(fc.record({ key: anyString, inArray: fc.boolean(), sibling: tree }), {
  maxLength: 10,
})

const redactors = [
  compileRedactor({ hashKey: 'k', sensitiveKeys: ['customer_ref'] }),
  compileRedactor({ maxDepth: 3, maxKeys: 4, maxStringLength: 40, sensitiveKeys: ['customer_ref'] }),
]
const redactorArb = fc.constantFrom(...redactors)

function protoSnapshot(): string {
  return Object.getOwnPropertyNames(Object.prototype).sort().join(',')
}

describe('properties', () => {
  it('no planted secret survives value(), at any depth, under any sensitive key', () => {
    fc.assert(
      fc.property(redactorArb, secret, sensitiveKey, pathArb, fc.boolean(), (r, s, key, path, wrap) => {
        const out = r.value(materialise(plant(wrap ? [{ deeper: s }, s] : s, key, path)))
        assert.ok(!JSON.stringify(out).includes(s))
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('no sensitive query parameter value survives url()', () => {
    const urlText = fc.string({
      unit: fc.constantFrom(...'abc/=&;%?#.-_+ 09\u0000\n'.split('')),
      maxLength: 30,
    })
    const encodedKey = sensitiveKey.chain((k) =>
      fc.constantFrom(k, k.replace(/_/g, '%5F'), encodeURIComponent(k).replace(/-/g, '%2D'), k.toUpperCase()),
    )
    fc.assert(
      fc.property(
        redactorArb,
        urlText,
        encodedKey,
        secret,
        urlText,
        fc.constantFrom('&', ';'),
        (r, before, key, s, after, sep) => {
          const url = `/p${before}?x=1${sep}${key}=${s}${sep}${after}`
          const out = r.url(url)
          assert.ok(!out.includes(s), `${url} → ${out}`)
          assertClean(out, r.options.maxStringLength)
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it('no Luhn-valid card number survives text() or value()', () => {
    const boundary = fc.constantFrom(' ', '-', 'x', ':', '\n', '"', '')
    fc.assert(
      fc.property(
        redactorArb,
        anyString,
        boundary,
        formattedCard,
        boundary,
        anyString,
        (r, before, b1, card, b2, after) => {
          // A card must be delimited from neighbouring digits (else it is one longer number).
          const left = /\d$/.test(before) && b1 === '' ? ' ' : b1
          const right = /^\d/.test(after) && b2 === '' ? ' ' : b2
          const input = before + left + card.text + right + after
          for (const out of [r.text(input), JSON.stringify(r.value({ note: input }))]) {
            assert.ok(!out.includes(card.text), out)
            assert.ok(!out.replace(/[ -]/g, '').includes(card.digits), out)
          }
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it('every string method returns clean, bounded strings', () => {
    fc.assert(
      fc.property(redactorArb, anyString, fc.integer({ min: 0, max: 200 }), (r, s, max) => {
        assertClean(r.string(s, max), max)
        assertClean(r.text(s, max), max)
        assertClean(r.string(s), r.options.maxStringLength)
        assertClean(r.text(s), r.options.maxStringLength)
        assertClean(r.url(s), r.options.maxStringLength)
        assertClean(r.userId(s), 256)
        assertClean(r.ip(s), 64)
        assertClean(r.sessionId(s), 64)
        for (const [k, v] of Object.entries(r.headers({ 'user-agent': s, referer: s, accept: [s, s] }))) {
          assertClean(k, 64)
          assertClean(v, r.options.maxStringLength)
        }
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('value() never throws, is bounded and clean, and never pollutes Object.prototype', () => {
    const before = protoSnapshot()
    fc.assert(
      fc.property(redactorArb, tree, (r, generated) => {
        const out = r.value(materialise(generated))
        assertBounded(out, r)
        for (const s of strings(out)) assert.doesNotMatch(s, LONE_SURROGATE)
        assert.doesNotThrow(() => JSON.stringify(out))
        assert.equal(({} as Record<string, unknown>).polluted, undefined)
      }),
      { numRuns: NUM_RUNS },
    )
    assert.equal(protoSnapshot(), before)
  })

  it('clean short strings pass through unchanged', () => {
    const clean = fc
      .string({ unit: 'grapheme', maxLength: 40 })
      .filter((s) => !CONTROL.test(s) && !/\d/.test(s))
    fc.assert(
      fc.property(redactorArb, clean, (r, s) => {
        if (s.length <= r.options.maxStringLength) {
          assert.equal(r.string(s), s)
          assert.equal(r.text(s), s)
        }
      }),
      { numRuns: NUM_RUNS },
    )
  })
})
