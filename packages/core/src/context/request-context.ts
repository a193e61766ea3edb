import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { WatchpostTypeError } from '../errors.js'
import { type HeaderSlot, HeaderSlots, type HeaderValue, textOf } from './header-slots.js'
import { generateCorrelationId, validateRequestId } from './request-id.js'
import { type ContextState, kContext, kFlags, kHeaderValues, kOwner, kScope } from './state.js'
import { parseTraceparent } from './traceparent.js'
import { clientOf, compileTrustProxy, type TrustFunction, type TrustProxySetting } from './trust-proxy.js'
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
  /**
   * The matched route of a request, asked when `ctx.route` is first read (and again while it is
   * `undefined`): given the request and the owner the adapter opened the context with.
   */
  readonly routeOf?: RouteReader | undefined
  /**
   * Told when a `trustProxy` function of the app's throws (the socket peer is then the client, as
   * if nothing were trusted). Must not throw.
   */
  readonly onTrustError?: ((err: unknown) => void) | undefined
  /**
   * The header slots contexts fill as they are created, shared with the detectors that read headers
   * (header-slots.ts); by default the factory's own.
   */
  readonly headers?: HeaderSlots | undefined
}

/** How an adapter names a request's matched route (`/users/:id`); `undefined` before one matched. */
export type RouteReader = (request: IncomingMessage, owner: unknown) => string | undefined

/**
 * Where contexts are kept, chosen by the adapter by measurement (test/bench/instructions.mjs,
 * docs/performance.md): a symbol on Node's request costs Fastify ≈ 2,500 instructions per request
 * but Express 5 ≈ 70,000 (Express swaps every request's prototype and a property added after that
 * keeps V8 migrating maps); with a WeakMap, GC work grew instead (+30,000 on Fastify; on an Express
 * JSON POST the overhead stayed ≈ 115,000, mostly concurrent marking and sweeping). The Express adapter keeps them in
 * `res.locals`; the Fastify adapter keeps the few contexts opened before the reply in a WeakMap (a
 * property on only some requests made Node's code megamorphic for all of them under mixed traffic). Stores must share their place across instances, as the symbol does.
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
  open(req: IncomingMessage, res?: ServerResponse, owner?: unknown): RequestContext
  /**
   * A new context for the request, not stored anywhere: for an adapter that keeps it in a slot its
   * framework declared (a property added to Node's request costs every request, see `open`).
   */
  create(req: IncomingMessage, res?: ServerResponse, owner?: unknown): RequestContext
  /** The request's context if `open` has been called, else `undefined`. */
  get(req: IncomingMessage): RequestContext | undefined
}

/** RFC 9110 §5.1 field-name = token. Checked once, at start-up. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** How the context is kept on a request we do not own. */
interface ContextCarrier {
  [kContext]?: RequestContext | null
}

/**
 * One class, every field assigned in the constructor in the same order, so every context shares one
 * hidden class (fixed object shapes, as fastify's `test/same-shape.test.js` checks for its request).
 * Only what can change after the request starts is copied (`method`, `url`: Express rewrites
 * `req.url` in mounted routers), and the headers object is kept (on Express each read of
 * `req.headers` is a runtime lookup); the headers core reads are read once, in one pass
 * (header-slots.ts), the client address is resolved on first read and cached (proxy-addr parses
 * `X-Forwarded-For` and every hop's address), and the route is asked of the adapter on first read.
 * Most requests record no event and never ask (test/bench/instructions.mjs counts what each field
 * costs).
 */
class Context implements ContextState {
  readonly startTime: number
  readonly method: string
  readonly url: string
  userId: string | undefined
  sessionId: string | undefined
  readonly request: IncomingMessage
  readonly headers: IncomingHttpHeaders
  readonly [kHeaderValues]: HeaderValue[];
  [kFlags]: number;
  [kScope]: object | undefined
  readonly [kOwner]: unknown
  /** The socket's peer address, read when the context is opened. */
  private readonly peer: string
  /** `undefined` until `clientIp` or `clientPort` is first read. */
  private resolvedIp: string | undefined
  private resolvedPort: number | undefined
  /** `undefined` until the adapter named one. */
  private matchedRoute: string | undefined
  /** `undefined` until a correlation field is first read (`correlate`). */
  private correlation: Correlation | undefined
  private readonly shared: Shared

