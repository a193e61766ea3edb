/**
 * The delivery loop (pipeline back half) over the memory store, against a scripted in-process
 * destination: what is sent, how often, in which sizes, and what happens to each failure kind.
 * End-to-end behaviour with the real Azure clients is in packages/sentinel/test and test/reliability.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { backoffDelay } from '../src/delivery/backoff.js'
import { kindOfStatus, retryAfterMs } from '../src/delivery/classify.js'
import { createDeadLetterFile } from '../src/delivery/dead-letter.js'
import { createDeliverySink, type DeliveryOptions } from '../src/delivery/delivery-sink.js'
import { MemoryStore } from '../src/delivery/memory-store.js'
import { renderMetrics } from '../src/delivery/metrics.js'
import { RateLimiter } from '../src/delivery/rate-limit.js'
import { TRIM_MARK, trimRow } from '../src/delivery/trim.js'
import { DeliveryError, type Destination } from '../src/delivery/types.js'
import { compileEvent, createBuilder } from '../src/events/build.js'
import { EVENTS_BY_NAME } from '../src/events/catalogue/index.js'
import { compileRedactor } from '../src/redaction/index.js'
import type { SecurityEvent } from '../src/schema/fields.js'
import { createSpool } from '../src/spool/index.js'
import { fastDelivery } from './support/delivery.js'
import { until } from './support/until.js'

const build = createBuilder({
  identity: { name: 'a', version: '1', environment: 't', host: 'h' },
  redactor: compileRedactor({}),
  productVersion: '0',
})
const loginFail = compileEvent(EVENTS_BY_NAME.get('authn_login_fail')!)
const event = (i: number, extra: Record<string, unknown> = {}): SecurityEvent =>
  build(loginFail, { userId: `u${i}`, ...extra }, undefined, undefined)

interface Request {
  readonly partition: string
  readonly uids: string[]
  readonly bytes: number
  readonly body: string
}

/** A destination whose answer to each request is scripted; records every request. */
function scripted(
  answer: (req: Request, n: number) => DeliveryError | undefined,
  maxRequestBytes = 1_000_000,
) {
  const requests: Request[] = []
  const delivered = new Set<string>()
  let closed = false
  const destination: Destination = {
    name: 'test:dest',
    maxRequestBytes,
    prepare: (e) => ({ partition: String(e.EventSchema), row: e }),
    async send(batch) {
      const rows = batch.rows()
      const body = batch.body()
      assert.equal(batch.count, rows.length)
      assert.equal(batch.bytes, Buffer.byteLength(body))
      const partition = batch.partition
      const req = {
        partition,
        uids: rows.map((r) => String(r.EventUid)),
        bytes: Buffer.byteLength(body),
        body,
      }
      requests.push(req)
      assert.equal(body, JSON.stringify(rows), 'body is exactly the rows as JSON')
      assert.ok(batch.bodyBytes().equals(Buffer.from(body)), 'bodyBytes is the body in UTF-8')
      const err = answer(req, requests.length)
      if (err !== undefined) throw err
      for (const uid of req.uids) delivered.add(uid)
    },
    async close() {
      closed = true
    },
  }
  return { destination, requests, delivered, isClosed: () => closed }
}

const fast = fastDelivery

/** A delivery sink over a memory store of `storeBytes`, with `fast` options and `overrides`. */
function sinkFor(destination: Destination, overrides: Partial<DeliveryOptions>, storeBytes = 1 << 20) {
  return createDeliverySink(destination, new MemoryStore({ maxBytes: storeBytes }), { ...fast, ...overrides })
}

