import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { compileEvent, createBuilder } from '../src/events/build.js'
import { EVENTS_BY_NAME } from '../src/events/catalogue/index.js'
import { Pipeline, type PipelineOptions } from '../src/pipeline/pipeline.js'
import { RingQueue } from '../src/pipeline/ring-queue.js'
import type { Sink } from '../src/pipeline/types.js'
import { compileRedactor } from '../src/redaction/index.js'
import type { SecurityEvent } from '../src/schema/fields.js'

const build = createBuilder({
  identity: { name: 'a', version: '1', environment: 't', host: 'h' },
  redactor: compileRedactor({}),
  productVersion: '0',
})
const compiled = compileEvent(EVENTS_BY_NAME.get('authn_login_fail')!)
const event = (i: number): SecurityEvent => build(compiled, { userId: `u${i}` }, undefined, undefined)

/** A sink that records batches; `behaviour` decides per batch what happens. */
function recordingSink(
  name = 'rec',
  behaviour?: (batch: readonly SecurityEvent[]) => Promise<unknown> | unknown,
) {
  const batches: SecurityEvent[][] = []
  let closed = 0
  let inFlight = 0
  let maxInFlight = 0
  const sink: Sink = {
    name,
    async send(batch) {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      try {
        const result = await behaviour?.(batch)
        batches.push([...batch])
        return result as undefined
      } finally {
        inFlight--
      }
    },
    async close() {
      closed++
    },
  }
  return {
    sink,
    batches,
    get closed() {
      return closed
    },
    get maxInFlight() {
      return maxInFlight
    },
    users: () => batches.flat().map((e) => e.TargetUsername),
  }
}

const options = (o: Partial<PipelineOptions> = {}): PipelineOptions => ({
  maxEvents: 1000,
  maxBytes: 16 * 1024 * 1024,
  flushIntervalMs: 20,
  batchSize: 100,
  ...o,
})

describe('ring queue', () => {
  test('is FIFO across wrap-around and refuses to grow', () => {
    const q = new RingQueue<number>(3)
    assert.ok(q.push(1) && q.push(2) && q.push(3))
    assert.equal(q.push(4), false)
    assert.equal(q.shift(), 1)
    assert.ok(q.push(4))
    assert.deepEqual(q.take(10), [2, 3, 4])
    assert.equal(q.size, 0)
    assert.equal(q.shift(), undefined)
  })
})

