/**
 * The `webhook` destination (docs/webhook.md): each request the delivery loop cuts is
 * POSTed as JSON to one URL, signed with HMAC-SHA256 when a secret is set. Batching, retries, the
 * spool and dead letters are the delivery loop's (delivery/); this file only sends one request and
 * says how it went, in the loop's terms (delivery/classify.ts).
 *
 * One HTTP pool per destination (delivery/http-pool.ts): keep-alive sockets to the one origin, every
 * phase bounded by `timeoutMs`, and `tls.ca` on this destination's connections only.
 */
import { createHash, X509Certificate } from 'node:crypto'
import { createRequire } from 'node:module'
import type { SecureContext } from 'node:tls'
import type { Dispatcher } from 'undici'
import { WEBHOOK_DEFAULTS, WEBHOOK_LIMITS, type WebhookSinkOptions } from '../config/webhook-options.js'
import { statusError, toDeliveryError } from '../delivery/classify.js'
import { createHttpPool } from '../delivery/http-pool.js'
import { DeliveryError, type Destination, type OutgoingBatch } from '../delivery/types.js'
import { WatchpostError } from '../errors.js'
import { printableLine } from '../redaction/sanitise-string.js'
import { readCa, secureContextWithCa } from './tls-ca.js'
import { SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from './webhook-signature.js'

const VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version
const USER_AGENT = `watchpost/${VERSION}`

export const BATCH_ID_HEADER = 'x-watchpost-batch-id'
export const IDEMPOTENCY_HEADER = 'idempotency-key'

/**
 * Headers `headers` may not set: the ones this file sets (a receiver must be able to trust them),
 * and the connection-level ones undici owns (RFC 9110 §7.6.1).
 */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'user-agent',
  IDEMPOTENCY_HEADER,
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
])
const RESERVED_PREFIX = 'x-watchpost-'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Error responses: this much of the body goes into the message (Destination contract: ~300 chars). */
const SNIPPET_CHARS = 300
/** Error bodies up to this size are read to the end so the socket is reused; beyond it, closed. */
const DRAIN_LIMIT_BYTES = 256 * 1024

const CONTENT_TYPE = { array: 'application/json', ndjson: 'application/x-ndjson' } as const

const WHO = '@watchpost/core: webhook sink'

function invalid(message: string, cause?: unknown): WatchpostError {
  return new WatchpostError(
    'ERR_WATCHPOST_SINK_INVALID',
    `${WHO}: ${message}`,
    cause === undefined ? undefined : { cause },
  )
}

function integerIn(value: number, name: string, range: { minimum: number; maximum: number }): number {
  if (!Number.isSafeInteger(value) || value < range.minimum || value > range.maximum)
    throw invalid(`${name} must be an integer between ${range.minimum} and ${range.maximum}`)
  return value
}

/** Origin and path: the query string and credentials may hold secrets, so they are never shown. */
/**
 * How the destination is named in health, metrics, warnings and `sys_monitor_*` events (which are
 * themselves delivered): the origin and a short hash of the rest. Chat relays (Slack, Teams) carry
 * their secret in the path, so neither path nor query is ever shown; the hash still tells two
 * webhooks on one host apart.
 */
function shown(url: URL): string {
  const rest = `${url.pathname}${url.search}`
  if (rest === '/') return url.origin
  return `${url.origin}#${createHash('sha256').update(rest).digest('hex').slice(0, 8)}`
}

function parseUrl(value: unknown): URL {
  if (typeof value !== 'string') throw invalid('url must be a string')
  let url: URL
  try {
    url = new URL(value)
  } catch (err) {
    // The value is not echoed: a malformed URL may still carry a token.
    throw invalid('url is not a valid absolute URL', err)
  }
  if (url.protocol === 'http:') {
    // Plain HTTP would expose the events (and any API key header) on the network; a receiver on
    // the same machine (a local relay, tests) is the one exception.
    if (!LOOPBACK_HOSTS.has(url.hostname))
      throw invalid(
        `url ${shown(url)} must use https:// (http:// is accepted only for localhost, 127.0.0.1 and [::1])`,
      )
  } else if (url.protocol !== 'https:') {
    throw invalid(`url must use https://, got ${url.protocol}//`)
  }
  if (url.username !== '' || url.password !== '')
    throw invalid(`url ${shown(url)} must not hold credentials; send them with \`headers\` (authorization)`)
  return url
}

function parseSecret(value: unknown): string | undefined {
  if (value === undefined) return undefined
  // Only its length is reported, never the value.
  if (typeof value !== 'string' || value.length < WEBHOOK_LIMITS.secretMinLength)
    throw invalid(`secret must be a string of at least ${WEBHOOK_LIMITS.secretMinLength} characters`)
  return value
}

function parseHeaders(list: WebhookSinkOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [i, entry] of (list ?? []).entries()) {
    const name = typeof entry?.name === 'string' ? entry.name.toLowerCase() : ''
    if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw invalid(`headers[${i}].name must be a header name`)
    if (RESERVED_HEADERS.has(name) || name.startsWith(RESERVED_PREFIX))
      throw invalid(`headers[${i}]: ${name} is set by Watchpost and cannot be overridden`)
    if (Object.hasOwn(out, name)) throw invalid(`headers[${i}]: ${name} is given twice`)
    // The value may be a credential: say what is wrong with it, never what it is.
    if (typeof entry.value !== 'string' || /[\r\n\0]/.test(entry.value))
      throw invalid(`headers[${i}] (${name}): the value must be a string without line breaks`)
    out[name] = entry.value
  }
  return out
}