describe('delivery loop', () => {
  test('requests never exceed the limit, uncompressed or gzip, even with incompressible data', async () => {
    const d = scripted(() => undefined)
    const sink = createDeliverySink(d.destination, new MemoryStore({ maxBytes: 64 << 20 }), fast)
    // Random hex in the message: gzip cannot shrink it much, so the compressed cap is tested too.
    const events = Array.from({ length: 3_000 }, (_, i) =>
      event(i, { reason: 'bad_password', userId: randomBytes(300).toString('base64') }),
    )
    await sink.send(events)
    await sink.flush()
    assert.equal(d.delivered.size, 3_000)
    assert.ok(d.requests.length > 1, 'split into several requests')
    for (const r of d.requests) {
      assert.ok(r.bytes <= 1_000_000, `request of ${r.bytes} bytes`)
      assert.ok(gzipSync(r.body).length <= 1_048_576)
    }
    assert.equal(sink.health().sent, 3_000)
    await sink.close()
    assert.ok(d.isClosed())
  })

  test('an event too large on its own is trimmed to fit, longest field first, never refused for ever', async () => {
    const d = scripted(() => undefined, 1_000)
    const sink = createDeliverySink(d.destination, new MemoryStore({ maxBytes: 64 << 20 }), fast)
    const big = event(1, { userId: 'x'.repeat(50_000) })
    assert.ok(Buffer.byteLength(JSON.stringify(big)) > 1_000)
    await sink.send([big])
    await sink.flush()
    assert.equal(d.requests.length, 1)
    const row = JSON.parse(d.requests[0]!.body)[0]
    assert.ok(d.requests[0]!.bytes <= 1_000)
    assert.equal(row.EventUid, big.EventUid, 'identity kept whole')
    assert.ok(JSON.stringify(row).includes(TRIM_MARK))
    await sink.close()
  })

  test('from the spool: bodies are the stored bytes, multi-byte text and trimmed rows included', async () => {
    const d = scripted(() => undefined, 20_000)
    const dir = mkdtempSync(join(tmpdir(), 'watchpost-delivery-'))
    const spool = createSpool({ directory: dir })
    const sink = createDeliverySink(d.destination, spool, { ...fast, durable: true })
    try {
      const events = Array.from({ length: 300 }, (_, i) => event(i, { reason: `é✓😀 ${i}` }))
      // Too large for a request: trimmed, so its row is a new string among rows read as bytes.
      events.splice(150, 0, { ...event(1_000), AdditionalFields: { note: 'ü'.repeat(30_000) } })
      await sink.send(events)
      await sink.flush()
      assert.equal(d.delivered.size, events.length)
      assert.ok(d.requests.length > 1, 'several requests')
      const rows = d.requests.flatMap((r) => JSON.parse(r.body) as Record<string, unknown>[])
      // Requests go side by side, so they may arrive in any order: compare what arrived as a set.
      assert.deepEqual(
        rows
          .filter((r) => r.EventUid !== events[150]!.EventUid)
          .map((r) => String(r.EventMessage))
          .sort(),
        events
          .filter((_, i) => i !== 150)
          .map((e) => String(e.EventMessage))
          .sort(),
      )
      const trimmed = rows.find((r) => r.EventUid === events[150]!.EventUid)
      assert.ok(JSON.stringify(trimmed).includes(TRIM_MARK))
    } finally {
      await sink.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('429 with Retry-After: waits at least that long, then delivers; counted as a retry', async () => {
    let first = 0
    const d = scripted((_r, n) => {
      if (n === 1) {
        first = Date.now()
        return new DeliveryError('retry', 'HTTP 429', { status: 429, retryAfterMs: 300 })
      }
      return undefined
    })
    const sink = createDeliverySink(d.destination, new MemoryStore({ maxBytes: 1 << 20 }), {
      ...fast,
      backoff: { baseMs: 5, maxDelayMs: 1_000 },
    })
    await sink.send([event(1), event(2)])
    await until(() => d.delivered.size === 2)
    assert.equal(d.requests.length, 2)
    assert.ok(Date.now() - first >= 290, 'Retry-After honoured')
    assert.equal(sink.health().retried, 1)
    await sink.close()
  })

  test("a 429's Retry-After holds every request of the sink, not only the one that got it", async () => {
    const starts: Array<{ at: number; partition: string }> = []
    let throttledAt = 0
    let failedB = false
    const destination: Destination = {
      name: 'gate',
      maxRequestBytes: 1_000_000,
      prepare: (e) => ({ partition: e.EventSchema === 'Authentication' ? 'A' : 'B', row: e }),
      async send({ partition }) {
        starts.push({ at: Date.now(), partition })
        if (partition === 'A' && throttledAt === 0) {
          throttledAt = Date.now()
          throw new DeliveryError('retry', 'HTTP 429', { status: 429, retryAfterMs: 300 })
        }
        if (partition === 'B' && !failedB) {
          // B fails a little later with a short backoff of its own: its retry falls inside A's wait.
          failedB = true
          await new Promise((r) => setTimeout(r, 40))
          throw new DeliveryError('retry', 'HTTP 503', { status: 503 })
        }
      },
      async close() {},
    }
    const sink = createDeliverySink(destination, new MemoryStore({ maxBytes: 1 << 20 }), {
      ...fast,
      backoff: { baseMs: 5, maxDelayMs: 1_000 },
    })
    const authz = compileEvent(EVENTS_BY_NAME.get('authz_fail')!)
    await sink.send([event(1), build(authz, { userId: 'b', resource: '/x' }, undefined, undefined)])
    await until(() => sink.health().sent === 2)
    const retryB = starts.filter((s) => s.partition === 'B')[1]
    assert.ok(retryB !== undefined)
    assert.ok(retryB.at - throttledAt >= 290, `B's retry started ${retryB.at - throttledAt} ms after the 429`)
    await sink.close()
  })

  test('while the destination is down, requests go one at a time; all go at once again after a success', async () => {
    let down = true
    let inFlight = 0
    let maxWhileDown = 0
    let maxAfter = 0
    let failures = 0
    const destination: Destination = {
      name: 'outage',
      maxRequestBytes: 2_000,
      prepare: (e) => ({ partition: 'p', row: e }),
      async send() {
        inFlight++
        // Counted once the four first attempts (started together) have all failed.
        if (failures >= 4 && down) maxWhileDown = Math.max(maxWhileDown, inFlight)
        if (!down) maxAfter = Math.max(maxAfter, inFlight)
        await new Promise((r) => setTimeout(r, 15))
        inFlight--
        if (down) {
          failures++
          throw new DeliveryError('retry', 'connect ECONNREFUSED')
        }
      },
      async close() {},
    }
    const sink = sinkFor(destination, { concurrency: 4, backoff: { baseMs: 5, maxDelayMs: 20 } })
    await sink.send(Array.from({ length: 40 }, (_, i) => event(i)))
    await until(() => failures >= 12)
    down = false
    await until(() => sink.health().sent === 40)
    assert.equal(maxWhileDown, 1, 'one probe at a time during the outage')
    assert.ok(maxAfter > 1, `concurrency back after recovery (${maxAfter})`)
    await sink.close()
  })

  test('records wait up to lingerMs for company: one request instead of three', async () => {
    const d = scripted(() => undefined)
    const sink = createDeliverySink(d.destination, new MemoryStore({ maxBytes: 1 << 20 }), {
      ...fast,
      lingerMs: 150,
    })
    for (let i = 0; i < 3; i++) {
      await sink.send([event(i)])
      await new Promise((r) => setTimeout(r, 20))
    }
    await until(() => d.delivered.size === 3)
    assert.equal(d.requests.length, 1)
    // flush() does not wait for the linger.
    await sink.send([event(9)])
    const started = Date.now()
    await sink.flush()
    assert.ok(Date.now() - started < 100)
    assert.equal(d.requests.length, 2)
    await sink.close()
  })

  test('400: the batch is split until the poison record is alone; only it goes to the dead-letter file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-dl-'))
    try {
      const events = Array.from({ length: 200 }, (_, i) => event(i))
      const poison = events[137]!.EventUid
      const d = scripted((r) =>
        r.uids.includes(poison)
          ? new DeliveryError('rejected', 'InvalidData: bad row', { status: 400 })
          : undefined,
      )
      const deadLetter = createDeadLetterFile({ path: join(dir, 'dl.jsonl'), maxBytes: 1 << 20 })
      const problems: string[] = []
      const sink = createDeliverySink(
        d.destination,
        new MemoryStore({ maxBytes: 1 << 20 }),
        { ...fast, deadLetter },
        { onProblem: (code, _message, { first }) => first && problems.push(code) },
      )
      await sink.send(events)
      await sink.flush()
      assert.equal(d.delivered.size, 199)
      assert.ok(!d.delivered.has(poison))
      const lines = readFileSync(join(dir, 'dl.jsonl'), 'utf8').trim().split('\n')
      assert.equal(lines.length, 1)
      const entry = JSON.parse(lines[0]!)
      assert.equal(JSON.parse(entry.record.slice(entry.record.indexOf('\n') + 1)).EventUid, poison)
      assert.equal(
        entry.record.slice(0, entry.record.indexOf('\n')),
        'Authentication',
        'stored with its partition',
      )
      assert.equal(entry.status, 400)
      assert.match(entry.error, /InvalidData/)
      assert.ok(d.requests.length <= 2 * Math.ceil(Math.log2(200)) + 2, `${d.requests.length} requests`)
      const h = sink.health()
      assert.equal(h.deadLettered, 1)
      assert.equal(h.state, 'degraded')
      assert.deepEqual(problems, ['set_aside'])
      assert.equal(h.queued, 0)
      await sink.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('413 splits the request; every record arrives', async () => {
    const d = scripted((r) =>
      r.uids.length > 10 ? new DeliveryError('too_large', 'HTTP 413', { status: 413 }) : undefined,
    )
    const sink = createDeliverySink(d.destination, new MemoryStore({ maxBytes: 1 << 20 }), fast)
    await sink.send(Array.from({ length: 100 }, (_, i) => event(i)))
    await sink.flush()
    assert.equal(d.delivered.size, 100)
    assert.ok(d.requests.every((r) => r.uids.length <= 10 || d.requests.indexOf(r) < d.requests.length))
    await sink.close()
  })

  test('401: data kept, state failing at once, reported once; delivered when the credentials work again', async () => {
    let refuse = true
    const d = scripted(() =>
      refuse ? new DeliveryError('auth', 'HTTP 401 InvalidToken', { status: 401 }) : undefined,
    )
    const problems: string[] = []
    const occurrences: string[] = []
    const states: string[] = []
    const sink = createDeliverySink(d.destination, new MemoryStore({ maxBytes: 1 << 20 }), fast, {
      onProblem: (code, _message, { sink, first }) => {
        occurrences.push(`${sink} ${code}`)
        if (first) problems.push(code)
      },
      onStateChange: (_h, _f, to) => states.push(to),
    })
    await sink.send([event(1), event(2), event(3)])
    await until(() => d.requests.length >= 3)
    assert.equal(sink.health().state, 'failing')
    assert.equal(sink.health().queued, 3)
    assert.match(sink.health().lastError ?? '', /401/)
    refuse = false
    await until(() => d.delivered.size === 3)
    await until(() => sink.health().state === 'healthy')
    assert.deepEqual(problems, ['auth'], 'first of its kind once')
    // Every refused request is an occurrence (for the app's logger, rate-limited there).
    assert.ok(occurrences.length >= 3, `${occurrences.length} occurrences`)
    assert.ok(occurrences.every((o) => o === `${d.destination.name} auth`))
    assert.deepEqual(states, ['failing', 'healthy'])
    await sink.close()
  })

  test('flush resolves while backing off; close with the memory store counts what is left as shutdown', async () => {
    const d = scripted(() => new DeliveryError('retry', 'HTTP 503', { status: 503 }))
    const sink = createDeliverySink(d.destination, new MemoryStore({ maxBytes: 1 << 20 }), {
      ...fast,
      backoff: { baseMs: 10_000, maxDelayMs: 10_000 },
    })
    await sink.send([event(1), event(2)])
    await sink.flush()
    assert.equal(sink.health().state, 'degraded')
    await sink.close()
    assert.equal(sink.health().dropped.shutdown, 2)
    assert.equal(sink.health().queued, 0, 'counted once: as dropped, no longer as queued')
  })

  test('concurrency bounds requests in flight', async () => {
    let inFlight = 0
    let max = 0
    const destination: Destination = {
      name: 'slow',
      maxRequestBytes: 2_000,
      prepare: (e) => ({ partition: 'p', row: e }),
      async send() {
        inFlight++
        max = Math.max(max, inFlight)
        await new Promise((r) => setTimeout(r, 10))
        inFlight--
      },
      async close() {},
    }
    const sink = createDeliverySink(destination, new MemoryStore({ maxBytes: 1 << 20 }), {
      ...fast,
      concurrency: 3,
    })
    await sink.send(Array.from({ length: 60 }, (_, i) => event(i)))
    await until(() => sink.health().sent === 60)
    assert.equal(max, 3)
    await sink.close()
  })

  test('bytes in flight stay within maxInFlightBytes whatever the concurrency', async () => {
    // Bytes of the requests out now, the most ever out, events prepared (three partitions in turn).
    const seen = { out: 0, most: 0, prepared: 0 }
    const destination: Destination = {
      name: 'slow',
      maxRequestBytes: 2_000,
      prepare: (e) => ({ partition: String(seen.prepared++ % 3), row: e }),
      async send(batch) {
        seen.out += batch.bytes
        seen.most = Math.max(seen.most, seen.out)
        await new Promise((r) => setTimeout(r, 10))
        seen.out -= batch.bytes
      },
      async close() {},
    }
    const sink = sinkFor(destination, { concurrency: 8, maxInFlightBytes: 6_000 }, 4 << 20)
    await sink.send(Array.from({ length: 300 }, (_, i) => event(i)))
    await until(() => sink.health().sent === 300)
    assert.ok(seen.most <= 6_000, `${seen.most} bytes in flight`)
    assert.ok(seen.most > 2_000, `${seen.most} bytes in flight: more than one request went at once`)
    await sink.close()
  })

  test('inFlight counts requests sent and not yet answered, not batches', async () => {
    const pending: Array<(err?: DeliveryError) => void> = []
    let prepared = 0
    const destination: Destination = {
      name: 'held',
      maxRequestBytes: 1_000_000,
      prepare: (e) => ({ partition: String(prepared++ % 2), row: e }),
      send: () =>
        new Promise<void>((resolve, reject) =>
          pending.push((err) => (err === undefined ? resolve() : reject(err))),
        ),
      async close() {},
    }
    const sink = sinkFor(destination, { concurrency: 1, backoff: { baseMs: 60_000, maxDelayMs: 60_000 } })
    // One batch whose records fall into two partitions: two requests side by side.
    await sink.send(Array.from({ length: 10 }, (_, i) => event(i)))
    await until(() => pending.length === 2)
    assert.equal(sink.health().inFlight, 2)
    pending.shift()!()
    await until(() => sink.health().inFlight === 1)
    // The other one fails: while it waits for its retry, nothing is in flight.
    pending.shift()!(new DeliveryError('retry', 'HTTP 503'))
    await until(() => sink.health().state === 'degraded')
    assert.equal(sink.health().inFlight, 0)
    assert.ok(sink.health().queued > 0, 'its records wait for the retry')
    await sink.close()
  })
})

describe('memory store', () => {
  const rec = (severity: 0 | 1 | 2 | 3, i: number) => ({
    data: `{"i":${i},"s":${severity}}`,
    severity,
    time: i,
  })

  test('over its byte bound it drops the oldest record of the lowest severity first, counted', () => {
    const size = Buffer.byteLength(rec(0, 10).data)
    const store = new MemoryStore({ maxBytes: size * 4 })
    store.append([rec(3, 10), rec(0, 11), rec(0, 12), rec(2, 13)])
    store.append([rec(1, 14), rec(3, 15)])
    const kept = store.lease(1e9, 100).map((r) => JSON.parse(r.data).i)
    assert.deepEqual(kept, [10, 13, 14, 15])
    assert.equal(store.stats().dropped.overflow, 2)
  })

  test('a newcomer outranked by everything held is itself the one dropped', () => {
    const size = Buffer.byteLength(rec(3, 10).data)
    const store = new MemoryStore({ maxBytes: size * 2 })
    store.append([rec(3, 10), rec(3, 11), rec(0, 12)])
    assert.deepEqual(
      store.lease(1e9, 10).map((r) => JSON.parse(r.data).i),
      [10, 11],
    )
    assert.equal(store.stats().dropped.overflow, 1)
  })

  test('lease is oldest first across severities; release keeps the order; ack forgets', () => {
    const store = new MemoryStore({ maxBytes: 1 << 20 })
    store.append([rec(0, 1), rec(3, 2), rec(1, 3)])
    const a = store.lease(1e9, 2)
    assert.deepEqual(
      a.map((r) => JSON.parse(r.data).i),
      [1, 2],
    )
    store.release(a)
    const b = store.lease(1e9, 10)
    assert.deepEqual(
      b.map((r) => JSON.parse(r.data).i),
      [1, 2, 3],
    )
    store.ack(b)
    assert.equal(store.stats().records, 0)
    assert.equal(store.available, 0)
  })

  test('records older than the age bound are dropped as expired', () => {
    let now = 1_000
    const store = new MemoryStore({ maxBytes: 1 << 20, maxAgeMs: 500, now: () => now })
    store.append([rec(2, 100), rec(2, 900)])
    now = 1_200
    assert.deepEqual(
      store.lease(1e9, 10).map((r) => JSON.parse(r.data).i),
      [900],
    )
    assert.equal(store.stats().dropped.expired, 1)
  })
})

describe('delivery helpers', () => {
  test('Retry-After: ms headers first, then seconds or an HTTP date', () => {
    const h = (o: Record<string, string>) => (n: string) => o[n]
    assert.equal(retryAfterMs(h({ 'retry-after-ms': '250', 'retry-after': '9' })), 250)
    assert.equal(retryAfterMs(h({ 'x-ms-retry-after-ms': '40' })), 40)
    assert.equal(retryAfterMs(h({ 'retry-after': '3' })), 3000)
    assert.equal(retryAfterMs(h({ 'retry-after': new Date(10_000).toUTCString() }), 4_000), 6_000)
    assert.equal(retryAfterMs(h({ 'retry-after': 'soon' })), undefined)
    assert.equal(retryAfterMs(h({})), undefined)
  })

  test('status classification', () => {
    assert.deepEqual([400, 401, 403, 404, 408, 413, 429, 500, 503, 422, 301].map(kindOfStatus), [
      'rejected',
      'auth',
      'auth',
      'not_found',
      'retry',
      'too_large',
      'retry',
      'retry',
      'retry',
      'rejected',
      'not_found',
    ])
  })

  test('full jitter: within [0, min(cap, base·2^n)]; Retry-After wins when longer, capped', () => {
    const o = { baseMs: 100, maxDelayMs: 1_000 }
    assert.equal(
      backoffDelay(0, undefined, o, () => 0.999),
      99,
    )
    assert.equal(
      backoffDelay(3, undefined, o, () => 0.999),
      799,
    )
    assert.equal(
      backoffDelay(20, undefined, o, () => 0.999),
      999,
    )
    assert.equal(
      backoffDelay(0, undefined, o, () => 0),
      0,
    )
    assert.equal(
      backoffDelay(0, 500, o, () => 0.5),
      500,
    )
    assert.equal(
      backoffDelay(0, 5_000, o, () => 0.5),
      1_000,
    )
  })

  test('rate limiter: a burst beyond the per-minute budget waits its share', () => {
    let now = 0
    const limiter = new RateLimiter({ requestsPerMinute: 60, bytesPerMinute: 1e9 }, () => now)
    for (let i = 0; i < 60; i++) assert.equal(limiter.take(10), 0)
    assert.equal(limiter.take(10), 1_000)
    now = 60_000
    assert.equal(limiter.take(10), 0)
  })

  test('trimRow cuts the longest fields first and never exceeds the budget', () => {
    const row = { id: 'keep-me', a: 'a'.repeat(5_000), b: 'b'.repeat(2_000), c: { deep: 'x'.repeat(3_000) } }
    const out = trimRow(row, 4_000)
    assert.ok(out !== undefined)
    assert.ok(Buffer.byteLength(out.json) <= 4_000)
    assert.equal(out.row.id, 'keep-me')
    assert.equal(out.trimmed[0], 'a')
    assert.equal(trimRow({ a: 'x' }, 3), undefined)
    // Multi-byte and escaped characters are counted as sent.
    const tricky = trimRow({ s: '€"\n'.repeat(1_000) }, 500)
    assert.ok(tricky !== undefined && Buffer.byteLength(tricky.json) <= 500)
  })

  test('Prometheus text: HELP/TYPE once per metric, labels escaped', () => {
    const text = renderMetrics(
      {
        emitted: 5,
        queued: 1,
        queuedBytes: 10,
        dropped: { queue_full: 2, closed: 0, shutdown_timeout: 0, sink_failed: 0 },
        sinks: {},
      },
      [
        {
          sink: 'webhook:https://x/"y"',
          state: 'degraded',
          queued: 3,
          queuedBytes: 300,
          spooled: true,
          inFlight: 1,
          sent: 7,
          requests: 2,
          retried: 1,
          deadLettered: 0,
          dropped: { overflow: 0, expired: 0, corrupt: 0, unwritable: 0, rejected: 0, shutdown: 0 },
          lastError: undefined,
          lastErrorAt: undefined,
          lastSuccessAt: undefined,
        },
      ],
    )
    assert.equal(text.match(/# TYPE watchpost_events_dropped_total counter/g)?.length, 1)
    assert.match(text, /watchpost_events_dropped_total\{sink="pipeline",reason="queue_full"\} 2/)
    assert.match(text, /watchpost_delivery_state\{sink="webhook:https:\/\/x\/\\"y\\"",state="degraded"\} 1/)
    assert.match(text, /watchpost_delivery_sent_total\{sink="[^"]*\\"y\\""\} 7/)
  })
})
