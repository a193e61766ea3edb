/**
 * OpenTelemetry without an SDK (the API's default): the instance registers its instruments on the
 * API's no-op meter, nothing throws, and recording events does no instrument work — the figures
 * are only read by a collection, which never comes. The figures with an SDK and a real delivery:
 * packages/sentinel/test/otel-metrics.test.ts.
 */
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { mock, test } from 'node:test'
import { createNoopMeter, type Meter, metrics } from '@opentelemetry/api'
import { createWatchpost } from '../src/index.js'
import { memorySink } from './support/sinks.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** The no-op meter, with every call counted: what was created, and what ran. */
function countingMeter() {
  const noop = createNoopMeter()
  const calls: string[] = []
  let callbacks = 0
  const counted = new Proxy(noop, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.push(String(property))
        if (property === 'addBatchObservableCallback') {
          // Wrapped so that a call by anyone would show; the no-op meter never makes one.
          const cb = args[0] as (...a: unknown[]) => unknown
          args[0] = (...a: unknown[]) => {
            callbacks++
            return cb(...a)
          }
        }
        const made = (value as (...a: unknown[]) => unknown).apply(target, args)
        // A synchronous instrument's add()/record() would be work per event: count those too.
        if (
          made !== null &&
          typeof made === 'object' &&
          /^create(Counter|UpDownCounter|Histogram|Gauge)$/.test(String(property))
        )
          return new Proxy(made, {
            get(instrument, name) {
              const method = Reflect.get(instrument, name)
              return typeof method === 'function'
                ? (...a: unknown[]) => {
                    calls.push(`${String(property)}.${String(name)}`)
                    return method.apply(instrument, a)
                  }
                : method
            },
          })
        return made
      }
    },
  }) as Meter
  return { meter: counted, calls, callbacks: () => callbacks }
}

test('without an SDK: no-op instruments, nothing throws, no instrument work per event', async () => {
  assert.equal(
    metrics.getMeterProvider().constructor.name,
    'NoopMeterProvider',
    'no SDK registered in this process',
  )
  const counting = countingMeter()
  const getMeter = mock.method(metrics, 'getMeter', () => counting.meter)
  const memory = memorySink()
  try {
    const wp = createWatchpost({ config: false, sinks: [] }, { sinks: [memory] })
    assert.deepEqual(getMeter.mock.calls[0]?.arguments, ['@watchpost/core', version])
    const atStart = [...counting.calls]
    assert.equal(atStart.filter((c) => c === 'addBatchObservableCallback').length, 1)
    assert.ok(atStart.filter((c) => c.startsWith('createObservable')).length >= 10)
    assert.ok(!atStart.some((c) => /^create(Counter|UpDownCounter|Histogram|Gauge)$/.test(c)))

    for (let i = 0; i < 500; i++) wp.record('authz_fail', { userId: `u${i}`, resource: '/admin' })
    await wp.flush()
    assert.equal(memory.events.filter((e) => e.EventOriginalType === 'authz_fail').length, 500)
    assert.deepEqual(counting.calls, atStart, 'no meter or instrument call while recording and delivering')
    assert.equal(counting.callbacks(), 0, 'the figures were never read')
    assert.ok(wp.metrics().includes('watchpost_events_emitted_total 500'), 'the Prometheus text is unchanged')

    await wp.close()
    assert.deepEqual(counting.calls.slice(atStart.length), ['removeBatchObservableCallback'])
  } finally {
    getMeter.mock.restore()
  }
})

test('without an SDK and without a stand-in meter: the API’s own no-op meter takes the instruments', async () => {
  const wp = createWatchpost({ config: false, sinks: [] })
  for (let i = 0; i < 10; i++) wp.record('authz_fail', { userId: `u${i}`, resource: '/admin' })
  await wp.flush()
  assert.equal(wp.stats().emitted, 10)
  await wp.close()
})
