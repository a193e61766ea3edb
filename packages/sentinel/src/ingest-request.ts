/**
 * One Logs Ingestion request from a body that is already JSON, sent through the
 * `LogsIngestionClient`'s own pipeline — its api-version, user-agent, request-id, gzip, bearer-token,
 * redirect, TLS and logging policies, retry off as configured — so that only the row objects of
 * `upload()` are left out. `upload()` takes objects: the rows the delivery loop stored as JSON would
 * be parsed, measured and serialised again per request (client-behaviour.md §2, §8). The body is
 * best given as bytes (the delivery loop copies them from the spool's): a ~1 MB string per request
 * is garbage on the JS heap that outlives young-generation collections while the request is out,
 * which is what grew the memory of a catch-up after an outage (docs/sentinel.md#throughput). The
 * request is the one `upload()` sends for a single chunk (client-behaviour.md §8); a test compares
 * the two on the wire.
 */
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type PipelineResponse,
  RestError,
} from '@azure/core-rest-pipeline'
import type { LogsIngestionClient, LogsIngestionClientOptions } from '@azure/monitor-ingestion'

/** `@azure/monitor-ingestion` 1.2.0's default (client-behaviour.md §2). */
const DEFAULT_API_VERSION = '2023-01-01'

/**
 * Sends one JSON array of rows (a string, or its UTF-8 bytes) to a stream; resolves on 204, rejects
 * with what the pipeline threw or a `RestError`.
 */
export type IngestRequest = (
  ruleId: string,
  stream: string,
  body: string | Buffer,
  signal: AbortSignal,
) => Promise<void>

/** The URI template's encoding (RFC 6570 simple expansion): `encodeURIComponent` plus `!'()*`. */
function encodeComponent(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

/**
 * The URL `upload()` builds: the route appended to the endpoint (one slash between them), the
 * api-version spelled `api%2Dversion` as the generated template does (the client's api-version policy
 * sees it decoded and adds nothing).
 */
export function ingestUrl(endpoint: string, ruleId: string, stream: string, apiVersion: string): string {
  const base = endpoint.replace(/^([^:]+:\/\/[^/]+)\/\/+/, '$1/')
  return new URL(
    `${base.endsWith('/') ? base.slice(0, -1) : base}/dataCollectionRules/${encodeComponent(ruleId)}/streams/${encodeComponent(stream)}` +
      `?api%2Dversion=${encodeComponent(apiVersion)}`,
  ).toString()
}

/**
 * The `RestError` `upload()` rejects with for a status other than 204: `code` and `message` from
 * the Azure error envelope (`{ "error": { "code", "message" } }`), else `Unexpected status code: N`.
 */
export function responseError(response: PipelineResponse): RestError {
  let parsed: unknown
  try {
    parsed = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined
  } catch {
    parsed = undefined
  }
  const envelope = parsed as { error?: { code?: unknown; message?: unknown } } | undefined
  const inner = (envelope?.error ?? envelope) as { code?: unknown; message?: unknown } | undefined
  const message =
    typeof inner?.message === 'string' ? inner.message : `Unexpected status code: ${response.status}`
  return new RestError(message, {
    statusCode: response.status,
    ...(typeof inner?.code === 'string' ? { code: inner.code } : {}),
    request: response.request,
    response,
  })
}

export function createIngestRequest(
  client: LogsIngestionClient,
  endpoint: string,
  options: LogsIngestionClientOptions,
): IngestRequest {
  // What the client's generated layer does: the configured client, else the SDK's Node client.
  const httpClient: HttpClient = options.httpClient ?? createDefaultHttpClient()
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION
  const origin = options.endpoint ?? options.baseUrl ?? endpoint
  const urls = new Map<string, string>()
  return async (ruleId, stream, body, signal) => {
    const key = `${ruleId}\n${stream}`
    let url = urls.get(key)
    if (url === undefined) {
      url = ingestUrl(origin, ruleId, stream, apiVersion)
      urls.set(key, url)
    }
    const request = createPipelineRequest({
      url,
      method: 'POST',
      headers: createHttpHeaders({
        'content-encoding': 'gzip',
        accept: 'application/json',
        'content-type': 'application/json',
      }),
      // The client's gzip policy compresses a string or bytes alike (zlib.gzip takes both), once,
      // before anything is sent, and the request carries its output from then on: nothing reads
      // `body` after this resolves, so the delivery loop may lend its buffer to the next request.
      body,
      abortSignal: signal,
    })
    const response = await client.pipeline.sendRequest(httpClient, request)
    if (response.status !== 204) throw responseError(response)
  }
}
