/**
 * What the spool tests share: throwaway spool directories, a fixed clock, records of known sizes,
 * and disks that fill up or cannot be mounted.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, type TestContext } from 'node:test'
import type { NewRecord, SeverityRank, StoredRecord } from '../../src/delivery/types.js'
import { createSpool, type Spool, type SpoolFs, type SpoolOptions } from '../../src/spool/index.js'

export const NOW = 1_700_000_000_000

/** Root ignores mode bits and may mount: the tests that depend on either check this. */
export const isRoot = process.getuid?.() === 0

/**
 * A `tempDir()` for one test file: each call makes a fresh directory under the OS temp dir; all of
 * them are removed after the file's tests. Call it once, at the top of the file.
 */
export function tempDirs(prefix = 'watchpost-spool-'): () => string {
  const dirs: string[] = []
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  })
  return () => {
    const dir = fs.mkdtempSync(join(tmpdir(), prefix))
    dirs.push(dir)
    return dir
  }
}

/** Record `i` (`{"i":"00042"}`): 13 payload bytes, 33 on disk, so that segment contents are predictable. */
export const rec = (i: number, severity: SeverityRank = 1, time = NOW + i): NewRecord => ({
  data: `{"i":"${String(i).padStart(5, '0')}"}`,
  severity,
  time,
})

/** Record `i` padded past 1000 bytes, to fill a disk quickly. */
export const big = (i: number): NewRecord => ({
  data: `{"i":${i},"pad":"${'p'.repeat(1000)}"}`,
  severity: 2,
  time: NOW + i,
})

export const segmentFiles = (dir: string) => fs.readdirSync(dir).filter((n) => n.endsWith('.wal'))

/** Leases and acknowledges until nothing is left, as a delivery loop with a healthy endpoint would. */
export function drainAll(spool: Spool): StoredRecord[] {
  const all: StoredRecord[] = []
  for (let batch = spool.lease(256 * 1024, 50); batch.length > 0; batch = spool.lease(256 * 1024, 50)) {
    all.push(...batch)
    spool.ack(batch)
  }
  return all
}

/** The times of `records` in ms after NOW: which records, in order, for records made with it. */
export const times = (records: readonly StoredRecord[]) => records.map((r) => r.time - NOW)

/** Opens a spool on what a previous one left (after a close or a crash): the times of all it leases. */
export async function timesOnReopen(options: SpoolOptions): Promise<number[]> {
  const reopened = createSpool(options)
  const leased = times(reopened.lease(Number.POSITIVE_INFINITY, 100))
  await reopened.close()
  return leased
}

export function errnoError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${syscall}`), { code, syscall })
}

/** `node:fs` on a disk of `capacity` bytes: segment writes past it are cut short, then refused. */
export function budgetFs(capacity: number): SpoolFs {
  let used = 0
  const sizeOf = (fd: number) => fs.fstatSync(fd).size
  return {
    ...fs,
    writeSync: (fd, buffer, offset, length, position) => {
      const room = capacity - used
      if (room <= 0) throw errnoError('ENOSPC', 'write')
      const before = sizeOf(fd)
      const n = fs.writeSync(fd, buffer, offset, Math.min(length, room), position)
      used += sizeOf(fd) - before
      return n
    },
    ftruncateSync: (fd, length) => {
      const before = sizeOf(fd)
      fs.ftruncateSync(fd, length)
      used -= before - length
    },
    unlinkSync: (path) => {
      const size = fs.statSync(path).size
      fs.unlinkSync(path)
      used -= size
    },
  }
}

/**
 * Mounts a tmpfs of `size` (e.g. `1m`) on `directory`; skips the test and returns false where that
 * is not allowed (not root, or a container without the capability). The caller unmounts.
 */
export function mountTmpfs(t: TestContext, directory: string, size: string): boolean {
  if (!isRoot) {
    t.skip('mounting a tmpfs needs root; the injected ENOSPC test covers the same path')
    return false
  }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', directory], { stdio: 'ignore' })
    return true
  } catch {
    t.skip('mount -t tmpfs is not permitted here; the injected ENOSPC test covers the same path')
    return false
  }
}
