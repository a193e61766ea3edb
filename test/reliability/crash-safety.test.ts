/**
 * Scenario 8: crash safety. A child process emitting at a steady rate into a sentinel
 * sink with the spool on is killed with SIGKILL at random points (20 times in CI, 100 in the long
 * run) and restarted each time with the same spool directory, while the endpoint fails a share of
 * requests and answers others slowly (so the spool holds a backlog and requests are in flight when
 * the kill comes). A last clean run drains the spool. Then every event emitted more than
 * `spool.syncIntervalMs` + the front queue's flush interval before its kill must be in the emulator
 * (the promise: a crash loses at most the events emitted within the spool's sync interval);
 * duplicates are allowed and counted; every restart must start and emit (no crash loop).
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { SYNC_INTERVAL_MS, watchpostOptions } from './support/app.js'
import { emulatorForFile, targetOf } from './support/emulator.js'
import { dirBytes, rssOf } from './support/measure.js'
import { profile } from './support/profile.js'
import { report } from './support/report.js'
import { rowsByUid } from './support/tally.js'
import { sleep, waitFor } from './support/wait.js'

const CHILD = fileURLToPath(new URL('./crash-child.mjs', import.meta.url))
/**
 * An event older than this at its kill must have survived it: the promise, the sync
 * interval. (The front queue flushes to the spool every half sync interval; a SIGKILL keeps what
 * reached the page cache, so the other half is margin for a timer that fires late.)
 */
const BOUND_MS = SYNC_INTERVAL_MS
const RATE = 500

const em = await emulatorForFile()

interface Run {
  readonly events: Array<{ uid: string; at: number }>
  readonly startedAt: number
  readonly firstEmitMs: number | undefined
  readonly killedAt: number | undefined
}

function readLog(path: string): { started: number | undefined; events: Array<{ uid: string; at: number }> } {
  const events: Array<{ uid: string; at: number }> = []
  let started: number | undefined
  if (!existsSync(path)) return { started, events }
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [a, b] = line.split(' ')
    if (a === undefined || b === undefined) continue // a line torn by the kill
    if (a === 'start') started = Number(b)
    else if (/^[0-9a-f-]{36}$/.test(a) && /^\d+$/.test(b)) events.push({ uid: a, at: Number(b) })
  }
  return { started, events }
}

