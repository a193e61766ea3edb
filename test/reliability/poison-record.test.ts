/**
 * Scenario 6: one poison record among thousands. The emulator refuses (400 RowRejected)
 * any request holding it; the loop splits until the record is alone, sets only it aside in the
 * dead-letter file with the service's error text, and delivers every other event.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import type { SecurityEvent } from '@watchpost/core'
import { startApp } from './support/app.js'
import { emulatorForFile, targetOf } from './support/emulator.js'
import { eventFactory } from './support/events.js'
import { emitBurst } from './support/load.js'
import { sample } from './support/measure.js'
import { profile } from './support/profile.js'
import { report } from './support/report.js'
import { isIdle } from './support/scenario.js'
import { tally } from './support/tally.js'
import { waitFor } from './support/wait.js'

const em = await emulatorForFile()

test(`one poison record among ${profile().poisonEvents}: only it is dead-lettered, with the service's error`, async () => {
  const p = profile()
  const factory = eventFactory()
  const events: SecurityEvent[] = Array.from({ length: p.poisonEvents }, (_, i) => factory(i))
  const poison = events[Math.floor(Math.random() * events.length)]!
  await em.setFaults({
    reject: (row) => row.EventOriginalUid === poison.EventUid || row.EventUid === poison.EventUid,
  })
  em.clearRequests()

  const app = startApp(targetOf(em))
  const sampler = sample(() => app.health().queuedBytes)
  const t0 = Date.now()
  // In slices of a queue's worth, as a busy app would emit them.
  const accepted = new Map<string, number>()
  let refused = 0
  for (let i = 0; i < events.length; i += 2_000) {
    const burst = emitBurst(app.wp, events.slice(i, i + 2_000))
    for (const [uid, t] of burst.accepted) accepted.set(uid, t)
    refused += burst.refused
    await new Promise((r) => setTimeout(r, 50))
  }
  const idle = await waitFor(() => isIdle(app), p.drainTimeoutMs, 100)
  const drainSeconds = (Date.now() - t0) / 1000
  sampler.stop()
  const h = app.health()
  const others = [...accepted.keys()].filter((uid) => uid !== poison.EventUid)
  const t = tally(em, others)
  const rejected = em.requests().filter((r) => r.status === 400)
  let deadLetters: Array<{ status: number | null; error: string; record: string }> = []
  try {
    deadLetters = readFileSync(app.deadLetterPath, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { status: number | null; error: string; record: string })
  } catch {}
  report({
    scenario: `6. one poison record among ${p.poisonEvents}`,
    emitted: accepted.size,
    received: t.received,
    duplicates: t.duplicates,
    lost: t.lost,
    dropped: deadLetters.length,
    peakRss: sampler.peakRss,
    peakSpoolBytes: sampler.peakSpoolBytes,
    drainSeconds,
    notes: `400s while isolating it ${rejected.length}; dead-lettered ${h.deadLettered}`,
  })
  await app.close()

  assert.equal(refused, 0)
  assert.ok(idle, 'everything acknowledged: the poison record did not block the queue')
  assert.equal(t.lost, 0, `lost: ${t.lostSample.join(', ')}`)
  assert.equal(em.store.rows({ eventUid: poison.EventUid }).length, 0, 'the poison record was never stored')
  assert.equal(h.deadLettered, 1)
  assert.equal(deadLetters.length, 1, 'exactly one record in the dead-letter file')
  const entry = deadLetters[0]!
  // Stored as `<stream>\n<row>`; ASIM rows carry the id as EventOriginalUid.
  const row = JSON.parse(entry.record.slice(entry.record.indexOf('\n') + 1)) as { EventOriginalUid?: string }
  assert.equal(row.EventOriginalUid, poison.EventUid)
  assert.equal(entry.status, 400)
  assert.match(entry.error, /RowRejected/, "the service's error code is kept")
  assert.match(entry.error, /Row \d+: rejected/, "the service's error text is kept")
})
