/**
 * The pipeline's front half. `emit` is the only part on the request path: synchronous, O(1), never
 * throws, never does I/O — it pushes onto a bounded ring and, at most once per interval, arms an
 * unref'd timer. Batches are handed to the sinks from that timer (or from `setImmediate` when a full
 * batch is waiting), each sink receiving batches in emit order and never two at once.
 */
import { WatchpostError } from '../errors.js'
import type { SecurityEvent } from '../schema/fields.js'
import { RingQueue } from './ring-queue.js'
import type { Sink, SinkFailure } from './types.js'

export interface PipelineOptions {
  /** Events held in memory before new ones are dropped (`queue_full`). */
  readonly maxEvents: number
  /** Estimated bytes held in memory before new ones are dropped (`queue_full`). */
  readonly maxBytes: number
  /** Longest time an event waits in memory before it is handed to the sinks. */
  readonly flushIntervalMs: number
  /** Most events handed to a sink at once. */
  readonly batchSize: number
}

/**
 * Why an event was not delivered: `queue_full` (the memory bound was reached), `closed` (emitted
 * after `close()`), `shutdown_timeout` (still queued when the close deadline passed), `sink_failed`
 * (a sink reported it failed; counted once per sink and event).
 */
export type DropReason = 'queue_full' | 'closed' | 'shutdown_timeout' | 'sink_failed'

export interface SinkStats {
  delivered: number
  failed: number
  lastError: string | undefined
}

export interface PipelineStats {
  /** Events accepted by `emit`. */
  readonly emitted: number
  /** Events waiting in memory. */
  readonly queued: number
  /** Estimated bytes waiting in memory. */
  readonly queuedBytes: number
  readonly dropped: Readonly<Record<DropReason, number>>
  readonly sinks: Readonly<Record<string, Readonly<SinkStats>>>
}

export interface PipelineHooks {
  /** Called (off the request path) when a sink reports failed events. Must not throw; errors are ignored. */
  readonly onSinkFailure?: (sink: Sink, failure: SinkFailure) => void
}

interface Entry {
  readonly event: SecurityEvent
  readonly bytes: number
}

/**
 * Rough serialised size, from the fields that vary; the fixed part of a record is about 700 bytes of
 * JSON. It only bounds memory, so it must be cheap rather than exact (no JSON.stringify here).
 */
function estimateBytes(event: SecurityEvent): number {
  return (
    700 +
    event.EventMessage.length +
    (event.Url?.length ?? 0) +
    (event.HttpUserAgent?.length ?? 0) +
    (event.HttpReferrer?.length ?? 0) +
    (event.AdditionalFields === undefined ? 0 : 512)
  )
}

