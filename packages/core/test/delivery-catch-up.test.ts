/**
 * What keeps the memory of a backlog's catch-up bounded (docs/sentinel.md#throughput): records
 * wait in leases at most one lease beyond what may be out, request bodies reuse a few buffers (and
 * one lent to a request still out is never written by another), stored rows are found in the
 * records' bytes without a string per record.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { BodyBuffers } from '../src/delivery/body-buffers.js'
import { createDeliverySink, type DeliveryOptions } from '../src/delivery/delivery-sink.js'
import { MemoryStore } from '../src/delivery/memory-store.js'
import { itemOf, PartitionNames, rowText } from '../src/delivery/rows.js'
import {
  DeliveryError,
  type Destination,
  type RecordStore,
  type StoredRecord,
} from '../src/delivery/types.js'
import { fastDelivery } from './support/delivery.js'
import { until } from './support/until.js'

const options: DeliveryOptions = { ...fastDelivery, concurrency: 8, backoff: { baseMs: 1, maxDelayMs: 5 } }

/** Events of about 300 bytes of JSON, numbered, in four partitions in turn (as Sentinel's streams). */
const events = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ i, pad: 'x'.repeat(250) }) as unknown as Record<string, unknown>)
const prepare = (e: Record<string, unknown>) => ({ partition: `stream-${Number(e.i) % 4}`, row: e })
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** A destination of the four streams whose requests `send` answers. */
const streams = (maxRequestBytes: number, send: Destination['send']): Destination => ({
  name: 'streams',
  maxRequestBytes,
  prepare,
  send,
  async close() {},
})

/** A memory store that keeps count of the bytes leased and not yet acknowledged or released. */
function countingStore(): { store: RecordStore; most: () => number } {
  const inner = new MemoryStore({ maxBytes: 64 << 20 })
  const out = new Map<number, number>()
  let bytes = 0
  let most = 0
  const settle = (records: readonly StoredRecord[]) => {
    for (const r of records) {
      bytes -= out.get(r.id) ?? 0
      out.delete(r.id)
    }
  }
  const store: RecordStore = {
    append: (records) => inner.append(records),
    lease(maxBytes, maxRecords) {
      const records = inner.lease(maxBytes, maxRecords)
      for (const r of records) {
        out.set(r.id, r.bytes)
        bytes += r.bytes
      }
      most = Math.max(most, bytes)
      return records
    },
    ack(records) {
      settle(records)
      inner.ack(records)
    },
    release(records) {
      settle(records)
      inner.release(records)
    },
    get available() {
      return inner.available
    },
    stats: () => inner.stats(),
    sync: () => inner.sync(),
    close: () => inner.close(),
  }
  return { store, most: () => most }
}

describe('catch-up memory', () => {
  test('records leased stay within the bytes in flight plus one lease, whatever the concurrency', async () => {
    const maxRequestBytes = 2_000
    const { store, most } = countingStore()
    let sent = 0
    const destination = streams(maxRequestBytes, async (batch) => {
      await tick(5)
      sent += batch.count
    })
    // Four full requests out at most; with 8 leases of four requests each, 32 requests' worth.
    const sink = createDeliverySink(destination, store, options)
    await sink.send(events(2_000) as never)
    await until(() => sent === 2_000)
    const lease = 4 * maxRequestBytes
    assert.ok(most() <= 4 * maxRequestBytes + lease, `${most()} bytes leased at once`)
    assert.ok(most() > lease, `${most()} bytes leased at once: a second lease waited its turn`)
    await sink.close()
  })

  test('a body buffer lent to a request still out is never written by another; retries rebuild theirs', async () => {
    const maxRequestBytes = 20_000
    const failedOnce = new Set<string>()
    const buffers = new Set<ArrayBufferLike>()
    let checked = 0
    let corrupt = 0
    let sent = 0
    const destination = streams(maxRequestBytes, async (batch) => {
      const body = batch.bodyBytes()
      const expected = JSON.stringify(batch.rows())
      buffers.add(body.buffer)
      // Out for a while, as a request being gzipped and sent: others take and fill buffers meanwhile.
      await tick(2 + (checked % 5))
      // Recorded, not asserted here: what send throws is a failed request to the loop, retried.
      if (body.toString('utf8') !== expected) corrupt++
      if (!batch.bodyBytes().equals(Buffer.from(expected))) corrupt++
      checked++
      // Each request's first attempt fails once its body was read: the retry builds its body anew.
      const key = String(batch.rows()[0]!.i)
      if (!failedOnce.has(key)) {
        failedOnce.add(key)
        throw new DeliveryError('retry', 'HTTP 503')
      }
      sent += batch.count
    })
    const sink = createDeliverySink(destination, new MemoryStore({ maxBytes: 64 << 20 }), options)
    await sink.send(events(3_000) as never)
    await until(() => sent === 3_000)
    assert.equal(corrupt, 0, 'every body lent to a request stayed intact while it was out')
    assert.ok(checked > 2 * buffers.size, `${checked} bodies in ${buffers.size} buffers: they were reused`)
    await sink.close()
  })
})

describe('body buffers', () => {
  test('a buffer given back is lent again; small bodies are not pooled; at most `keep` are kept', () => {
    const bodies = new BodyBuffers(1_000, 2)
    const a = bodies.take(600)
    assert.equal(a.length, 1_000)
    bodies.give(a)
    assert.equal(bodies.take(900), a, 'the same buffer, lent again')
    const small = bodies.take(100)
    assert.equal(small.length, 100)
    bodies.give(small)
    assert.equal(bodies.free, 0, 'a small body is left to the garbage collector')
    const [b, c, d] = [bodies.take(500), bodies.take(500), bodies.take(500)]
    for (const buf of [a, b, c, d]) bodies.give(buf)
    assert.equal(bodies.free, 2)
    bodies.give(b)
    assert.equal(bodies.free, 2, 'given twice, kept once')
    bodies.clear()
    assert.equal(bodies.free, 0)
  })
})

describe('rows from stored bytes', () => {
  const stored = (id: number, text: string): StoredRecord => {
    const payload = Buffer.from(text)
    return { id, data: text, severity: 0, time: 0, bytes: payload.length, payload }
  }

  test('partitions of the same length are told apart by their bytes; the row is the rest', () => {
    const names = new PartitionNames()
    const a = itemOf(stored(1, 'Stream-A\n{"n":1}'), names)!
    const b = itemOf(stored(2, 'Stream-B\n{"n":"é"}'), names)!
    const a2 = itemOf(stored(3, 'Stream-A\n{"n":3}'), names)!
    assert.deepEqual([a.partition, b.partition, a2.partition], ['Stream-A', 'Stream-B', 'Stream-A'])
    assert.equal(rowText(b), '{"n":"é"}')
    assert.equal(b.bytes, Buffer.byteLength('{"n":"é"}'))
    assert.equal(itemOf(stored(4, 'no partition'), names), undefined)
  })
})
