/**
 * A steady load: `rate` events per second, emitted in 10 ms ticks against the wall clock (a late
 * tick catches up, so the rate holds on a busy machine). Every event the instance accepted is kept
 * by its EventUid with its emit time; a refused one (`emit` false) or a throw is counted.
 */
import type { SecurityEvent, Watchpost } from '@watchpost/core'
import { type EventFactory, eventFactory } from './events.js'

export interface Load {
  /** EventUid → emit time (ms since the epoch) of every accepted event. */
  readonly accepted: Map<string, number>
  /** Events `emit` refused (returned false). */
  refused: number
  /** `emit` calls that threw (must stay 0: capture never throws). */
  threw: number
  /** Stops the load; resolves once the last tick ran. */
  stop(): Promise<void>
}

const TICK_MS = 10

export function startLoad(
  wp: Watchpost,
  rate: number,
  options: { factory?: EventFactory; tweak?: (event: SecurityEvent, i: number) => SecurityEvent } = {},
): Load {
  const factory = options.factory ?? eventFactory()
  const t0 = performance.now()
  let sent = 0
  let stopped = false
  const load: Load = {
    accepted: new Map(),
    refused: 0,
    threw: 0,
    stop() {
      stopped = true
      return done
    },
  }
  const done = new Promise<void>((resolve) => {
    const tick = () => {
      if (stopped) return resolve()
      const due = Math.floor(((performance.now() - t0) * rate) / 1000)
      while (sent < due) {
        let event = factory(sent)
        if (options.tweak !== undefined) event = options.tweak(event, sent)
        sent++
        const now = Date.now()
        try {
          if (wp.emit(event)) load.accepted.set(event.EventUid, now)
          else load.refused++
        } catch {
          load.threw++
        }
      }
      setTimeout(tick, TICK_MS)
    }
    tick()
  })
  return load
}

/** Emits `count` events at once (a burst); same bookkeeping as `startLoad`. */
export function emitBurst(wp: Watchpost, events: readonly SecurityEvent[]): Omit<Load, 'stop'> {
  const result = { accepted: new Map<string, number>(), refused: 0, threw: 0 }
  for (const event of events) {
    try {
      if (wp.emit(event)) result.accepted.set(event.EventUid, Date.now())
      else result.refused++
    } catch {
      result.threw++
    }
  }
  return result
}
