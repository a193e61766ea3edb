/**
 * The app under test: `createWatchpost` with one `sentinel` sink, the spool (on by default) and the
 * dead-letter file in a fresh temp directory, nothing written in the repository.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWatchpost, type DeliveryHealth, type Watchpost } from '@watchpost/core'
import { sentinelSink, type Target } from './emulator.js'
import { profile } from './profile.js'

export const APP = { name: 'shop', version: '1.0.0', environment: 'reliability', host: 'web-01' }

/** `spool.syncIntervalMs`, kept at the default: the crash scenario's bound is stated against it. */
export const SYNC_INTERVAL_MS = 200

export interface AppOptions {
  readonly spool?: { enabled?: boolean; directory?: string; maxBytes?: number; maxAgeHours?: number }
  readonly delivery?: {
    timeoutMs?: number
    concurrency?: number
    retryMaxDelayMs?: number
    maxBatchEvents?: number
  }
  readonly queue?: { maxEvents?: number; maxBytes?: number }
}

export interface App {
  readonly wp: Watchpost
  /** The temp directory of this app (spool, dead letters). */
  readonly dir: string
  readonly spoolDir: string
  readonly deadLetterPath: string
  /** The one remote sink's health. */
  health(): DeliveryHealth
  /** Closes the instance and removes the temp directory. */
  close(deadlineMs?: number): Promise<void>
}

/** The options every scenario uses; children of the crash scenario build theirs with it too. */
export function watchpostOptions(target: Target, dir: string, options: AppOptions = {}) {
  return {
    config: false as const,
    app: APP,
    sinks: [sentinelSink(target)],
    spool: {
      directory: join(dir, 'spool'),
      syncIntervalMs: SYNC_INTERVAL_MS,
      ...options.spool,
    },
    delivery: {
      retryMaxDelayMs: profile().retryMaxDelayMs,
      deadLetter: { path: join(dir, 'dead-letter.jsonl') },
      ...options.delivery,
    },
    ...(options.queue === undefined ? {} : { queue: options.queue }),
  }
}

export function startApp(target: Target, options: AppOptions = {}): App {
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-reliability-'))
  const config = watchpostOptions(target, dir, options)
  const wp = createWatchpost(config)
  return {
    wp,
    dir,
    spoolDir: config.spool.directory,
    deadLetterPath: config.delivery.deadLetter.path,
    health: () => wp.health().sinks[0]!,
    async close(deadlineMs) {
      await wp.close(deadlineMs)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
