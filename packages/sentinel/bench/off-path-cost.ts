/**
 * The off-path work per event, in process and without a network: what the delivery loop does to
 * each event before it is stored (prepare + serialise, core `delivery-sink.ts`), what the spool does
 * with it (append, then a sync tick), and the gzip of each request (the Azure client's policy; the
 * destination sends the stored JSON as the body, so no row is parsed or serialised again). Each step
 * is timed on its own over the same events, per event, as the median of a few rounds after warm-up.
 * Used by delivery.bench.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { createWatchpost, loadConfig, type SecurityEvent, type Watchpost } from '@watchpost/core'
import type { SeverityRank } from '@watchpost/core/testing'
import { createSentinelDestination, MAX_REQUEST_BYTES, type SentinelSinkConfig } from '@watchpost/sentinel'
// Not in core's `exports` map (no subpath for the spool); bench files are not published, so the
// built file is imported by path.
import { createSpool } from '../../core/dist/spool/index.js'

export const APP = { name: 'shop', version: '1.0.0', environment: 'bench', host: 'web-01' }

/** The bench's event mix: 4 event types (4 ASIM tables) in turn. */
export function recordTypical(wp: Watchpost, i: number): SecurityEvent | undefined {
  switch (i & 3) {
    case 0:
      return wp.record('authz_fail', { userId: `user-${i}`, resource: `/orders/${i}` })
    case 1:
      return wp.record('authn_login_fail', { userId: `user-${i}`, reason: 'bad_password' })
    case 2:
      return wp.record('sensitive_read', { userId: `user-${i}`, object: `report-${i}.csv`, records: i })
    default:
      return wp.record('user_created', { userId: 'admin', newUserId: `user-${i}` })
  }
}

/** As core's delivery loop ranks severities for the spool. */
const SEVERITY_RANK: Readonly<Record<string, SeverityRank>> = { Informational: 0, Low: 1, Medium: 2, High: 3 }
/** One spool sync per this many events: a 200 ms sync tick at the 20,000 events/s target. */
const EVENTS_PER_SYNC = 4_000
/** Records per `append`, as the queue hands the sink batches of `queue.batchSize` (500). */
const APPEND_BATCH = 500

interface MeasureOptions {
  /** Events per round, rounds timed, rounds run untimed first. */
  readonly count: number
  readonly rounds: number
  readonly warmup: number
}

