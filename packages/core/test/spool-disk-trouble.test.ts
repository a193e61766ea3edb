import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { MemoryStore } from '../src/delivery/memory-store.js'
import type { NewRecord } from '../src/delivery/types.js'
import { createSpool, type SpoolFs } from '../src/spool/index.js'
import {
  big,
  budgetFs,
  drainAll,
  errnoError,
  isRoot,
  mountTmpfs,
  NOW,
  rec,
  tempDirs,
  times,
  timesOnReopen,
} from './support/spool.js'

const tempDir = tempDirs()
const PAYLOAD = 13

/**
 * A directory that turns read-only and back. Not root: chmod, the real thing. Root ignores the
 * mode bits, so there every call that would change the directory fails with EROFS instead, as on a
 * file system remounted read-only.
 */
function readOnlySwitch(dir: string): {
  fs: SpoolFs | undefined
  set(readOnly: boolean): void
  codes: RegExp
} {
  if (!isRoot) {
    return { fs: undefined, set: (ro) => fs.chmodSync(dir, ro ? 0o555 : 0o755), codes: /EACCES/ }
  }
  let readOnly = false
  const refuse = (syscall: string) => {
    if (readOnly) throw errnoError('EROFS', syscall)
  }
  const facade: SpoolFs = {
    ...fs,
    openSync: (path, flags) => {
      if (flags !== 'r') refuse('open')
      return fs.openSync(path, flags)
    },
    writeSync: (fd, buffer, offset, length, position) => {
      refuse('write')
      return fs.writeSync(fd, buffer, offset, length, position)
    },
    ftruncateSync: (fd, length) => {
      refuse('ftruncate')
      fs.ftruncateSync(fd, length)
    },
    unlinkSync: (path) => {
      refuse('unlink')
      fs.unlinkSync(path)
    },
    renameSync: (from, to) => {
      refuse('rename')
      fs.renameSync(from, to)
    },
  }
  return { fs: facade, set: (ro) => (readOnly = ro), codes: /EROFS/ }
}

