/**
 * Scenario 5: 30 % of connections reset — the first half of the window before the rows
 * are stored, the second half after (the client sees a failure of a request that succeeded, so its
 * retry stores duplicates). Everything is delivered; duplicates are counted.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { emulatorForFile } from './support/emulator.js'
import { profile } from './support/profile.js'
import { report } from './support/report.js'
import { assertAllDelivered, faultFigures, runFault } from './support/scenario.js'

const em = await emulatorForFile()

test(`30 % connection resets for ${profile().faultSeconds} s: nothing lost`, async () => {
  const p = profile()
  em.clearRequests()
  const run = await runFault(em, {
    fault: { seed: 7, reset: { share: 0.3 } },
    midway: { seed: 11, reset: { share: 0.3, afterStore: true } },
    seconds: p.faultSeconds,
  })
  const resets = em.requests().filter((r) => r.status === 'reset').length
  report({
    scenario: `5. 30 % connection resets ${p.faultSeconds} s`,
    ...faultFigures(run),
    notes: `resets ${resets} (half after the store: duplicates expected)`,
  })
  await run.app.close()

  assertAllDelivered(run, 'everything acknowledged')
  assert.ok(resets > 0, 'the fault was seen')
})
