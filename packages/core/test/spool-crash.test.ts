import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import { describe, test } from 'node:test'
import type { NewRecord, SeverityRank, StoredRecord } from '../src/delivery/types.js'
import { createSpool, type Spool } from '../src/spool/index.js'
import { tempDirs } from './support/spool.js'

const tempDir = tempDirs('watchpost-spool-crash-')

const SYNC_MS = 20
const rec = (i: number): NewRecord => ({
  data: `{"i":${i}}`,
  severity: (i % 4) as SeverityRank,
  time: Date.now() + i,
})
const key = (r: StoredRecord) => (JSON.parse(r.data) as { i: number }).i
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** SIGKILL: the files are what the page cache holds; the process's spool is gone without a sync. */
async function kill(spool: Spool, dir: string): Promise<string> {
  const copy = tempDir()
  fs.cpSync(dir, copy, { recursive: true })
  await spool.close()
  return copy
}

/**
 * Scenario 8 in small (the reliability suite's 20 × SIGKILL): every run recovers what the last one
 * left, delivers it out of order (streams side by side) with a lease still out at the kill, appends
 * new records, and lives longer than a sync interval after its last acknowledgement. Whatever was
 * acknowledged in any run must never come back, however many kills follow.
 */
describe('spool: acknowledgements survive SIGKILL', () => {
  test('recovered, acknowledged (in and out of order), a sync interval old: never leased again', async () => {
    let dir = tempDir()
    const acked = new Set<number>()
    let next = 0
    for (let run = 0; run < 8; run++) {
      const spool = createSpool({ directory: dir, syncIntervalMs: SYNC_MS, segmentBytes: 4096 })
      spool.append(Array.from({ length: 60 }, () => rec(next++)))
      const leased = spool.lease(Number.POSITIVE_INFINITY, 1000)
      for (const r of leased)
        assert.ok(!acked.has(key(r)), `run ${run}: ${key(r)} was acknowledged, came back`)
      // One record stays out at the kill (in flight); the rest are acknowledged, odd ones first.
      const [inFlight, ...rest] = leased
      assert.ok(inFlight !== undefined)
      const odd = rest.filter((r) => key(r) % 2 === 1)
      const even = rest.filter((r) => key(r) % 2 === 0)
      spool.ack(odd)
      await sleep(SYNC_MS / 2)
      spool.ack(even)
      for (const r of rest) acked.add(key(r))
      // Not the explicit sync(): only the timer persists the acknowledgements.
      await sleep(SYNC_MS * 5)
      dir = await kill(spool, dir)
      const reopened = createSpool({ directory: dir, syncIntervalMs: SYNC_MS, segmentBytes: 4096 })
      const back = reopened.lease(Number.POSITIVE_INFINITY, 10_000).map(key)
      await reopened.close()
      assert.deepEqual(back, [key(inFlight)], `run ${run}: only the record in flight at the kill comes back`)
    }
  })
})
