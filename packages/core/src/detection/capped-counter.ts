/**
 * "Report the first few, count the rest": per key and window, the first `cap` occurrences are
 * reported one by one and the others are summed into one aggregate event (with EventCount) when
 * the window closes. An attack of 100,000 requests from one source thus costs `cap` + 1 rows per
 * window, not 100,000 (cost is a feature: every row is paid for in the workspace).
 */
import { WindowCounter } from './window-counter.js'

export interface CappedCounterOptions {
  readonly windowMs: number
  readonly cap: number
  readonly maxKeys?: number
  /** Reports what a closed window held back. Runs on a later hit or on the sweep timer. */
  readonly onAggregate: (key: string, count: number, start: number, end: number) => void
}

export class CappedCounter {
  readonly #cap: number
  readonly #windows: WindowCounter<null>

  constructor(options: CappedCounterOptions) {
    this.#cap = options.cap
    this.#windows = new WindowCounter({
      windowMs: options.windowMs,
      ...(options.maxKeys === undefined ? {} : { maxKeys: options.maxKeys }),
      create: () => null,
      onClose: (key, entry) => {
        if (entry.suppressed > 0) options.onAggregate(key, entry.suppressed, entry.start, entry.last)
      },
    })
  }

  /** True when this occurrence is to be reported on its own; false when it joins the aggregate. */
  admit(key: string, now: number): boolean {
    const entry = this.#windows.hit(key, now)
    if (entry.emitted < this.#cap) {
      entry.emitted++
      return true
    }
    entry.suppressed++
    return false
  }

  sweep(now: number): void {
    this.#windows.sweep(now)
  }
}

/** Per-source caps for detectors that report single requests (CORS, bodies, protocol, JWT). */
export const DEFAULT_CAP = 10
export const DEFAULT_CAP_WINDOW_MS = 60_000

/** What a capped window held back: how many, over which span, from which source. */
export interface HeldBack {
  readonly count: number
  readonly startTime: number
  readonly endTime: number
  readonly srcIp: string
}

/**
 * A detector's cap per source address: the first `cap` occurrences per window reported one by one,
 * the rest handed to `report` as one `HeldBack` when the window closes (to record as an aggregate).
 */
export function capPerSource(
  report: (heldBack: HeldBack) => void,
  windowMs: number = DEFAULT_CAP_WINDOW_MS,
  cap: number = DEFAULT_CAP,
): CappedCounter {
  return new CappedCounter({
    windowMs,
    cap,
    onAggregate: (srcIp, count, startTime, endTime) => report({ count, startTime, endTime, srcIp }),
  })
}
