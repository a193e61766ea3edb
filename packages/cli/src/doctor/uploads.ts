/**
 * Step 5: one test upload per stream the sink uses, with the real `LogsIngestionClient` over the
 * sink's own transport and credential, retries off so a refusal is reported as it comes. A
 * refusal that every stream would share (the token, the role, the network) stops the step; the
 * others go on to the next stream, and a 404 that does not say "DCR" or "stream" is settled by the
 * others: if any stream of the same DCR was answered, the DCR exists and the stream is what is
 * missing.
 */
import type { TokenCredential } from '@azure/identity'
import { isAggregateLogsUploadError, LogsIngestionClient } from '@azure/monitor-ingestion'
import type { SecurityEvent } from '@watchpost/core'
import type { Transport } from '@watchpost/sentinel'
import { testUploads } from './test-event.js'
import { failed, ok, type SinkTarget, type StepResult } from './types.js'
import { classifyUpload, DCR_HINT, STREAM_HINT, type UploadError } from './upload-failure.js'

/** Failures that would repeat on every stream. */
const SHARED = new Set(['token-rejected', 'role-missing', 'unreachable', 'upload-failed'])

function asUploadError(err: unknown): UploadError {
  const cause = isAggregateLogsUploadError(err) ? err.errors[0]?.cause : err
  const e = (cause ?? {}) as { statusCode?: unknown; code?: unknown; message?: unknown }
  return {
    ...(typeof e.statusCode === 'number' ? { statusCode: e.statusCode } : {}),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    message: typeof e.message === 'string' ? e.message : String(cause),
  }
}

export async function checkUploads(
  target: SinkTarget,
  credential: TokenCredential,
  transport: Transport,
  event: SecurityEvent,
  timeoutMs: number,
): Promise<StepResult[]> {
  const { config } = target
  const client = new LogsIngestionClient(config.endpoint, credential, {
    ...(transport.httpClient === undefined ? {} : { httpClient: transport.httpClient }),
    ...(transport.tlsOptions === undefined ? {} : { tlsOptions: { ca: transport.tlsOptions.ca } }),
    retryOptions: { maxRetries: 0 },
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  })
  const results: StepResult[] = []
  for (const upload of testUploads(target, event)) {
    const name = `upload ${upload.stream}`
    try {
      await client.upload(config.dcrImmutableId, upload.stream, [upload.row], {
        abortSignal: AbortSignal.timeout(timeoutMs),
      })
      results.push(
        ok(
          name,
          `Accepted (204): one test event (sys_monitor_enabled, monitor watchpost-doctor) will appear in ${upload.table} within minutes (up to ~15 the first time a table receives data).`,
        ),
      )
    } catch (err) {
      const verdict = classifyUpload(asUploadError(err), config.dcrImmutableId, upload.stream)
      results.push(failed(name, verdict.cause, verdict.detail, verdict.hint))
      if (SHARED.has(verdict.cause)) break
    }
  }
  return settleNotFound(results, config.dcrImmutableId)
}

/** Answers that need the DCR and the stream to exist: the row itself was judged. */
const REACHED_STREAM = new Set([undefined, 'dcr-mismatch', 'too-large'])

/**
 * A 404 that does not say which is missing, settled by the other streams of the same DCR: one of
 * them reached (accepted, or its row judged) → the DCR exists, the stream is missing; several
 * streams and every one a 404 → the DCR id is what is wrong. One stream alone stays undecided.
 */
export function settleNotFound(results: readonly StepResult[], dcr: string): StepResult[] {
  const exists = results.some((r) => REACHED_STREAM.has(r.cause))
  const allMissing = results.length > 1 && results.every((r) => r.cause === 'dcr-or-stream-not-found')
  return results.map((r) => {
    if (r.cause !== 'dcr-or-stream-not-found') return r
    const stream = r.name.slice('upload '.length)
    if (exists)
      return failed(
        r.name,
        'stream-not-found',
        `The DCR ${dcr} exists (another stream reached it) but does not take stream ${stream} (404).`,
        STREAM_HINT,
      )
    if (allMissing)
      return failed(
        r.name,
        'dcr-not-found',
        `Every stream was answered 404: most likely no DCR with immutable id ${dcr} exists at this endpoint (or it declares none of Watchpost's streams).`,
        DCR_HINT,
      )
    return r
  })
}
