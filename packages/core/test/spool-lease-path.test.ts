/**
 * The spool's lease path as a draining backlog uses it: thousands of records leased, acknowledged
 * out of order (streams side by side) and released, read over many chunks. What is checked is what
 * the allocation-free bookkeeping (file-order.ts, acked-ahead.ts, the ledger's reused slots) must
 * still get right: each record's bytes, the cursor, and what comes back after a restart.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { StoredRecord } from '../src/delivery/types.js'
import { FileOrder } from '../src/spool/file-order.js'
import { createSpool } from '../src/spool/index.js'
import { NOW, tempDirs } from './support/spool.js'

const tempDir = tempDirs('watchpost-spool-lease-')

/** Record `i`: ~700 bytes (a typical row), its number in it, so 1,500 of them span one 1 MiB chunk. */
const row = (i: number) => ({
  data: `{"i":${i},"pad":"${String(i).repeat(700 / String(i).length)}"}`,
  severity: 1 as const,
  time: NOW + i,
})
const numberOf = (r: StoredRecord) => (JSON.parse(r.data) as { i: number }).i

describe('file order (the outstanding records of a log)', () => {
  interface Entry {
    readonly n: number
    slot: number
  }
  const entry = (n: number): Entry => ({ n, slot: -1 })

  test('first is the oldest still queued, whatever order the others leave in', () => {
    const queue = new FileOrder<Entry>()
    const entries = Array.from({ length: 10 }, (_, i) => entry(i))
    for (const e of entries) queue.push(e)
    queue.delete(entries[3]!)
    queue.delete(entries[0]!)
    assert.equal(queue.first()?.n, 1)
    queue.delete(entries[1]!)
    queue.delete(entries[2]!)
    assert.equal(queue.first()?.n, 4, 'the hole left by 3 is skipped')
    assert.deepEqual(
      queue.entries().map((e) => e.n),
      [4, 5, 6, 7, 8, 9],
    )
    assert.equal(queue.size, 6)
  })

  test('an old entry kept while thousands after it leave: packed, slots still right', () => {
    const queue = new FileOrder<Entry>()
    const stuck = entry(-1)
    queue.push(stuck)
    const later: Entry[] = []
    for (let i = 0; i < 10_000; i++) {
      const e = entry(i)
      queue.push(e)
      later.push(e)
      // Acknowledged out of order, one in 100 kept: without packing, a slot per record ever queued.
      if (i % 100 !== 99) queue.delete(e)
    }
    const kept = later.filter((e) => e.n % 100 === 99)
    assert.equal(queue.size, 1 + kept.length)
    assert.deepEqual(queue.entries(), [stuck, ...kept])
    // Deleting by slot after the packing takes out exactly the entry asked for.
    queue.delete(kept[10]!)
    queue.delete(stuck)
    assert.equal(queue.first(), kept[0])
    assert.deepEqual(queue.entries(), [...kept.slice(0, 10), ...kept.slice(11)])
    for (const e of queue.entries()) queue.delete(e)
    assert.equal(queue.size, 0)
    assert.equal(queue.first(), undefined)
  })
})

describe('spool lease path', () => {
  test('3 MB read through one reused chunk, leased, released, acknowledged out of order: every record intact', async () => {
    const dir = tempDir()
    const spool = createSpool({ directory: dir, now: () => NOW })
    const count = 4_500
    spool.append(Array.from({ length: count }, (_, i) => row(i)))
    const seen = new Set<number>()
    // Leases of ~4 requests' worth, as the delivery loop takes them; two out at once.
    let out: StoredRecord[][] = []
    for (let round = 0; seen.size < count; round++) {
      while (out.length < 2) {
        const lease = spool.lease(1_000_000, 1_000)
        if (lease.length === 0) break
        out.push(lease)
      }
      const [first, second] = out
      // The second lease goes first: acknowledged out of order, the first one's head released once.
      if (second !== undefined) {
        spool.ack(second.filter((_, i) => i % 2 === 1))
        spool.ack(second.filter((_, i) => i % 2 === 0))
        for (const r of second) seen.add(numberOf(r))
      }
      if (round % 2 === 0) {
        spool.release(first!)
        out = []
        continue
      }
      spool.ack(first!)
      for (const r of first!) seen.add(numberOf(r))
      out = []
    }
    assert.equal(seen.size, count)
    assert.equal(spool.stats().records, 0)
    assert.equal(spool.stats().leased, 0)
    await spool.close()
  })

  test('thousands acknowledged ahead of an old record: after a reopen only the old one comes back', async () => {
    const dir = tempDir()
    const first = createSpool({ directory: dir, now: () => NOW })
    first.append(Array.from({ length: 3_000 }, (_, i) => row(i)))
    const leased = first.lease(Number.POSITIVE_INFINITY, 3_000)
    // Record 0 stays out (its request is being retried); all after it are delivered.
    first.ack(leased.slice(1).reverse())
    await first.sync()
    assert.equal(first.stats().records, 1)
    await first.close()
    const second = createSpool({ directory: dir, now: () => NOW })
    assert.deepEqual(second.lease(Number.POSITIVE_INFINITY, 3_000).map(numberOf), [0])
    await second.close()
  })

  test('a stranger or a repeat is ignored by ack and release: nothing else changes', async () => {
    const dir = tempDir()
    const spool = createSpool({ directory: dir, now: () => NOW })
    const other = createSpool({ directory: tempDir(), now: () => NOW })
    spool.append([row(0), row(1)])
    other.append([row(0)])
    const mine = spool.lease(Number.POSITIVE_INFINITY, 2)
    const theirs = other.lease(Number.POSITIVE_INFINITY, 1)
    spool.ack(theirs)
    spool.release(theirs)
    assert.equal(spool.stats().leased, 2)
    spool.ack([mine[0]!])
    spool.ack([mine[0]!])
    spool.release([mine[0]!])
    assert.equal(spool.stats().leased, 1)
    assert.equal(spool.stats().records, 1)
    assert.equal(other.stats().leased, 1, 'the other spool still has its record out')
    assert.equal(spool.available, 0, 'the acknowledged record is not leasable again')
    await spool.close()
    await other.close()
  })
})
