/**
 * The pipeline's back half for one remote destination (docs/pipeline.md). `send` only serialises
 * the batch into the store (memory or the disk spool) and returns; a delivery loop, off the request
 * path, leases records oldest first, cuts them into requests that never exceed the destination's
 * limit, sends up to `concurrency` at once within the per-minute limits, and acknowledges a record
 * only when its request succeeded. Failures are handled by kind (types.ts `FailureKind`):
 * transient ones and refused credentials keep the data and back off with full jitter (honouring
 * `Retry-After`); 413 and 400 split the request until the one record at fault is found, which is
 * trimmed (413) or set aside in the dead-letter file (400) — it never blocks the records behind it.
 */
import type { SecurityEvent } from '../schema/fields.js'
import type { Sink } from '../sinks/types.js'
import { type BackoffOptions, backoffDelay } from './backoff.js'
import { toDeliveryError } from './classify.js'
import type { DeadLetterFile } from './dead-letter.js'
import { type DeliveryDropReason, type DeliveryHealth, type DeliveryState, HealthTracker } from './health.js'
import { RateLimiter } from './rate-limit.js'
import { trimRow } from './trim.js'
import type { Destination, RecordStore, SeverityRank, StoredRecord } from './types.js'

export interface DeliveryOptions {
  /** Leases in flight at once; each sends its streams side by side, one request per stream at a time. */
  readonly concurrency: number
  /** A request not answered within this is abandoned and retried. */
  readonly timeoutMs: number
  readonly backoff: BackoffOptions
  /** Most records per lease (one lease becomes one request per partition). */
  readonly maxBatchRecords: number
  readonly requestsPerMinute: number
  readonly bytesPerMinute: number
  /** Failures without a success for this long turn the state to `failing`. */
  readonly failingAfterMs: number
  /** Whether the store keeps records on disk (then `close` leaves them there instead of dropping them). */
  readonly durable: boolean
  readonly deadLetter: DeadLetterFile | undefined
}

export interface DeliveryHooks {
  /** The state changed (e.g. to `failing`: the app reports `sys_monitor_disabled`). Must not throw. */
  readonly onStateChange?: (health: DeliveryHealth, from: DeliveryState, to: DeliveryState) => void
  /** Something an operator must fix (refused credentials, unknown DCR, records set aside). */
  readonly onProblem?: (code: 'auth' | 'not_found' | 'set_aside' | 'store', message: string) => void
}

export interface DeliverySink extends Sink {
  /** Resolves when everything accepted is acknowledged, or as soon as delivery is backing off. */
  flush(): Promise<void>
  health(): DeliveryHealth
}

const SEVERITY_RANK: Readonly<Record<string, SeverityRank>> = {
  Informational: 0,
  Low: 1,
  Medium: 2,
  High: 3,
}

interface Item {
  readonly record: StoredRecord
  readonly row: Record<string, unknown>
  readonly json: string
  readonly bytes: number
}

/** Cuts items (one partition) into requests whose JSON array is at most `maxBytes`. */
function cut(items: readonly Item[], maxBytes: number): Item[][] {
  const chunks: Item[][] = []
  let chunk: Item[] = []
  let size = 2
  for (const item of items) {
    const add = item.bytes + (chunk.length === 0 ? 0 : 1)
    if (chunk.length > 0 && size + add > maxBytes) {
      chunks.push(chunk)
      chunk = []
      size = 2
    }
    size += item.bytes + (chunk.length === 0 ? 0 : 1)
    chunk.push(item)
  }
  if (chunk.length > 0) chunks.push(chunk)
  return chunks
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Resolves after `ms`, or at once when `signal` aborts; the timer never holds the process open. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    timer.unref()
    signal.addEventListener('abort', done, { once: true })
  })
}

