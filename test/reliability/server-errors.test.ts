/** Scenario 3 (issue 4): 30 % of requests answered 500/503 at random: everything is delivered. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Emulator } from '@watchpost/emulator'
import { start } from './support/emulator.js'
import { profile } from './support/profile.js'
import { report } from './support/report.js'
import { droppedTotal, runFault } from './support/scenario.js'

let em: Emulator
before(async () => {
  em = await start()
})
after(() => em.close())

test(`30 % random 5xx for ${profile().faultSeconds} s: nothing lost`, async () => {
  const p = profile()
  em.clearRequests()
  const run = await runFault(em, {
    fault: { seed: 3, serverErrors: { share: 0.3, status: 503 } },
    midway: { seed: 5, serverErrors: { share: 0.3, status: 500 } },
    seconds: p.faultSeconds,
  })
  const h = run.app.health()
  const failed = em.requests().filter((r) => r.status === 500 || r.status === 503).length
  report({
    scenario: `3. 30 % random 5xx ${p.faultSeconds} s`,
    emitted: run.load.accepted.size,
    received: run.tally.received,
    duplicates: run.tally.duplicates,
    lost: run.tally.lost,
    dropped: droppedTotal(h.dropped),
    peakRss: run.sampler.peakRss,
    peakSpoolBytes: run.sampler.peakSpoolBytes,
    ...(run.drainSeconds === undefined ? {} : { drainSeconds: run.drainSeconds }),
    notes: `5xx answers ${failed} of ${em.requests().length} requests`,
  })
  await run.app.close()

  assert.equal(run.load.threw, 0)
  assert.ok(run.idle, 'everything acknowledged')
  assert.ok(failed > 0, 'the fault was seen')
  assert.equal(run.tally.lost, 0, `lost: ${run.tally.lostSample.join(', ')}`)
  assert.equal(run.tally.duplicates, 0, 'a 5xx stores nothing, so nothing is stored twice')
})
