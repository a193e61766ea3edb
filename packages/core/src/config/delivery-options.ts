/**
 * Options of the pipeline's back half (docs/pipeline.md): how remote sinks (`sentinel`, `webhook`)
 * send, retry and set records aside, where the disk spool lives, and how the instance shuts down.
 * Defaults follow the Logs Ingestion API's limits (spec/azure/logs-ingestion-api.md §2).
 */
import { Type } from '@sinclair/typebox'
import { Default, Section } from './schema-kit.js'

const MiB = 1024 * 1024

export const deliverySchema = Section(
  {
    concurrency: Default.Integer({
      minimum: 1,
      maximum: 64,
      default: 4,
      description:
        'Batches in flight at once, per remote sink; a batch sends its streams side by side (one request per stream at a time).',
    }),
    timeoutMs: Default.Integer({
      minimum: 100,
      maximum: 600_000,
      default: 30_000,
      description: 'A request not answered within this many milliseconds is abandoned and retried.',
    }),
    retryBaseMs: Default.Integer({
      minimum: 1,
      maximum: 60_000,
      default: 500,
      description:
        'Backoff: the wait before retry n is random between 0 and `retryBaseMs · 2^n` (full jitter), capped by `retryMaxDelayMs`; a longer `Retry-After` from the server wins.',
    }),
    retryMaxDelayMs: Default.Integer({
      minimum: 100,
      maximum: 3_600_000,
      default: 60_000,
      description:
        'Longest wait between two attempts, `Retry-After` included. Failed requests are retried until delivered or until the spool drops them (size or age).',
    }),
    maxBatchEvents: Default.Integer({
      minimum: 1,
      maximum: 50_000,
      default: 5_000,
      description:
        'Most events per request (a request is also capped by the destination: 1,000,000 bytes of JSON for Sentinel).',
    }),
    lingerMs: Default.Integer({
      minimum: 0,
      maximum: 10_000,
      default: 500,
      description:
        'How long events may wait for more to fill a request (fewer, bigger requests cost less per event); a full batch goes at once. With the queue flush (`queue.flushIntervalMs`, at most `spool.syncIntervalMs` when spooling) this bounds how late an event leaves: 200 + 500 ms by default.',
    }),
    requestsPerMinute: Default.Integer({
      minimum: 1,
      default: 12_000,
      description: 'Most requests per minute per remote sink (the Logs Ingestion API allows 12,000 per DCR).',
    }),
    bytesPerMinute: Default.Integer({
      minimum: 1024,
      default: 2 * 1024 * MiB,
      description:
        'Most request bytes per minute per remote sink (the Logs Ingestion API allows 2 GB per DCR).',
    }),
    failingAfterMs: Default.Integer({
      minimum: 1000,
      default: 60_000,
      description:
        'Requests failing for this long without a success turn a sink from `degraded` to `failing` (and emit `sys_monitor_disabled`). Refused credentials (401/403) and unknown targets (404) are `failing` at once.',
    }),
    deadLetter: Section(
      {
        path: Default.Union([Type.String({ minLength: 1 }), Type.Literal(false)], {
          default: '.watchpost/dead-letter.jsonl',
          description:
            'File where records refused for good (a 400 isolated to one record, a record too large even trimmed) are set aside with the error text, as JSON lines; `false`: they are dropped (counted as `rejected`).',
        }),
        maxBytes: Default.Integer({
          minimum: 1024,
          default: 16 * MiB,
          description:
            'Size at which the dead-letter file is rotated to `<path>.1` (replacing it): at most twice this on disk.',
        }),
      },
      { description: 'Where refused records go.' },
    ),
  },
  {
    description:
      'How remote sinks (`sentinel`, `webhook`) deliver: concurrency, timeouts, retries, limits, dead letters.',
  },
)

export const shutdownSchema = Section(
  {
    deadlineMs: Default.Integer({
      minimum: 0,
      maximum: 600_000,
      default: 5_000,
      description:
        '`close()` (and Fastify `onClose`) flushes for at most this long; what is not delivered by then stays in the spool for the next start.',
    }),
    signals: Default.Boolean({
      default: false,
      description:
        'Close on SIGTERM and SIGINT, then let the signal do what it would have done (exit). Off by default: the app owns its signals; with it off, call `close()` from your own handler.',
    }),
  },
  { description: 'How the instance shuts down.' },
)
