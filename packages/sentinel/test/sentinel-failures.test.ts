/**
 * Failures, end to end: createWatchpost with a `sentinel` sink → the delivery loop (core) → the real
 * @azure/identity + @azure/monitor-ingestion clients (SDK retries off) → the emulator's faults.
 * Nothing is lost: a poison row is isolated and set aside alone, outages and refused credentials
 * keep the events (in the spool) until delivery works again.
 */
import assert from 'node:assert/strict'
import { after, afterEach, before, beforeEach, describe, test } from 'node:test'
import { createWatchpost, type SecurityEvent, type Watchpost } from '@watchpost/core'
import type { Emulator } from '@watchpost/emulator'
import { sentinelConfig, start, until } from './support/helpers.js'
import { type TempDelivery, tempDelivery } from './support/options.js'

const app = { name: 'shop', version: '1.0.0', environment: 'test', host: 'web-01' }

function record(wp: Watchpost, name: Parameters<Watchpost['record']>[0], params: Record<string, unknown>) {
  const event = wp.record(name, params)
  assert.ok(event !== undefined)
  return event
}

describe('sentinel sink failures', () => {
  let em: Emulator
  let tmp: TempDelivery
  before(async () => {
    em = await start()
  })
  after(() => em.close())
  beforeEach(async () => {
    await em.clearFaults()
    em.store.clear()
    em.clearRequests()
    tmp = tempDelivery()
  })
  afterEach(() => tmp.remove())

  const landed = (e: SecurityEvent) => em.store.rows({ eventUid: e.EventUid }).length

  test('a 400-rejected row: split until it is alone, set aside with the service’s text; its neighbours land', async () => {
    const wp = createWatchpost({ config: false, app, ...tmp.options, sinks: [sentinelConfig(em)] })
    await em.setFaults({ reject: { column: 'TargetUsername', equals: 'mallory' } })
    const neighbours = Array.from({ length: 20 }, (_, i) =>
      record(wp, 'authn_login_fail', { userId: `user-${i}`, reason: 'bad_password' }),
    )
    const poison = record(wp, 'authn_login_fail', { userId: 'mallory', reason: 'bad_password' })
    const more = [record(wp, 'authn_login_fail', { userId: 'bob', reason: 'unknown_user' })]
    await wp.close()

    for (const e of [...neighbours, ...more])
      assert.equal(landed(e), 1, 'same stream, same batch: still delivered')
    assert.equal(landed(poison), 0)
    const dead = tmp.deadLetters()
    assert.equal(dead.length, 1)
    // The record as stored: its stream, then the row as sent (ASIM tables carry the id as EventOriginalUid).
    const [stream, row] = [
      dead[0]!.record.slice(0, dead[0]!.record.indexOf('\n')),
      dead[0]!.record.slice(dead[0]!.record.indexOf('\n') + 1),
    ]
    assert.equal(stream, 'Custom-WatchpostAuthentication')
    assert.equal(JSON.parse(row).EventOriginalUid, poison.EventUid)
    assert.equal(dead[0]!.status, 400)
    assert.match(dead[0]!.error, /RowRejected|Row/)
    const [health] = wp.health().sinks
    assert.equal(health?.deadLettered, 1)
    assert.equal(health?.sent, 21)
    assert.equal(health?.queued, 0)
    // Several requests (the split) and one poison: the split is logarithmic, not one per row.
    assert.ok(em.requests().filter((r) => r.status === 400).length <= 6)
  })

  test('emulator down: events are kept and retried, all delivered once it is back', async () => {
    const wp = createWatchpost({ config: false, app, ...tmp.options, sinks: [sentinelConfig(em)] })
    record(wp, 'authz_fail', { userId: 'warm-up', resource: '/' })
    await wp.flush()
    await em.setFaults({ down: true })
    const events = [
      record(wp, 'authn_login_fail', { userId: 'mallory', reason: 'bad_password' }),
      record(wp, 'authz_fail', { userId: 'mallory', resource: '/admin' }),
      record(wp, 'user_created', { userId: 'alice', newUserId: 'carol' }),
    ]
    await until(() => (wp.health().sinks[0]?.retried ?? 0) >= 2)
    const during = wp.health().sinks[0]!
    assert.equal(during.state, 'degraded')
    assert.match(during.lastError ?? '', /ECONNREFUSED/)
    assert.equal(during.queued, 3)
    await em.clearFaults()
    await until(() => events.every((e) => landed(e) === 1))
    await until(() => wp.health().state === 'healthy')
    await wp.close()
    assert.equal(wp.health().sinks[0]?.queued, 0)
  })

  test('closed while down: the events stay in the spool and go first at the next start', async () => {
    const wp = createWatchpost({ config: false, app, ...tmp.options, sinks: [sentinelConfig(em)] })
    record(wp, 'authz_fail', { userId: 'warm-up', resource: '/' })
    await wp.flush()
    await em.setFaults({ down: true })
    const events = [
      record(wp, 'authn_login_fail', { userId: 'mallory', reason: 'bad_password' }),
      record(wp, 'user_deleted', { userId: 'alice', deletedUserId: 'carol' }),
    ]
    await wp.close(1_000)
    assert.equal(wp.health().sinks[0]?.queued, 2)
    assert.equal(wp.health().sinks[0]?.dropped.shutdown, 0)
    await em.clearFaults()
    const next = createWatchpost({ config: false, app, ...tmp.options, sinks: [sentinelConfig(em)] })
    await until(() => events.every((e) => landed(e) === 1))
    await next.close()
  })

  test('429 storm: Retry-After is honoured, nothing is lost', async () => {
    const wp = createWatchpost({
      config: false,
      app,
      ...tmp.options,
      // One request at a time, so each attempt after a 429 is the retry of that request.
      delivery: { ...tmp.options.delivery, retryMaxDelayMs: 5_000, concurrency: 1 },
      sinks: [sentinelConfig(em)],
    })
    record(wp, 'authz_fail', { userId: 'warm-up', resource: '/' })
    await wp.flush()
    em.clearRequests()
    await em.setFaults({ throttle: { retryAfterSeconds: 1, seconds: 2 } })
    const events = Array.from({ length: 10 }, (_, i) =>
      record(wp, 'authz_fail', { userId: `u${i}`, resource: '/a' }),
    )
    await until(() => events.every((e) => landed(e) === 1), 15_000)
    const times = em.requests().map((r) => Date.parse(String(r.time)))
    const throttled = em.requests().filter((r) => r.status === 429)
    assert.ok(throttled.length >= 1)
    // After each 429 the next attempt came no sooner than its Retry-After (1 s), allowing timer slack.
    for (let i = 1; i < times.length; i++) {
      if (em.requests()[i - 1]!.status === 429)
        assert.ok(times[i]! - times[i - 1]! >= 950, `gap ${times[i]! - times[i - 1]!} ms`)
    }
    await wp.close()
  })

  test('token endpoint hanging (a blackhole): degraded within the request timeout, delivered once it answers', async () => {
    await em.setFaults({ token: { mode: 'hang' } })
    const wp = createWatchpost({
      config: false,
      app,
      ...tmp.options,
      delivery: { ...tmp.options.delivery, timeoutMs: 1_000 },
      sinks: [sentinelConfig(em)],
    })
    const event = record(wp, 'authn_login_fail', { userId: 'mallory', reason: 'bad_password' })
    await until(
      () => wp.health().sinks[0]?.state === 'degraded',
      5_000,
      () => wp.health(),
    )
    const h = wp.health().sinks[0]!
    assert.match(h.lastError ?? '', /^no access token: no response within 1000 ms/)
    assert.equal(h.queued, 1)
    await em.clearFaults()
    await until(() => landed(event) === 1)
    await until(() => wp.health().state === 'healthy')
    await wp.close()
  })

  test('token endpoint resetting connections: degraded at the first failure, not failing, nothing lost', async () => {
    await em.setFaults({ token: { mode: 'reset' } })
    const wp = createWatchpost({ config: false, app, ...tmp.options, sinks: [sentinelConfig(em)] })
    const event = record(wp, 'authz_fail', { userId: 'mallory', resource: '/admin' })
    await until(
      () => (wp.health().sinks[0]?.retried ?? 0) >= 1,
      5_000,
      () => wp.health(),
    )
    const h = wp.health().sinks[0]!
    // Entra could not be reached: a fault to retry, not a refusal of the credentials.
    assert.equal(h.state, 'degraded')
    assert.match(h.lastError ?? '', /^no access token: endpoints_resolution_error/)
    // Without the credential pipeline's own retries, one token request per attempt of the loop.
    await em.clearFaults()
    await until(() => landed(event) === 1)
    await until(() => wp.health().state === 'healthy')
    await wp.close()
  })

  test('refused credentials: failing at once, reported once, events kept', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? '')
    process.on('warning', onWarning)
    try {
      const config = sentinelConfig(em)
      const wp = createWatchpost({
        config: false,
        app,
        ...tmp.options,
        sinks: [{ ...config, credential: { ...config.credential, clientSecret: 'not-the-secret' } }],
      })
      record(wp, 'authn_login_fail', { userId: 'mallory', reason: 'bad_password' })
      await until(
        () => wp.health().state === 'failing',
        10_000,
        () => wp.health(),
      )
      const h = wp.health().sinks[0]!
      assert.match(h.lastError ?? '', /invalid_client|AADSTS/)
      assert.equal(h.queued, 1)
      await until(() => warnings.includes('WATCHPOST_W105'))
      await wp.close(500)
      assert.equal(warnings.filter((c) => c === 'WATCHPOST_W105').length, 1)
      // sys_monitor_disabled was recorded for the failing sink (and kept in the spool with the rest).
      assert.equal(wp.health().sinks[0]?.queued, 2)
    } finally {
      process.off('warning', onWarning)
    }
  })
})
