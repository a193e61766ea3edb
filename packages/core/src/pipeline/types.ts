import type { SecurityEvent } from '../schema/fields.js'

/** Events a sink could not deliver, with why (the shape of `@azure/monitor-ingestion`'s `onError`). */
export interface SinkFailure {
  readonly failedEvents: readonly SecurityEvent[]
  readonly cause: unknown
}

/**
 * A destination for events. The pipeline calls `send` off the request path with batches in emit
 * order and never concurrently for the same sink. `send` resolves when the batch is delivered; it
 * either rejects (the whole batch failed) or resolves with the part that failed. `flush` and
 * `close` resolve when everything handed over is written; `close` is called once.
 */
export interface Sink {
  /** For stats and error messages, e.g. `console`, `file:./events.jsonl`. */
  readonly name: string
  /**
   * Longest an event may wait in the front queue before this sink gets it, when the sink needs less
   * than `queue.flushIntervalMs` (a spooling sink: half its sync interval). The pipeline flushes at
   * the shortest of them.
   */
  readonly maxWaitMs?: number
  send(batch: readonly SecurityEvent[]): Promise<void | { readonly failures: readonly SinkFailure[] }>
  flush?(): Promise<void>
  close(): Promise<void>
}
