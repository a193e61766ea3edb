/**
 * Keeps a sink within the service's per-minute limits (Logs Ingestion: 12,000 requests and 2 GB
 * per minute per DCR, logs-ingestion-api.md §2) with two token buckets refilled continuously, so a
 * backlog drained after an outage does not earn a 429 storm of its own.
 */
export interface RateLimitOptions {
  readonly requestsPerMinute: number
  readonly bytesPerMinute: number
}

export class RateLimiter {
  readonly #options: RateLimitOptions
  readonly #now: () => number
  #requests: number
  #bytes: number
  #last: number

  constructor(options: RateLimitOptions, now: () => number = Date.now) {
    this.#options = options
    this.#now = now
    this.#requests = options.requestsPerMinute
    this.#bytes = options.bytesPerMinute
    this.#last = now()
  }

  /** Takes one request of `bytes`; returns how long, in ms, to wait before sending it (0: now). */
  take(bytes: number): number {
    const now = this.#now()
    const elapsed = Math.max(0, now - this.#last)
    this.#last = now
    const { requestsPerMinute: rpm, bytesPerMinute: bpm } = this.#options
    this.#requests = Math.min(rpm, this.#requests + (elapsed * rpm) / 60_000)
    this.#bytes = Math.min(bpm, this.#bytes + (elapsed * bpm) / 60_000)
    this.#requests -= 1
    this.#bytes -= Math.min(bytes, bpm)
    const waitRequests = this.#requests >= 0 ? 0 : (-this.#requests * 60_000) / rpm
    const waitBytes = this.#bytes >= 0 ? 0 : (-this.#bytes * 60_000) / bpm
    return Math.ceil(Math.max(waitRequests, waitBytes))
  }
}
