/**
 * `POST /dataCollectionRules/{id}/streams/{stream}?api-version=2023-01-01` (logs-ingestion-api.md §1,
 * §3, §8). Order of checks: faults, api-version, bearer token (401), DCR and stream (404), simulated
 * RBAC (`allowedPrincipals`, the `roleMissing` fault: 403), per-DCR rate limits (429), size on the
 * wire then decompressed (413), JSON and rows (400),
 * the `reject` fault (400), store, 204. The documents do not fix the order of the service's own
 * checks; authentication comes first so an anonymous caller learns nothing about DCRs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { gunzipSync } from 'node:zlib'
import type { FaultState } from './faults.js'
import { readBody, sendAzureError } from './http.js'
import type { SqliteStore } from './store.js'
import type { TokenIssuer } from './tokens.js'
import type { RequestRecord, StreamInfo, ValidationMode } from './types.js'
import { validateRows } from './validate.js'

/** 1 MB on the wire and decompressed; the service's 413 text names 1048576 bytes (logs-ingestion-api.md §2). */
export const MAX_BODY_BYTES = 1_048_576
/** Decompression stops here; a larger body is reported as "more than" this. */
const MAX_INFLATED_BYTES = 64 * MAX_BODY_BYTES
export const API_VERSIONS: ReadonlySet<string> = new Set([
  '2023-01-01',
  '2021-11-01-preview',
  '2023-04-01-preview',
])

export const INGEST_ROUTE = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/

export interface IngestConfig {
  readonly dcrImmutableId: string
  readonly streams: Readonly<Record<string, StreamInfo>>
  readonly mode: ValidationMode
  readonly requireTimeGenerated: boolean
  readonly allowedPrincipals: ReadonlySet<string> | undefined
  readonly requestsPerMinute: number
  readonly bytesPerMinute: number
  readonly issuer: TokenIssuer
  readonly store: SqliteStore
  readonly faults: FaultState
  readonly record: (entry: RequestRecord) => void
}