export function createDeliverySink(
  destination: Destination,
  store: RecordStore,
  options: DeliveryOptions,
  hooks: DeliveryHooks = {},
): DeliverySink {
  const maxBytes = destination.maxRequestBytes
  const limiter = new RateLimiter(options)
  const stopping = new AbortController()
  const active = new Set<Promise<void>>()
  let flushWaiters: Array<() => void> = []
  let inFlight = 0
  let pausedUntil = 0
  let pauseTimer: NodeJS.Timeout | undefined
  let sent = 0
  let requests = 0
  let retried = 0
  let deadLettered = 0
  const dropped: Record<'rejected' | 'shutdown', number> = { rejected: 0, shutdown: 0 }
  const reported = new Set<string>()

  function problem(code: 'auth' | 'not_found' | 'set_aside' | 'store', text: string): void {
    if (reported.has(code)) return
    reported.add(code)
    try {
      hooks.onProblem?.(code, text)
    } catch {}
  }

  const health = new HealthTracker(options.failingAfterMs, (from, to) => {
    hooks.onStateChange?.(snapshot(), from, to)
  })

  function snapshot(): DeliveryHealth {
    const s = store.stats()
    const all: Record<DeliveryDropReason, number> = { ...s.dropped, ...dropped }
    return {
      sink: destination.name,
      state: health.state,
      queued: s.records,
      queuedBytes: s.bytes,
      spooled: options.durable,
      inFlight,
      sent,
      requests,
      retried,
      deadLettered,
      dropped: all,
      lastError: health.lastError ?? s.lastError,
      lastErrorAt: health.lastErrorAt === undefined ? undefined : new Date(health.lastErrorAt).toISOString(),
      lastSuccessAt:
        health.lastSuccessAt === undefined ? undefined : new Date(health.lastSuccessAt).toISOString(),
    }
  }

  function updateHealth(): void {
    const storeError = store.stats().lastError
    if (storeError !== undefined) problem('store', storeError)
    health.update(storeError)
  }

  function settleFlushes(): void {
    if (flushWaiters.length === 0) return
    const idle = inFlight === 0 && store.stats().records === 0
    // While backing off nothing more can be delivered now: a flush resolves and the data stays kept.
    if (idle || pausedUntil > Date.now() || stopping.signal.aborted) {
      const waiters = flushWaiters
      flushWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  function pause(ms: number): void {
    const until = Date.now() + ms
    if (until <= pausedUntil) return
    pausedUntil = until
    if (pauseTimer !== undefined) clearTimeout(pauseTimer)
    pauseTimer = setTimeout(() => {
      pauseTimer = undefined
      pump()
    }, ms)
    pauseTimer.unref()
  }

  function pump(): void {
    while (!stopping.signal.aborted && inFlight < options.concurrency && store.available > 0) {
      if (pausedUntil > Date.now()) break
      const records = store.lease(maxBytes, options.maxBatchRecords)
      if (records.length === 0) break
      inFlight++
      const run: Promise<void> = deliver(records)
        .catch((err: unknown) => {
          // A bug here must not lose the records: give them back and report.
          store.release(records)
          health.failure('', 'retry', `delivery loop: ${message(err)}`)
        })
        .finally(() => {
          inFlight--
          active.delete(run)
          updateHealth()
          pump()
        })
      active.add(run)
    }
    settleFlushes()
  }

  function setAside(records: readonly StoredRecord[], status: number | undefined, why: string): void {
    for (const record of records) {
      const written =
        options.deadLetter?.write({ sink: destination.name, status, error: why, record: record.data }) ??
        false
      if (written) deadLettered++
      else dropped.rejected++
    }
    store.ack(records)
    health.setAside(why)
    problem(
      'set_aside',
      `${destination.name} refused ${records.length === 1 ? 'a record' : `${records.length} records`} for good (${why}); ` +
        (options.deadLetter === undefined
          ? 'no dead-letter file is configured, so it was dropped.'
          : `set aside in ${options.deadLetter.path}.`),
    )
  }

  /** Parses and prepares leased records, groups them by partition and sends each group's requests. */
  async function deliver(records: readonly StoredRecord[]): Promise<void> {
    const groups = new Map<string, Item[]>()
    for (const record of records) {
      let prepared: { partition: string; row: Record<string, unknown> }
      try {
        prepared = destination.prepare(JSON.parse(record.data) as Record<string, unknown>)
      } catch (err) {
        setAside([record], undefined, `unreadable record: ${message(err)}`)
        continue
      }
      let { row } = prepared
      let json = JSON.stringify(row)
      let bytes = Buffer.byteLength(json)
      if (bytes + 2 > maxBytes) {
        const trimmed = trimRow(row, maxBytes - 2)
        if (trimmed === undefined) {
          setAside([record], undefined, `larger than ${maxBytes} bytes even with every field trimmed`)
          continue
        }
        ;({ row, json } = trimmed)
        bytes = Buffer.byteLength(json)
      }
      const group = groups.get(prepared.partition)
      const item = { record, row, json, bytes }
      if (group === undefined) groups.set(prepared.partition, [item])
      else group.push(item)
    }
    // Streams go side by side: one that is refused (404) must not hold back the others' rows.
    await Promise.all(
      [...groups].map(async ([partition, items]) => {
        for (const chunk of cut(items, maxBytes)) await sendChunk(partition, chunk)
      }),
    )
  }

  async function sendChunk(partition: string, items: Item[]): Promise<void> {
    const records = items.map((i) => i.record)
    for (let attempt = 0; ; attempt++) {
      if (stopping.signal.aborted) {
        store.release(records)
        return
      }
      const body = items.length === 1 ? `[${items[0]!.json}]` : `[${items.map((i) => i.json).join(',')}]`
      await sleep(limiter.take(body.length), stopping.signal)
      if (stopping.signal.aborted) {
        store.release(records)
        return
      }
      try {
        await destination.send(
          partition,
          items.map((i) => i.row),
          body,
          AbortSignal.any([stopping.signal, AbortSignal.timeout(options.timeoutMs)]),
        )
        store.ack(records)
        sent += records.length
        requests++
        health.success(partition)
        updateHealth()
        return
      } catch (thrown) {
        if (stopping.signal.aborted) {
          store.release(records)
          return
        }
        const err = toDeliveryError(thrown)
        if (err.kind === 'too_large' || err.kind === 'rejected') {
          if (items.length > 1) {
            const half = items.length >> 1
            await sendChunk(partition, items.slice(0, half))
            await sendChunk(partition, items.slice(half))
            return
          }
          const item = items[0]!
          if (err.kind === 'too_large' && item.bytes > 1024) {
            // The service counts differently than we do (e.g. escapes): trim to half and try again.
            const trimmed = trimRow(item.row, item.bytes >> 1)
            if (trimmed !== undefined) {
              items = [
                { ...item, row: trimmed.row, json: trimmed.json, bytes: Buffer.byteLength(trimmed.json) },
              ]
              continue
            }
          }
          setAside(records, err.status, err.message)
          return
        }
        health.failure(partition, err.kind, err.message)
        updateHealth()
        if (err.kind === 'auth')
          problem(
            'auth',
            `${destination.name} refused the credentials (${err.message}); events are kept and retried. ` +
              'Check the identity and its role on the target (docs/sentinel.md#connect-a-workspace).',
          )
        else if (err.kind === 'not_found')
          problem(
            'not_found',
            `${destination.name} does not know the target (${err.message}); events are kept and retried. ` +
              'Check the endpoint, DCR immutable id and stream names.',
          )
        const delay = backoffDelay(attempt, err.retryAfterMs, options.backoff)
        retried++
        // Throttling, outages and refused credentials concern every request: hold back new ones too.
        // A missing stream concerns only its own rows; the other streams keep going.
        if (err.kind !== 'not_found') pause(delay)
        settleFlushes()
        await sleep(delay, stopping.signal)
      }
    }
  }

  // Records left from the last run are the oldest: they go first.
  queueMicrotask(pump)

  return {
    name: destination.name,
    async send(batch: readonly SecurityEvent[]) {
      const now = Date.now()
      const records = new Array(batch.length)
      for (let i = 0; i < batch.length; i++) {
        const event = batch[i]!
        records[i] = {
          data: JSON.stringify(event),
          severity: SEVERITY_RANK[event.EventSeverity] ?? 0,
          time: now,
        }
      }
      store.append(records)
      updateHealth()
      pump()
    },
    flush() {
      return new Promise<void>((resolve) => {
        flushWaiters.push(resolve)
        pump()
      })
    },
    async close() {
      stopping.abort()
      if (pauseTimer !== undefined) clearTimeout(pauseTimer)
      settleFlushes()
      await Promise.allSettled([...active])
      if (!options.durable) {
        dropped.shutdown += store.stats().records
      }
      await store.close()
      await destination.close()
    },
    health: snapshot,
  }
}
