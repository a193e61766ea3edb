import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { kContext } from '../symbols.js'
import { generateCorrelationId, validateRequestId } from './request-id.js'
import { parseTraceparent } from './traceparent.js'
import {
  compileTrustProxy,
  resolveClient,
  type TrustFunction,
  type TrustProxySetting,
} from './trust-proxy.js'
import type { CorrelationSource, RequestContext } from './types.js'

export interface ContextFactoryOptions {
  /** Express `trust proxy` semantics; `false` ignores `X-Forwarded-For`. */
  readonly trustProxy: TrustProxySetting
  /** Take the correlation id from a valid W3C `traceparent`. */
  readonly traceparent: boolean
  /** Incoming request-id headers, in order of preference (e.g. `['x-request-id', 'x-correlation-id']`). */
  readonly requestIdHeaders: readonly string[]
  /** Response header that echoes the correlation id, or `false`. */
  readonly responseHeader: string | false
  /** Longest incoming request id accepted. */
  readonly maxLength: number
  /** Where `open` keeps a request's context; by default under a symbol on the request. */
  readonly store?: ContextStore | undefined
}

/**
 * Where contexts are kept, chosen by the adapter by measurement (test/bench/instructions.mjs,
 * docs/performance.md): a symbol on Node's request costs Fastify ≈ 2,500 instructions per request
 * but Express 5 ≈ 70,000 (Express swaps every request's prototype and a property added after that
 * keeps V8 migrating maps); with a WeakMap, GC work grew instead (+30,000 on Fastify; on an Express
 * JSON POST the overhead stayed ≈ 115,000, mostly concurrent marking and sweeping). The Express adapter keeps them in
 * `res.locals`. Stores must share their place across instances, as the symbol does.
 */
export interface ContextStore {
  get(req: IncomingMessage): RequestContext | undefined
  set(req: IncomingMessage, context: RequestContext): void
}

/** The default store: a symbol-keyed property on the request. */
export const propertyStore: ContextStore = {
  get: (req) => (req as IncomingMessage & ContextCarrier)[kContext] ?? undefined,
  set: (req, context) => {
    ;(req as IncomingMessage & ContextCarrier)[kContext] = context
  },
}

export interface ContextFactory {
  /** The request's context, created on the first call and stored (see `store`); later calls return the same object. */
  open(req: IncomingMessage, res?: ServerResponse): RequestContext
  /**
   * A new context for the request, not stored anywhere: for an adapter that keeps it in a slot its
   * framework declared (a property added to Node's request costs every request, see `open`).
   */
  create(req: IncomingMessage, res?: ServerResponse): RequestContext
  /** The request's context if `open` has been called, else `undefined`. */
  get(req: IncomingMessage): RequestContext | undefined
}

/** RFC 9110 §5.1 field-name = token. Checked once, at start-up. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Header values are `string | string[] | undefined`; the record keeps one string. */
function headerString(value: string | string[] | undefined): string | undefined {
  if (value === undefined || typeof value === 'string') return value
  return value.join(', ')
}

/** How the context is kept on a request we do not own. */
interface ContextCarrier {
  [kContext]?: RequestContext | null
}

/**
 * One class, every field assigned in the constructor in the same order, so every context shares one
 * hidden class (STYLE "fixed object shapes"; fastify `test/same-shape.test.js`). Only what can change
 * after the request starts is copied (`method`, `url`: Express rewrites `req.url` in mounted
 * routers), and the headers object is kept (on Express each read of `req.headers` is a runtime
 * lookup); header values are read when asked for, and the client address is resolved on first read
 * and cached (proxy-addr parses `X-Forwarded-For` and every hop's address). Most requests record no
 * event and never ask (test/bench/instructions.mjs counts what each field costs).
 */
class Context implements RequestContext {
  readonly correlationId: string
  readonly correlationSource: CorrelationSource
  readonly traceId: string | undefined
  readonly parentSpanId: string | undefined
  readonly requestId: string | undefined
  readonly startTime: number
  readonly method: string
  readonly url: string
  route: string | undefined
  routeLookup: ((ctx: RequestContext) => string | undefined) | undefined
  owner: object | undefined
  userId: string | undefined
  sessionId: string | undefined
  readonly request: IncomingMessage
  readonly headers: IncomingHttpHeaders
  flags: number
  detection: object | undefined
  /** `undefined` until `clientIp` or `clientPort` is first read. */
  private resolvedIp: string | undefined
  private resolvedPort: number | undefined
  private readonly trust: TrustFunction

  constructor(
    req: IncomingMessage,
    headers: IncomingHttpHeaders,
    trust: TrustFunction,
    correlationId: string,
    correlationSource: CorrelationSource,
    traceId: string | undefined,
    parentSpanId: string | undefined,
    requestId: string | undefined,
  ) {
    this.correlationId = correlationId
    this.correlationSource = correlationSource
    this.traceId = traceId
    this.parentSpanId = parentSpanId
    this.requestId = requestId
    this.startTime = Date.now()
    this.method = req.method ?? ''
    this.url = req.url ?? ''
    this.route = undefined
    this.routeLookup = undefined
    this.owner = undefined
    this.userId = undefined
    this.sessionId = undefined
    this.request = req
    this.headers = headers
    this.flags = 0
    this.detection = undefined
    this.resolvedIp = undefined
    this.resolvedPort = undefined
    this.trust = trust
  }

