/**
 * Builds a remote sink from configuration: the destination (Sentinel, webhook) inside the delivery
 * loop, over the disk spool (`spool.enabled`) or the memory store. Each sink spools into its own
 * subdirectory, named from the destination, so two sinks never share records and a sink finds its
 * own records again after a restart.
 */
import { createHash } from 'node:crypto'
import { join, resolve } from 'node:path'
import type { DeliveryConfig, QueueConfig, SpoolConfig } from '../config/types.js'
import { createDeadLetterFile } from '../delivery/dead-letter.js'
import { createDeliverySink, type DeliveryHooks, type DeliverySink } from '../delivery/delivery-sink.js'
import { MemoryStore } from '../delivery/memory-store.js'
import type { Destination, RecordStore } from '../delivery/types.js'
import { createSpool } from '../spool/index.js'

export interface RemoteSinkSettings {
  readonly delivery: DeliveryConfig
  readonly spool: SpoolConfig
  readonly queue: QueueConfig
  /** Base for relative paths; default the working directory. */
  readonly cwd?: string
}

/** `sentinel-1a2b3c4d5e6f`: the destination's kind and a hash of its key (endpoint and DCR, full URL). */
export function spoolDirectoryName(destination: Destination): string {
  const kind = destination.name.split(':', 1)[0]!.replace(/[^a-z0-9-]/gi, '') || 'sink'
  const key = destination.key ?? destination.name
  return `${kind}-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`
}

export function createRemoteSink(
  destination: Destination,
  settings: RemoteSinkSettings,
  hooks: DeliveryHooks & { readonly onStoreError?: (err: unknown) => void } = {},
): DeliverySink {
  const { delivery, spool, queue } = settings
  const cwd = settings.cwd ?? process.cwd()
  const maxAgeMs = spool.maxAgeHours * 3_600_000
  const store: RecordStore = spool.enabled
    ? createSpool({
        directory: join(resolve(cwd, spool.directory), spoolDirectoryName(destination)),
        maxBytes: spool.maxBytes,
        maxAgeMs,
        syncIntervalMs: spool.syncIntervalMs,
        memoryFallbackBytes: queue.maxBytes,
        ...(hooks.onStoreError === undefined ? {} : { onError: hooks.onStoreError }),
      })
    : new MemoryStore({ maxBytes: queue.maxBytes, maxAgeMs })
  const deadLetter =
    delivery.deadLetter.path === false
      ? undefined
      : createDeadLetterFile({
          path: resolve(cwd, delivery.deadLetter.path),
          maxBytes: delivery.deadLetter.maxBytes,
        })
  const sink = createDeliverySink(
    destination,
    store,
    {
      concurrency: delivery.concurrency,
      timeoutMs: delivery.timeoutMs,
      backoff: { baseMs: delivery.retryBaseMs, maxDelayMs: delivery.retryMaxDelayMs },
      maxBatchRecords: delivery.maxBatchEvents,
      lingerMs: delivery.lingerMs,
      requestsPerMinute: delivery.requestsPerMinute,
      bytesPerMinute: delivery.bytesPerMinute,
      failingAfterMs: delivery.failingAfterMs,
      durable: spool.enabled,
      deadLetter,
    },
    hooks,
  )
  // Events reach the spool within half the sync interval (a timer can fire late on a busy process;
  // the other half is that margin): a killed process loses no more than its last sync interval.
  return spool.enabled
    ? Object.assign(sink, { maxWaitMs: Math.max(10, Math.floor(spool.syncIntervalMs / 2)) })
    : sink
}