describe('spool: disk trouble', () => {
  test('a directory path that is a file: starts in memory, counts exactly, delivers, recovers', async () => {
    const parent = tempDir()
    const directory = join(parent, 'spool')
    fs.writeFileSync(directory, 'in the way')
    let now = NOW
    const errors: string[] = []
    const spool = createSpool({
      directory,
      now: () => now,
      memoryFallbackBytes: 10 * PAYLOAD,
      onError: (err) => {
        errors.push((err as NodeJS.ErrnoException).code ?? '')
        throw new Error('a broken callback must not break the spool')
      },
    })
    assert.match(spool.stats().lastError ?? '', /EEXIST|ENOTDIR/)
    for (let i = 0; i < 15; i++) spool.append([rec(i)])
    let stats = spool.stats()
    assert.equal(stats.memoryRecords, 10)
    assert.equal(stats.records, 10)
    assert.equal(stats.dropped.unwritable, 5)
    // Oldest of the lowest severity go first: a High record pushes out the oldest Low one.
    spool.append([rec(15, 3)])
    stats = spool.stats()
    assert.equal(stats.dropped.unwritable, 6)
    const leased = spool.lease(Number.POSITIVE_INFINITY, 100)
    assert.deepEqual(times(leased), [6, 7, 8, 9, 10, 11, 12, 13, 14, 15])
    spool.ack(leased.slice(0, 5))
    spool.release(leased.slice(5))
    assert.equal(spool.available, 5)
    // The disk is tried again, at most once a second; the same trouble is reported once.
    now += 1_500
    spool.append([rec(16)])
    assert.deepEqual(errors.slice(1), [])
    // Space returns: the directory can be created now; waiting records move to disk.
    fs.rmSync(directory)
    now += 1_500
    spool.append([rec(17)])
    stats = spool.stats()
    assert.equal(stats.lastError, undefined)
    assert.equal(stats.memoryRecords, 0)
    assert.equal(stats.records, 5 + 2, 'the 5 released, 16 (held in memory) and 17')
    assert.equal(stats.dropped.unwritable, 6)
    await spool.close()
    const reopened = createSpool({ directory, now: () => now })
    assert.equal(reopened.stats().records, 7)
    await reopened.close()
  })

  test('the memory fallback lets records go as the memory store does', async () => {
    const directory = join(tempDir(), 'spool')
    fs.writeFileSync(directory, 'in the way')
    const spool = createSpool({
      directory,
      now: () => NOW,
      memoryFallbackBytes: 4 * PAYLOAD,
      onError: () => {},
    })
    const store = new MemoryStore({ maxBytes: 4 * PAYLOAD })
    const both = (records: NewRecord[]) => {
      spool.append(records)
      store.append(records)
    }
    both([rec(0, 3), rec(1, 0), rec(2, 0), rec(3, 2)])
    // Over the bound: the oldest Low one goes.
    both([rec(4, 1)])
    // Larger than the whole bound: only it goes, nothing is sacrificed for it.
    both([{ data: 'x'.repeat(5 * PAYLOAD), severity: 3, time: NOW + 5 }])
    both([rec(6, 0)])
    both([rec(7, 3)])
    const leased = [spool.lease(Number.POSITIVE_INFINITY, 2), store.lease(Number.POSITIVE_INFINITY, 2)]
    // Leased records are on their way: a Low newcomer finds nothing it may push out.
    both([rec(8, 0)])
    spool.release(leased[0]!)
    store.release(leased[1]!)
    assert.deepEqual(times(spool.lease(Number.POSITIVE_INFINITY, 100)), [0, 3, 4, 7])
    assert.deepEqual(times(store.lease(Number.POSITIVE_INFINITY, 100)), [0, 3, 4, 7])
    assert.equal(spool.stats().dropped.unwritable, 5)
    assert.equal(store.stats().dropped.overflow, 5)
    await spool.close()
  })

  test(`a read-only directory (${isRoot ? 'EROFS injected: running as root' : 'chmod 0o555'})`, async () => {
    const directory = tempDir()
    const first = createSpool({ directory, now: () => NOW })
    first.append([0, 1, 2, 3, 4].map((i) => rec(i)))
    await first.close()
    const disk = readOnlySwitch(directory)
    disk.set(true)
    let now = NOW + 100
    const errors: string[] = []
    const spool = createSpool({
      directory,
      now: () => now,
      memoryFallbackBytes: 10 * PAYLOAD,
      ...(disk.fs === undefined ? {} : { fs: disk.fs }),
      onError: (err) => errors.push((err as NodeJS.ErrnoException).code ?? ''),
    })
    try {
      // Recovery still reads what is on disk.
      assert.equal(spool.stats().recovered.records, 5)
      for (let i = 5; i < 20; i++) spool.append([rec(i)])
      const stats = spool.stats()
      assert.match(stats.lastError ?? '', disk.codes)
      assert.equal(stats.memoryRecords, 10)
      assert.equal(stats.dropped.unwritable, 5)
      assert.equal(stats.records, 15)
      const leased = spool.lease(Number.POSITIVE_INFINITY, 100)
      assert.deepEqual(times(leased), [0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19])
      spool.ack(leased)
      await spool.sync()
      assert.equal(new Set(errors).size, errors.length, 'each code reported once')
      assert.ok(errors.every((code) => disk.codes.test(code)))
    } finally {
      disk.set(false)
    }
    now += 1_500
    spool.append([rec(20)])
    assert.equal(spool.stats().lastError, undefined)
    assert.equal(spool.stats().memoryRecords, 0)
    await spool.close()
    assert.deepEqual(await timesOnReopen({ directory, now: () => now }), [20])
  })

  test('a directory that cannot be created on a read-only mount reports EROFS, not ENOENT (injected)', async () => {
    const parent = tempDir()
    const directory = join(parent, 'ro', 'sentinel-0123456789ab')
    const mount = join(parent, 'ro')
    fs.mkdirSync(mount)
    // What Node does under a read-only mount: the recursive mkdir stats the leaf after EROFS and
    // reports ENOENT; a plain mkdir of the first missing level says EROFS.
    const facade: SpoolFs = {
      ...fs,
      mkdirSync: (path, options) => {
        if (!path.startsWith(mount + '/')) return fs.mkdirSync(path, options)
        throw options?.recursive === true ? errnoError('ENOENT', 'mkdir') : errnoError('EROFS', 'mkdir')
      },
    }
    const errors: string[] = []
    const spool = createSpool({
      directory,
      now: () => NOW,
      fs: facade,
      onError: (err) => errors.push((err as NodeJS.ErrnoException).code ?? ''),
    })
    const { lastError } = spool.stats()
    assert.match(lastError ?? '', /EROFS/)
    assert.doesNotMatch(lastError ?? '', /ENOENT/)
    assert.ok(lastError?.includes(directory), 'names the spool directory')
    assert.match(lastError ?? '', /read-only/)
    assert.deepEqual(errors, ['EROFS'])
    // Still a spool: records wait in memory.
    spool.append([rec(1)])
    assert.equal(spool.stats().memoryRecords, 1)
    await spool.close()
  })

  test('a directory under a real read-only tmpfs reports EROFS', async (t) => {
    const mount = tempDir()
    if (!mountTmpfs(t, mount, '1m')) return
    try {
      execFileSync('mount', ['-o', 'remount,ro', mount], { stdio: 'ignore' })
      const directory = join(mount, 'sentinel-0123456789ab')
      const spool = createSpool({ directory, now: () => NOW })
      assert.match(spool.stats().lastError ?? '', /EROFS/)
      await spool.close()
    } finally {
      execFileSync('umount', [mount])
    }
  })

  test('a full disk (ENOSPC injected, with short writes)', async () => {
    const directory = tempDir()
    await fullDisk(directory, budgetFs(256 * 1024))
  })

  test('a full disk (a real 1 MiB tmpfs)', async (t) => {
    const directory = tempDir()
    if (!mountTmpfs(t, directory, '1m')) return
    try {
      await fullDisk(directory, undefined)
    } finally {
      execFileSync('umount', [directory])
    }
  })
})

