/**
 * Scenario 5 (issue 4): 30 % of connections reset — the first half of the window before the rows
 * are stored, the second half after (the client sees a failure of a request that succeeded, so its
 * retry stores duplicates). Everything is delivered; duplicates are counted.
 */
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

test(`30 % connection resets for ${profile().faultSeconds} s: nothing lost`, async () => {
  const p = profile()
  em.clearRequests()
  const run = await runFault(em, {
    fault: { seed: 7, reset: { share: 0.3 } },
    midway: { seed: 11, reset: { share: 0.3, afterStore: true } },
    seconds: p.faultSeconds,
  })
  const h = run.app.health()
  const resets = em.requests().filter((r) => r.status === 'reset').length
  report({
    scenario: `5. 30 % connection resets ${p.faultSeconds} s`,
    emitted: run.load.accepted.size,
    received: run.tally.received,
    duplicates: run.tally.duplicates,
    lost: run.tally.lost,
    dropped: droppedTotal(h.dropped),
    peakRss: run.sampler.peakRss,
    peakSpoolBytes: run.sampler.peakSpoolBytes,
    ...(run.drainSeconds === undefined ? {} : { drainSeconds: run.drainSeconds }),
    notes: `resets ${resets} (half after the store: duplicates expected)`,
  })
  await run.app.close()

  assert.equal(run.load.threw, 0)
  assert.ok(run.idle, 'everything acknowledged')
  assert.ok(resets > 0, 'the fault was seen')
  assert.equal(run.tally.lost, 0, `lost: ${run.tally.lostSample.join(', ')}`)
})
