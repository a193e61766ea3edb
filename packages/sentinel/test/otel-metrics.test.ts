/**
 * The delivery figures through OpenTelemetry, end to end: the app's SDK (`@opentelemetry/sdk-metrics`
 * with an in-memory exporter, registered before Watchpost is created) → core's instruments →
 * createWatchpost with a `sentinel` sink → the real @azure/identity + @azure/monitor-ingestion
 * clients → the emulator over HTTPS, with its faults. What the exporter receives moves with what
 * the emulator did: events delivered, throttling retried, a refused row dropped with its reason;
 * the same trouble reaches the app's logger with its code.
 */
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, afterEach, before, beforeEach, describe, test } from 'node:test'
import { type Attributes, metrics } from '@opentelemetry/api'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics'
import { createWatchpost, type SecurityEvent, type Watchpost } from '@watchpost/core'
import { emulatorPerSuite, sentinelConfig, until } from './support/helpers.js'
import { type TempDelivery, tempDelivery } from './support/options.js'

const coreVersion = (createRequire(import.meta.url)('@watchpost/core/package.json') as { version: string })
  .version
const app = { name: 'shop', version: '1.0.0', environment: 'test', host: 'web-01' }

// Collected only when the test asks (forceFlush); the interval never comes within a test.
const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
const provider = new MeterProvider({ readers: [reader] })

async function collect(): Promise<ResourceMetrics> {
  exporter.reset()
  await reader.forceFlush()
  const collected = exporter.getMetrics().at(-1)
  assert.ok(collected !== undefined, 'the reader collected')
  return collected
}

function metric(rm: ResourceMetrics, name: string) {
  const scope = rm.scopeMetrics.find((s) => s.scope.name === '@watchpost/core')
  assert.ok(scope !== undefined, 'the @watchpost/core meter reported')
  assert.equal(scope.scope.version, coreVersion)
  return scope.metrics.find((m) => m.descriptor.name === name)
}

/** The value of the point of `name` whose attributes are exactly `attributes`; 0 when there is none. */
function value(rm: ResourceMetrics, name: string, attributes: Attributes): number {
  const m = metric(rm, name)
  assert.ok(m !== undefined, `instrument ${name} reported`)
  const want = JSON.stringify(Object.entries(attributes).sort())
  const point = m.dataPoints.find((p) => JSON.stringify(Object.entries(p.attributes).sort()) === want)
  return point === undefined ? 0 : (point.value as number)
}

interface Line {
  readonly fields: Record<string, unknown>
  readonly message: string
}

function capturingLogger() {
  const lines: Line[] = []
  return {
    lines,
    warn(fields: Record<string, unknown>, message: string) {
      lines.push({ fields, message })
    },
    codes: () => lines.map((l) => l.fields.code),
  }
}