  get forwardedFor(): string | undefined {
    return headerString(this.headers['x-forwarded-for'])
  }

  get host(): string | undefined {
    return this.headers.host
  }

  get userAgent(): string | undefined {
    return this.headers['user-agent']
  }

  get referer(): string | undefined {
    return this.headers.referer
  }

  get httpVersion(): string {
    return this.request.httpVersion
  }

  get clientIp(): string {
    if (this.resolvedIp === undefined) this.resolve()
    return this.resolvedIp as string
  }

  get clientPort(): number | undefined {
    if (this.resolvedIp === undefined) this.resolve()
    return this.resolvedPort
  }

  private resolve(): void {
    const client = resolveClient(this.request, this.trust)
    this.resolvedPort = client.port
    this.resolvedIp = client.address
  }

  /**
   * Plain data for `JSON.stringify`/`console.log`, with the lazy fields resolved; without the request
   * and its headers (they carry credentials: `Authorization`, `Cookie`).
   */
  toJSON(): Omit<RequestContext, 'request' | 'headers' | 'flags' | 'detection' | 'routeLookup' | 'owner'> {
    return {
      correlationId: this.correlationId,
      correlationSource: this.correlationSource,
      traceId: this.traceId,
      parentSpanId: this.parentSpanId,
      requestId: this.requestId,
      startTime: this.startTime,
      clientIp: this.clientIp,
      clientPort: this.clientPort,
      forwardedFor: this.forwardedFor,
      method: this.method,
      url: this.url,
      host: this.host,
      userAgent: this.userAgent,
      referer: this.referer,
      httpVersion: this.httpVersion,
      route: this.route,
      userId: this.userId,
      sessionId: this.sessionId,
    }
  }
}

/**
 * Compiles the correlation options once and returns the per-request `open`/`get`.
 *
 * @throws TypeError `@watchpost/core: …` for an invalid `trustProxy`, header name or `maxLength`.
 */
export function createContextFactory(options: ContextFactoryOptions): ContextFactory {
  const trust = compileTrustProxy(options.trustProxy)
  const useTraceparent = options.traceparent === true

  const maxLength = options.maxLength
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new TypeError(`@watchpost/core: correlation maxLength must be a positive integer, got ${maxLength}`)
  }

  const requestIdHeaders: string[] = []
  for (const name of options.requestIdHeaders) {
    if (typeof name !== 'string' || !TOKEN.test(name)) {
      throw new TypeError(
        `@watchpost/core: correlation requestIdHeaders has an invalid header name: ${String(name)}`,
      )
    }
    // Node lowercases incoming header names; compare with the same case.
    requestIdHeaders.push(name.toLowerCase())
  }

  const responseHeader = options.responseHeader
  if (responseHeader !== false && (typeof responseHeader !== 'string' || !TOKEN.test(responseHeader))) {
    throw new TypeError(
      `@watchpost/core: correlation responseHeader must be a header name or false, got ${String(responseHeader)}`,
    )
  }

  // `open` keeps the context where `store` says (costs measured per framework in its doc above). On
  // Fastify the symbol gives Node's IncomingMessage a second hidden class and some of Node's own stream
  // and event code turns megamorphic, so the Fastify adapter uses `create` and a declared request slot
  // for the contexts it opens as the reply is sent.
  const store = options.store ?? propertyStore

  function open(req: IncomingMessage, res?: ServerResponse): RequestContext {
    const existing = store.get(req)
    if (existing !== undefined) return existing
    const context = create(req, res)
    store.set(req, context)
    return context
  }

  function create(req: IncomingMessage, res?: ServerResponse): RequestContext {
    const headers = req.headers
    let requestId: string | undefined
    for (let i = 0; i < requestIdHeaders.length; i++) {
      requestId = validateRequestId(headers[requestIdHeaders[i] as string], maxLength)
      if (requestId !== undefined) break
    }

    let context: Context
    const parent = useTraceparent ? parseTraceparent(headers.traceparent) : undefined
    if (parent !== undefined) {
      context = new Context(
        req,
        headers,
        trust,
        parent.traceId,
        'traceparent',
        parent.traceId,
        parent.parentId,
        requestId,
      )
    } else if (requestId !== undefined) {
      context = new Context(req, headers, trust, requestId, 'header', undefined, undefined, requestId)
    } else {
      context = new Context(
        req,
        headers,
        trust,
        generateCorrelationId(),
        'generated',
        undefined,
        undefined,
        undefined,
      )
    }

    if (responseHeader !== false && res !== undefined) echo(res, responseHeader, context.correlationId)
    return context
  }

  return { open, create, get: store.get }
}

/** Sets the echo header; never throws into the request (headers already sent, a closed response). */
function echo(res: ServerResponse, name: string, value: string): void {
  if (res.headersSent) return
  try {
    res.setHeader(name, value)
  } catch {
    // The response is the app's: losing the echo header is better than failing its request.
  }
}
