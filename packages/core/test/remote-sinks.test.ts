/**
 * Remote sinks configured through createWatchpost (the `webhook` type here, against a real local
 * HTTP server; the `sentinel` type against the emulator is in packages/sentinel/test): signed
 * batches, health and metrics, drops reported as sys_monitor_events_dropped, and shutdown.signals.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, beforeEach, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createWatchpost } from '../src/index.js'
import { verifyWebhookSignature } from '../src/sinks/webhook-signature.js'
import { until } from './support/until.js'

const SECRET = 'webhook-secret-0123456789abcdef'

interface Receiver {
  readonly url: string
  /** Events received, in order, from every accepted request. */
  readonly events: Array<Record<string, unknown>>
  /** Status to answer with (default 204). */
  status: number
  signaturesValid: boolean
  close(): Promise<void>
}

async function receiver(): Promise<Receiver> {
  const r = {
    events: [] as Array<Record<string, unknown>>,
    status: 204,
    signaturesValid: true,
  }
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      if (r.status >= 300) {
        res.writeHead(r.status).end()
        return
      }
      const signature = req.headers['x-watchpost-signature']
      if (typeof signature === 'string') {
        r.signaturesValid &&= verifyWebhookSignature({
          secret: SECRET,
          timestamp: String(req.headers['x-watchpost-timestamp']),
          body,
          signature,
        })
      }
      r.events.push(...(JSON.parse(body) as Array<Record<string, unknown>>))
      res.writeHead(r.status).end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
}

describe('remote sinks through createWatchpost', () => {
  let dir: string
  let rx: Receiver
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wp-remote-'))
    rx = await receiver()
  })
  afterEach(async () => {
    await rx.close()
    rmSync(dir, { recursive: true, force: true })
  })
  after(() => {})

  const options = (extra: Record<string, unknown> = {}) => ({
    config: false as const,
    app: { name: 'shop', version: '1.0.0' },
    spool: { directory: join(dir, 'spool') },
    delivery: { retryBaseMs: 10, retryMaxDelayMs: 100, deadLetter: { path: join(dir, 'dl.jsonl') } },
    sinks: [{ type: 'webhook' as const, url: rx.url, secret: SECRET }],
    ...extra,
  })

  test('webhook: signed batches arrive; health and metrics count them', async () => {
    const wp = createWatchpost(options())
    const uids = Array.from(
      { length: 50 },
      (_, i) => wp.record('authz_fail', { userId: `u${i}`, resource: '/a' })?.EventUid,
    )
    await wp.flush()
    assert.deepEqual(
      rx.events.map((e) => e.EventUid),
      uids,
    )
    assert.ok(rx.signaturesValid)
    const health = wp.health()
    assert.equal(health.state, 'healthy')
    assert.equal(health.sinks[0]?.sent, 50)
    assert.equal(health.sinks[0]?.spooled, true)
    assert.match(
      wp.metrics(),
      /watchpost_delivery_sent_total\{sink="webhook:http:\/\/127\.0\.0\.1:\d+#[0-9a-f]{8}"\} 50/,
    )
    await wp.close()
  })

  test('drops are counted exactly and reported as sys_monitor_events_dropped once delivery recovers', async () => {
    rx.status = 503
    // No spool, a memory bound of a few events: the outage overflows it.
    const wp = createWatchpost(options({ spool: { enabled: false }, queue: { maxBytes: 8_000 } }))
    // A few at a time, so the front queue (bounded by the same queue.maxBytes) always has room.
    for (let i = 0; i < 40; i++) {
      wp.record('authz_fail', { userId: `u${i}`, resource: '/a' })
      if (i % 4 === 3) await wp.flush()
    }
    assert.equal(wp.stats().dropped.queue_full, 0)
    const h = wp.health().sinks[0]!
    const overflow = h.dropped.overflow
    assert.ok(overflow > 0, 'the bound was reached')
    assert.equal(h.queued + overflow + h.sent, 40, 'every event is queued, sent or counted')
    rx.status = 204
    await until(() => rx.events.some((e) => e.EventOriginalType === 'sys_monitor_events_dropped'))
    const report = rx.events.find((e) => e.EventOriginalType === 'sys_monitor_events_dropped')!
    assert.equal(report.EventOriginalResultDetails, 'overflow')
    assert.equal((report.AdditionalFields as Record<string, unknown>).Dropped, overflow)
    assert.match(String(report.Object), /^webhook:/)
    await wp.close()
  })

  test('a failing sink records sys_monitor_disabled, then sys_monitor_enabled when it recovers', async () => {
    rx.status = 401
    const wp = createWatchpost(options())
    wp.record('authz_fail', { userId: 'u', resource: '/a' })
    await until(() => wp.health().state === 'failing')
    rx.status = 204
    await until(() => rx.events.some((e) => e.EventOriginalType === 'sys_monitor_enabled'))
    const types = rx.events.map((e) => e.EventOriginalType)
    assert.deepEqual(types.slice(0, 2).sort(), ['authz_fail', 'sys_monitor_disabled'])
    const disabled = rx.events.find((e) => e.EventOriginalType === 'sys_monitor_disabled')!
    assert.match(String(disabled.EventOriginalResultDetails), /401/)
    await wp.close()
  })

  test('shutdown.signals: SIGTERM closes (delivering what is queued) and then ends the process', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/close-on-signal.ts', import.meta.url))
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fixture, JSON.stringify({ url: rx.url, spool: join(dir, 'spool'), count: 25 })],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
    })
    await until(() => out.includes('ready'), 20_000)
    // The queue flushes only every 60 s: these events are still in memory when the signal comes.
    assert.equal(rx.events.length, 0)
    child.kill('SIGTERM')
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
    assert.equal(rx.events.length, 25)
    assert.deepEqual({ code, signal }, { code: null, signal: 'SIGTERM' })
  })
})
