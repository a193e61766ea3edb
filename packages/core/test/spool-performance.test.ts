/**
 * Figures for docs/spool.md: append throughput, start-up time and memory for a full spool, lease
 * throughput. The default size keeps the suite quick; `WATCHPOST_SPOOL_BENCH_MB=256` measures the
 * default bound (the figure in the docs). Bounds asserted are generous: they catch a regression
 * by an order of magnitude (e.g. start-up reading payloads into memory), not machine noise.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { NewRecord, SeverityRank } from '../src/delivery/types.js'
import { createSpool } from '../src/spool/index.js'
import { segmentFiles, tempDirs } from './support/spool.js'

const MB = 1024 * 1024
const SIZE_MB = Number(process.env.WATCHPOST_SPOOL_BENCH_MB ?? 32)
const tempDir = tempDirs('watchpost-spool-bench-')

const event = JSON.stringify({
  TimeGenerated: '2026-01-01T00:00:00.000Z',
  EventType: 'Authentication',
  EventResult: 'Failure',
  SrcIpAddr: '203.0.113.7',
  HttpRequestMethod: 'POST',
  Url: '/login',
  UserAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0',
  AdditionalFields: { reason: 'bad_password', userId: 'u-12345', requestId: 'req-abcdef0123456789' },
  pad: 'x'.repeat(120),
})

describe('spool performance', () => {
  test(`append, start-up and lease with ${SIZE_MB} MB spooled`, async (t) => {
    const dir = tempDir()
    const now = Date.now()
    const record = (i: number): NewRecord => ({
      data: event,
      severity: (i % 4) as SeverityRank,
      time: now + i,
    })
    const spool = createSpool({ directory: dir, maxBytes: 2 * SIZE_MB * MB })
    const per = Buffer.byteLength(event) + 20
    const total = Math.floor((SIZE_MB * MB) / per)

    // One record per call: the worst case (the delivery loop appends what a flush gives it).
    const singles = Math.floor(total / 4)
    let started = performance.now()
    for (let i = 0; i < singles; i++) spool.append([record(i)])
    const singleMs = performance.now() - started
    started = performance.now()
    for (let i = singles; i < total; i += 100) {
      spool.append(Array.from({ length: Math.min(100, total - i) }, (_, k) => record(i + k)))
    }
    const batchMs = performance.now() - started
    await spool.close()
    assert.equal(spool.stats().records, total)
    const singleRate = (singles * per) / MB / (singleMs / 1000)
    const batchRate = ((total - singles) * per) / MB / (batchMs / 1000)
    t.diagnostic(`append: ${singleRate.toFixed(0)} MB/s one record per call (${per} B records)`)
    t.diagnostic(`append: ${batchRate.toFixed(0)} MB/s 100 records per call`)

    const memoryBefore = process.memoryUsage()
    started = performance.now()
    const reopened = createSpool({ directory: dir, maxBytes: 2 * SIZE_MB * MB })
    const openMs = performance.now() - started
    const memoryAfter = process.memoryUsage()
    const grown =
      (memoryAfter.heapUsed + memoryAfter.external - memoryBefore.heapUsed - memoryBefore.external) / MB
    const stats = reopened.stats()
    t.diagnostic(
      `start-up: ${openMs.toFixed(0)} ms for ${(stats.diskBytes / MB).toFixed(0)} MB, ${stats.records} records`,
    )
    t.diagnostic(`start-up: heap + buffers grew ${grown.toFixed(1)} MB`)
    assert.equal(stats.records, total)
    assert.equal(stats.dropped.corrupt, 0)
    assert.ok(openMs < 40 * SIZE_MB, `start-up took ${openMs} ms`)
    assert.ok(grown < 16, `start-up grew memory by ${grown} MB`)

    started = performance.now()
    let leased = 0
    let peak = 0
    for (let batch = reopened.lease(MB, 1000); batch.length > 0; batch = reopened.lease(MB, 1000)) {
      leased += batch.length
      reopened.ack(batch)
      if (leased % 50_000 < 1000) peak = Math.max(peak, process.memoryUsage().heapUsed)
    }
    const leaseMs = performance.now() - started
    t.diagnostic(`lease + ack: ${((leased * per) / MB / (leaseMs / 1000)).toFixed(0)} MB/s`)
    assert.equal(leased, total)
    await reopened.close()
    assert.equal(segmentFiles(dir).length, 0)
  })
})
