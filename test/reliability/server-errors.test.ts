/** Scenario 3: 30 % of requests answered 500/503 at random: everything is delivered. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { emulatorForFile } from './support/emulator.js'
import { profile } from './support/profile.js'
import { report } from './support/report.js'
import { assertAllDelivered, faultFigures, runFault } from './support/scenario.js'

const em = await emulatorForFile()

test(`30 % random 5xx for ${profile().faultSeconds} s: nothing lost`, async () => {
  const p = profile()
  em.clearRequests()
  const run = await runFault(em, {
    fault: { seed: 3, serverErrors: { share: 0.3, status: 503 } },
    midway: { seed: 5, serverErrors: { share: 0.3, status: 500 } },
    seconds: p.faultSeconds,
  })
  const failed = em.requests().filter((r) => r.status === 500 || r.status === 503).length
  report({
    scenario: `3. 30 % random 5xx ${p.faultSeconds} s`,
    ...faultFigures(run),
    notes: `5xx answers ${failed} of ${em.requests().length} requests`,
  })
  await run.app.close()

  assertAllDelivered(run, 'everything acknowledged')
  assert.ok(failed > 0, 'the fault was seen')
  assert.equal(run.tally.duplicates, 0, 'a 5xx stores nothing, so nothing is stored twice')
})
