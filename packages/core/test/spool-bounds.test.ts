import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import { describe, test } from 'node:test'
import type { NewRecord, SeverityRank, StoredRecord } from '../src/delivery/types.js'
import { createSpool, type Spool, type SpoolOptions } from '../src/spool/index.js'
import { NOW, tempDirs } from './support/spool.js'

const tempDir = tempDirs()
const SIZE = 33
/** Record `i` of `severity`: 13 payload bytes, 33 on disk; 3 fit a 100-byte segment. */
const rec = (i: number, severity: SeverityRank, time = NOW + i): NewRecord => ({
  data: `{"i":"${severity}${String(i).padStart(4, '0')}"}`,
  severity,
  time,
})
const ids = (records: readonly StoredRecord[]) => records.map((r) => JSON.parse(r.data).i as string)
const batch = (severity: SeverityRank, from: number, n: number, time?: number) =>
  Array.from({ length: n }, (_, k) => rec(from + k, severity, time ?? NOW + from + k))

function open(dir: string, options: Partial<SpoolOptions> = {}): Spool {
  return createSpool({ directory: dir, segmentBytes: 100, now: () => NOW, ...options })
}

describe('spool: byte bound', () => {
  test('the oldest segments of the lowest severity go first, counted exactly; higher ones stay', async () => {
    const dir = tempDir()
    const spool = open(dir, { maxBytes: 400 })
    spool.append([...batch(0, 0, 6), ...batch(1, 0, 6), ...batch(3, 0, 6)])
    // 18 × 33 = 594 bytes: both Informational segments (6 records) must go to get under 400.
    let stats = spool.stats()
    assert.equal(stats.dropped.overflow, 6)
    assert.equal(stats.diskBytes, 12 * SIZE)
    assert.equal(stats.records, 12)
    assert.deepEqual(
      stats.severities.map((s) => s.records),
      [0, 6, 0, 6],
    )
    spool.append(batch(3, 6, 3))
    // Informational is empty now: the oldest Low segment is next.
    stats = spool.stats()
    assert.equal(stats.dropped.overflow, 9)
    assert.deepEqual(
      stats.severities.map((s) => s.records),
      [0, 3, 0, 9],
    )
    assert.ok(stats.diskBytes <= 400)
    const leased = ids(spool.lease(Number.POSITIVE_INFINITY, 100))
    assert.deepEqual(leased.sort(), [
      ...['10003', '10004', '10005'],
      ...['30000', '30001', '30002', '30003', '30004', '30005', '30006', '30007', '30008'],
    ])
    assert.equal(stats.dropped.expired + stats.dropped.corrupt + stats.dropped.unwritable, 0)
    await spool.close()
  })

  test('acknowledged records in a dropped segment are not counted as dropped', async () => {
    const spool = open(tempDir(), { maxBytes: 200 })
    spool.append(batch(0, 0, 6))
    spool.ack(spool.lease(Number.POSITIVE_INFINITY, 2))
    spool.append(batch(2, 0, 1)) // 7 × 33 = 231 > 200: the first Informational segment goes
    assert.equal(spool.stats().dropped.overflow, 1)
    assert.equal(spool.stats().records, 4)
    await spool.close()
  })

  test('leased records whose segment is dropped count only if they come back undelivered', async () => {
    const spool = open(tempDir(), { maxBytes: 200 })
    spool.append(batch(0, 0, 3))
    const leased = spool.lease(Number.POSITIVE_INFINITY, 3)
    spool.append(batch(3, 0, 6)) // 9 × 33 = 297 > 200: the Informational segment goes
    let stats = spool.stats()
    assert.equal(stats.dropped.overflow, 0)
    assert.equal(stats.leased, 3)
    assert.equal(stats.records, 9)
    spool.ack([leased[0]!])
    spool.release([leased[1]!, leased[2]!])
    stats = spool.stats()
    assert.equal(stats.dropped.overflow, 2)
    assert.equal(stats.records, 6)
    assert.equal(stats.leased, 0)
    assert.deepEqual(ids(spool.lease(Number.POSITIVE_INFINITY, 100)), [
      '30000',
      '30001',
      '30002',
      '30003',
      '30004',
      '30005',
    ])
    await spool.close()
  })

  test('released records in a dropped segment count as dropped at once', async () => {
    const spool = open(tempDir(), { maxBytes: 200 })
    spool.append(batch(0, 0, 3))
    spool.release(spool.lease(Number.POSITIVE_INFINITY, 2))
    spool.append(batch(3, 0, 6))
    assert.equal(spool.stats().dropped.overflow, 3)
    assert.equal(spool.available, 6)
    await spool.close()
  })
})

describe('spool: age bound', () => {
  test('segments whose newest record is too old are deleted, their records counted as expired', async () => {
    const dir = tempDir()
    let now = NOW
    const spool = open(dir, { maxAgeMs: 10_000, now: () => now })
    spool.append(batch(1, 0, 3, NOW)) // segment 1: all at NOW
    spool.append([rec(3, 1, NOW), rec(4, 1, NOW + 5_000)]) // segment 2: newest NOW + 5 s
    spool.append(batch(3, 0, 2, NOW))
    spool.ack(spool.lease(Number.POSITIVE_INFINITY, 1)) // one of the old High records
    now = NOW + 12_000
    await spool.sync()
    const stats = spool.stats()
    assert.equal(stats.dropped.expired, 4, '3 Low in segment 1, 1 unacknowledged High')
    const leased = spool.lease(Number.POSITIVE_INFINITY, 100)
    assert.deepEqual(ids(leased), ['10003', '10004'])
    spool.release(leased)
    now = NOW + 16_000
    spool.append([rec(9, 2, now)]) // bounds are checked on append too
    assert.equal(spool.stats().dropped.expired, 6)
    assert.deepEqual(ids(spool.lease(Number.POSITIVE_INFINITY, 100)), ['20009'])
    assert.equal(fs.readdirSync(dir).filter((n) => n.startsWith('sev1')).length, 0)
    await spool.close()
  })

  test('expiry applies at start-up too', async () => {
    const dir = tempDir()
    const first = open(dir, { maxAgeMs: 10_000 })
    first.append(batch(2, 0, 4, NOW))
    await first.close()
    const later = open(dir, { maxAgeMs: 10_000, now: () => NOW + 20_000 })
    later.append([rec(5, 2, NOW + 20_000)])
    assert.equal(later.stats().dropped.expired, 4)
    assert.deepEqual(ids(later.lease(Number.POSITIVE_INFINITY, 100)), ['20005'])
    await later.close()
  })
})
