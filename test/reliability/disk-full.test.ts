/**
 * Scenario 9a: the spool's file system fills up while the endpoint is down. Where this
 * machine allows it (root, mount permitted) the spool lives on a 2 MB tmpfs; elsewhere a spool
 * capped at 1 MB by `spool.maxBytes` stands in for it. The app keeps serving (emit never throws, an
 * HTTP server in the same process keeps answering), every event is either delivered or dropped and
 * counted — exactly — and delivery resumes once the endpoint is back and the space returns.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startApp } from './support/app.js'
import { emulatorForFile, targetOf } from './support/emulator.js'
import { startLoad } from './support/load.js'
import { dirBytes, fileSizes, MB, sample } from './support/measure.js'
import { mountTmpfs, remount, unmount } from './support/mounts.js'
import { profile } from './support/profile.js'
import { report } from './support/report.js'
import { droppedTotal, isIdle } from './support/scenario.js'
import { probeServing } from './support/serving.js'
import { rowsByUid, tally } from './support/tally.js'
import { sleep, waitFor } from './support/wait.js'

const RATE = 2_000

const em = await emulatorForFile()

test('spool on a file system that fills: keeps serving, drops counted exactly, delivery resumes', async () => {
  const p = profile()
  const mountDir = mkdtempSync(join(tmpdir(), 'watchpost-reliability-full-'))
  const mounted = mountTmpfs(mountDir, '2m')
  const app = startApp(targetOf(em), {
    spool: mounted ? { directory: mountDir } : { directory: join(mountDir, 'spool'), maxBytes: 1 * MB },
    // The spool's memory fallback is `queue.maxBytes`: kept small so that the disk trouble shows.
    queue: { maxBytes: 1 * MB },
  })
  const probe = await probeServing()
  const sampler = sample(() => dirBytes(mountDir))
  try {
    const load = startLoad(app.wp, RATE)
    await sleep(1000)
    await em.setFaults({ down: true })
    // Emit until the spool and its memory fallback are full and drops have been counted for a while.
    const full = await waitFor(() => droppedTotal(app.health().dropped) > RATE, 30_000, 100)
    const duringOutage = app.health()
    await em.clearFaults()
    const backAt = Date.now()
    await sleep(2000) // the load goes on while the backlog drains
    await load.stop()
    const idle = await waitFor(() => isIdle(app), p.drainTimeoutMs, 100)
    const drainSeconds = (Date.now() - backAt) / 1000

    // Everything acknowledged: what the spool still holds on the full disk, and its state.
    const heldAfterDrain = dirBytes(mountDir)
    const afterDrain = app.health()
    // Space returns (an operator grows the volume): the spool must write to disk again — a segment
    // file appears or grows. (Not the volume's total: delivered segments are deleted meanwhile.)
    const grown = mounted && remount(mountDir, 'size=64m')
    const sizesBefore = fileSizes(mountDir)
    const again = startLoad(app.wp, 500)
    let wroteAgain = false
    const watch = setInterval(() => {
      for (const [path, size] of fileSizes(mountDir)) {
        if (path.endsWith('.wal') && size > (sizesBefore.get(path) ?? 0)) wroteAgain = true
      }
    }, 50)
    await sleep(3000)
    await again.stop()
    const idleAgain = await waitFor(() => isIdle(app), p.drainTimeoutMs, 100)
    clearInterval(watch)
    sampler.stop()
    await probe.stop()

    const h = app.health()
    const s = app.wp.stats()
    const storedUnique = rowsByUid(em).size
    const dropped = droppedTotal(h.dropped)
    // Every event the pipeline accepted (the instance's own sys_monitor_* events included) is
    // stored, dropped with a reason, or set aside — nothing else.
    const accounted =
      storedUnique + dropped + h.deadLettered + s.dropped.shutdown_timeout + s.dropped.sink_failed
    const mine = tally(em, [...load.accepted.keys(), ...again.accepted.keys()])
    const after = tally(em, again.accepted.keys())
    report({
      scenario: `9a. spool disk full (${mounted ? '2 MB tmpfs' : 'spool.maxBytes 1 MB'}), endpoint down`,
      emitted: s.emitted,
      received: storedUnique,
      duplicates: mine.duplicates,
      lost: s.emitted - accounted,
      dropped,
      peakRss: sampler.peakRss,
      peakSpoolBytes: sampler.peakSpoolBytes,
      drainSeconds,
      notes:
        `dropped ${JSON.stringify(Object.fromEntries(Object.entries(h.dropped).filter(([, n]) => n > 0)))}; ` +
        `error while full: ${duringOutage.lastError ?? 'none'}; HTTP probe ${probe.answered} ok / ${probe.failed} failed, ` +
        `slowest ${probe.slowestMs.toFixed(0)} ms; once drained: ${(heldAfterDrain / MB).toFixed(1)} MB still on the ` +
        `volume, state ${afterDrain.state}${grown ? '; after growing the volume' : ''}: state ${h.state}`,
    })

    assert.ok(full, `drops were counted while full (dropped ${dropped})`)
    assert.equal(load.threw + again.threw, 0, 'emit never throws')
    assert.equal(probe.failed, 0, 'the HTTP server kept answering')
    assert.ok(probe.answered > 0)
    assert.ok(idle && idleAgain, 'delivery resumed and drained')
    assert.equal(s.emitted, accounted, 'emitted = delivered + dropped by reason, exactly')
    assert.equal(after.lost, 0, `events emitted after recovery lost: ${after.lostSample.join(', ')}`)
    if (grown) {
      assert.ok(wroteAgain, 'the spool wrote to disk again once there was space')
      assert.equal(h.state, 'healthy', `the spool recovered from the full disk (lastError: ${h.lastError})`)
    }
  } finally {
    await app.close().catch(() => {})
    if (mounted) unmount(mountDir)
    rmSync(mountDir, { recursive: true, force: true })
  }
})
