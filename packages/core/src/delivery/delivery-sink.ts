/**
 * The pipeline's back half for one remote destination (docs/pipeline.md). `send` prepares each
 * event for the destination (its row and stream), serialises it once into the store (memory or the
 * disk spool) and returns; a delivery loop, off the request
 * path, leases records oldest first, cuts them into requests that never exceed the destination's
 * limit, sends up to `concurrency` at once within the per-minute limits, and acknowledges a record
 * only when its request succeeded. Failures are handled by kind (types.ts `FailureKind`):
 * transient ones and refused credentials keep the data and back off with full jitter (honouring
 * `Retry-After`); 413 and 400 split the request until the one record at fault is found, which is
 * trimmed (413) or set aside in the dead-letter file (400) — it never blocks the records behind it.
 */
import { setMaxListeners } from 'node:events'
import type { Sink } from '../pipeline/types.js'
import type { SecurityEvent } from '../schema/fields.js'
import { type BackoffOptions, backoffDelay } from './backoff.js'
import { BodyBuffers } from './body-buffers.js'
import { toDeliveryError } from './classify.js'
import type { DeadLetterFile } from './dead-letter.js'
import { type DeliveryDropReason, type DeliveryHealth, type DeliveryState, HealthTracker } from './health.js'
import { RateLimiter } from './rate-limit.js'
import { type Attempt, cut, type Item, itemOf, outgoing, PartitionNames, trimmed } from './rows.js'
import {
  DeliveryError,
  type Destination,
  type NewRecord,
  type RecordStore,
  type SeverityRank,
  type StoredRecord,
} from './types.js'

export interface DeliveryOptions {
  /** Leases in flight at once; each sends its streams side by side, one request per stream at a time. */
  readonly concurrency: number
  /**
   * Most bytes of request bodies out at once, over all leases; default four full requests
   * (`LEASE_REQUESTS × maxRequestBytes`), never less than one. It bounds the leases too: a new one
   * is taken only while the records leased and not yet settled are under it (so at most one lease
   * waits for its turn). This, not `concurrency`, is what bounds memory while a backlog drains at
   * full speed.
   */
  readonly maxInFlightBytes?: number
  /** A request not answered within this is abandoned and retried. */
  readonly timeoutMs: number
  readonly backoff: BackoffOptions
  /** Most records per lease (one lease becomes one request per partition). */
  readonly maxBatchRecords: number
  /**
   * How long records may wait for more to fill a request; a full lease (`maxBatchRecords`) or a
   * `flush()` goes at once. Bigger requests cost less per event (fewer requests, better gzip).
   */
  readonly lingerMs: number
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
  /**
   * Something an operator must fix (refused credentials, unknown DCR, records set aside, a spool
   * that cannot write): called at each occurrence, `first` for the sink's first of that kind (the
   * one a once-only report takes), with the sink's name. Must not throw.
   */
  readonly onProblem?: (
    code: 'auth' | 'not_found' | 'set_aside' | 'store',
    message: string,
    occurrence: { readonly sink: string; readonly first: boolean },
  ) => void
}

export interface DeliverySink extends Sink {
  /** Resolves when everything accepted is acknowledged, or as soon as delivery is backing off. */
  flush(): Promise<void>
  health(): DeliveryHealth
}

/** A lease holds up to this many requests' worth of records, so each stream's request can be full. */
const LEASE_REQUESTS = 4

