import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  CARD_PLACEHOLDER,
  CIRCULAR_PLACEHOLDER,
  compileRedactor,
  type JsonValue,
  MAX_DEPTH_PLACEHOLDER,
  MAX_KEY_LENGTH,
  MORE_KEYS_KEY,
  UNREADABLE_PLACEHOLDER,
} from '../src/redaction/index.js'

const r = compileRedactor({ hashKey: 'test-key' })

function depthOf(value: JsonValue): number {
  if (value === null || typeof value !== 'object') return 0
  const children = Array.isArray(value) ? value : Object.values(value)
  let max = 0
  for (const child of children) max = Math.max(max, depthOf(child))
  return max + 1
}

describe('value(): types', () => {
  it('copies JSON data and redacts sensitive keys at any depth', () => {
    const input = {
      user: 'alice',
      password: 'hunter2',
      nested: { list: [1, { apiKey: 'k', ok: true }], Authorization: 'Bearer x' },
      note: 'card 4111 1111 1111 1111',
    }
    assert.deepEqual(r.value(input), {
      user: 'alice',
      password: '[REDACTED]',
      nested: { list: [1, { apiKey: '[REDACTED]', ok: true }], Authorization: '[REDACTED]' },
      note: `card ${CARD_PLACEHOLDER}`,
    })
  })

  it('redacts a sensitive key whatever its value, without reading it', () => {
    let read = false
    const input = Object.defineProperty({}, 'token', {
      enumerable: true,
      get() {
        read = true
        return 'x'
      },
    })
    assert.deepEqual(r.value({ secret: { deep: [1, 2] }, token: null, input }), {
      secret: '[REDACTED]',
      token: '[REDACTED]',
      input: { token: '[REDACTED]' },
    })
    assert.equal(read, false)
  })

  it('maps non-JSON values', () => {
    const out = r.value({
      nan: Number.NaN,
      inf: Number.NEGATIVE_INFINITY,
      big: 12345678901234567890n,
      date: new Date('2024-05-06T07:08:09.010Z'),
      badDate: new Date(Number.NaN),
      buf: Buffer.from('hello'),
      typed: new Uint16Array(4),
      ab: new ArrayBuffer(7),
      fn: () => 1,
      sym: Symbol('s'),
      undef: undefined,
      arr: [undefined, () => 1, Symbol('x'), 1],
      map: new Map<unknown, unknown>([
        ['a', 1],
        ['password', 'x'],
        [{}, 'object key dropped'],
      ]),
      set: new Set(['x', 'y']),
      boxed: Object('str'),
      url: new URL('https://h.example/p?token=abc&q=1'),
      err: Object.assign(new TypeError('bad\nthing'), { code: 'E_BAD', secret: 's' }),
    })
    assert.deepEqual(out, {
      nan: null,
      inf: null,
      big: '12345678901234567890',
      date: '2024-05-06T07:08:09.010Z',
      badDate: null,
      buf: '[Binary 5 bytes]',
      typed: '[Binary 8 bytes]',
      ab: '[Binary 7 bytes]',
      arr: [null, null, null, 1],
      // The object key has no JSON name: left out, and counted as such.
      map: { a: 1, password: '[REDACTED]', [MORE_KEYS_KEY]: '[+1 more keys]' },
      set: ['x', 'y'],
      boxed: 'str',
      url: 'https://h.example/p?token=[REDACTED]&q=1',
      err: { name: 'TypeError', message: 'bad\\nthing', code: 'E_BAD', secret: '[REDACTED]' },
    })
  })

  it('top-level primitives', () => {
    assert.equal(r.value('a\u0000'), 'a\\u0000')
    assert.equal(r.value(undefined), null)
    assert.equal(
      r.value(() => 1),
      null,
    )
    assert.equal(r.value(3), 3)
    assert.equal(r.value(null), null)
  })

  it('honours toJSON, once', () => {
    const inner = { toJSON: () => ({ again: true }) }
    assert.deepEqual(r.value({ a: { toJSON: () => 'x\ny' }, b: { toJSON: () => inner, own: 1 } }), {
      a: 'x\\ny',
      b: { own: 1 },
    })
  })
})

describe('value(): prototype keys', () => {
  it('renames __proto__, constructor and prototype with brackets and never touches a prototype', () => {
    const parsed = JSON.parse(
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
    )
    const out = r.value(parsed) as Record<string, JsonValue>
    assert.deepEqual(Object.keys(out), ['[__proto__]', '[constructor]'])
    assert.deepEqual(out['[constructor]'], { '[prototype]': { polluted: 'yes' } })
    assert.equal(Object.getPrototypeOf(out), Object.prototype)
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
    // Merging the output elsewhere is harmless too.
    const merged = Object.assign({}, out)
    assert.equal(Object.getPrototypeOf(merged), Object.prototype)
  })
})

