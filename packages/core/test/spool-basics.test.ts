import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import type { NewRecord, SeverityRank, StoredRecord } from '../src/delivery/types.js'
import { createSpool, type Spool, type SpoolOptions } from '../src/spool/index.js'
import { NOW, rec, segmentFiles, tempDirs } from './support/spool.js'

const tempDir = tempDirs()
const ids = (records: readonly StoredRecord[]) => records.map((r) => JSON.parse(r.data).i as string)
const numbers = (...list: number[]) => list.map((i) => String(i).padStart(5, '0'))

function open(dir: string, options: Partial<SpoolOptions> = {}): Spool {
  return createSpool({ directory: dir, now: () => NOW, ...options })
}

describe('spool basics', () => {
  test('round trip: what is appended is leased back whole, with its severity, time and size', async () => {
    const spool = open(tempDir())
    const records: NewRecord[] = [
      { data: '{"a":"é✓😀"}', severity: 3, time: NOW + 1 },
      { data: '', severity: 0, time: NOW + 2 },
      { data: 'x'.repeat(100_000), severity: 2, time: NOW + 3 },
    ]
    spool.append(records)
    assert.equal(spool.available, 3)
    const leased = spool.lease(Number.POSITIVE_INFINITY, 10)
    assert.deepEqual(
      leased.map(({ data, severity, time, bytes }) => ({ data, severity, time, bytes })),
      records.map((r) => ({ ...r, bytes: Buffer.byteLength(r.data) })),
    )
    assert.equal(new Set(leased.map((r) => r.id)).size, 3)
    assert.equal(spool.available, 0)
    assert.equal(spool.stats().leased, 3)
    spool.ack(leased)
    const stats = spool.stats()
    assert.equal(stats.records, 0)
    assert.equal(stats.bytes, 0)
    assert.equal(stats.leased, 0)
    await spool.close()
  })

  test('a leased record keeps its bytes while later leases read on: its payload is its data, as read', async () => {
    const spool = open(tempDir())
    // ~3 MB: the reader reads 1 MiB at a time, so the later leases go through several chunks.
    const records: NewRecord[] = Array.from({ length: 3_000 }, (_, i) => ({
      data: `{"i":${i},"text":"${String.fromCharCode(0x100 + (i % 500)).repeat(500)}"}`,
      severity: 1,
      time: NOW + i,
    }))
    spool.append(records)
    const first = spool.lease(Number.POSITIVE_INFINITY, 10)
    const rest = spool.lease(Number.POSITIVE_INFINITY, 10_000)
    assert.equal(first.length + rest.length, records.length)
    for (const [i, record] of [...first, ...rest].entries()) {
      assert.equal(record.data, records[i]!.data)
      assert.ok(record.payload?.equals(Buffer.from(records[i]!.data)), `record ${i}: payload is its data`)
    }
    await spool.close()
  })

  test('leases oldest first across severities, and in append order within one', async () => {
    const spool = open(tempDir())
    spool.append([rec(5, 0), rec(1, 3), rec(3, 1), rec(2, 0), rec(4, 3)])
    spool.append([rec(0, 2)])
    // Within a log records stay in append order (2 after 5 in Informational); across logs, by time.
    assert.deepEqual(ids(spool.lease(Number.POSITIVE_INFINITY, 100)), numbers(0, 1, 3, 4, 5, 2))
    await spool.close()
  })

  test('lease honours maxRecords and maxBytes, but returns one record however large', async () => {
    const spool = open(tempDir())
    spool.append(Array.from({ length: 10 }, (_, i) => rec(i)))
    assert.deepEqual(ids(spool.lease(Number.POSITIVE_INFINITY, 3)), numbers(0, 1, 2))
    assert.deepEqual(ids(spool.lease(26, 100)), numbers(3, 4))
    assert.deepEqual(ids(spool.lease(1, 100)), numbers(5))
    assert.deepEqual(ids(spool.lease(0, 100)), numbers(6))
    assert.deepEqual(spool.lease(1000, 0), [])
    assert.equal(spool.available, 3)
    await spool.close()
  })

  test('released records are leased again before newer ones, in their original order', async () => {
    const spool = open(tempDir())
    spool.append(Array.from({ length: 6 }, (_, i) => rec(i)))
    const first = spool.lease(Number.POSITIVE_INFINITY, 4)
    spool.ack([first[1]!])
    spool.release([first[3]!, first[0]!, first[2]!])
    assert.equal(spool.available, 5)
    const again = spool.lease(Number.POSITIVE_INFINITY, 100)
    assert.deepEqual(ids(again), numbers(0, 2, 3, 4, 5))
    assert.equal(again[0]!.id, first[0]!.id)
    // Acknowledging twice, or a record from elsewhere, changes nothing.
    spool.ack([first[1]!, { ...first[1]!, id: 99_999 }])
    assert.equal(spool.stats().records, 5)
    await spool.close()
  })

  test('a segment is deleted only once every record in it is acknowledged', async () => {
    const dir = tempDir()
    // 3 records of 33 bytes per segment.
    const spool = open(dir, { segmentBytes: 100 })
    spool.append(Array.from({ length: 7 }, (_, i) => rec(i)))
    assert.equal(segmentFiles(dir).length, 3)
    const leased = spool.lease(Number.POSITIVE_INFINITY, 100)
    spool.ack([leased[0]!, leased[2]!, leased[3]!, leased[4]!, leased[5]!])
    await spool.sync()
    assert.equal(segmentFiles(dir).length, 3, 'record 1 holds the first segment, and so the second')
    spool.ack([leased[1]!])
    await spool.sync()
    assert.deepEqual(segmentFiles(dir), ['sev1-000000000003.wal'], 'the active segment stays')
    assert.equal(spool.stats().records, 1)
    await spool.close()
  })

  test('reopen after close: unacknowledged records come back, acknowledged ones do not', async () => {
    const dir = tempDir()
    const first = open(dir, { segmentBytes: 100 })
    first.append(Array.from({ length: 10 }, (_, i) => rec(i, (i % 4) as SeverityRank)))
    const leased = first.lease(Number.POSITIVE_INFINITY, 6)
    first.ack(leased.filter((_, i) => i % 2 === 0))
    await first.close()
    const second = open(dir, { segmentBytes: 100 })
    assert.equal(second.stats().recovered.records, 7)
    assert.equal(second.available, 7)
    assert.deepEqual(ids(second.lease(Number.POSITIVE_INFINITY, 100)), numbers(1, 3, 5, 6, 7, 8, 9))
    await second.close()
  })

  test('records acknowledged out of order do not come back after a clean reopen', async () => {
    // Regression: with only a commit cursor, record 1 (acknowledged while 0 was still out) came back.
    const dir = tempDir()
    const first = open(dir, { segmentBytes: 40 })
    first.append([rec(0), rec(1), rec(2)])
    const leased = first.lease(Number.POSITIVE_INFINITY, 3)
    first.ack([leased[1]!])
    await first.close()
    const second = open(dir, { segmentBytes: 40 })
    assert.equal(second.stats().records, 2)
    assert.deepEqual(ids(second.lease(Number.POSITIVE_INFINITY, 100)), numbers(0, 2))
    await second.close()
  })

  test('reopen without close (a crash): no unacknowledged record is lost', async () => {
    const dir = tempDir()
    const crashed = open(dir, { segmentBytes: 100, syncIntervalMs: 60_000 })
    crashed.append(Array.from({ length: 9 }, (_, i) => rec(i)))
    const leased = crashed.lease(Number.POSITIVE_INFINITY, 5)
    crashed.ack(leased.slice(0, 4))
    await crashed.sync()
    crashed.ack(leased.slice(4))
    crashed.append([rec(9)])
    // The process dies here: the files are what the page cache holds, nothing more is synced.
    const copy = tempDir()
    fs.cpSync(dir, copy, { recursive: true })
    await crashed.close()
    const restarted = open(copy, { segmentBytes: 100 })
    const got = ids(restarted.lease(Number.POSITIVE_INFINITY, 100))
    // 4 is a duplicate (acknowledged after the last sync); 0–3 were committed and stay gone.
    assert.deepEqual(got, numbers(4, 5, 6, 7, 8, 9))
    await restarted.close()
  })

  test('crash between ledger write and unlink: the segment is removed at start, not leased again', async () => {
    const dir = tempDir()
    // An unlink that never happens: the process "dies" right after the ledger is persisted.
    const noUnlink = { ...fs, unlinkSync: () => {} }
    const spool = open(dir, { segmentBytes: 100, fs: noUnlink })
    spool.append(Array.from({ length: 5 }, (_, i) => rec(i)))
    spool.ack(spool.lease(Number.POSITIVE_INFINITY, 3))
    await spool.sync()
    assert.equal(segmentFiles(dir).length, 2, 'the acknowledged segment is still there')
    const copy = tempDir()
    fs.cpSync(dir, copy, { recursive: true })
    await spool.close()
    const restarted = open(copy, { segmentBytes: 100 })
    assert.deepEqual(segmentFiles(copy), ['sev1-000000000002.wal'])
    assert.deepEqual(ids(restarted.lease(Number.POSITIVE_INFINITY, 100)), numbers(3, 4))
    assert.equal(restarted.stats().recovered.records, 2)
    await restarted.close()
  })

  test('a damaged ledger means re-sending, never skipping', async () => {
    const dir = tempDir()
    const spool = open(dir)
    spool.append(Array.from({ length: 4 }, (_, i) => rec(i)))
    spool.ack(spool.lease(Number.POSITIVE_INFINITY, 2))
    await spool.close()
    fs.writeFileSync(join(dir, 'ledger'), 'garbage')
    const restarted = open(dir)
    assert.deepEqual(ids(restarted.lease(Number.POSITIVE_INFINITY, 100)), numbers(0, 1, 2, 3))
    await restarted.close()
  })

  test('a torn ledger slot falls back to the previous cursors', async () => {
    const dir = tempDir()
    const spool = open(dir)
    spool.append(Array.from({ length: 4 }, (_, i) => rec(i)))
    const leased = spool.lease(Number.POSITIVE_INFINITY, 2)
    spool.ack([leased[0]!])
    await spool.sync()
    spool.ack([leased[1]!])
    await spool.close()
    // The last write went to one slot; damage it as a power loss mid-write would.
    const ledger = fs.readFileSync(join(dir, 'ledger'))
    const slot = 64 * 1024
    const last = ledger.readDoubleLE(4) > ledger.readDoubleLE(slot + 4) ? 0 : slot
    ledger[last + 30] = ledger[last + 30]! ^ 0xff
    fs.writeFileSync(join(dir, 'ledger'), ledger)
    const restarted = open(dir)
    assert.deepEqual(ids(restarted.lease(Number.POSITIVE_INFINITY, 100)), numbers(1, 2, 3))
    await restarted.close()
  })

  test('records larger than a segment get a segment of their own', async () => {
    const dir = tempDir()
    const spool = open(dir, { segmentBytes: 100 })
    spool.append([rec(0), { data: 'y'.repeat(500), severity: 1, time: NOW + 1 }, rec(2)])
    assert.equal(segmentFiles(dir).length, 3)
    await spool.close()
    const restarted = open(dir, { segmentBytes: 100 })
    assert.deepEqual(
      restarted.lease(Number.POSITIVE_INFINITY, 100).map((r) => r.bytes),
      [13, 500, 13],
    )
    await restarted.close()
  })

  test('options are checked once, with a TypeError', () => {
    assert.throws(() => createSpool({ directory: '' }), {
      name: 'WatchpostTypeError',
      code: 'ERR_WATCHPOST_SPOOL_OPTIONS_INVALID',
    })
    assert.throws(() => createSpool({ directory: tempDir(), maxBytes: -1 }), /maxBytes/)
    assert.throws(() => createSpool({ directory: tempDir(), syncIntervalMs: Number.NaN }), /syncIntervalMs/)
  })
})
