/**
 * Health of one delivering sink, from what its requests and its store report:
 * `healthy` — the last request succeeded (or none was needed) and the store writes fine;
 * `degraded` — requests are being retried, or the spool cannot write to disk (events are kept in
 * memory or counted as dropped), or records were set aside in the last minute;
 * `failing` — the destination refuses the credentials or does not exist (401/403/404), or requests
 * have failed without a success for `failingAfterMs` (default 60 s).
 */
import type { FailureKind } from './types.js'

export type DeliveryState = 'healthy' | 'degraded' | 'failing'

/** Why records of a delivering sink were let go (store reasons and the loop's own). */
export type DeliveryDropReason = 'overflow' | 'expired' | 'corrupt' | 'unwritable' | 'rejected' | 'shutdown'

export interface DeliveryHealth {
  readonly sink: string
  readonly state: DeliveryState
  /** Records held (memory or spool) and not yet acknowledged. */
  readonly queued: number
  /** Bytes of those records; on disk when the spool is on. */
  readonly queuedBytes: number
  /** Whether `queued` lives in the disk spool. */
  readonly spooled: boolean
  /** Requests sent to the destination and not yet answered (not those waiting for a retry). */
  readonly inFlight: number
  /** Records acknowledged by the destination. */
  readonly sent: number
  /** Requests that succeeded. */
  readonly requests: number
  /** Requests re-sent after a failure. */
  readonly retried: number
  /** Records set aside in the dead-letter file. */
  readonly deadLettered: number
  /** Records let go, by reason; `rejected` only when the dead-letter file could not take them. */
  readonly dropped: Readonly<Record<DeliveryDropReason, number>>
  readonly lastError: string | undefined
  /** ISO time of the last failure / success; `undefined` before the first. */
  readonly lastErrorAt: string | undefined
  readonly lastSuccessAt: string | undefined
}

/**
 * Failures are tracked per partition (stream): one stream that does not exist must show as
 * `failing` even while the other streams deliver.
 */
export class HealthTracker {
  #state: DeliveryState = 'healthy'
  readonly #failing = new Map<string, { since: number; kind: FailureKind }>()
  lastError: string | undefined
  lastErrorAt: number | undefined
  lastSuccessAt: number | undefined
  #lastSetAside: number | undefined

  constructor(
    private readonly failingAfterMs: number,
    private readonly onChange: (from: DeliveryState, to: DeliveryState) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): DeliveryState {
    return this.#state
  }

  /** Whether some partition's last request failed (its records wait for a retry). */
  get retrying(): boolean {
    return this.#failing.size > 0
  }

  success(partition: string): void {
    this.lastSuccessAt = this.now()
    this.#failing.delete(partition)
  }

  failure(partition: string, kind: FailureKind, message: string): void {
    const now = this.now()
    this.lastError = message
    this.lastErrorAt = now
    const since = this.#failing.get(partition)?.since ?? now
    this.#failing.set(partition, { since, kind })
  }

  setAside(message: string): void {
    this.lastError = message
    this.lastErrorAt = this.#lastSetAside = this.now()
  }

  /** Recomputes the state (`storeError`: the store's current I/O error) and reports a change. */
  update(storeError: string | undefined): DeliveryState {
    const now = this.now()
    let next: DeliveryState = 'healthy'
    for (const { since, kind } of this.#failing.values()) {
      if (kind === 'auth' || kind === 'not_found' || now - since >= this.failingAfterMs) {
        next = 'failing'
        break
      }
      next = 'degraded'
    }
    if (
      next === 'healthy' &&
      (storeError !== undefined || (this.#lastSetAside !== undefined && now - this.#lastSetAside < 60_000))
    ) {
      next = 'degraded'
    }
    if (storeError !== undefined && this.lastError === undefined) this.lastError = storeError
    const from = this.#state
    if (next !== from) {
      this.#state = next
      try {
        this.onChange(from, next)
      } catch {
        // Reporting must never break delivery.
      }
    }
    return next
  }
}