describe('value(): bounds', () => {
  it('replaces containers deeper than maxDepth', () => {
    const shallow = compileRedactor({ maxDepth: 2 })
    assert.deepEqual(shallow.value({ a: { b: { c: 1 } }, l: [[[1]]] }), {
      a: { b: MAX_DEPTH_PLACEHOLDER },
      l: [MAX_DEPTH_PLACEHOLDER],
    })
  })

  it('keeps at most maxKeys entries per object and items per array, summary included', () => {
    const small = compileRedactor({ maxKeys: 3 })
    const obj = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]))
    assert.deepEqual(small.value(obj), { k0: 0, k1: 1, [MORE_KEYS_KEY]: '[+8 more keys]' })
    assert.deepEqual(small.value([1, 2, 3]), [1, 2, 3])
    assert.deepEqual(small.value([1, 2, 3, 4, 5]), [1, 2, '[+3 more items]'])
    assert.deepEqual(small.value(new Set([1, 2, 3, 4])), [1, 2, '[+2 more items]'])
  })

  it('bounds keys and strings', () => {
    const small = compileRedactor({ maxStringLength: 50 })
    const out = small.value({ ['k'.repeat(1000)]: 'v'.repeat(1000) }) as Record<string, string>
    const [key] = Object.keys(out)
    assert.ok(key !== undefined && key.length <= MAX_KEY_LENGTH)
    assert.ok((out[key] ?? '').length <= 50)
  })
})

describe('value(): hostile input', () => {
  it('marks cycles, keeps shared references', () => {
    const shared = { s: 1 }
    const a: Record<string, unknown> = { shared, again: shared }
    a.self = a
    a.list = [a]
    assert.deepEqual(r.value(a), {
      shared: { s: 1 },
      again: { s: 1 },
      self: CIRCULAR_PLACEHOLDER,
      list: [CIRCULAR_PLACEHOLDER],
    })
  })

  it('throwing getters and traps become [Unreadable]', () => {
    const getter = Object.defineProperty({ ok: 1 }, 'bad', {
      enumerable: true,
      get() {
        throw new Error('boom')
      },
    })
    const throwingTraps = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('ownKeys')
        },
      },
    )
    const throwingGet = new Proxy(
      { a: 1, b: 2 },
      {
        get() {
          throw new Error('get')
        },
      },
    )
    const { proxy: revoked, revoke } = Proxy.revocable({}, {})
    revoke()
    const badToJSON = {
      toJSON() {
        throw new Error('toJSON')
      },
    }
    const badArray = new Proxy([1, 2], {
      get(target, key) {
        if (key === 'length') return 1e12
        return Reflect.get(target, key)
      },
    })
    assert.deepEqual(r.value({ getter, throwingTraps, throwingGet, revoked, badToJSON }), {
      getter: { ok: 1, bad: UNREADABLE_PLACEHOLDER },
      throwingTraps: UNREADABLE_PLACEHOLDER,
      throwingGet: UNREADABLE_PLACEHOLDER,
      revoked: UNREADABLE_PLACEHOLDER,
      badToJSON: UNREADABLE_PLACEHOLDER,
    })
    const arr = r.value(badArray) as JsonValue[]
    assert.equal(arr.length, 100)
    assert.equal(arr[99], `[+${1e12 - 99} more items]`)
  })

  it('an Error whose name getter throws is unreadable, not fatal', () => {
    const err = new Error('x')
    Object.defineProperty(err, 'name', {
      get() {
        throw new Error('no')
      },
    })
    assert.equal(r.value(err), UNREADABLE_PLACEHOLDER)
  })

  it('a getter that calls back into the redactor does not corrupt the walk', () => {
    const inner: Record<string, unknown> = { x: 1 }
    inner.self = inner
    const outer = Object.defineProperty({}, 'reentrant', {
      enumerable: true,
      get: () => r.value(inner),
    })
    assert.deepEqual(r.value(outer), { reentrant: { x: 1, self: CIRCULAR_PLACEHOLDER } })
  })
})

describe('regressions: large input', () => {
  it('a 1 MB string is bounded', () => {
    const big = 'x\n'.repeat(512 * 1024)
    const out = r.value({ big, list: [big] }) as { big: string; list: string[] }
    assert.ok(out.big.length <= r.options.maxStringLength)
    assert.match(out.big, /…\[truncated \d+ chars\]$/)
    assert.equal(r.text(big).length <= r.options.maxStringLength, true)
    assert.equal(r.string(big, 100).length <= 100, true)
  })

  it('a 10,000-deep object is cut at maxDepth', () => {
    let deep: Record<string, unknown> = { leaf: true }
    for (let i = 0; i < 10_000; i++) deep = { next: deep }
    const out = r.value(deep)
    assert.equal(depthOf(out), r.options.maxDepth)
    const deepArray: unknown[] = []
    let cursor = deepArray
    for (let i = 0; i < 10_000; i++) {
      const next: unknown[] = []
      cursor.push(next)
      cursor = next
    }
    assert.equal(depthOf(r.value(deepArray)), r.options.maxDepth)
  })

  it('an object with 100,000 keys is summarised', () => {
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]))
    const out = r.value(wide) as Record<string, JsonValue>
    assert.equal(Object.keys(out).length, r.options.maxKeys)
    assert.equal(out[MORE_KEYS_KEY], `[+${100_000 - 99} more keys]`)
  })
})
