import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { SinkConfig } from '../src/config/index.js'
import { compileOriginCheck } from '../src/detection/origin-check.js'
import { createSinks, registerSinkType, sinkType } from '../src/sinks/registry.js'

describe('compileOriginCheck (both adapters decide CORS origins with it)', () => {
  test('exact origins and RegExps, mixed in one list', () => {
    const allowed = compileOriginCheck(['https://shop.example', /^https:\/\/[a-z]+\.shop\.example$/])
    assert.equal(allowed('https://shop.example'), true)
    assert.equal(allowed('https://api.shop.example'), true)
    assert.equal(allowed('https://evil.example'), false)
    assert.equal(allowed('https://shop.example.evil.example'), false)
  })

  test('a global or sticky RegExp answers the same for the same origin twice', () => {
    for (const re of [/shop\.example$/g, /https:\/\/shop\.example/y]) {
      const allowed = compileOriginCheck(re)
      assert.equal(allowed('https://shop.example'), true)
      assert.equal(allowed('https://shop.example'), true, `${re} stayed stateless`)
    }
  })

  test('an origin longer than any real one is refused, whatever the pattern', () => {
    const allowed = compileOriginCheck([/^https:\/\/.*$/])
    assert.equal(allowed('https://shop.example'), true)
    assert.equal(allowed(`https://${'a'.repeat(5000)}.example`), false)
  })

  test('a throwing function refuses the origin and is reported', () => {
    const errors: unknown[] = []
    const allowed = compileOriginCheck(
      () => {
        throw new Error('origin list unavailable')
      },
      (err) => errors.push(err),
    )
    assert.equal(allowed('https://shop.example'), false)
    assert.equal(errors.length, 1)
  })

  test('anything else is refused at start-up with its code', () => {
    assert.throws(() => compileOriginCheck([42 as unknown as string]), {
      code: 'ERR_WATCHPOST_ORIGINS_INVALID',
    })
  })
})

describe('sink registry', () => {
  test('an unregistered type that no known package provides: ERR_WATCHPOST_SINK_TYPE_UNKNOWN', () => {
    assert.throws(
      () => sinkType('carrier-pigeon'),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ERR_WATCHPOST_SINK_TYPE_UNKNOWN')
        assert.match(err.message, /console, file, webhook/, 'names the registered types')
        return true
      },
    )
  })

  test('a registered type is created from its configuration; remote ones go through the delivery loop', () => {
    const created: unknown[] = []
    registerSinkType({
      type: 'test-local',
      kind: 'local',
      create: (config) => {
        created.push(config)
        return { name: 'test-local', send: async () => {}, close: async () => {} }
      },
    })
    const wrapped: string[] = []
    const sinks = createSinks(
      [{ type: 'test-local' } as unknown as SinkConfig, { type: 'console', format: 'json' } as SinkConfig],
      (destination) => {
        wrapped.push(destination.name)
        throw new Error('no remote sink configured here')
      },
    )
    assert.deepEqual(
      sinks.map((s) => s.name),
      ['test-local', 'console'],
    )
    assert.deepEqual(created, [{ type: 'test-local' }])
    assert.deepEqual(wrapped, [])
  })
})