  constructor(
    req: IncomingMessage,
    headers: IncomingHttpHeaders,
    values: HeaderValue[],
    shared: Shared,
    owner: unknown,
  ) {
    this.startTime = Date.now()
    this.method = req.method ?? ''
    this.url = req.url ?? ''
    this.userId = undefined
    this.sessionId = undefined
    this.request = req
    this.headers = headers
    this[kHeaderValues] = values
    // The peer is read for every request, not only when an event needs it. Node keeps it on the
    // socket the first time it is read (`_peername`, which the socket's constructor does not
    // declare): read for some requests only, it gives sockets a second hidden class, and Node's code
    // writing every response turns megamorphic for good (after attack traffic, ≈ 3,000–4,000 more
    // instructions per benign request on Fastify; docs/performance.md). Read here, every socket
    // gains it at the same point of its first request. It is also still there: a socket closed
    // later has none. The port is read only when an event needs it: from the peer Node keeps by then
    // (each read of the socket's peer is a megamorphic lookup after attack traffic, ≈ 220
    // instructions).
    this.peer = req.socket?.remoteAddress ?? ''
    this[kFlags] = 0
    this[kScope] = undefined
    this[kOwner] = owner
    this.resolvedIp = undefined
    this.resolvedPort = undefined
    this.matchedRoute = undefined
    this.correlation = undefined
    this.shared = shared
  }

  // The correlation fields are worked out when one is first read (an event, the echo header, the
  // app): most requests record nothing and echo nothing. bench/context.bench.ts: `open()` 73 ns when
  // nothing reads them, 107 ns when the id is read (generated, or a request id validated, or a
  // `traceparent` parsed). The headers they come from were read as the context was created, so the
  // answer is the same whenever asked.
  get correlationId(): string {
    return (this.correlation ?? this.correlate()).id
  }

  get correlationSource(): CorrelationSource {
    return (this.correlation ?? this.correlate()).source
  }

  get traceId(): string | undefined {
    return (this.correlation ?? this.correlate()).traceId
  }

  get parentSpanId(): string | undefined {
    return (this.correlation ?? this.correlate()).parentSpanId
  }

  get requestId(): string | undefined {
    return (this.correlation ?? this.correlate()).requestId
  }

  private correlate(): Correlation {
    const correlation = correlate(this[kHeaderValues], this.shared.correlation)
    this.correlation = correlation
    return correlation
  }

  get forwardedFor(): string | undefined {
    return textOf(this[kHeaderValues][this.shared.forwardedFor.index])
  }

  get host(): string | undefined {
    return textOf(this[kHeaderValues][this.shared.host.index])
  }

  get userAgent(): string | undefined {
    return textOf(this[kHeaderValues][this.shared.userAgent.index])
  }