describe('pipeline', () => {
  test('emit is synchronous: nothing reaches a sink before the timer, everything after, in order', async () => {
    const rec = recordingSink()
    const p = new Pipeline(options({ flushIntervalMs: 30 })).attach([rec.sink])
    for (let i = 0; i < 10; i++) assert.equal(p.emit(event(i)), true)
    assert.equal(rec.batches.length, 0, 'no I/O inside emit')
    assert.equal(p.stats().queued, 10)
    await sleep(80)
    assert.deepEqual(
      rec.users(),
      Array.from({ length: 10 }, (_, i) => `u${i}`),
    )
    assert.equal(p.stats().sinks.rec?.delivered, 10)
    assert.equal(p.stats().queued, 0)
    assert.equal(p.stats().queuedBytes, 0)
    await p.close()
  })

  test("a sink's maxWaitMs shortens the flush interval for every sink", async () => {
    const hurried = recordingSink('hurried')
    const other = recordingSink('other')
    const p = new Pipeline(options({ flushIntervalMs: 60_000 })).attach([
      { ...hurried.sink, maxWaitMs: 20 },
      other.sink,
    ])
    p.emit(event(1))
    await sleep(150)
    assert.deepEqual(hurried.users(), ['u1'])
    assert.deepEqual(other.users(), ['u1'])
    await p.close()
  })

  test('a full batch starts delivery without waiting for the timer; the drain then empties the queue', async () => {
    const rec = recordingSink()
    const p = new Pipeline(options({ flushIntervalMs: 60_000, batchSize: 50 })).attach([rec.sink])
    for (let i = 0; i < 49; i++) p.emit(event(i))
    await sleep(30)
    assert.equal(rec.batches.length, 0, 'a partial batch waits for the timer')
    for (let i = 49; i < 120; i++) p.emit(event(i))
    await sleep(30)
    assert.deepEqual(
      rec.batches.map((b) => b.length),
      [50, 50, 20],
    )
    assert.equal(rec.maxInFlight, 1, 'one batch at a time per sink')
    await p.close()
  })

  test('the queue is bounded by count and bytes; drops are counted by reason', async () => {
    const rec = recordingSink()
    const p = new Pipeline(options({ maxEvents: 5, flushIntervalMs: 60_000, batchSize: 1000 })).attach([
      rec.sink,
    ])
    let accepted = 0
    for (let i = 0; i < 8; i++) if (p.emit(event(i))) accepted++
    assert.equal(accepted, 5)
    assert.equal(p.stats().dropped.queue_full, 3)
    const small = new Pipeline(options({ maxBytes: 2000, flushIntervalMs: 60_000, batchSize: 1000 })).attach([
      rec.sink,
    ])
    let ok = 0
    for (let i = 0; i < 10; i++) if (small.emit(event(i))) ok++
    assert.ok(ok >= 1 && ok < 10, `accepted ${ok}`)
    assert.equal(small.stats().dropped.queue_full, 10 - ok)
    assert.ok(small.stats().queuedBytes <= 2000)
    await p.close()
    await small.close()
  })

  test('a failing sink is counted and reported, never thrown, and does not stop the other sinks', async () => {
    const good = recordingSink('good')
    const failures: unknown[] = []
    const bad: Sink = {
      name: 'bad',
      send: () => Promise.reject(new Error('disk on fire')),
      close: async () => {},
    }
    const throwsSync: Sink = {
      name: 'sync',
      send: () => {
        throw new Error('sync throw')
      },
      close: async () => {},
    }
    const partial = recordingSink('partial', (batch) => ({
      failures: [{ failedEvents: batch.slice(0, 2), cause: 'rejected' }],
    }))
    const p = new Pipeline(options(), {
      onSinkFailure: (sink, f) => {
        failures.push([sink.name, f.failedEvents.length])
        throw new Error('a hook that throws is ignored')
      },
    }).attach([bad, good.sink, throwsSync, partial.sink])
    for (let i = 0; i < 5; i++) p.emit(event(i))
    await p.flush()
    const stats = p.stats()
    assert.equal(stats.sinks.good?.delivered, 5)
    assert.equal(stats.sinks.bad?.failed, 5)
    assert.equal(stats.sinks.bad?.lastError, 'disk on fire')
    assert.equal(stats.sinks.sync?.failed, 5)
    assert.equal(stats.sinks.partial?.delivered, 3)
    assert.equal(stats.sinks.partial?.failed, 2)
    assert.equal(stats.dropped.sink_failed, 12)
    assert.deepEqual(failures.map(String).sort(), ['bad,5', 'partial,2', 'sync,5'])
    await p.close()
  })

  test('close flushes what is queued, closes sinks once, and counts later emits as closed', async () => {
    const rec = recordingSink()
    const p = new Pipeline(options({ flushIntervalMs: 60_000 })).attach([rec.sink])
    for (let i = 0; i < 7; i++) p.emit(event(i))
    await Promise.all([p.close(), p.close()])
    assert.equal(rec.users().length, 7)
    assert.equal(rec.closed, 1)
    assert.equal(p.emit(event(99)), false)
    assert.equal(p.stats().dropped.closed, 1)
  })

  test('close gives up at its deadline and counts what is left as shutdown_timeout', async () => {
    const hanging = recordingSink('hang', () => new Promise(() => {}))
    const p = new Pipeline(options({ batchSize: 2, flushIntervalMs: 60_000 })).attach([hanging.sink])
    for (let i = 0; i < 6; i++) p.emit(event(i))
    const started = Date.now()
    await p.close(100)
    assert.ok(Date.now() - started < 2000)
    // the first batch of 2 is stuck in the sink; the other 4 never left the queue
    assert.equal(p.stats().dropped.shutdown_timeout, 4)
    assert.equal(hanging.closed, 1)
  })
})
