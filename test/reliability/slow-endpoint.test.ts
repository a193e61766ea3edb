/**
 * Scenario 4: responses slower than `delivery.timeoutMs` (1 s here). The loop abandons
 * and retries them; once the endpoint is fast again everything is delivered. A request abandoned by
 * the client may still have been stored (the emulator stores after the delay), so duplicates are
 * allowed — and counted.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { emulatorForFile } from './support/emulator.js'
import { profile } from './support/profile.js'
import { report } from './support/report.js'
import { assertAllDelivered, faultFigures, runFault } from './support/scenario.js'

const TIMEOUT_MS = 1000
const DELAY_MS = 2500

const em = await emulatorForFile()

test(`responses after ${DELAY_MS} ms with timeoutMs ${TIMEOUT_MS} for ${profile().faultSeconds} s: delivered once fast again`, async () => {
  const p = profile()
  const run = await runFault(em, {
    fault: { slow: { delayMs: DELAY_MS } },
    seconds: p.faultSeconds,
    app: { delivery: { timeoutMs: TIMEOUT_MS } },
  })
  const h = run.app.health()
  report({
    scenario: `4. slow endpoint (${DELAY_MS} ms > timeout ${TIMEOUT_MS} ms) ${p.faultSeconds} s`,
    ...faultFigures(run),
    notes: `retried ${h.retried}; duplicates are timed-out requests that had landed`,
  })
  await run.app.close()

  assertAllDelivered(run, 'everything acknowledged once the endpoint is fast')
  assert.ok(h.retried > 0, 'requests timed out and were retried')
})