interface StepCost {
  readonly step: string
  /** Median µs per event. */
  readonly micros: number
  readonly note: string
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Median over `rounds` (after `warmup` untimed ones) of `fn`'s ms, per event, in µs. */
async function perEvent(
  rounds: number,
  warmup: number,
  events: number,
  fn: () => number | Promise<number>,
): Promise<number> {
  const times: number[] = []
  for (let r = 0; r < warmup + rounds; r++) {
    const ms = await fn()
    if (r >= warmup) times.push((ms * 1000) / events)
  }
  return median(times)
}

function timed(fn: () => void): number {
  const t0 = performance.now()
  fn()
  return performance.now() - t0
}

/** The stored rows' JSON grouped by stream and joined into request bodies of at most MAX_REQUEST_BYTES. */
function requestBodies(records: readonly string[]): string[] {
  const byStream = new Map<string, string[]>()
  for (const data of records) {
    const cut = data.indexOf('\n')
    const stream = data.slice(0, cut)
    const rows = byStream.get(stream) ?? []
    if (rows.length === 0) byStream.set(stream, rows)
    rows.push(data.slice(cut + 1))
  }
  const bodies: string[] = []
  for (const rows of byStream.values()) {
    let batch: string[] = []
    let bytes = 2
    for (const row of rows) {
      const size = Buffer.byteLength(row) + 1
      if (bytes + size > MAX_REQUEST_BYTES && batch.length > 0) {
        bodies.push(`[${batch.join(',')}]`)
        batch = []
        bytes = 2
      }
      batch.push(row)
      bytes += size
    }
    if (batch.length > 0) bodies.push(`[${batch.join(',')}]`)
  }
  return bodies
}

/**
 * Times each step over `count` events recorded by `wp` (a core instance without sinks).
 * Returns the steps and the gzip bytes per event the bodies compress to.
 */
async function measureOffPathCost(
  wp: Watchpost,
  options: MeasureOptions,
): Promise<{ steps: StepCost[]; gzipBytesPerEvent: number; jsonBytesPerEvent: number }> {
  const { count, rounds, warmup } = options
  const events: SecurityEvent[] = []
  for (let i = 0; events.length < count; i++) {
    const event = recordTypical(wp, i)
    if (event !== undefined) events.push(event)
  }
  // Config as the bench's sink gets it (defaults applied); the endpoint is never called.
  const config = loadConfig({
    config: false,
    app: APP,
    sinks: [
      {
        type: 'sentinel',
        endpoint: 'https://ingest.bench.invalid',
        dcrImmutableId: 'dcr-00000000000000000000000000000000',
        credential: { type: 'clientSecret', tenantId: 'bench', clientId: 'bench', clientSecret: 'bench' },
      },
    ],
  }).sinks[0] as SentinelSinkConfig
  const destination = createSentinelDestination(config)
  const records: string[] = new Array(count)
  const prepare = await perEvent(rounds, warmup, count, () =>
    timed(() => {
      for (let i = 0; i < count; i++) {
        const { partition, row } = destination.prepare(events[i] as unknown as Record<string, unknown>)
        records[i] = `${partition}\n${JSON.stringify(row)}`
      }
    }),
  )
  await destination.close()

  const bodies = requestBodies(records)
  let gzipBytes = 0
  let jsonBytes = 0
  for (const body of bodies) {
    jsonBytes += Buffer.byteLength(body)
    gzipBytes += gzipSync(body).length
  }
  const gzip = await perEvent(rounds, warmup, count, () =>
    timed(() => {
      for (const body of bodies) gzipSync(body)
    }),
  )
  const now = Date.now()
  const newRecords = records.map((data, i) => ({
    data,
    severity: SEVERITY_RANK[events[i]!.EventSeverity] ?? 0,
    time: now,
  }))
  const appendTimes: number[] = []
  const syncTimes: number[] = []
  for (let r = 0; r < warmup + rounds; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'watchpost-bench-spool-'))
    const spool = createSpool({ directory: dir })
    let appendMs = 0
    let syncMs = 0
    for (let start = 0; start < count; start += EVENTS_PER_SYNC) {
      const end = Math.min(count, start + EVENTS_PER_SYNC)
      appendMs += timed(() => {
        for (let i = start; i < end; i += APPEND_BATCH)
          spool.append(newRecords.slice(i, Math.min(end, i + APPEND_BATCH)))
      })
      const t0 = performance.now()
      await spool.sync()
      syncMs += performance.now() - t0
    }
    await spool.close()
    rmSync(dir, { recursive: true, force: true })
    if (r >= warmup) {
      appendTimes.push((appendMs * 1000) / count)
      syncTimes.push((syncMs * 1000) / count)
    }
  }

  return {
    steps: [
      {
        step: 'prepare + serialise',
        micros: prepare,
        note: 'destination.prepare (ASIM projection) + JSON.stringify',
      },
      { step: 'gzip', micros: gzip, note: `gzipSync level 6 of ~1 MB bodies (${bodies.length} bodies)` },
      { step: 'spool append', micros: median(appendTimes), note: `writeSync, batches of ${APPEND_BATCH}` },
      {
        step: 'spool sync',
        micros: median(syncTimes),
        note: `wall time, fdatasync on the thread pool, one per ${EVENTS_PER_SYNC} events`,
      },
    ],
    gzipBytesPerEvent: gzipBytes / count,
    jsonBytesPerEvent: jsonBytes / count,
  }
}

/** Measures with a core instance of its own (no sinks) and returns the table to print. */
export async function offPathCostTable(options: MeasureOptions): Promise<string[]> {
  const wp = createWatchpost({ config: false, app: APP, sinks: [] })
  const { steps, gzipBytesPerEvent, jsonBytesPerEvent } = await measureOffPathCost(wp, options)
  await wp.close()
  const asked = steps.slice(0, 3).reduce((total, s) => total + s.micros, 0)
  const row = (step: string, micros: number, note: string) =>
    `| ${step} | ${micros.toFixed(2)} | ${Math.round(1e6 / micros).toLocaleString('en-US')} | ${note} |`
  return [
    `\nOff-path work per event — in process, no network; ${options.count} events of the same 4 types, ` +
      `median of ${options.rounds} rounds after ${options.warmup} warm-up; ${jsonBytesPerEvent.toFixed(0)} B of JSON ` +
      `→ ${gzipBytesPerEvent.toFixed(0)} B gzip per event.\n`,
    '| step | µs/event | events/s per core | how |',
    '|---|---|---|---|',
    ...steps.map((s) => row(s.step, s.micros, s.note)),
    row('prepare + serialise + gzip + spool append', asked, 'the three CPU steps asked for, summed'),
  ]
}
