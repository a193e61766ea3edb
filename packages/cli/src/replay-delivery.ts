/**
 * Sends events already built to one sink through core's own delivery — an instance of
 * `createWatchpost` with that sink alone, fed with `emit` (its public way in for built events). A
 * remote sink (`sentinel`, `webhook`) thus gets the app's batching, size caps, retries with
 * backoff, 429 handling and dead-letter file; a local one (`file`, `console`) the app's writes.
 * Its spool is off: the events come from a file and stay there, so a replay that stops early loses
 * nothing, and nothing of the replay is left in a spool for an app to send later.
 *
 * Memory stays bounded: after every `chunk` events the replay hands them over and, while the
 * destination is behind (retrying), waits until its backlog is under `maxBacklog` before reading
 * more. It gives up when nothing has been delivered for `stallMs`, or when `signal` aborts.
 */
import { resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createWatchpost, type SecurityEvent, type Watchpost, type WatchpostOptions } from '@watchpost/core'
import type { ReplayInput } from './replay-input.js'

export type SinkEntry = NonNullable<WatchpostOptions['sinks']>[number]

export interface ReplayOptions {
  readonly sink: SinkEntry
  /** A configuration file for the delivery options (`delivery`, `queue`); `false`: the defaults. */
  readonly config: string | false
  readonly cwd: string
  /** Skip an event whose EventUid was already sent in this replay. */
  readonly dedupe: boolean
  readonly stallMs: number
  readonly signal: AbortSignal
  onProgress(progress: ReplayProgress): void
  onSkip(why: string): void
}

export interface ReplayProgress {
  readonly read: number
  readonly sent: number
  readonly deadLettered: number
  /** The destination's last error while it is being retried. */
  readonly retrying: string | undefined
}

export interface ReplaySummary {
  readonly sink: string
  /** Events in the input (lines or records that are not events excluded). */
  readonly events: number
  readonly duplicates: number
  readonly sent: number
  readonly deadLettered: number
  /** Not delivered: failed for good, still being retried when the replay gave up, or never read. */
  readonly failed: number
  readonly skipped: number
  readonly deadLetterFile: string | undefined
  /** Why the replay stopped before the end, if it did. */
  readonly stopped: string | undefined
}

/** Delivered and dead-lettered so far, and the retry state, whatever kind of sink it is. */
function counts(wp: Watchpost): {
  name: string
  sent: number
  deadLettered: number
  backlog: number
  retrying?: string
} {
  const remote = wp.health().sinks[0]
  if (remote !== undefined) {
    return {
      name: remote.sink,
      sent: remote.sent,
      deadLettered: remote.deadLettered,
      backlog: remote.queued,
      ...(remote.state === 'healthy' || remote.lastError === undefined ? {} : { retrying: remote.lastError }),
    }
  }
  const [name = '', local] = Object.entries(wp.stats().sinks)[0] ?? []
  return { name, sent: local?.delivered ?? 0, deadLettered: 0, backlog: 0 }
}

export async function replayEvents(input: ReplayInput, options: ReplayOptions): Promise<ReplaySummary> {
  const wp = createWatchpost(
    {
      config: options.config,
      sinks: [options.sink],
      spool: { enabled: false },
      shutdown: { signals: false },
    },
    { cwd: options.cwd },
  )
  const { queue, delivery } = wp.config
  const chunk = Math.max(1, Math.min(queue.batchSize, Math.floor(queue.maxEvents / 2)))
  const maxBacklog = Math.max(chunk, delivery.maxBatchEvents * 2)
  const seen = new Set<string>()
  let read = 0
  let accepted = 0
  let duplicates = 0
  let skipped = 0
  let stopped: string | undefined
  let lastSent = 0
  let lastProgressAt = Date.now()

  const progress = () => {
    const now = counts(wp)
    if (now.sent + now.deadLettered > lastSent) {
      lastSent = now.sent + now.deadLettered
      lastProgressAt = Date.now()
    }
    options.onProgress({ read, sent: now.sent, deadLettered: now.deadLettered, retrying: now.retrying })
    return now
  }
  /** Waits until the backlog is at most `limit`; false (and `stopped` says why) when giving up. */
  const drain = async (limit: number): Promise<boolean> => {
    for (;;) {
      await wp.flush()
      const now = progress()
      if (now.backlog <= limit) return true
      if (options.signal.aborted) {
        stopped = 'interrupted'
        return false
      }
      if (Date.now() - lastProgressAt > options.stallMs) {
        stopped = `nothing delivered for ${Math.round(options.stallMs / 1000)} s${now.retrying === undefined ? '' : ` (last error: ${now.retrying})`}`
        return false
      }
      await sleep(100, undefined, { signal: options.signal }).catch(() => {})
    }
  }

  try {
    for await (const event of input.events((why) => {
      skipped++
      options.onSkip(why)
    })) {
      if (options.signal.aborted) {
        stopped = 'interrupted'
        break
      }
      read++
      const uid = event.EventUid
      if (options.dedupe && typeof uid === 'string') {
        if (seen.has(uid)) {
          duplicates++
          continue
        }
        seen.add(uid)
      }
      // The queue is kept under half full, so emit does not drop; were it full, hand it over first.
      if (!wp.emit(event as SecurityEvent) && !((await drain(maxBacklog)) && wp.emit(event as SecurityEvent)))
        break
      accepted++
      if (accepted % chunk === 0 && !(await drain(maxBacklog))) break
    }
    if (stopped === undefined) await drain(0)
  } finally {
    // What is still queued will not be delivered now: a short deadline, then it counts as failed.
    await wp.close(1000)
  }
  const end = counts(wp)
  const sent = Math.min(end.sent, accepted)
  const deadLettered = Math.min(end.deadLettered, accepted - sent)
  const events = Math.max(read, input.total - skipped)
  const deadLetterPath = delivery.deadLetter.path
  return {
    sink: end.name,
    events,
    duplicates,
    sent,
    deadLettered,
    failed: Math.max(0, events - duplicates - sent - deadLettered),
    skipped,
    deadLetterFile:
      deadLettered > 0 && deadLetterPath !== false ? resolve(options.cwd, deadLetterPath) : undefined,
    stopped,
  }
}
