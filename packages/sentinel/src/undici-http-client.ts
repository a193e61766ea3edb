/**
 * An `HttpClient` for the Azure pipeline (`@azure/core-rest-pipeline`) on core's HTTP pool
 * (`createHttpPool`: one keep-alive pool per origin, connect/headers/body timeouts, a CA that lives on
 * this client only — never a process-wide setting, client-behaviour.md §5, and undici loaded with the
 * first request). This file only translates the pipeline's requests and responses.
 *
 * It mirrors the default `NodeHttpClient` (ts-http-runtime 0.3.6 `nodeHttpClient.js`) where the
 * pipeline depends on it: response headers keep the first value of a repeated header, gzip/deflate
 * bodies are decoded when the request accepted them, `streamResponseStatusCodes` returns a stream,
 * plain `http:` needs `allowInsecureConnection` (managed identity endpoints set it), and network
 * failures are a `RestError` whose `code` is the one the retry policy looks for
 * (`isSystemError`: ETIMEDOUT, ECONNREFUSED, ECONNRESET, ENOTFOUND, …), so they are retried exactly
 * as with the default client. Not supported: `request.agent`/`tlsSettings`/proxies (use `http: node`
 * behind a proxy), upload/download progress callbacks.
 */
import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { createGunzip, createInflate } from 'node:zlib'
import {
  createHttpHeaders,
  type HttpHeaders,
  type PipelineRequest,
  type PipelineResponse,
  RestError,
} from '@azure/core-rest-pipeline'
import { WatchpostError, WatchpostTypeError } from '@watchpost/core'
import { createHttpPool, secureContextWithCa } from '@watchpost/core/sdk'
import type { Dispatcher } from 'undici'
import type { UndiciHttpClient, UndiciHttpClientOptions } from './types.js'

const DEFAULTS = {
  connectTimeoutMs: 10_000,
  // The ingestion API answers a 1 MB upload in well under a second; 30 s leaves room for a slow
  // region without holding a pool slot forever.
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  connections: 16,
  // Below the 4 min idle timeout of Azure's load balancers, so a pooled socket is never reused after
  // the far end dropped it silently.
  keepAliveTimeoutMs: 60_000,
} as const

/** undici's own codes → the Node codes `isSystemError` in the retry policy knows. */
const NETWORK_CODES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
  // "other side closed" / socket hang-up: what Node reports as ECONNRESET.
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0)
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_SENTINEL_HTTP_OPTIONS_INVALID',
      `${name} must be a number > 0`,
    )
  return value
}

type Body = string | Buffer | Uint8Array | Readable | null

function isNodeStream(body: unknown): body is NodeJS.ReadableStream {
  return typeof (body as NodeJS.ReadableStream | null)?.pipe === 'function'
}

function isWebStream(body: unknown): body is WebReadableStream<Uint8Array> {
  return typeof (body as WebReadableStream | null)?.getReader === 'function'
}

async function toBody(request: PipelineRequest): Promise<Body> {
  const body = typeof request.body === 'function' ? request.body() : request.body
  if (body === undefined || body === null) return null
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (isNodeStream(body)) return body instanceof Readable ? body : Readable.from(body)
  if (isWebStream(body)) return Readable.fromWeb(body)
  if (typeof Blob !== 'undefined' && body instanceof Blob) return Buffer.from(await body.arrayBuffer())
  throw new RestError('Unrecognized body type', { code: RestError.REQUEST_SEND_ERROR, request })
}

function toHeaders(raw: Record<string, string | string[] | undefined>): HttpHeaders {
  const headers = createHttpHeaders()
  for (const [name, value] of Object.entries(raw)) {
    // As NodeHttpClient: a repeated header keeps its first value.
    if (Array.isArray(value)) {
      if (value.length > 0) headers.set(name, value[0] as string)
    } else if (value !== undefined && value !== '') headers.set(name, value)
  }
  return headers
}

function decoded(stream: Readable, request: PipelineRequest, headers: HttpHeaders): Readable {
  const accept = request.headers.get('Accept-Encoding')
  if (!(accept?.includes('gzip') || accept?.includes('deflate'))) return stream
  const encoding = headers.get('Content-Encoding')
  if (encoding === 'gzip') return stream.pipe(createGunzip())
  if (encoding === 'deflate') return stream.pipe(createInflate())
  return stream
}

