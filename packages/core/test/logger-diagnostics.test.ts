/**
 * Runtime diagnostics to the app's logger (`runtime.logger`): one line per code (and sink, reason)
 * per interval, then one line with the count left out; the code as a field; never an event's
 * content; a logger that throws breaks nothing. Process warnings stay as they were.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { createWatchpost } from '../src/index.js'
import { createDiagnostics } from '../src/instance/diagnostics.js'
import { createWarningScope } from '../src/warnings.js'
import { failingSink, memorySink } from './support/sinks.js'
import { until } from './support/until.js'

interface Line {
  readonly fields: Record<string, unknown>
  readonly message: string
}

function capturingLogger(): { warn(fields: Record<string, unknown>, message: string): void; lines: Line[] } {
  const lines: Line[] = []
  return {
    lines,
    warn(fields, message) {
      lines.push({ fields, message })
    },
  }
}

/** Codes of the process warnings emitted while the suite runs. */
const processWarnings: string[] = []
const onWarning = (w: Error & { code?: string }) => processWarnings.push(w.code ?? '')

describe('logger diagnostics', () => {
  before(() => process.on('warning', onWarning))
  after(() => process.off('warning', onWarning))

  test('one line per code per interval; at its end one line with the count left out', async () => {
    const logger = capturingLogger()
    // Long enough that the line written at the interval's end and the warning after it fall in one
    // interval even on a busy machine.
    const diagnostics = createDiagnostics({ scope: createWarningScope(), logger, intervalMs: 1000 })
    const cause = new Error('lockAccount timed out')
    for (let i = 0; i < 5; i++) diagnostics.warn('WATCHPOST_W109', { hook: 'lockAccount', rule: 'r1', cause })
    assert.equal(logger.lines.length, 1)
    assert.deepEqual(logger.lines[0]!.fields, {
      code: 'WATCHPOST_W109',
      hook: 'lockAccount',
      rule: 'r1',
      error: 'lockAccount timed out',
    })
    assert.match(logger.lines[0]!.message, /^@watchpost\/core: the rule hook lockAccount \(rule r1\) failed/)
    await until(() => logger.lines.length === 2, 5_000)
    assert.equal(logger.lines[1]!.fields.suppressed, 4)
    assert.equal(logger.lines[1]!.fields.code, 'WATCHPOST_W109')
    assert.match(logger.lines[1]!.message, /\(4 like this since the last line\)$/)
    // The summary opened a new interval: the next one waits for its end, and close() writes it.
    diagnostics.warn('WATCHPOST_W109', { hook: 'lockAccount', rule: 'r1', cause })
    assert.equal(logger.lines.length, 2)
    diagnostics.close()
    assert.equal(logger.lines.length, 3)
    assert.equal(logger.lines[2]!.fields.suppressed, 1)
  })

  test('another sink or reason is a line of its own; a process warning only where the code has one', () => {
    const logger = capturingLogger()
    const before = processWarnings.length
    const diagnostics = createDiagnostics({ scope: createWarningScope(), logger, intervalMs: 60_000 })
    diagnostics.warn('WATCHPOST_W113', { sink: 'pipeline', reason: 'queue_full', dropped: 3 })
    diagnostics.warn('WATCHPOST_W113', { sink: 'pipeline', reason: 'closed', dropped: 1 })
    diagnostics.warn('WATCHPOST_W113', { sink: 'sentinel:dcr-1', reason: 'overflow', dropped: 2 })
    diagnostics.warn('WATCHPOST_W113', { sink: 'pipeline', reason: 'queue_full', dropped: 9 })
    assert.deepEqual(
      logger.lines.map((l) => [l.fields.sink, l.fields.reason, l.fields.dropped]),
      [
        ['pipeline', 'queue_full', 3],
        ['pipeline', 'closed', 1],
        ['sentinel:dcr-1', 'overflow', 2],
      ],
    )
    diagnostics.close()
    assert.equal(logger.lines.at(-1)!.fields.dropped, 9, 'the last one left out, with its count')
    assert.equal(logger.lines.at(-1)!.fields.suppressed, 1)
    assert.ok(!processWarnings.slice(before).includes('WATCHPOST_W113'), 'logger-only: no process warning')
  })

  test('an instance logs its failing sink, its drops with their reason and an unknown event; no event content', async () => {
    const logger = capturingLogger()
    const wp = createWatchpost(
      { config: false, sinks: [], queue: { maxEvents: 5 } },
      { sinks: [failingSink('broken', 'disk full')], logger, logIntervalMs: 100 },
    )
    for (let i = 0; i < 20; i++)
      wp.record('authn_login_fail', { userId: 'alice@example.com', reason: 'bad_password' })
    wp.record('no_such_event' as never)
    await wp.flush()
    await until(() => logger.lines.some((l) => l.fields.code === 'WATCHPOST_W113'), 5_000)
    const byCode = (code: string) => logger.lines.filter((l) => l.fields.code === code)
    // 15 of the 20, and what the rules derived from them (a brute-force firing) found the queue full too.
    const queueFull = wp.stats().dropped.queue_full
    assert.ok(queueFull >= 15)
    assert.deepEqual(byCode('WATCHPOST_W113')[0]!.fields, {
      code: 'WATCHPOST_W113',
      sink: 'pipeline',
      reason: 'queue_full',
      dropped: queueFull,
    })
    assert.deepEqual(byCode('WATCHPOST_W101')[0]!.fields, {
      code: 'WATCHPOST_W101',
      sink: 'broken',
      events: 5,
      error: 'disk full',
    })
    assert.deepEqual(byCode('WATCHPOST_W103')[0]!.fields, { code: 'WATCHPOST_W103', event: 'no_such_event' })
    await wp.close()
    assert.ok(!JSON.stringify(logger.lines).includes('alice'), 'no field of an event is logged')
  })

  test('a logger that throws breaks nothing: events are still delivered', async () => {
    let calls = 0
    const logger = {
      warn() {
        calls++
        throw new Error('logger down')
      },
    }
    const memory = memorySink()
    const wp = createWatchpost(
      { config: false, sinks: [] },
      { sinks: [failingSink('broken', 'refused'), memory], logger },
    )
    for (let i = 0; i < 3; i++) assert.ok(wp.record('authz_fail', { userId: `u${i}`, resource: '/admin' }))
    await wp.flush()
    await wp.close()
    assert.equal(memory.events.filter((e) => e.EventOriginalType === 'authz_fail').length, 3)
    assert.ok(calls >= 1, 'the logger was called')
  })

  test('a trustProxy function that throws: the socket peer is the client, and the logger hears of it', async () => {
    const logger = capturingLogger()
    const wp = createWatchpost(
      {
        config: false,
        sinks: [],
        trustProxy: () => {
          throw new Error('proxy list unavailable')
        },
      },
      { logger },
    )
    const server = http.createServer((req, res) => {
      res.end(wp.context(req, res).clientIp)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-forwarded-for': '203.0.113.9' } })
      assert.equal(await res.text(), '127.0.0.1')
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
    assert.deepEqual(
      logger.lines.map((l) => l.fields),
      [{ code: 'WATCHPOST_W114', error: 'proxy list unavailable' }],
    )
    assert.ok(!logger.lines[0]!.message.includes('203.0.113.9'), 'no address is logged')
    await wp.close()
  })

  test('misuse at start-up: a logger without warn(), an interval that is not a positive number', () => {
    for (const runtime of [{ logger: {} }, { logger: 'stdout' }, { logger: console, logIntervalMs: 0 }]) {
      assert.throws(
        () => createWatchpost({ config: false, sinks: [] }, runtime as never),
        (err: Error & { code?: string }) =>
          err instanceof TypeError && err.code === 'ERR_WATCHPOST_LOGGER_INVALID',
      )
    }
  })
})