  get referer(): string | undefined {
    return textOf(this[kHeaderValues][this.shared.referer.index])
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

  /**
   * Asked of the adapter until it names one, then kept: on Express each ask reads two properties of
   * the request (`route`, `baseUrl`), each a V8 runtime lookup, and `baseUrl` is reset once the
   * request leaves a mounted router — so the adapter reads it where it is still right, and the value
   * stays. A throwing reader only means no route.
   */
  get route(): string | undefined {
    if (this.matchedRoute === undefined) {
      const read = this.shared.routeOf
      if (read !== undefined) {
        try {
          const route = read(this.request, this[kOwner])
          if (typeof route === 'string') this.matchedRoute = route
        } catch {}
      }
    }
    return this.matchedRoute
  }

  private resolve(): void {
    const forwarded = this[kHeaderValues][this.shared.forwardedFor.index]
    const client = clientOf(this.peer, this.request.socket?.remotePort, forwarded, this.shared.trust)
    this.resolvedPort = client.port
    this.resolvedIp = client.address
  }

  /**
   * Plain data for `JSON.stringify`/`console.log`, with the lazy fields resolved; without the request
   * and its headers (they carry credentials: `Authorization`, `Cookie`).
   */
  toJSON(): Omit<RequestContext, 'request' | 'headers'> {
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

/** Where the correlation fields come from, compiled once per factory. */
interface CorrelationOptions {
  /** The `traceparent` slot, when the option to use it is on. */
  readonly traceparent: HeaderSlot | undefined
  readonly requestIdHeaders: readonly HeaderSlot[]
  readonly maxLength: number
}

/** A context's correlation fields (`RequestContext`), worked out together. */
interface Correlation {
  readonly id: string
  readonly source: CorrelationSource
  readonly traceId: string | undefined
  readonly parentSpanId: string | undefined
  readonly requestId: string | undefined
}

/** A valid `traceparent`'s trace-id, else a valid request id, else a generated id. */
function correlate(values: readonly HeaderValue[], options: CorrelationOptions): Correlation {
  let requestId: string | undefined
  for (const slot of options.requestIdHeaders) {
    requestId = validateRequestId(values[slot.index], options.maxLength)
    if (requestId !== undefined) break
  }
  const parent =
    options.traceparent === undefined ? undefined : parseTraceparent(values[options.traceparent.index])
  if (parent !== undefined) {
    return {
      id: parent.traceId,
      source: 'traceparent',
      traceId: parent.traceId,
      parentSpanId: parent.parentId,
      requestId,
    }
  }
  const source = requestId === undefined ? 'generated' : 'header'
  return {
    id: requestId ?? generateCorrelationId(),
    source,
    traceId: undefined,
    parentSpanId: undefined,
    requestId,
  }
}

/** What every context of one factory shares: one object, one pointer per context. */
interface Shared {
  readonly trust: TrustFunction
  readonly routeOf: RouteReader | undefined
  readonly correlation: CorrelationOptions
  readonly forwardedFor: HeaderSlot
  readonly host: HeaderSlot
  readonly userAgent: HeaderSlot
  readonly referer: HeaderSlot
}

/**
 * Compiles the correlation options once and returns the per-request `open`/`get`.
 *
 * @throws WatchpostTypeError `ERR_WATCHPOST_TRUST_PROXY_INVALID` / `ERR_WATCHPOST_CORRELATION_INVALID` for an invalid `trustProxy`, header name or `maxLength`.
 */
export function createContextFactory(options: ContextFactoryOptions): ContextFactory {
  const slots = options.headers ?? new HeaderSlots()
  const maxLength = options.maxLength
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_CORRELATION_INVALID',
      `maxLength must be a positive integer, got ${maxLength}`,
    )
  }

  const requestIdHeaders: HeaderSlot[] = []
  for (const name of options.requestIdHeaders) {
    if (typeof name !== 'string' || !TOKEN.test(name)) {
      throw new WatchpostTypeError(
        'ERR_WATCHPOST_CORRELATION_INVALID',
        `requestIdHeaders has an invalid header name: ${String(name)}`,
      )
    }
    requestIdHeaders.push(slots.slot(name))
  }

  const shared: Shared = {
    trust: compileTrustProxy(reportingThrows(options.trustProxy, options.onTrustError)),
    routeOf: options.routeOf,
    correlation: {
      traceparent: options.traceparent === true ? slots.slot('traceparent') : undefined,
      requestIdHeaders,
      maxLength,
    },
    forwardedFor: slots.slot('x-forwarded-for'),
    host: slots.slot('host'),
    userAgent: slots.slot('user-agent'),
    referer: slots.slot('referer'),
  }

  const responseHeader = options.responseHeader
  if (responseHeader !== false && (typeof responseHeader !== 'string' || !TOKEN.test(responseHeader))) {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_CORRELATION_INVALID',
      `responseHeader must be a header name or false, got ${String(responseHeader)}`,
    )
  }

  // `open` keeps the context where `store` says (costs measured per framework in its doc above). On
  // Fastify the symbol gives Node's IncomingMessage a second hidden class and some of Node's own stream
  // and event code turns megamorphic, so the Fastify adapter uses `create` and a declared request slot
  // for the contexts it opens as the reply is sent.
  const store = options.store ?? propertyStore

  function open(req: IncomingMessage, res?: ServerResponse, owner?: unknown): RequestContext {
    const existing = store.get(req)
    if (existing !== undefined) return existing
    const context = create(req, res, owner)
    store.set(req, context)
    return context
  }

  function create(req: IncomingMessage, res?: ServerResponse, owner?: unknown): RequestContext {
    const headers = req.headers
    const context = new Context(req, headers, slots.read(headers), shared, owner)
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

/**
 * The app's `trustProxy` function, reporting what it throws before the throw goes on to
 * `resolveClient` (which then takes the socket peer). Other settings are returned as they are.
 */
function reportingThrows(
  setting: TrustProxySetting,
  onError: ((err: unknown) => void) | undefined,
): TrustProxySetting {
  if (typeof setting !== 'function' || onError === undefined) return setting
  return (addr, hop) => {
    try {
      return setting(addr, hop)
    } catch (err) {
      onError(err)
      throw err
    }
  }
}
