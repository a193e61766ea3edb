/**
 * `createWatchpost()`: loads the configuration, compiles everything once (redactor, context factory,
 * event builders, sinks) and returns the instance the adapters and the app use. Nothing here runs
 * per request except `record` → build → `pipeline.emit`, which never throws into the app.
 */

import type { IncomingMessage, ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { JWTPayload } from 'jose'
import type { LoadRuntime, ResolvedConfig, SinkConfig, WatchpostOptions } from './config/index.js'
import { loadConfig } from './config/index.js'
import type { SentinelSinkConfig } from './config/types.js'
import {
  type AsyncContext,
  type ContextStore,
  createAsyncContext,
  createContextFactory,
} from './context/index.js'
import type { RequestContext } from './context/types.js'
import type { DeliveryHooks, DeliverySink } from './delivery/delivery-sink.js'
import type { DeliveryHealth, DeliveryState } from './delivery/health.js'
import { renderMetrics } from './delivery/metrics.js'
import { createRemoteSink } from './delivery/remote-sink.js'
import type { Destination } from './delivery/types.js'
import { createDetection, type Detection } from './detection/engine.js'
import { flagOf } from './detection/flags.js'
import { WatchpostError } from './errors.js'
import { createEventApiFactory, type EventApi, type RequestApi } from './events/api.js'
import { type CompiledEvent, compileEvent, createBuilder, type EventOptions } from './events/build.js'
import { CATALOGUE, EVENTS_BY_NAME, type EventName } from './events/catalogue/index.js'
import { classifyJwtError } from './jwt/classify.js'
import { bearerToken, createJwtVerify, type JwtVerifierOptions } from './jwt/verify.js'
import { flushOnExit } from './pipeline/exit-flush.js'
import { Pipeline, type PipelineStats } from './pipeline/pipeline.js'
import { closeOnSignals } from './pipeline/signals.js'
import { compileRedactor, type Redactor } from './redaction/index.js'
import type { SecurityEvent } from './schema/fields.js'
import { createConsoleSink } from './sinks/console.js'
import { createFileSink } from './sinks/file.js'
import type { Sink } from './sinks/types.js'
import { createWebhookDestination } from './sinks/webhook.js'

const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version

export interface CreateRuntime extends LoadRuntime {
  /** Sink instances added to the configured ones (used by `@watchpost/sentinel` and tests). */
  readonly sinks?: readonly Sink[]
  /**
   * Where `openContext` keeps a request's context (default: a symbol on the request). An adapter's
   * choice, made by measurement: the Express middleware keeps it in `res.locals`.
   */
  readonly contextStore?: ContextStore | undefined
}

export interface Watchpost {
  /** The configuration in use: validated, defaulted, frozen. */
  readonly config: ResolvedConfig
  /** Event API without a request; with `correlation.asyncContext` on it uses the current request's context. */
  readonly events: EventApi
  readonly redactor: Redactor
  /** Opens (once) the context of a request: correlation id, client address, echo header. */
  openContext(req: IncomingMessage, res?: ServerResponse): RequestContext
  /**
   * A new context for the request, not stored on it: for an adapter that keeps it in a slot of its
   * own (Fastify's declared request property). `openContext` stores it (`CreateRuntime.contextStore`).
   */
  createContext(req: IncomingMessage, res?: ServerResponse): RequestContext
  /** The context of a request if it was opened. */
  context(req: IncomingMessage): RequestContext | undefined
  /** The context bound to the current async call chain (`correlation.asyncContext`), if any. */
  currentContext(): RequestContext | undefined
  /** Runs `fn` with `ctx` as the current async context when `correlation.asyncContext` is on; else just runs it. */
  runInContext<T>(ctx: RequestContext, fn: () => T): T
  /** The request-scoped API (event namespaces + helpers), bound to the request's context (opened if needed). */
  forRequest(req: IncomingMessage): RequestApi
  /** The request-scoped API bound to a context the caller holds (see `createContext`). */
  requestApi(ctx: RequestContext): RequestApi
  /** The event API bound to a context (or to none). */
  forContext(ctx: RequestContext | undefined): EventApi
  /** Records an event by its vocabulary name; returns it, or `undefined` if it could not be recorded. Never throws. */
  record(
    name: EventName,
    params?: Readonly<Record<string, unknown>>,
    options?: EventOptions & { readonly context?: RequestContext | undefined },
  ): SecurityEvent | undefined
  /** Queues an already built event (e.g. from `record` of another instance). Never throws. */
  emit(event: SecurityEvent): boolean
  stats(): WatchpostStats
  /**
   * Delivery health: the worst state of the remote sinks (`healthy` without any) and each one's
   * counters (docs/pipeline.md#health-and-metrics).
   */
  health(): WatchpostHealth
  /** The same figures in the Prometheus text format, for a `/metrics` route. */
  metrics(): string
  /**
   * Hands everything queued to the sinks and waits until remote sinks have delivered it — or are
   * backing off after a failure (the events stay in their spool).
   */
  flush(): Promise<void>
  /** Signals for the framework adapters; detectors turn them into events (docs/detectors.md). */
  readonly detection: Detection
  /**
   * A JWT verifier for bearer tokens (jose): resolves with the payload, or records the failure with
   * its reason (`authn_jwt_fail`) and rejects with the verifier's error — the app answers 401.
   */
  createJwtVerifier(
    options: JwtVerifierOptions,
  ): (req: IncomingMessage, token?: string) => Promise<JWTPayload>
  /** Records a JWT failure from the app's own verifier (jose, `@fastify/jwt`, `express-jwt`), classified by its code. */
  reportJwtFailure(req: IncomingMessage, err: unknown): void
  /**
   * Stops recording, reports open detector windows, flushes within `deadlineMs` (default
   * `shutdown.deadlineMs`, 5000) and closes the sinks; what remote sinks did not deliver stays in the spool.
   */
  close(deadlineMs?: number): Promise<void>
}

export interface WatchpostStats extends PipelineStats {
  /** Events that could not be built (a bug or a hostile value the builder refused); each also reported once. */
  readonly buildErrors: number
}

export interface WatchpostHealth {
  /** The worst state among the remote sinks; `healthy` when there are none. */
  readonly state: DeliveryState
  readonly sinks: readonly DeliveryHealth[]
}

const STATE_ORDER: Readonly<Record<DeliveryState, number>> = { healthy: 0, degraded: 1, failing: 2 }

/** How often drops are reported as `sys_monitor_events_dropped` while delivery is not failing. */
const DROP_REPORT_INTERVAL_MS = 60_000

/** Process warnings for what an operator must fix in delivery (docs: core README, Errors). */
const PROBLEM_WARNINGS = {
  auth: 'WATCHPOST_W105',
  not_found: 'WATCHPOST_W106',
  set_aside: 'WATCHPOST_W107',
  store: 'WATCHPOST_W108',
} as const

const requireFromCore = createRequire(import.meta.url)

/**
 * Loads `@watchpost/sentinel` only when a `sentinel` sink is configured, so core never depends on the
 * Azure packages (DESIGN.md: core imports nothing cloud-specific). `require(esm)` is synchronous on
 * Node >= 20.19, which keeps `createWatchpost` synchronous. The package's `package.json` is resolved
 * first so that "not installed" is told apart from "installed but failed to load" without reading
 * error messages.
 */
function createSentinelDestination(config: SentinelSinkConfig): Destination {
  try {
    requireFromCore.resolve('@watchpost/sentinel/package.json')
  } catch (err) {
    throw new WatchpostError(
      'ERR_WATCHPOST_SINK_INVALID',
      '@watchpost/core: the sentinel sink needs the @watchpost/sentinel package: npm install @watchpost/sentinel',
      { cause: err },
    )
  }
  let mod: { createSentinelDestination?: unknown }
  try {
    mod = requireFromCore('@watchpost/sentinel') as { createSentinelDestination?: unknown }
  } catch (err) {
    throw new WatchpostError(
      'ERR_WATCHPOST_SINK_INVALID',
      `@watchpost/core: @watchpost/sentinel could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    )
  }
  if (typeof mod.createSentinelDestination !== 'function') {
    throw new WatchpostError(
      'ERR_WATCHPOST_SINK_INVALID',
      '@watchpost/core: the installed @watchpost/sentinel has no createSentinelDestination export; update it',
    )
  }
  return (mod.createSentinelDestination as (config: SentinelSinkConfig) => Destination)(config)
}

function createSink(config: SinkConfig, remote: (destination: Destination) => DeliverySink): Sink {
  switch (config.type) {
    case 'sentinel':
      return remote(createSentinelDestination(config))
    case 'webhook':
      return remote(createWebhookDestination(config))
    case 'console':
      return createConsoleSink({ format: config.format, stream: config.stream, colors: config.colors })
    case 'file':
      return createFileSink({ path: config.path, maxBytes: config.maxBytes, maxFiles: config.maxFiles })
    default:
      throw new WatchpostError(
        'ERR_WATCHPOST_SINK_INVALID',
        `@watchpost/core: unknown sink type ${JSON.stringify((config as { type: unknown }).type)}`,
      )
  }
}

/** Emits a process warning at most once per key; warnings must never throw into the caller. */
function warnOnce(seen: Set<string>, key: string, message: string, code: string): void {
  if (seen.has(key)) return
  seen.add(key)
  try {
    process.emitWarning(message, { code })
  } catch {}
}

export function createWatchpost(options?: WatchpostOptions, runtime: CreateRuntime = {}): Watchpost {
  const config = loadConfig(options, runtime)
  const redactor = compileRedactor({ ...config.privacy })
  const contexts = createContextFactory({
    trustProxy: config.trustProxy,
    traceparent: config.correlation.traceparent,
    requestIdHeaders: config.correlation.requestIdHeaders,
    responseHeader: config.correlation.responseHeader,
    maxLength: config.correlation.maxLength,
    store: runtime.contextStore,
  })
  const asyncContext: AsyncContext | undefined = config.correlation.asyncContext
    ? createAsyncContext()
    : undefined
  const build = createBuilder({
    identity: config.app,
    redactor,
    productVersion: VERSION,
  })
  const compiled = new Map<string, CompiledEvent>()
  for (const [name, def] of EVENTS_BY_NAME) compiled.set(name, compileEvent(def))

  const warned = new Set<string>()
  const remoteSinks: DeliverySink[] = []
  // Late-bound: the monitor events are recorded with `recordCompiled`, defined below.
  let monitor: DeliveryHooks = {}
  const remote = (destination: Destination): DeliverySink => {
    const sink = createRemoteSink(destination, config, {
      onProblem: (code, text) => monitor.onProblem?.(code, text),
      onStateChange: (health, from, to) => monitor.onStateChange?.(health, from, to),
    })
    remoteSinks.push(sink)
    return sink
  }
  const sinks = [...config.sinks.map((c) => createSink(c, remote)), ...(runtime.sinks ?? [])]
  const pipeline = new Pipeline(sinks, config.queue, {
    onSinkFailure(sink, failure) {
      const cause = failure.cause instanceof Error ? failure.cause.message : String(failure.cause)
      warnOnce(
        warned,
        `sink:${sink.name}`,
        `@watchpost/core: sink ${sink.name} failed to deliver ${failure.failedEvents.length} event(s): ${cause}. ` +
          'Further failures are counted in stats().sinks, not reported again.',
        'WATCHPOST_W101',
      )
    },
  })
  const unregisterExitFlush = flushOnExit(pipeline)
  let buildErrors = 0

  function recordCompiled(
    event: CompiledEvent,
    params: Readonly<Record<string, unknown>> | undefined,
    ctx: RequestContext | undefined,
    opts: EventOptions | undefined,
  ): SecurityEvent | undefined {
    try {
      const built = build(event, params, ctx, opts)
      if (ctx !== undefined) ctx.flags |= flagOf(event.def.name)
      pipeline.emit(built)
      return built
    } catch (err) {
      buildErrors++
      warnOnce(
        warned,
        `build:${event.def.name}`,
        `@watchpost/core: could not build ${event.def.name}: ${err instanceof Error ? err.message : String(err)}`,
        'WATCHPOST_W102',
      )
      return undefined
    }
  }

  // Detection is created below; the helpers reach it lazily (they only run per request).
  let detection: Detection
  const apis = createEventApiFactory(CATALOGUE, compiled, recordCompiled, {
    jwtFailure: (ctx, err) => detection.jwtFailure(ctx, classifyJwtError(err)),
    rateLimit: (ctx, info) => detection.rateLimitHit(ctx, info),
    corsRefusal: (ctx, origin) => detection.corsCheck(ctx, { origin, allowed: false }),
  })
  const events = asyncContext === undefined ? apis.forContext(undefined) : apis.dynamic(asyncContext.current)
  detection = createDetection(config, { events: (ctx) => apis.forContext(ctx), now: Date.now }, (err) =>
    warnOnce(
      warned,
      'detector',
      `@watchpost/core: a detector failed: ${err instanceof Error ? err.message : String(err)}. Counted in detection.errors.`,
      'WATCHPOST_W104',
    ),
  )
  const system = (name: EventName, params: Record<string, unknown>) =>
    recordCompiled(compiled.get(name)!, params, undefined, undefined)
  // Drops are reported as counts since the last report, once delivery works (or at close).
  const reportedDrops = new Map<string, number>()
  const reportDrops = () => {
    const report = (source: string, reason: string, total: number) => {
      const key = `${source}\0${reason}`
      const before = reportedDrops.get(key) ?? 0
      if (total <= before) return
      reportedDrops.set(key, total)
      system('sys_monitor_events_dropped', { monitor: source, reason, dropped: total - before })
    }
    for (const [reason, n] of Object.entries(pipeline.stats().dropped)) report('pipeline', reason, n)
    for (const sink of remoteSinks) {
      const health = sink.health()
      for (const [reason, n] of Object.entries(health.dropped)) report(health.sink, reason, n)
    }
  }
  const disabled = new Set<string>()
  monitor = {
    onProblem(code, text) {
      warnOnce(
        warned,
        `delivery:${code}:${text.slice(0, 64)}`,
        `@watchpost/core: ${text}`,
        PROBLEM_WARNINGS[code],
      )
    },
    onStateChange(health, _from, to) {
      if (to === 'failing' && !disabled.has(health.sink)) {
        disabled.add(health.sink)
        system('sys_monitor_disabled', {
          monitor: health.sink,
          reason: health.lastError ?? 'delivery failing',
        })
      } else if (to === 'healthy') {
        if (disabled.delete(health.sink)) system('sys_monitor_enabled', { monitor: health.sink })
        reportDrops()
      }
    },
  }
  const dropReporter = setInterval(() => {
    if (remoteSinks.every((sink) => sink.health().state !== 'failing')) reportDrops()
  }, DROP_REPORT_INTERVAL_MS)
  dropReporter.unref()
  const health = (): WatchpostHealth => {
    const list = remoteSinks.map((sink) => sink.health())
    let state: DeliveryState = 'healthy'
    for (const h of list) if (STATE_ORDER[h.state] > STATE_ORDER[state]) state = h.state
    return { state, sinks: list }
  }
  const reportJwtFailure = (req: IncomingMessage, err: unknown) =>
    detection.jwtFailure(contexts.open(req), classifyJwtError(err))

  let closing: Promise<void> | undefined
  function closeInstance(deadlineMs: number = config.shutdown.deadlineMs): Promise<void> {
    closing ??= (() => {
      unregisterExitFlush()
      removeSignalHandlers()
      clearInterval(dropReporter)
      detection.close()
      reportDrops()
      return pipeline.close(deadlineMs)
    })()
    return closing
  }
  const removeSignalHandlers = config.shutdown.signals ? closeOnSignals(() => closeInstance()) : () => {}

  const instance: Watchpost = {
    config,
    events,
    redactor,
    openContext: (req, res) => contexts.open(req, res),
    createContext: (req, res) => contexts.create(req, res),
    context: (req) => contexts.get(req),
    currentContext: () => asyncContext?.current(),
    runInContext: (ctx, fn) => (asyncContext === undefined ? fn() : asyncContext.run(ctx, fn)),
    forRequest: (req) => apis.forRequest(contexts.open(req)),
    requestApi: (ctx) => apis.forRequest(ctx),
    forContext: (ctx) => apis.forContext(ctx),
    record(name, params, opts) {
      const event = compiled.get(name)
      if (event === undefined) {
        warnOnce(
          warned,
          `unknown:${String(name)}`,
          `@watchpost/core: unknown event ${JSON.stringify(name)}`,
          'WATCHPOST_W103',
        )
        return undefined
      }
      return recordCompiled(event, params, opts?.context ?? asyncContext?.current(), opts)
    },
    emit: (event) => pipeline.emit(event),
    detection,
    reportJwtFailure,
    createJwtVerifier(options) {
      const verify = createJwtVerify(options)
      return async (req, token = bearerToken(req.headers.authorization)) => {
        if (token === undefined) {
          const err = new WatchpostError(
            'ERR_WATCHPOST_JWT_MISSING',
            'No bearer token in the Authorization header',
          )
          detection.jwtFailure(contexts.open(req), { reason: 'missing' })
          throw err
        }
        try {
          return await verify(token)
        } catch (err) {
          reportJwtFailure(req, err)
          throw err
        }
      }
    },
    stats: () => ({ ...pipeline.stats(), buildErrors }),
    health,
    metrics: () => renderMetrics(pipeline.stats(), health().sinks),
    flush: () => pipeline.flush(),
    close: closeInstance,
  }
  return instance
}
