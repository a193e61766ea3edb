/**
 * Scenario 1: the endpoint is down under steady load (60 s in the long run, 12 s in CI),
 * then comes back. Everything is delivered, memory stays flat (the backlog is on disk), and the
 * spool's bytes rise during the outage and come back to zero.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { emulatorForFile } from './support/emulator.js'
import { MB } from './support/measure.js'
import { profile } from './support/profile.js'
import { report } from './support/report.js'
import { assertAllDelivered, faultFigures, runFault } from './support/scenario.js'

const em = await emulatorForFile()

test(`endpoint down ${profile().outageSeconds} s under ${profile().rate} events/s, then back: nothing lost, memory flat`, async () => {
  const p = profile()
  const run = await runFault(em, { fault: { down: true }, seconds: p.outageSeconds })
  const h = run.app.health()
  // While the endpoint is down the backlog must go to disk, not memory. (The drain afterwards is
  // measured too, in the table: it includes this process's emulator storing the backlog's rows.)
  const growth = run.peakRssInFault - run.rssAtFault
  report({
    scenario: `1. endpoint down ${p.outageSeconds} s @ ${p.rate}/s`,
    ...faultFigures(run),
    rssGrowth: growth,
    notes: `requests ${h.requests}, retried ${h.retried}, spool at end ${h.queuedBytes} B; peak RSS during the drain ${((run.sampler.peakRss - run.rssAtFault) / MB).toFixed(1)} MB over the outage start`,
  })
  await run.app.close()

  assertAllDelivered(run, 'everything acknowledged after recovery')
  assert.equal(run.load.refused, 0, 'no event refused at this rate')
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
