/**
 * End to end: createWatchpost with a `sentinel` sink from config → core loads @watchpost/sentinel →
 * the real @azure/identity + @azure/monitor-ingestion clients → the emulator over HTTPS (strict mode:
 * a column the stream does not declare is a 400). ASIM routing and custom mode.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { createWatchpost, type SecurityEvent, type Watchpost } from '@watchpost/core'
import {
  ASIM_PROJECTIONS,
  type AsimSchema,
  CUSTOM_STREAM,
  CUSTOM_TABLE,
  projectToAsim,
} from '@watchpost/core/sdk'
import type { Emulator } from '@watchpost/emulator'
import { columnsOf, sentinelConfig, serve, start } from './support/helpers.js'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'

/** Records one event of each ASIM schema inside a real request, with its context. */
async function recordAllSchemas(wp: Watchpost): Promise<SecurityEvent[]> {
  const events: SecurityEvent[] = []
  const keep = (e: SecurityEvent | undefined) => {
    assert.ok(e !== undefined, 'core built the event')
    events.push(e)
  }
  await serve(
    (req, res) => {
      const context = wp.context(req, res)
      keep(wp.record('authn_login_fail', { userId: 'mallory', reason: 'bad_password' }, { context }))
      keep(wp.record('authz_fail', { userId: 'mallory', resource: '/admin' }, { context }))
      keep(wp.record('sensitive_read', { userId: 'alice', object: 'payroll.csv', records: 12 }, { context }))
      keep(wp.record('user_created', { userId: 'alice', newUserId: 'carol' }, { context }))
    },
    [{ traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` }, { 'x-request-id': 'req-42' }],
  )
  return events
}

const app = { name: 'shop', version: '1.0.0', environment: 'test', host: 'web-01' }

describe('sentinel sink against the emulator', () => {
  let em: Emulator
  before(async () => {
    em = await start()
  })
  after(() => em.close())
  beforeEach(() => {
    em.store.clear()
    em.clearRequests()
  })

  test('tables: asim — each event lands in its ASIM table with exactly its projected columns', async () => {
    const wp = createWatchpost({ config: false, app, sinks: [sentinelConfig(em)] })
    const events = await recordAllSchemas(wp)
    await wp.close()

    const sink = `sentinel:${em.dcrImmutableId}`
    assert.deepEqual(wp.stats().sinks[sink], { delivered: 8, failed: 0, lastError: undefined })
    const counts = em.store.counts()
    for (const projection of Object.values(ASIM_PROJECTIONS)) assert.equal(counts[projection.table], 2)

    for (const event of events) {
      const rows = em.store.rows({ eventUid: event.EventUid })
      assert.equal(rows.length, 1, `one row for ${event.EventOriginalType}`)
      const row = rows[0]!
      const { projection, row: projected } = projectToAsim(event)
      assert.equal(row._Table, projection.table)
      assert.equal(row._Stream, projection.inputStream)
      assert.equal(row.EventOriginalUid, event.EventUid)
      assert.equal(row.EventUid, undefined, 'the ASIM tables have no EventUid column')
      const declared = new Set(ASIM_PROJECTIONS[event.EventSchema as AsimSchema].columns.map((c) => c.name))
      for (const column of Object.keys(projected)) assert.ok(declared.has(column), `${column} is declared`)
      assert.deepEqual(columnsOf(row), JSON.parse(JSON.stringify(projected)))
    }
    // The request context travelled with the events (W3C trace id, else the incoming request id).
    assert.deepEqual([...new Set(events.map((e) => e.CorrelationId))].sort(), [TRACE_ID, 'req-42'].sort())
    assert.ok(events.every((e) => e.SrcIpAddr !== undefined && e.Url === '/account/export'))

    // One upload per stream per batch: both requests' events went in one batch → 4 requests, all 204.
    const requests = em.requests()
    assert.deepEqual(
      requests.map((r) => r.stream).sort(),
      Object.values(ASIM_PROJECTIONS)
        .map((p) => p.inputStream)
        .sort(),
    )
    assert.ok(requests.every((r) => r.status === 204))
  })

  test('tables: custom — every event, every column, in WatchpostSecurityEvents_CL', async () => {
    const wp = createWatchpost({ config: false, app, sinks: [sentinelConfig(em, { tables: 'custom' })] })
    const events = await recordAllSchemas(wp)
    await wp.close()

    assert.equal(wp.stats().sinks[`sentinel:${em.dcrImmutableId}`]?.delivered, 8)
    const rows = em.store.rows({ table: CUSTOM_TABLE })
    assert.equal(rows.length, 8)
    for (const event of events) {
      const row = rows.find((r) => r.EventUid === event.EventUid)
      assert.ok(row !== undefined, `${event.EventOriginalType} stored`)
      assert.equal(row._Stream, CUSTOM_STREAM)
      assert.deepEqual(columnsOf(row), JSON.parse(JSON.stringify(event)))
    }
    const requests = em.requests()
    assert.equal(requests.length, 1)
    assert.equal(requests[0]?.stream, CUSTOM_STREAM)
  })

  test('streams overrides the input stream of a schema', async () => {
    // The emulator's DCR only knows its own names: sending Authentication to the WebSession stream
    // would be refused for its columns, so route WebSession to its own name spelled explicitly and
    // prove the override is used by pointing Authentication at an unknown stream (404: kept, failing).
    const config = {
      ...sentinelConfig(em),
      streams: { WebSession: 'Custom-WatchpostWebSession', Authentication: 'Custom-Nope' },
    }
    const wp = createWatchpost({ config: false, app, spool: { enabled: false }, sinks: [config] })
    await recordAllSchemas(wp)
    const end = Date.now() + 10_000
    while (wp.health().state !== 'failing' && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
    const health = wp.health().sinks[0]
    assert.equal(health?.state, 'failing')
    assert.match(health?.lastError ?? '', /Custom-Nope/)
    // The two Authentication events are kept for retry, never delivered elsewhere; the other six
    // land, and so does the sys_monitor_disabled event the failing sink caused (an AuditEvent).
    while ((wp.health().sinks[0]?.sent ?? 0) < 7 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20))
    await wp.close(500)
    assert.ok(em.requests().some((r) => r.stream === 'Custom-Nope' && r.status === 404))
    assert.equal(wp.health().sinks[0]?.sent, 7)
    // Without a spool, what was left at close is counted as dropped at shutdown.
    assert.equal(wp.health().sinks[0]?.dropped.shutdown, 2)
    const audit = em.store.rows({ table: ASIM_PROJECTIONS.AuditEvent.table })
    assert.ok(
      audit.some(
        (r) =>
          r.EventOriginalType === 'sys_monitor_disabled' &&
          String(r.Object ?? r.EventMessage).includes('sentinel:'),
      ),
    )
    assert.equal(em.store.counts()[ASIM_PROJECTIONS.Authentication.table], 0)
  })
})