export function createIngestHandler(config: IngestConfig) {
  let windowStart = 0
  let windowRequests = 0
  let windowBytes = 0

  return async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    match: RegExpExecArray,
  ): Promise<void> {
    const stream = safeDecode(match[2] ?? '')
    const dcrId = safeDecode(match[1] ?? '')
    const clientRequestId = header(req, 'x-ms-client-request-id')
    let rows = 0
    const done = (status: number | 'reset', errorCode?: string): void =>
      config.record({
        time: new Date().toISOString(),
        path: url.pathname,
        stream,
        clientRequestId,
        status,
        errorCode,
        rows,
      })
    const fail = (status: number, code: string, message: string, headers?: Record<string, string>): void => {
      sendAzureError(res, status, code, message, headers)
      done(status, code)
    }

    const faults = config.faults.decide()
    if (faults.decision.kind === 'reset') {
      req.socket.destroy()
      done('reset')
      return
    }
    // Read everything first: answering before the body is consumed makes clients see EPIPE, not the status.
    const wire = await readBody(req, MAX_BODY_BYTES)
    if (faults.delayMs > 0) await sleep(faults.delayMs)
    if (faults.decision.kind === 'throttle') {
      const ra = faults.decision.retryAfterSeconds
      fail(
        429,
        'TooManyRequests',
        'The request rate for this data collection rule is over its limit (emulator throttle fault).',
        ra === null ? {} : { 'retry-after': String(ra) },
      )
      return
    }
    if (faults.decision.kind === 'serverError') {
      const { status, retryAfterSeconds } = faults.decision
      fail(
        status,
        status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
        `The service could not process the request (emulator serverErrors fault, ${status}).`,
        retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
      )
      return
    }

    // URLSearchParams decodes keys: the JS client sends `api%2Dversion` (logs-ingestion-api.md §1).
    const apiVersion = url.searchParams.get('api-version')
    if (apiVersion === null || !API_VERSIONS.has(apiVersion)) {
      fail(
        400,
        'InvalidApiVersion',
        `The api-version '${apiVersion ?? ''}' is not supported. Supported versions: ${[...API_VERSIONS].join(', ')}.`,
      )
      return
    }

    const authorization = header(req, 'authorization')
    const bearer = authorization === undefined ? undefined : /^Bearer\s+(\S+)$/i.exec(authorization)?.[1]
    if (bearer === undefined) {
      fail(401, 'InvalidToken', 'An Authorization header with a Bearer access token is required.')
      return
    }
    const verdict = await config.issuer.verify(bearer)
    if (!verdict.ok) {
      fail(401, verdict.code, verdict.message)
      return
    }

    if (dcrId !== config.dcrImmutableId) {
      fail(
        404,
        'DataCollectionRuleNotFound',
        `The data collection rule with immutable Id '${dcrId}' was not found.`,
      )
      return
    }
    const info = config.streams[stream]
    if (info === undefined) {
      fail(
        404,
        'StreamNotFound',
        `The stream '${stream}' is not declared in the data collection rule '${dcrId}'. Declared: ${Object.keys(config.streams).join(', ')}.`,
      )
      return
    }
    const allowed =
      !config.faults.roleMissing() &&
      (config.allowedPrincipals === undefined ||
        [verdict.appId, verdict.objectId].some((id) => id !== undefined && config.allowedPrincipals?.has(id)))
    if (!allowed) {
      // The service's text (logs-ingestion-api.md §3), with the emulator's ids.
      fail(
        403,
        'OperationFailed',
        `The authentication token provided does not have access to ingest data for the data collection rule with immutable Id '${dcrId}' PipelineAccessResult: AccessGranted: False, IsRbacPresent: False, IsDcrDceBindingValid: , DcrArmId: /emulator/dataCollectionRules/${dcrId}, Message: Required authorization action was not found for tenantId emulator objectId ${verdict.objectId ?? ''} on resourceId /emulator/dataCollectionRules/${dcrId} ConfigurationId: ${dcrId}..`,
      )
      return
    }

    const now = Date.now()
    if (now - windowStart >= 60_000) {
      windowStart = now
      windowRequests = 0
      windowBytes = 0
    }
    windowRequests += 1
    windowBytes += wire.length
    if (windowRequests > config.requestsPerMinute || windowBytes > config.bytesPerMinute) {
      const retryAfter = Math.max(1, Math.ceil((windowStart + 60_000 - now) / 1000))
      fail(
        429,
        'TooManyRequests',
        'The per-minute request or data limit of this data collection rule was exceeded.',
        { 'retry-after': String(retryAfter) },
      )
      return
    }

    if (wire.overLimit) {
      fail(413, 'ContentLengthLimitExceeded', tooLarge(String(wire.length)))
      return
    }
    const encoding = (header(req, 'content-encoding') ?? 'identity').trim().toLowerCase()
    let text: Buffer
    if (encoding === 'gzip') {
      try {
        text = gunzipSync(wire.body, { maxOutputLength: MAX_INFLATED_BYTES })
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
          fail(413, 'ContentLengthLimitExceeded', tooLarge(`more than ${MAX_INFLATED_BYTES}`))
        } else fail(400, 'InvalidContentEncoding', 'The body is not valid gzip data.')
        return
      }
      if (text.length > MAX_BODY_BYTES) {
        fail(413, 'ContentLengthLimitExceeded', tooLarge(String(text.length)))
        return
      }
    } else if (encoding === 'identity') text = wire.body
    else {
      fail(
        400,
        'InvalidContentEncoding',
        `Content-Encoding '${encoding}' is not supported; use gzip or none.`,
      )
      return
    }

    let parsed: unknown
    try {
      parsed = JSON.parse(text.toString('utf8'))
    } catch {
      fail(400, 'InvalidJson', 'The request body is not valid JSON.')
      return
    }
    const ingestionTime = new Date().toISOString()
    if (!Array.isArray(parsed) && config.mode === 'lenient') {
      // Reported for the real service: a non-array body gets 204 and nothing is stored (azure-sdk-for-python#32562).
      res.writeHead(204).end()
      done(204)
      return
    }
    const result = validateRows(parsed, info, config.mode, config.requireTimeGenerated, ingestionTime)
    if (!result.ok) {
      fail(400, result.code, result.message)
      return
    }
    const reject = config.faults.reject
    if (reject !== undefined) {
      const index = result.rows.findIndex((row, i) => reject(row, i, stream))
      if (index >= 0) {
        fail(400, 'RowRejected', `Row ${index}: rejected by the emulator's reject fault.`)
        return
      }
    }
    rows = result.rows.length
    for (const table of info.tables) config.store.insert(table, stream, result.rows, ingestionTime)
    if (faults.resetAfterStore) {
      req.socket.destroy()
      done('reset')
      return
    }
    // Success is exactly 204 with no body; the JS client fails on 200 (client-behaviour.md §1).
    res.writeHead(204).end()
    done(204)
  }
}

function tooLarge(provided: string): string {
  return `Maximum allowed content length: ${MAX_BODY_BYTES} bytes (1 MB). Provided content length: ${provided} bytes.`
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