function secureContextFor(ca: string | undefined): SecureContext | undefined {
  if (ca === undefined) return undefined
  const pem = readCa(ca, WHO)
  try {
    // createSecureContext skips what is not a certificate without a word: check the PEM here, or a
    // wrong file would only show as "self-signed certificate" at the first request.
    new X509Certificate(pem)
    return secureContextWithCa(pem)
  } catch (err) {
    throw invalid(`tls.ca is not a PEM certificate: ${(err as Error).message}`, err)
  }
}

/**
 * Reads an error response's body to the end (up to DRAIN_LIMIT_BYTES, so the keep-alive socket
 * is reused) and keeps its start for the message. A body that fails to arrive is no reason to
 * hide the status: the snippet is then whatever came.
 */
async function readSnippet(body: Dispatcher.ResponseData['body']): Promise<string> {
  const kept: Buffer[] = []
  let keptBytes = 0
  let total = 0
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      // 4 bytes per char at most in UTF-8: enough for SNIPPET_CHARS after sanitising.
      if (keptBytes < SNIPPET_CHARS * 4) {
        kept.push(chunk)
        keptBytes += chunk.length
      }
      total += chunk.length
      // Breaking out destroys the stream: undici then closes the socket instead of reusing it.
      if (total > DRAIN_LIMIT_BYTES) break
    }
  } catch {
    // The status is what matters; keep what was read.
  }
  return printableLine(
    Buffer.concat(kept)
      .subarray(0, SNIPPET_CHARS * 4)
      .toString('utf8'),
    SNIPPET_CHARS,
  )
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** `prepare`'s answer for every event: the canonical record, as is, in the one partition. */
const PARTITION = 'default'

export function createWebhookDestination(options: WebhookSinkOptions): Destination {
  const url = parseUrl(options.url)
  const secret = parseSecret(options.secret)
  const extraHeaders = parseHeaders(options.headers)
  const maxRequestBytes = integerIn(
    options.maxRequestBytes ?? WEBHOOK_DEFAULTS.maxRequestBytes,
    'maxRequestBytes',
    WEBHOOK_LIMITS.maxRequestBytes,
  )
  const timeoutMs = integerIn(
    options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs,
    'timeoutMs',
    WEBHOOK_LIMITS.timeoutMs,
  )
  const format = options.format ?? WEBHOOK_DEFAULTS.format
  if (format !== 'array' && format !== 'ndjson') throw invalid('format must be "array" or "ndjson"')
  const secureContext = url.protocol === 'https:' ? secureContextFor(options.tls?.ca) : undefined

  const name = `webhook:${shown(url)}`
  // The spool directory is named from this: the full URL, so two webhooks never share a spool.
  const key = `webhook:${url.href}`
  const path = `${url.pathname}${url.search}`
  const pool = createHttpPool({
    // The pool's timeouts bound each phase; the timer in `send` bounds the whole request.
    connectTimeoutMs: timeoutMs,
    headersTimeoutMs: timeoutMs,
    bodyTimeoutMs: timeoutMs,
    connections: 8,
    ...(secureContext === undefined ? {} : { secureContext }),
  })

  async function send(batch: OutgoingBatch, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new DeliveryError('retry', 'request aborted', { cause: signal.reason })
    // ndjson is one byte shorter than the array (`[`, `]` and n-1 commas become n newlines), so it
    // stays within maxRequestBytes too.
    const payload =
      format === 'array'
        ? batch.body()
        : batch
            .rows()
            .map((row) => `${JSON.stringify(row)}\n`)
            .join('')
    const timestamp = String(Math.floor(Date.now() / 1000))
    // Same batch, same id, whatever the attempt: receivers de-duplicate re-sends by it.
    const batchId = createHash('sha256').update(payload).digest('hex').slice(0, 32)
    const headers: Record<string, string> = {
      ...extraHeaders,
      'content-type': CONTENT_TYPE[format],
      'user-agent': USER_AGENT,
      [TIMESTAMP_HEADER]: timestamp,
      [IDEMPOTENCY_HEADER]: batchId,
      [BATCH_ID_HEADER]: batchId,
    }
    if (secret !== undefined) headers[SIGNATURE_HEADER] = signWebhookBody(secret, timestamp, payload)

    const controller = new AbortController()
    const onAbort = () => controller.abort(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeoutMs)
    try {
      let res: Dispatcher.ResponseData
      try {
        res = await pool.request({
          origin: url.origin,
          path,
          method: 'POST',
          headers,
          body: payload,
          signal: controller.signal,
        })
      } catch (err) {
        if (signal.aborted) throw new DeliveryError('retry', 'request aborted', { cause: err })
        if (timedOut) throw new DeliveryError('retry', `no response within ${timeoutMs} ms`, { cause: err })
        // Connection refused or reset, DNS, TLS (an untrusted certificate), undici's timeouts.
        throw toDeliveryError(err)
      }
      if (res.statusCode >= 200 && res.statusCode < 300) {
        // Delivered: the body is drained only so the socket goes back to the pool; a failure here
        // must not turn a delivered batch into a re-sent one.
        await res.body.dump({ limit: DRAIN_LIMIT_BYTES }).catch(() => {})
        return
      }
      const snippet = await readSnippet(res.body)
      throw statusError(
        res.statusCode,
        `HTTP ${res.statusCode}${snippet === '' ? '' : `: ${snippet}`}`,
        (h) => header(res.headers, h),
      )
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
  }

  return {
    name,
    key,
    maxRequestBytes,
    prepare: (event) => ({ partition: PARTITION, row: event }),
    send,
    close: () => pool.close(),
  }
}