/**
 * Fills the disk through the spool itself, then checks: nothing thrown, every record either held
 * or counted `unwritable` (only once the memory fallback is full), delivery goes on, and writes go
 * back to disk once delivered segments are deleted and the space returns.
 */
async function fullDisk(directory: string, facade: SpoolFs | undefined): Promise<void> {
  let now = NOW
  const errors: string[] = []
  const memoryRecords = 20
  const payload = Buffer.byteLength(big(1000).data)
  const spool = createSpool({
    directory,
    now: () => now,
    segmentBytes: 64 * 1024,
    memoryFallbackBytes: memoryRecords * payload,
    ...(facade === undefined ? {} : { fs: facade }),
    onError: (err) => errors.push((err as NodeJS.ErrnoException).code ?? ''),
  })
  let appended = 0
  while (spool.stats().lastError === undefined && appended < 10_000) spool.append([big(1000 + appended++)])
  for (let i = 0; i < 50; i++) spool.append([big(1000 + appended++)])
  const stats = spool.stats()
  assert.match(stats.lastError ?? '', /ENOSPC/)
  assert.deepEqual(errors, ['ENOSPC'])
  const onDisk = stats.records - stats.memoryRecords
  assert.ok(onDisk > 50, `${onDisk} records reached the disk`)
  assert.equal(stats.memoryRecords, memoryRecords)
  assert.equal(stats.dropped.unwritable, appended - onDisk - memoryRecords)
  assert.equal(appended, stats.records + stats.dropped.unwritable)
  // Delivery goes on, from disk and from memory.
  assert.equal(drainAll(spool).length, stats.records)
  // The ledger is written in place (no new block needed), then the delivered segments go.
  await spool.sync()
  assert.ok(spool.stats().segments <= 1, 'only the active segment is left')
  now += 1_500
  spool.append([big(1), big(2)])
  const recovered = spool.stats()
  assert.equal(recovered.lastError, undefined)
  assert.equal(recovered.memoryRecords, 0)
  assert.equal(recovered.records, 2)
  await spool.close()
  const reopenedTimes = await timesOnReopen({
    directory,
    now: () => now,
    ...(facade === undefined ? {} : { fs: facade }),
  })
  assert.deepEqual(reopenedTimes, [1, 2])
}
