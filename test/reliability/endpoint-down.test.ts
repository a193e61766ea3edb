/**
 * Scenario 1 (issue 4): the endpoint is down under steady load (60 s in the long run, 12 s in CI),
 * then comes back. Everything is delivered, memory stays flat (the backlog is on disk), and the
 * spool's bytes rise during the outage and come back to zero.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Emulator } from '@watchpost/emulator'
import { start } from './support/emulator.js'
import { MB } from './support/measure.js'
import { profile } from './support/profile.js'
import { report } from './support/report.js'
import { droppedTotal, runFault } from './support/scenario.js'

let em: Emulator
before(async () => {
  em = await start()
})
after(() => em.close())

test(`endpoint down ${profile().outageSeconds} s under ${profile().rate} events/s, then back: nothing lost, memory flat`, async () => {
  const p = profile()
  const run = await runFault(em, { fault: { down: true }, seconds: p.outageSeconds })
  const h = run.app.health()
  const growth = run.sampler.peakRss - run.rssAtFault
  report({
    scenario: `1. endpoint down ${p.outageSeconds} s @ ${p.rate}/s`,
    emitted: run.load.accepted.size,
    received: run.tally.received,
    duplicates: run.tally.duplicates,
    lost: run.tally.lost,
    dropped: droppedTotal(h.dropped),
    peakRss: run.sampler.peakRss,
    rssGrowth: growth,
    peakSpoolBytes: run.sampler.peakSpoolBytes,
    ...(run.drainSeconds === undefined ? {} : { drainSeconds: run.drainSeconds }),
    notes: `requests ${h.requests}, retried ${h.retried}, spool at end ${h.queuedBytes} B`,
  })
  await run.app.close()

  assert.equal(run.load.threw, 0, 'emit never throws')
  assert.equal(run.load.refused, 0, 'no event refused at this rate')
  assert.ok(run.idle, 'everything acknowledged after recovery')
  assert.equal(run.tally.lost, 0, `lost: ${run.tally.lostSample.join(', ')}`)
  assert.deepEqual(h.dropped, {
    overflow: 0,
    expired: 0,
    corrupt: 0,
    unwritable: 0,
    rejected: 0,
    shutdown: 0,
  })
  assert.ok(growth < 100 * MB, `RSS grew ${(growth / MB).toFixed(1)} MB during the outage (bound 100 MB)`)
  // The backlog went to disk while the endpoint was down, and left it once delivered.
  const outageBacklog = p.rate * p.outageSeconds * 0.5 * 300 // half the outage's events, ≥ 300 B each
  assert.ok(run.sampler.peakSpoolBytes > outageBacklog, `spool peaked at ${run.sampler.peakSpoolBytes} B`)
  assert.equal(h.queuedBytes, 0, 'spool empty at the end')
})
