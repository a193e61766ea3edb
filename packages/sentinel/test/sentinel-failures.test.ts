/**
 * What fails is counted exactly (Sink contract: `{ failures: [{ failedEvents, cause }] }`), with the
 * real clients and the emulator's faults. No spool and no own retry in this slice (issue 4): a failed
 * event is counted in `stats().sinks` / `stats().dropped.sink_failed` and not sent again.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { ASIM_PROJECTIONS, createWatchpost, type SecurityEvent, type Watchpost } from '@watchpost/core'
import type { Emulator } from '@watchpost/emulator'
import { sentinelConfig, start } from './support/helpers.js'

const app = { name: 'shop', version: '1.0.0', environment: 'test', host: 'web-01' }
// Nothing is sent before close(): the faults are set after the events exist and before delivery.
const queue = { flushIntervalMs: 60_000 }

function record(wp: Watchpost, name: Parameters<Watchpost['record']>[0], params: Record<string, unknown>) {
  const event = wp.record(name, params)
  assert.ok(event !== undefined)
  return event
}

describe('sentinel sink failures', () => {
  let em: Emulator
  before(async () => {
    em = await start()
  })
  after(() => em.close())
  beforeEach(async () => {
    await em.clearFaults()
    em.store.clear()
    em.clearRequests()
  })

  test('a 400-rejected row: exactly its event is reported failed, the others land', async () => {
    const wp = createWatchpost({ config: false, app, queue, sinks: [sentinelConfig(em)] })
    const poison = record(wp, 'authn_login_fail', { userId: 'mallory', reason: 'bad_password' })
    const others: SecurityEvent[] = [
      record(wp, 'authz_fail', { userId: 'mallory', resource: '/admin' }),
      record(wp, 'sensitive_read', { userId: 'alice', object: 'payroll.csv' }),
      record(wp, 'user_created', { userId: 'alice', newUserId: 'carol' }),
    ]
    await em.setFaults({ reject: { column: 'EventOriginalUid', equals: poison.EventUid } })
    await wp.close()

    const stats = wp.stats()
    const sink = stats.sinks[`sentinel:${em.dcrImmutableId}`]
    assert.equal(sink?.delivered, 3)
    assert.equal(sink?.failed, 1)
    assert.match(sink?.lastError ?? '', /Row 0/)
    assert.equal(stats.dropped.sink_failed, 1)
    assert.equal(em.store.rows({ eventUid: poison.EventUid }).length, 0)
    for (const event of others) assert.equal(em.store.rows({ eventUid: event.EventUid }).length, 1)
    // 400 is not retried by the client: one request for the poison's stream.
    const auth = em.requests().filter((r) => r.stream === ASIM_PROJECTIONS.Authentication.inputStream)
    assert.deepEqual(
      auth.map((r) => r.status),
      [400],
    )
  })

  test('a 400 fails the whole request: events sharing the poison row’s upload are reported with it', async () => {
    // Until the back half splits a rejected batch to isolate the poison record (issue 4), the service
    // refuses a request as a whole, so its neighbours in the same stream fail with it — and are counted.
    const wp = createWatchpost({ config: false, app, queue, sinks: [sentinelConfig(em)] })
    const poison = record(wp, 'authn_login_fail', { userId: 'mallory', reason: 'bad_password' })
    const neighbour = record(wp, 'authn_login_fail', { userId: 'bob', reason: 'unknown_user' })
    const other = record(wp, 'authz_fail', { userId: 'mallory', resource: '/admin' })
    await em.setFaults({ reject: { column: 'EventOriginalUid', equals: poison.EventUid } })
    await wp.close()
    const sink = wp.stats().sinks[`sentinel:${em.dcrImmutableId}`]
    assert.deepEqual({ delivered: sink?.delivered, failed: sink?.failed }, { delivered: 1, failed: 2 })
    assert.equal(em.store.rows({ eventUid: neighbour.EventUid }).length, 0)
    assert.equal(em.store.rows({ eventUid: other.EventUid }).length, 1)
  })

  test('emulator down mid-run: the batch fails after the client’s own retries, every event counted', async () => {
    const wp = createWatchpost({ config: false, app, queue, sinks: [sentinelConfig(em)] })
    // One delivery first, so the token is cached and the outage hits the ingestion requests.
    record(wp, 'authz_fail', { userId: 'bob', resource: '/orders' })
    await wp.flush()
    await em.setFaults({ down: true })
    const events = [
      record(wp, 'authn_login_fail', { userId: 'mallory', reason: 'bad_password' }),
      record(wp, 'authz_fail', { userId: 'mallory', resource: '/admin' }),
      record(wp, 'user_created', { userId: 'alice', newUserId: 'carol' }),
    ]
    const started = Date.now()
    // The client retries ECONNREFUSED 3 times with backoff (~0.5–1 s, 1–2 s, 2–4 s): allow for it.
    await wp.close(15_000)
    const elapsed = Date.now() - started
    await em.clearFaults()

    const stats = wp.stats()
    const sink = stats.sinks[`sentinel:${em.dcrImmutableId}`]
    assert.deepEqual({ delivered: sink?.delivered, failed: sink?.failed }, { delivered: 1, failed: 3 })
    assert.match(sink?.lastError ?? '', /ECONNREFUSED/)
    assert.equal(stats.dropped.sink_failed, 3)
    assert.equal(stats.dropped.shutdown_timeout, 0)
    assert.ok(elapsed >= 1_500, `the client retried before giving up (${elapsed} ms)`)
    for (const event of events) assert.equal(em.store.rows({ eventUid: event.EventUid }).length, 0)
  })

  test('token endpoint unreachable at start: the batch fails with the credential error, counted', async () => {
    const wp = createWatchpost({ config: false, app, queue, sinks: [sentinelConfig(em)] })
    record(wp, 'authz_fail', { userId: 'mallory', resource: '/admin' })
    await em.setFaults({ down: true })
    await wp.close(15_000)
    await em.clearFaults()
    const sink = wp.stats().sinks[`sentinel:${em.dcrImmutableId}`]
    assert.deepEqual({ delivered: sink?.delivered, failed: sink?.failed }, { delivered: 0, failed: 1 })
    // What @azure/identity reports when the authority cannot be reached (client-behaviour.md §5).
    assert.match(sink?.lastError ?? '', /endpoints_resolution_error/)
  })
})