export class Pipeline {
  #sinks: readonly Sink[] = []
  #options: PipelineOptions
  readonly #hooks: PipelineHooks
  readonly #queue: RingQueue<Entry>
  #queuedBytes = 0
  #emitted = 0
  readonly #dropped: Record<DropReason, number> = {
    queue_full: 0,
    closed: 0,
    shutdown_timeout: 0,
    sink_failed: 0,
  }
  readonly #sinkStats: Record<string, SinkStats> = {}
  #timer: NodeJS.Timeout | undefined
  #immediate: NodeJS.Immediate | undefined
  #draining: Promise<void> | undefined
  #closed = false
  #attached = false
  #closing: Promise<void> | undefined

  /**
   * A pipeline with no sinks yet: events queue until `attach` hands it its sinks. Created first
   * because the sinks report their health back as events through it (the delivery monitor).
   */
  constructor(options: PipelineOptions, hooks: PipelineHooks = {}) {
    this.#options = options
    this.#hooks = hooks
    this.#queue = new RingQueue(options.maxEvents)
  }

  /** Gives the pipeline its sinks, once, before anything is delivered. Returns the pipeline. */
  attach(sinks: readonly Sink[]): this {
    if (this.#attached) throw new WatchpostError('ERR_WATCHPOST_PIPELINE_ATTACHED', undefined)
    this.#attached = true
    this.#sinks = sinks
    let flushIntervalMs = this.#options.flushIntervalMs
    for (const sink of sinks)
      if (sink.maxWaitMs !== undefined) flushIntervalMs = Math.min(flushIntervalMs, sink.maxWaitMs)
    if (flushIntervalMs !== this.#options.flushIntervalMs)
      this.#options = { ...this.#options, flushIntervalMs }
    for (const sink of sinks) this.#sinkStats[sink.name] = { delivered: 0, failed: 0, lastError: undefined }
    return this
  }

  /** Queues one event. Returns false when it was dropped (counted with its reason). Never throws. */
  emit(event: SecurityEvent): boolean {
    if (this.#closed) {
      this.#dropped.closed++
      return false
    }
    const bytes = estimateBytes(event)
    if (this.#queuedBytes + bytes > this.#options.maxBytes || !this.#queue.push({ event, bytes })) {
      this.#dropped.queue_full++
      return false
    }
    this.#queuedBytes += bytes
    this.#emitted++
    this.#schedule()
    return true
  }

  stats(): PipelineStats {
    const sinks: Record<string, SinkStats> = {}
    for (const [name, s] of Object.entries(this.#sinkStats)) sinks[name] = { ...s }
    return {
      emitted: this.#emitted,
      queued: this.#queue.size,
      queuedBytes: this.#queuedBytes,
      dropped: { ...this.#dropped },
      sinks,
    }
  }

  /** Hands everything queued so far to the sinks and waits for them (and for their own `flush`). */
  async flush(): Promise<void> {
    this.#cancelTimers()
    while (this.#draining !== undefined || this.#queue.size > 0) {
      await (this.#draining ?? this.#drain())
    }
    await Promise.all(
      this.#sinks.map((sink) => sink.flush?.().catch((err: unknown) => this.#fail(sink, [], err))),
    )
  }

  /**
   * Stops accepting events, flushes within `deadlineMs`, then closes the sinks. Events still queued
   * at the deadline are counted as `shutdown_timeout`. Safe to call more than once.
   */
  close(deadlineMs = 5000): Promise<void> {
    this.#closing ??= this.#close(deadlineMs)
    return this.#closing
  }

  async #close(deadlineMs: number): Promise<void> {
    this.#closed = true
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), deadlineMs)
    })
    const outcome = await Promise.race([this.flush().then(() => 'flushed' as const), deadline])
    clearTimeout(timer)
    if (outcome === 'timeout') {
      this.#dropped.shutdown_timeout += this.#queue.size
      this.#queue.take(this.#queue.size)
      this.#queuedBytes = 0
    }
    this.#cancelTimers()
    await Promise.all(
      this.#sinks.map((sink) => sink.close().catch((err: unknown) => this.#fail(sink, [], err))),
    )
  }

  #schedule(): void {
    if (this.#draining !== undefined) return
    if (this.#queue.size >= this.#options.batchSize) {
      this.#immediate ??= setImmediate(() => {
        this.#immediate = undefined
        void this.#drain()
      })
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined
        void this.#drain()
      }, this.#options.flushIntervalMs)
      this.#timer.unref()
    }
  }

  #cancelTimers(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    if (this.#immediate !== undefined) clearImmediate(this.#immediate)
    this.#timer = undefined
    this.#immediate = undefined
  }

  #drain(): Promise<void> {
    if (this.#draining !== undefined) return this.#draining
    this.#cancelTimers()
    this.#draining = this.#drainLoop().finally(() => {
      this.#draining = undefined
      if (this.#queue.size > 0 && !this.#closed) this.#schedule()
    })
    return this.#draining
  }

  async #drainLoop(): Promise<void> {
    while (this.#queue.size > 0) {
      const entries = this.#queue.take(this.#options.batchSize)
      const batch = new Array<SecurityEvent>(entries.length)
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!
        this.#queuedBytes -= entry.bytes
        batch[i] = entry.event
      }
      await Promise.all(this.#sinks.map((sink) => this.#deliver(sink, batch)))
    }
  }

  async #deliver(sink: Sink, batch: readonly SecurityEvent[]): Promise<void> {
    const stats = this.#sinkStats[sink.name]!
    let failed = 0
    try {
      const result = await sink.send(batch)
      if (result !== undefined) {
        for (const failure of result.failures) {
          failed += failure.failedEvents.length
          this.#fail(sink, failure.failedEvents, failure.cause)
        }
      }
    } catch (err) {
      failed = batch.length
      this.#fail(sink, batch, err)
    }
    stats.delivered += batch.length - failed
  }

  #fail(sink: Sink, failedEvents: readonly SecurityEvent[], cause: unknown): void {
    const stats = this.#sinkStats[sink.name]!
    stats.failed += failedEvents.length
    stats.lastError = cause instanceof Error ? cause.message : String(cause)
    this.#dropped.sink_failed += failedEvents.length
    try {
      this.#hooks.onSinkFailure?.(sink, { failedEvents, cause })
    } catch {
      // A reporting hook must not break delivery.
    }
  }
}