async function readText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  return Buffer.concat(chunks).toString('utf8')
}

const kTimedOut = Symbol('watchpost.timedOut')

function abortError(message: string): Error {
  // The pipeline recognises an abort by `name` (AbortError from @azure/abort-controller): not retried.
  const err = new Error(message)
  err.name = 'AbortError'
  return err
}

/** Maps what undici or the socket threw to what the pipeline and its retry policy expect. */
function toPipelineError(err: unknown, request: PipelineRequest, signal: AbortSignal): Error {
  if (signal.aborted) {
    // request.timeout is a network timeout (retried, like ETIMEDOUT); the caller's abort is not.
    if (signal.reason === kTimedOut)
      return new RestError(`request timed out after ${request.timeout} ms`, { code: 'ETIMEDOUT', request })
    return abortError('The operation was aborted.')
  }
  if (err instanceof RestError) return err
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } }
  const raw =
    typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined
  const code = raw === undefined ? RestError.REQUEST_SEND_ERROR : (NETWORK_CODES[raw] ?? raw)
  const message = typeof e.message === 'string' ? e.message : String(err)
  const mapped = new RestError(raw !== undefined && raw !== code ? `${message} (${raw})` : message, {
    code,
    request,
  })
  ;(mapped as { cause?: unknown }).cause = err
  return mapped
}

/** Creates the undici-backed client; pass it as `httpClient` to the ingestion client and the credential. */
export function createUndiciHttpClient(options: UndiciHttpClientOptions = {}): UndiciHttpClient {
  const pool = createHttpPool({
    connectTimeoutMs: positive(options.connectTimeoutMs, 'connectTimeoutMs', DEFAULTS.connectTimeoutMs),
    headersTimeoutMs: positive(options.headersTimeoutMs, 'headersTimeoutMs', DEFAULTS.headersTimeoutMs),
    bodyTimeoutMs: positive(options.bodyTimeoutMs, 'bodyTimeoutMs', DEFAULTS.bodyTimeoutMs),
    connections: positive(options.connections, 'connections', DEFAULTS.connections),
    keepAliveTimeoutMs: DEFAULTS.keepAliveTimeoutMs,
    ...(options.ca === undefined ? {} : { secureContext: secureContextWithCa(options.ca.toString()) }),
  })

  async function sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    if (request.abortSignal?.aborted)
      throw abortError('The operation was aborted. Request has already been canceled.')
    const url = new URL(request.url)
    if (url.protocol !== 'https:' && !request.allowInsecureConnection)
      throw new WatchpostError('ERR_WATCHPOST_SENTINEL_INSECURE_URL', request.url)

    const controller = new AbortController()
    const onAbort = () => controller.abort()
    request.abortSignal?.addEventListener('abort', onAbort)
    const timer =
      request.timeout > 0 ? setTimeout(() => controller.abort(kTimedOut), request.timeout) : undefined
    let streaming = false
    try {
      const body = await toBody(request)
      let res: Dispatcher.ResponseData
      try {
        res = await pool.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: request.method as Dispatcher.HttpMethod,
          headers: request.headers.toJSON({ preserveCase: true }),
          body,
          signal: controller.signal,
        })
      } catch (err) {
        throw toPipelineError(err, request, controller.signal)
      }
      const headers = toHeaders(res.headers)
      const response: PipelineResponse = { status: res.statusCode, headers, request }
      if (request.method === 'HEAD') {
        // Drain, do not destroy: destroying would cost the keep-alive socket.
        res.body.resume()
        return response
      }
      const stream = decoded(res.body, request, headers)
      const codes = request.streamResponseStatusCodes
      if (codes?.has(Number.POSITIVE_INFINITY) || codes?.has(res.statusCode)) {
        response.readableStreamBody = stream
        streaming = true
        return response
      }
      try {
        response.bodyAsText = await readText(stream)
      } catch (err) {
        throw toPipelineError(err, request, controller.signal)
      }
      return response
    } finally {
      if (timer !== undefined) clearTimeout(timer)
      // A streamed body may still be read after we return; the caller's abort must still reach it.
      if (!streaming) request.abortSignal?.removeEventListener('abort', onAbort)
    }
  }

  return {
    sendRequest,
    close: () => pool.close(),
  }
}
