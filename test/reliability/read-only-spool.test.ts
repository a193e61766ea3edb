/**
 * Scenario 9b: the spool directory cannot be written. As root `chmod` stops nothing, so
 * where mounting is allowed the directory is a tmpfs remounted read-only; otherwise (root) a path
 * under a regular file, or (not root) a directory with mode 0o555. The app keeps serving, events are
 * delivered from memory, and the sink's health says `degraded` with the error.
 */
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startApp } from './support/app.js'
import { emulatorForFile, targetOf } from './support/emulator.js'
import { startLoad } from './support/load.js'
import { sample } from './support/measure.js'
import { canMount, mountTmpfs, remount, unmount } from './support/mounts.js'
import { profile } from './support/profile.js'
import { report } from './support/report.js'
import { droppedTotal, isIdle } from './support/scenario.js'
import { probeServing } from './support/serving.js'
import { tally } from './support/tally.js'
import { sleep, waitFor } from './support/wait.js'

const em = await emulatorForFile()

/** A spool directory that cannot be written, and how it was made. */
function unwritableDirectory(base: string): { directory: string; how: string; undo: () => void } {
  const mountDir = join(base, 'ro')
  mkdirSync(mountDir)
  if (mountTmpfs(mountDir, '1m')) {
    if (remount(mountDir, 'ro'))
      return { directory: mountDir, how: 'tmpfs remounted ro', undo: () => unmount(mountDir) }
    unmount(mountDir)
  }
  if (canMount() || process.getuid?.() === 0) {
    const file = join(base, 'a-file')
    writeFileSync(file, '')
    return { directory: join(file, 'spool'), how: 'path under a regular file', undo: () => {} }
  }
  chmodSync(mountDir, 0o555)
  return { directory: mountDir, how: 'chmod 0555', undo: () => chmodSync(mountDir, 0o755) }
}

test('read-only spool directory: keeps serving, delivers from memory, health degraded with the error', async () => {
  const p = profile()
  const base = mkdtempSync(join(tmpdir(), 'watchpost-reliability-ro-'))
  const ro = unwritableDirectory(base)
  const app = startApp(targetOf(em), { spool: { directory: ro.directory } })
  const probe = await probeServing()
  const sampler = sample(() => app.health().queuedBytes)
  try {
    const load = startLoad(app.wp, p.rate)
    await sleep(3000)
    const during = app.health()
    await load.stop()
    const idle = await waitFor(() => isIdle(app), p.drainTimeoutMs, 100)
    sampler.stop()
    await probe.stop()
    const h = app.health()
    const t = tally(em, load.accepted.keys())
    report({
      scenario: `9b. read-only spool directory (${ro.how})`,
      emitted: load.accepted.size,
      received: t.received,
      duplicates: t.duplicates,
      lost: t.lost,
      dropped: droppedTotal(h.dropped),
      peakRss: sampler.peakRss,
      peakSpoolBytes: sampler.peakSpoolBytes,
      notes: `state ${during.state}, lastError "${during.lastError ?? ''}"; HTTP probe ${probe.answered} ok / ${probe.failed} failed`,
    })

    assert.equal(load.threw, 0, 'emit never throws')
    assert.equal(probe.failed, 0, 'the HTTP server kept answering')
    assert.ok(idle, 'everything acknowledged')
    assert.equal(t.lost, 0, `lost: ${t.lostSample.join(', ')}`)
    assert.equal(during.state, 'degraded')
    // Node's recursive mkdir reports a read-only file system as ENOENT (the first missing level).
    assert.match(during.lastError ?? '', /EROFS|EACCES|ENOTDIR|ENOENT/)
  } finally {
    await app.close().catch(() => {})
    ro.undo()
    rmSync(base, { recursive: true, force: true })
  }
})
