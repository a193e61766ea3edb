import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { describe, test } from 'node:test'
import { createSpool, type SpoolFs } from '../src/spool/index.js'
import {
  big,
  budgetFs,
  drainAll,
  mountTmpfs,
  NOW,
  segmentFiles,
  tempDirs,
  timesOnReopen,
} from './support/spool.js'

const tempDir = tempDirs('watchpost-spool-reclaim-')

/**
 * Scenario 9a in small: a disk far smaller than one segment (so the active segment is never sealed
 * by size) fills up while nothing is delivered; then everything is delivered. The spool must give
 * the space back by itself and write to disk again — not stay degraded with new records in memory.
 */
async function fullDiskRecovers(directory: string, facade: SpoolFs | undefined): Promise<void> {
  let now = NOW
  const spool = createSpool({
    directory,
    now: () => now,
    memoryFallbackBytes: 20 * 1100,
    ...(facade === undefined ? {} : { fs: facade }),
  })
  let appended = 0
  while (spool.stats().lastError === undefined && appended < 10_000) spool.append([big(appended++)])
  assert.match(spool.stats().lastError ?? '', /ENOSPC/)
  assert.equal(spool.stats().segments, 1, 'one active segment filled the disk')
  const delivered = drainAll(spool)
  assert.equal(delivered.length, appended - spool.stats().dropped.unwritable)
  assert.equal(spool.stats().records, 0)
  // Delivered: the next sync tick seals the active segment, commits the ledger, deletes the file.
  await spool.sync()
  assert.equal(spool.stats().segments, 0, 'the fully acknowledged active segment was deleted')
  assert.equal(spool.stats().diskBytes, 0)
  assert.deepEqual(segmentFiles(directory), [])
  // The disk is tried again (at most once a second) and takes new records.
  now += 1_500
  for (let i = 0; i < 100; i++) spool.append([big(20_000 + i)])
  const stats = spool.stats()
  assert.equal(stats.lastError, undefined)
  assert.equal(stats.memoryRecords, 0)
  assert.equal(stats.records, 100)
  await spool.close()
  const reopened = createSpool({ directory, now: () => now, ...(facade === undefined ? {} : { fs: facade }) })
  assert.equal(reopened.stats().recovered.records, 100)
  await reopened.close()
}

describe('spool: reclaiming delivered records', () => {
  test('a full disk recovers by itself once its one active segment is delivered (ENOSPC injected)', async () => {
    await fullDiskRecovers(tempDir(), budgetFs(256 * 1024))
  })

  test('a full disk recovers by itself once its one active segment is delivered (a real 2 MiB tmpfs)', async (t) => {
    const directory = tempDir()
    if (!mountTmpfs(t, directory, '2m')) return
    try {
      await fullDiskRecovers(directory, undefined)
    } finally {
      // Lazy: a failed assertion leaves the spool's files open, and the mount must not outlive the test.
      execFileSync('umount', ['-l', directory])
    }
  })

  test('records refused for lack of space are retried once delivered records are reclaimed', async () => {
    const directory = tempDir()
    let now = NOW
    const spool = createSpool({
      directory,
      now: () => now,
      fs: budgetFs(256 * 1024),
      syncIntervalMs: 3_600_000,
    })
    let appended = 0
    while (spool.stats().lastError === undefined) spool.append([big(appended++)])
    assert.ok(appended > 50)
    drainAll(spool)
    // The disk refuses again: the spool reclaims what was delivered (a sync run of its own) and the
    // waiting record goes to disk without waiting for a tick.
    now += 1_500
    spool.append([big(50_000)])
    assert.equal(spool.stats().memoryRecords, 1, 'refused at first')
    // No tick is due for an hour: the sync run is the spool's own.
    for (let waited = 0; spool.stats().memoryRecords > 0 && waited < 2_000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10))
    const stats = spool.stats()
    assert.equal(stats.lastError, undefined)
    assert.equal(stats.memoryRecords, 0)
    assert.equal(stats.records, 1)
    await spool.close()
  })

  test('steady state: a small delivered active segment is kept (no file churn); from 1 MiB it goes', async () => {
    const directory = tempDir()
    const spool = createSpool({ directory, now: () => NOW })
    spool.append([0, 1, 2].map(big))
    drainAll(spool)
    await spool.sync()
    await spool.sync()
    assert.equal(segmentFiles(directory).length, 1, 'kept: under 1 MiB and the disk is fine')
    spool.append([big(3)])
    assert.equal(segmentFiles(directory).length, 1, 'appends go on into the same segment')
    for (let i = 4; i < 1100; i += 100) spool.append(Array.from({ length: 100 }, (_, k) => big(i + k)))
    await spool.sync()
    assert.equal(segmentFiles(directory).length, 1, 'not reclaimed while records in it wait')
    drainAll(spool)
    await spool.sync()
    assert.deepEqual(segmentFiles(directory), [], 'over 1 MiB and delivered: deleted')
    spool.append([big(5000)])
    assert.equal(segmentFiles(directory).length, 1, 'the next append starts a new segment')
    await spool.close()
    assert.deepEqual(await timesOnReopen({ directory, now: () => NOW }), [5000])
  })

  test('crash-safe order: a reclaimed active segment is unlinked only after the ledger says so', async () => {
    const directory = tempDir()
    // An unlink that never happens: the process "dies" right after the ledger is persisted.
    const noUnlink: SpoolFs = { ...fs, unlinkSync: () => {} }
    const spool = createSpool({ directory, now: () => NOW, fs: noUnlink })
    for (let i = 0; i < 1100; i += 100) spool.append(Array.from({ length: 100 }, (_, k) => big(i + k)))
    drainAll(spool)
    await spool.sync()
    assert.equal(segmentFiles(directory).length, 1, 'the file is still there')
    const copy = tempDir()
    fs.cpSync(directory, copy, { recursive: true })
    await spool.close()
    const restarted = createSpool({ directory: copy, now: () => NOW })
    assert.equal(restarted.stats().recovered.records, 0, 'nothing delivered comes back')
    assert.deepEqual(restarted.lease(Number.POSITIVE_INFINITY, 100), [])
    assert.deepEqual(segmentFiles(copy), [], 'deleted at start-up')
    restarted.append([big(1)])
    await restarted.close()
    assert.deepEqual(await timesOnReopen({ directory: copy, now: () => NOW }), [1])
  })
})