function spawnChild(config: object): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [CHILD], {
    env: { ...process.env, WATCHPOST_CRASH_CHILD: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  return { child, stderr: () => stderr }
}

test(`crash safety: SIGKILL ${profile().crashKills} times at random points, restarted on the same spool`, async () => {
  const p = profile()
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-reliability-crash-'))
  const target = targetOf(em)
  const common = { options: watchpostOptions(target, dir), rate: RATE, drainTimeoutMs: p.drainTimeoutMs }
  await em.setFaults({ seed: 13, serverErrors: { share: 0.3 }, slow: { delayMs: 300, share: 0.5 } })
  const runs: Run[] = []
  let peakRss = 0
  let peakSpoolBytes = 0
  try {
    for (let k = 0; k < p.crashKills; k++) {
      const log = join(dir, `run-${k}.log`)
      const spawnedAt = Date.now()
      const { child, stderr } = spawnChild({ ...common, log, mode: 'emit' })
      const exited = once(child, 'exit')
      const emitting = await waitFor(
        () => readLog(log).events.length > 0 || child.exitCode !== null,
        20_000,
        20,
      )
      const firstEmit = readLog(log).events[0]?.at
      if (!emitting || firstEmit === undefined) {
        child.kill('SIGKILL')
        await exited
        runs.push({ events: [], startedAt: spawnedAt, firstEmitMs: undefined, killedAt: undefined })
        assert.fail(`run ${k} did not start emitting (crash loop?): ${stderr()}`)
      }
      await sleep(Math.random() * p.crashMaxRunMs)
      peakRss = Math.max(peakRss, rssOf(child.pid!) ?? 0)
      const killedAt = Date.now()
      child.kill('SIGKILL')
      await exited
      peakSpoolBytes = Math.max(peakSpoolBytes, dirBytes(join(dir, 'spool')))
      runs.push({
        events: readLog(log).events,
        startedAt: spawnedAt,
        firstEmitMs: firstEmit - spawnedAt,
        killedAt,
      })
    }

    // A clean run with the endpoint healthy delivers what the killed runs left in the spool.
    await em.clearFaults()
    const drainLog = join(dir, 'drain.log')
    const drainStart = Date.now()
    const { child, stderr } = spawnChild({ ...common, log: drainLog, mode: 'drain' })
    const [code] = (await once(child, 'exit')) as [number | null]
    const drainSeconds = (Date.now() - drainStart) / 1000
    assert.equal(code, 0, `the draining run failed: ${readFileSync(drainLog, 'utf8')} ${stderr()}`)

    const stored = rowsByUid(em)
    let emitted = 0
    let received = 0
    let duplicates = 0
    let mustSurvive = 0
    let lost = 0
    let lostYoung = 0
    /** Lost events older than the bound by the wall clock, in runs whose event loop was starved. */
    let lostStarved = 0
    const lostByRun: string[] = []
    for (const [k, run] of runs.entries()) {
      const ticks = [...new Set(run.events.map((e) => e.at))].sort((a, b) => a - b)
      // How far this process demonstrably got: its second-to-last tick. A tick is re-armed 10 ms
      // after the one before ran, so every timer due before it (the queue's flush timer included)
      // had fired when the last tick ran. Under CPU starvation this is earlier than the kill.
      const progress = Math.min(run.killedAt!, ticks.at(-2) ?? Number.NEGATIVE_INFINITY)
      let lostHere = 0
      let oldestLost = 0
      for (const { uid, at } of run.events) {
        emitted++
        const n = stored.get(uid) ?? 0
        if (n > 0) {
          received++
          duplicates += n - 1
          continue
        }
        if (at < progress - BOUND_MS) {
          lostHere++
          oldestLost = Math.max(oldestLost, progress - at)
        } else if (at < run.killedAt! - BOUND_MS) lostStarved++
        else lostYoung++
      }
      for (const { at } of run.events) if (at < progress - BOUND_MS) mustSurvive++
      lost += lostHere
      if (lostHere > 0)
        lostByRun.push(
          `run ${k}: ${lostHere} of ${run.events.length} lost, up to ${oldestLost} ms before the process's last tick ` +
            `(killed ${run.killedAt! - run.startedAt} ms after spawn, last tick ${run.killedAt! - (ticks.at(-1) ?? 0)} ms before the kill)`,
        )
    }
    const starts = runs.map((r) => r.firstEmitMs ?? 0).sort((a, b) => a - b)
    // How many times the same event was stored: once per restart would mean acknowledgements are
    // not kept across a kill.
    const copies = new Map<number, number>()
    for (const run of runs)
      for (const { uid } of run.events) {
        const n = stored.get(uid) ?? 0
        copies.set(n, (copies.get(n) ?? 0) + 1)
      }
    const histogram = [...copies]
      .sort((a, b) => a[0] - b[0])
      .map(([n, count]) => `${n}×: ${count}`)
      .join(', ')
    report({
      scenario: `8. crash safety: ${runs.length} × SIGKILL`,
      emitted,
      received,
      duplicates,
      lost,
      dropped: lostYoung + lostStarved,
      peakRss,
      peakSpoolBytes,
      drainSeconds,
      notes:
        `${mustSurvive} events older than ${BOUND_MS} ms at their kill had to survive, ${lost} lost; ` +
        `younger ones lost (allowed, in "dropped"): ${lostYoung}, plus ${lostStarved} older by the wall clock in a CPU-starved child; ` +
        `restart to first emit: median ${starts[starts.length >> 1]} ms, slowest ${starts.at(-1)} ms; ` +
        `events stored n times: ${histogram}`,
    })
    assert.equal(runs.length, p.crashKills)
    assert.ok(
      runs.every((r) => r.events.length > 0),
      'every restart emitted: no crash loop',
    )
    assert.ok(mustSurvive > 0)
    assert.equal(
      lost,
      0,
      `events older than ${BOUND_MS} ms at their kill were lost:\n${lostByRun.join('\n')}`,
    )
  } finally {
    await em.clearFaults()
    rmSync(dir, { recursive: true, force: true })
  }
})
