/**
 * The shape shared by the fault scenarios (1–5): steady load on a healthy endpoint, the fault for a
 * while, the fault cleared with the load still on, the load stopped, then wait until everything is
 * acknowledged and count what the emulator stored, by EventUid.
 */
import assert from 'node:assert/strict'
import type { Emulator, FaultConfig } from '@watchpost/emulator'
import { type App, type AppOptions, startApp } from './app.js'
import { targetOf } from './emulator.js'
import { type Load, startLoad } from './load.js'
import { type Sampler, sample } from './measure.js'
import { profile } from './profile.js'
import type { Figures } from './report.js'
import { type Tally, tally } from './tally.js'
import { sleep, waitFor } from './wait.js'

export interface FaultRun {
  readonly app: App
  readonly load: Load
  readonly tally: Tally
  readonly sampler: Sampler
  /** Seconds from the fault's end until the backlog was caught up (queue back under half a second of load). */
  readonly drainSeconds: number | undefined
  /** Whether everything was acknowledged before the profile's drain timeout. */
  readonly idle: boolean
  /** RSS when the fault began (after a healthy second: token, connections, JIT warm). */
  readonly rssAtFault: number
  /** Peak RSS from the start up to the end of the fault (not the drain after it). */
  readonly peakRssInFault: number
  /** Wall clock (ms) when the fault was set and cleared. */
  readonly faultFrom: number
  readonly faultTo: number
}

/** Whether the instance holds nothing any more: front queue, store and requests all empty. */
export function isIdle(app: App): boolean {
  const h = app.health()
  return app.wp.stats().queued === 0 && h.queued === 0 && h.inFlight === 0
}

export async function runFault(
  em: Emulator,
  options: {
    readonly fault: FaultConfig
    readonly seconds: number
    readonly app?: AppOptions
    readonly rate?: number
    /** Changes the fault half-way (e.g. resets before the store, then after it). */
    readonly midway?: FaultConfig
  },
): Promise<FaultRun> {
  const p = profile()
  const rate = options.rate ?? p.rate
  const app = startApp(targetOf(em), options.app)
  const sampler = sample(() => app.health().queuedBytes)
  const load = startLoad(app.wp, rate)
  await sleep(1000) // healthy first: token fetched, connections open
  const faultFrom = Date.now()
  const rssAtFault = process.memoryUsage().rss
  await em.setFaults(options.fault)
  if (options.midway === undefined) await sleep(options.seconds * 1000)
  else {
    await sleep((options.seconds * 1000) / 2)
    await em.setFaults(options.midway)
    await sleep((options.seconds * 1000) / 2)
  }
  await em.clearFaults()
  const faultTo = Date.now()
  // The peak while the endpoint was down; after it, the drain (and the in-process emulator storing
  // the backlog's rows) raises RSS for reasons that are not the app holding events.
  const peakRssInFault = sampler.peakRss
  let drainSeconds: number | undefined
  const backlog = Math.max(100, rate / 2)
  const drainWatch = setInterval(() => {
    if (drainSeconds === undefined && app.wp.stats().queued + app.health().queued <= backlog)
      drainSeconds = (Date.now() - faultTo) / 1000
  }, 100)
  await sleep(p.tailSeconds * 1000)
  await load.stop()
  const idle = await waitFor(() => isIdle(app), p.drainTimeoutMs, 100)
  clearInterval(drainWatch)
  drainSeconds ??= idle ? (Date.now() - faultTo) / 1000 : undefined
  sampler.stop()
  return {
    app,
    load,
    tally: tally(em, load.accepted.keys()),
    sampler,
    drainSeconds,
    idle,
    rssAtFault,
    peakRssInFault,
    faultFrom,
    faultTo,
  }
}

/** Sum of a health's drop counters. */
export function droppedTotal(dropped: Readonly<Record<string, number>>): number {
  return Object.values(dropped).reduce((a, b) => a + b, 0)
}

/** The figures every fault run reports; the scenario adds its name and notes. */
export function faultFigures(run: FaultRun): Omit<Figures, 'scenario'> {
  return {
    emitted: run.load.accepted.size,
    received: run.tally.received,
    duplicates: run.tally.duplicates,
    lost: run.tally.lost,
    dropped: droppedTotal(run.app.health().dropped),
    peakRss: run.sampler.peakRss,
    peakSpoolBytes: run.sampler.peakSpoolBytes,
    ...(run.drainSeconds === undefined ? {} : { drainSeconds: run.drainSeconds }),
  }
}

/** What every fault scenario must show: `emit` never threw, and every event arrived once the fault was over. */
export function assertAllDelivered(run: FaultRun, idleMessage: string): void {
  assert.equal(run.load.threw, 0, 'emit never throws')
  assert.ok(run.idle, idleMessage)
  assert.equal(run.tally.lost, 0, `lost: ${run.tally.lostSample.join(', ')}`)
}
