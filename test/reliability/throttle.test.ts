/**
 * Scenario 2: a 429 storm with `Retry-After`. Everything is delivered, and no request
 * reaches the endpoint before the `Retry-After` of a 429 it answered has elapsed — the service
 * limits per DCR, so the wait applies to every request of the sink, not only the one refused.
 * The emulator stamps each request when it answers; a throttled request is answered as soon as its
 * body is read, so a request answered within GRACE_MS of a 429 was already on its way then.
 * Requests in flight together get their 429s within a few milliseconds of each other and each is
 * retried `Retry-After` after its own: a retry may come that much before a sibling's window ends,
 * hence TOLERANCE_MS. Every early request and the earliest margin are reported.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { RequestRecord } from '@watchpost/emulator'
import { emulatorForFile } from './support/emulator.js'
import { profile } from './support/profile.js'
import { report } from './support/report.js'
import { assertAllDelivered, faultFigures, runFault } from './support/scenario.js'

const RETRY_AFTER_S = 2
const GRACE_MS = 250
const TOLERANCE_MS = 100

const em = await emulatorForFile()

/** Requests answered after a 429's grace and before its Retry-After elapsed. */
function earlyRequests(
  log: readonly RequestRecord[],
): Array<{ after429: string; request: string; gapMs: number }> {
  const early: Array<{ after429: string; request: string; gapMs: number }> = []
  const times = log.map((r) => Date.parse(r.time))
  for (let i = 0; i < log.length; i++) {
    if (log[i]!.status !== 429) continue
    const t = times[i]!
    for (let j = i + 1; j < log.length; j++) {
      const gap = times[j]! - t
      if (gap >= RETRY_AFTER_S * 1000) break
      if (gap > GRACE_MS)
        early.push({ after429: log[i]!.time, request: `${log[j]!.time} ${log[j]!.status}`, gapMs: gap })
    }
  }
  return early
}

test(`429 storm with Retry-After: ${RETRY_AFTER_S} s for ${profile().faultSeconds} s: nothing lost, Retry-After honoured`, async () => {
  const p = profile()
  em.clearRequests()
  const run = await runFault(em, {
    fault: { throttle: { retryAfterSeconds: RETRY_AFTER_S } },
    seconds: p.faultSeconds,
  })
  const log = em.requests()
  const throttled = log.filter((r) => r.status === 429).length
  const early = earlyRequests(log)
  const worstMs = early.reduce((worst, e) => Math.max(worst, RETRY_AFTER_S * 1000 - e.gapMs), 0)
  const tooEarly = early.filter((e) => RETRY_AFTER_S * 1000 - e.gapMs > TOLERANCE_MS)
  report({
    scenario: `2. 429 storm (Retry-After ${RETRY_AFTER_S} s) ${p.faultSeconds} s`,
    ...faultFigures(run),
    notes: `429s ${throttled}; requests within another 429's Retry-After: ${early.length}, at most ${worstMs} ms early`,
  })
  await run.app.close()

  assertAllDelivered(run, 'everything acknowledged after the storm')
  assert.ok(throttled > 0, 'the storm was seen')
  assert.ok(log.length < 10_000, 'the emulator kept every request (its log holds 10,000)')
  assert.deepEqual(
    tooEarly.slice(0, 5),
    [],
    `${tooEarly.length} request(s) came more than ${TOLERANCE_MS} ms before Retry-After elapsed`,
  )
})
