/**
 * Scenario 7: one 3 MB event (a 3 MB `EventMessage`, set on a built event and emitted
 * with `emit`) in the middle of a steady load. It is delivered trimmed and never holds up the events
 * around it. Trimmed: the emulator refuses (413) any request over 1 MB on the wire or decompressed,
 * so a stored row of a 3 MB event was cut to fit (the emulator then truncates strings to 64 KB as
 * the service does, which hides the trim mark). Not held up: every event emitted after it is stored
 * within LATENCY_BOUND_MS of its emit (the emulator stamps `_IngestionTime`).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startApp } from './support/app.js'
import { emulatorForFile, targetOf } from './support/emulator.js'
import { eventFactory } from './support/events.js'
import { startLoad } from './support/load.js'
import { sample } from './support/measure.js'
import { profile } from './support/profile.js'
import { report } from './support/report.js'
import { isIdle } from './support/scenario.js'
import { firstStored, tally } from './support/tally.js'
import { sleep, waitFor } from './support/wait.js'

const HUGE = 3 * 1024 * 1024
const PREFIX = 'huge-message:'
const LATENCY_BOUND_MS = 3000

const em = await emulatorForFile()

test('a single 3 MB event: delivered trimmed, never blocks the others', async () => {
  const p = profile()
  em.clearRequests()
  const app = startApp(targetOf(em))
  const sampler = sample(() => app.health().queuedBytes)
  const factory = eventFactory()
  const load = startLoad(app.wp, p.rate, { factory })
  await sleep(1000)
  const huge = { ...factory(1_000_000), EventMessage: PREFIX + 'x'.repeat(HUGE) }
  const hugeAt = Date.now()
  assert.equal(app.wp.emit(huge), true, 'the pipeline accepts it')
  await sleep(3000)
  await load.stop()
  const idle = await waitFor(() => isIdle(app), p.drainTimeoutMs, 100)
  sampler.stop()
  const h = app.health()
  const t = tally(em, load.accepted.keys())
  const rows = em.store.rows({ eventUid: huge.EventUid })
  const tooLarge = em.requests().filter((r) => r.status === 413).length
  const stored = firstStored(em)
  let later = 0
  let slowestMs = 0
  for (const [uid, at] of load.accepted) {
    if (at < hugeAt) continue
    later++
    slowestMs = Math.max(slowestMs, (stored.get(uid) ?? Number.POSITIVE_INFINITY) - at)
  }
  report({
    scenario: '7. one 3 MB event in a steady load',
    emitted: load.accepted.size + 1,
    received: t.received + (rows.length > 0 ? 1 : 0),
    duplicates: t.duplicates + Math.max(0, rows.length - 1),
    lost: t.lost + (rows.length > 0 ? 0 : 1),
    dropped: h.deadLettered + h.dropped.rejected,
    peakRss: sampler.peakRss,
    peakSpoolBytes: sampler.peakSpoolBytes,
    notes: `huge event stored ${rows.length}×, 413s ${tooLarge}; slowest of the ${later} events after it: ${slowestMs} ms`,
  })
  await app.close()

  assert.equal(load.threw, 0)
  assert.ok(idle, 'everything acknowledged')
  assert.equal(t.lost, 0, `lost: ${t.lostSample.join(', ')}`)
  assert.ok(later > 0)
  assert.equal(rows.length, 1, 'the huge event was delivered once')
  const message = rows[0]!.EventMessage as string
  assert.ok(message.startsWith(PREFIX), 'its start is kept')
  assert.ok(message.length < HUGE, 'it was trimmed')
  assert.equal(h.deadLettered, 0, 'nothing set aside')
  assert.ok(slowestMs < LATENCY_BOUND_MS, `an event after the huge one took ${slowestMs} ms to be stored`)
})