describe('delivery metrics through OpenTelemetry', () => {
  // The app's SDK comes first: Watchpost takes its meter when it is created.
  before(() => metrics.setGlobalMeterProvider(provider))
  after(() => provider.shutdown())
  const emulator = emulatorPerSuite()
  let tmp: TempDelivery
  beforeEach(() => {
    tmp = tempDelivery()
  })
  afterEach(() => tmp.remove())

  const landed = (e: SecurityEvent) => emulator().store.rows({ eventUid: e.EventUid }).length

  function record(wp: Watchpost, userId: string): SecurityEvent {
    const event = wp.record('authz_fail', { userId, resource: '/admin' })
    assert.ok(event !== undefined)
    return event
  }

  test('sent goes up by the events the emulator stored; units, sink and state as documented', async () => {
    const wp = createWatchpost({ config: false, app, ...tmp.options, sinks: [sentinelConfig(emulator())] })
    const sink = wp.health().sinks[0]!.sink
    const before = await collect()
    assert.equal(value(before, 'watchpost.events.sent', { sink }), 0)
    const events = Array.from({ length: 12 }, (_, i) => record(wp, `user-${i}`))
    await wp.flush()
    await until(() => events.every((e) => landed(e) === 1))
    const afterDelivery = await collect()
    assert.equal(value(afterDelivery, 'watchpost.events.sent', { sink }), 12)
    assert.equal(value(afterDelivery, 'watchpost.events.sent', { sink }), wp.health().sinks[0]!.sent)
    assert.ok(value(afterDelivery, 'watchpost.delivery.requests', { sink }) >= 1)
    assert.equal(value(afterDelivery, 'watchpost.events.emitted', {}), wp.stats().emitted)
    assert.equal(value(afterDelivery, 'watchpost.spool.events', { sink }), 0, 'all acknowledged')
    assert.equal(value(afterDelivery, 'watchpost.queue.events', { sink: 'pipeline' }), 0)
    assert.equal(value(afterDelivery, 'watchpost.delivery.state', { sink, state: 'healthy' }), 1)
    assert.equal(value(afterDelivery, 'watchpost.delivery.state', { sink, state: 'failing' }), 0)
    assert.equal(metric(afterDelivery, 'watchpost.events.sent')?.descriptor.unit, '{event}')
    assert.equal(metric(afterDelivery, 'watchpost.spool.size')?.descriptor.unit, 'By')
    assert.equal(metric(afterDelivery, 'watchpost.delivery.retries')?.descriptor.unit, '{request}')
    await wp.close()
  })

  test('throttling (429 + Retry-After) shows as retries and a degraded state; the logger gets W111', async () => {
    const logger = capturingLogger()
    const wp = createWatchpost(
      { config: false, app, ...tmp.options, sinks: [sentinelConfig(emulator())] },
      { logger, logIntervalMs: 100 },
    )
    const sink = wp.health().sinks[0]!.sink
    record(wp, 'warm-up')
    await wp.flush()
    await emulator().setFaults({ throttle: { retryAfterSeconds: 1, seconds: 2 } })
    const events = Array.from({ length: 5 }, (_, i) => record(wp, `user-${i}`))
    await until(
      () => (wp.health().sinks[0]?.retried ?? 0) >= 1,
      10_000,
      () => wp.health(),
    )
    const during = await collect()
    assert.ok(value(during, 'watchpost.delivery.retries', { sink }) >= 1)
    // Two seconds of 429s, each honoured for a second: the sink stays degraded through the collection.
    assert.equal(value(during, 'watchpost.delivery.state', { sink, state: 'degraded' }), 1)
    assert.equal(value(during, 'watchpost.delivery.state', { sink, state: 'healthy' }), 0)
    assert.equal(value(during, 'watchpost.spool.events', { sink }), wp.health().sinks[0]!.queued)
    await until(() => events.every((e) => landed(e) === 1), 15_000)
    await until(() => wp.health().state === 'healthy')
    const recovered = await collect()
    assert.equal(value(recovered, 'watchpost.events.sent', { sink }), 6)
    assert.equal(value(recovered, 'watchpost.delivery.state', { sink, state: 'healthy' }), 1)
    const degraded = logger.lines.find((l) => l.fields.code === 'WATCHPOST_W111')
    assert.deepEqual(
      { ...degraded?.fields, lastError: typeof degraded?.fields.lastError },
      { code: 'WATCHPOST_W111', sink, state: 'degraded', lastError: 'string' },
    )
    await wp.close()
  })

  test('a refused row with no dead-letter file is dropped: counted with its reason, logged as W113', async () => {
    const logger = capturingLogger()
    const wp = createWatchpost(
      {
        config: false,
        app,
        ...tmp.options,
        delivery: { ...tmp.options.delivery, deadLetter: { path: false } },
        sinks: [sentinelConfig(emulator())],
      },
      { logger, logIntervalMs: 100 },
    )
    const sink = wp.health().sinks[0]!.sink
    await emulator().setFaults({ reject: { column: 'TargetUsername', equals: 'mallory' } })
    const login = (userId: string) => {
      const event = wp.record('authn_login_fail', { userId, reason: 'bad_password' })
      assert.ok(event !== undefined)
      return event
    }
    const good = [login('alice'), login('bob')]
    const poison = login('mallory')
    await wp.flush()
    await until(() => good.every((e) => landed(e) === 1))
    assert.equal(landed(poison), 0)
    const collected = await collect()
    assert.equal(value(collected, 'watchpost.events.dropped', { sink, reason: 'rejected' }), 1)
    assert.equal(value(collected, 'watchpost.events.dropped', { sink, reason: 'overflow' }), 0)
    assert.equal(value(collected, 'watchpost.events.dead_lettered', { sink }), 0)
    assert.equal(value(collected, 'watchpost.events.sent', { sink }), 2)
    await until(() => logger.codes().includes('WATCHPOST_W113'), 5_000)
    const drop = logger.lines.find((l) => l.fields.code === 'WATCHPOST_W113')!
    assert.deepEqual(drop.fields, { code: 'WATCHPOST_W113', sink, reason: 'rejected', dropped: 1 })
    const setAside = logger.lines.find((l) => l.fields.code === 'WATCHPOST_W107')
    assert.equal(setAside?.fields.sink, sink)
    assert.ok(!JSON.stringify(logger.lines).includes('mallory'), 'the refused row is not logged')
    await wp.close()
  })
})
