/** What the delivery-loop tests share: options that make retries and lingering take no time. */
import type { DeliveryOptions } from '../../src/delivery/delivery-sink.js'

/** Two leases at once, backoff in milliseconds, no linger, no rate limit, memory store, no dead letters. */
export const fastDelivery: DeliveryOptions = {
  concurrency: 2,
  timeoutMs: 5_000,
  backoff: { baseMs: 5, maxDelayMs: 50 },
  maxBatchRecords: 5_000,
  lingerMs: 0,
  requestsPerMinute: 1_000_000,
  bytesPerMinute: 1e12,
  failingAfterMs: 60_000,
  durable: false,
  deadLetter: undefined,
}