const SEVERITY_RANK: Readonly<Record<string, SeverityRank>> = {
  Informational: 0,
  Low: 1,
  Medium: 2,
  High: 3,
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
  // One listener per request and per wait in flight: up to concurrency × streams × 2, all removed
  // when done; lift Node's leak warning (10) for this signal only.
  setMaxListeners(0, stopping.signal)
  let lingerTimer: NodeJS.Timeout | undefined
  let outage = false
  let probes: Promise<unknown> = Promise.resolve()
  let lingered = options.lingerMs <= 0
  const active = new Set<Promise<void>>()
  const partitionNames = new PartitionNames()
  /** Partitions seen, up to `LEASE_REQUESTS`: how many requests one lease can send side by side. */
  const partitionsSeen = new Set<string>()
  const maxInFlightBytes = Math.max(maxBytes, options.maxInFlightBytes ?? maxBytes * LEASE_REQUESTS)
  // As many as can be out at once (a request alone always goes), and one more.
  const bodies = new BodyBuffers(maxBytes, Math.ceil(maxInFlightBytes / maxBytes) + 1)
  /** Calls to `destination.send` not yet settled (what `inFlight` reports) and their bodies' bytes. */
  let requestsOut = 0
  let bytesOut = 0
  /** Bytes of the records leased by deliveries not finished yet. */
  let bytesLeased = 0
  let bytesWaiters: Array<() => void> = []
  let flushWaiters: Array<() => void> = []
  let pausedUntil = 0
  let pauseTimer: NodeJS.Timeout | undefined
  let sent = 0
  let requests = 0
  let retried = 0
  let deadLettered = 0
  const dropped: Record<'rejected' | 'shutdown', number> = { rejected: 0, shutdown: 0 }
  const reported = new Set<string>()

  function problem(code: 'auth' | 'not_found' | 'set_aside' | 'store', text: string): void {
    const first = !reported.has(code)
    reported.add(code)
    try {
      hooks.onProblem?.(code, text, { sink: destination.name, first })
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
      inFlight: requestsOut,
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
    const idle = active.size === 0 && store.stats().records === 0
    // While a request is failing nothing more can be delivered now: a flush resolves, the data stays.
    if (idle || health.retrying || pausedUntil > Date.now() || stopping.signal.aborted) {
      const waiters = flushWaiters
      flushWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  /**
   * One request's signal: aborted by `close()` or after `timeoutMs`. Built by hand rather than with
   * `AbortSignal.any`, whose listeners on the long-lived close signal Node 20 does not release.
   */
  function requestSignal(): { signal: AbortSignal; dispose(): void } {
    const controller = new AbortController()
    const onStop = () => controller.abort(stopping.signal.reason)
    stopping.signal.addEventListener('abort', onStop, { once: true })
    const timer = setTimeout(
      () => controller.abort(new DeliveryError('retry', `no response within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    )
    return {
      signal: controller.signal,
      dispose() {
        clearTimeout(timer)
        stopping.signal.removeEventListener('abort', onStop)
      },
    }
  }

  function wakeBytesWaiters(): void {
    const waiters = bytesWaiters
    bytesWaiters = []
    for (const resolve of waiters) resolve()
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
    while (!stopping.signal.aborted && active.size < options.concurrency && store.available > 0) {
      if (pausedUntil > Date.now()) break
      if (!lingered && store.available < options.maxBatchRecords) {
        lingerTimer ??= setTimeout(() => {
          lingerTimer = undefined
          lingered = true
          pump()
        }, options.lingerMs)
        lingerTimer.unref()
        break
      }
      // Records wait in leases for their turn at most one lease beyond what may be out at once: a
      // waiting record is memory held, and one that waits long enough is promoted out of the young
      // generation — garbage there, once delivered, until the next full GC.
      if (bytesLeased > maxInFlightBytes) break
      // A lease spans the streams (four in ASIM mode): up to one full request's worth for each of
      // those seen so far. Their requests go side by side; one stream's go one after the other, so
      // a lease of one stream holds a single request's worth and leases, not streams, go in parallel.
      const streams = partitionsSeen.size === 0 ? LEASE_REQUESTS : partitionsSeen.size
      const records = store.lease(maxBytes * streams, options.maxBatchRecords)
      if (records.length === 0) break
      let leased = 0
      for (const record of records) leased += record.bytes
      bytesLeased += leased
      const run: Promise<void> = deliver(records)
        .catch((err: unknown) => {
          // A bug here must not lose the records: give them back and report.
          store.release(records)
          health.failure('', 'retry', `delivery loop: ${message(err)}`)
        })
        .finally(() => {
          bytesLeased -= leased
          active.delete(run)
          updateHealth()
          pump()
        })
      active.add(run)
    }
    // Everything waiting went: the next records wait for company again.
    if (store.available === 0 && options.lingerMs > 0) lingered = false
    if (active.size === 0 && store.available === 0) bodies.clear()
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

  /** An event the destination cannot even prepare goes straight to the dead-letter file. */
  function refuse(event: SecurityEvent, why: string): void {
    const written =
      options.deadLetter?.write({
        sink: destination.name,
        status: undefined,
        error: why,
        record: JSON.stringify(event),
      }) ?? false
    if (written) deadLettered++
    else dropped.rejected++
    health.setAside(why)
    problem(
      'set_aside',
      `${destination.name} could not prepare an event (${why}); ${options.deadLetter === undefined ? 'dropped' : `set aside in ${options.deadLetter.path}`}.`,
    )
  }

  /** Groups leased records by partition, trims any that cannot fit a request, and sends. */
  async function deliver(records: readonly StoredRecord[]): Promise<void> {
    const groups = new Map<string, Item[]>()
    for (const record of records) {
      // `<partition>\n<row JSON>` (see `send`): the row's size is known without serialising again.
      const found = itemOf(record, partitionNames)
      let item = found
      if (item !== undefined && item.bytes + 2 > maxBytes) {
        try {
          item = trimmed(item, maxBytes - 2)
        } catch {
          item = undefined
        }
      }
      if (item === undefined) {
        setAside(
          [record],
          undefined,
          found === undefined
            ? 'unreadable record: no partition'
            : `larger than ${maxBytes} bytes even with every field trimmed`,
        )
        continue
      }
      const group = groups.get(item.partition)
      if (group === undefined) groups.set(item.partition, [item])
      else group.push(item)
    }
    for (const partition of groups.keys())
      if (partitionsSeen.size < LEASE_REQUESTS) partitionsSeen.add(partition)
    // Streams go side by side: one that is refused (404) must not hold back the others' rows.
    await Promise.all(
      [...groups].map(async ([partition, items]) => {
        for (const chunk of cut(items, maxBytes)) await sendChunk(partition, chunk)
      }),
    )
  }

  /**
   * One attempt; resolves with what it threw, or `undefined` on success. A function of its own so
   * that the request's rows and body are garbage once it returns, not held through the backoff.
   */
  async function attemptSend(batch: Attempt): Promise<unknown> {
    // Waits for room within maxInFlightBytes; a request alone always goes, whatever its size.
    while (bytesOut > 0 && bytesOut + batch.bytes > maxInFlightBytes && !stopping.signal.aborted)
      await new Promise<void>((resolve) => bytesWaiters.push(resolve))
    if (stopping.signal.aborted) return stopping.signal.reason ?? new Error('closed')
    const request = requestSignal()
    requestsOut++
    bytesOut += batch.bytes
    try {
      await destination.send(batch, request.signal)
      return undefined
    } catch (thrown) {
      return thrown ?? new Error('destination failed without a reason')
    } finally {
      requestsOut--
      bytesOut -= batch.bytes
      // Settled: the destination is done with the body, the next request may have its buffer.
      batch.done()
      request.dispose()
      wakeBytesWaiters()
    }
  }

  /**
   * While the destination is down (a `retry` or `auth` failure and no success since), requests go
   * one at a time: each waiting batch still gets its turn, but a dead endpoint is not sent four
   * batches' worth of parsing, serialising and gzip per round, and a recovering one is not met by a
   * herd. The first success ends it.
   */
  function probe(batch: Attempt): Promise<unknown> {
    const turn = probes.then(async () => {
      while (outage && pausedUntil > Date.now() && !stopping.signal.aborted)
        await sleep(pausedUntil - Date.now(), stopping.signal)
      if (stopping.signal.aborted) return stopping.signal.reason ?? new Error('closed')
      return attemptSend(batch)
    })
    probes = turn.catch(() => {})
    return turn
  }

  async function sendChunk(partition: string, items: Item[]): Promise<void> {
    const records = items.map((i) => i.record)
    for (let attempt = 0; ; attempt++) {
      // A server's Retry-After (or an outage's backoff) holds every request, not only the one that
      // got it; then the per-minute budget.
      while (pausedUntil > Date.now() && !stopping.signal.aborted)
        await sleep(pausedUntil - Date.now(), stopping.signal)
      const batch = outgoing(partition, items, bodies)
      await sleep(limiter.take(batch.bytes), stopping.signal)
      if (stopping.signal.aborted) {
        store.release(records)
        return
      }
      const thrown = outage ? await probe(batch) : await attemptSend(batch)
      if (thrown === undefined) {
        outage = false
        store.ack(records)
        sent += records.length
        requests++
        health.success(partition)
        updateHealth()
        return
      }
      if (stopping.signal.aborted) {
        store.release(records)
        return
      }
      {
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
            const half = trimmed(item, item.bytes >> 1)
            if (half !== undefined) {
              items = [half]
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
        if (err.kind === 'retry' || err.kind === 'auth') outage = true
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
      const records: NewRecord[] = []
      for (const event of batch) {
        // Prepared once, here: what is stored is what will be sent, `<partition>\n<row JSON>`.
        let data: string
        try {
          const { partition, row } = destination.prepare(event as unknown as Record<string, unknown>)
          data = `${partition}\n${JSON.stringify(row)}`
        } catch (err) {
          refuse(event, `cannot be prepared for ${destination.name}: ${message(err)}`)
          continue
        }
        records.push({ data, severity: SEVERITY_RANK[event.EventSeverity] ?? 0, time: now })
      }
      store.append(records)
      updateHealth()
      pump()
    },
    flush() {
      return new Promise<void>((resolve) => {
        flushWaiters.push(resolve)
        lingered = true
        pump()
      })
    },
    async close() {
      stopping.abort()
      wakeBytesWaiters()
      if (pauseTimer !== undefined) clearTimeout(pauseTimer)
      if (lingerTimer !== undefined) clearTimeout(lingerTimer)
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
