/**
 * Puts one Watchpost instance together, each piece created once, in dependency order, from the
 * validated configuration (docs/architecture.md):
 *
 *   config → redactor, contexts, builder → pipeline (its queue) → recorder → delivery monitor
 *          → sinks (from the registry), attached to the pipeline → event API → detection
 *
 * The pipeline exists before its sinks because the sinks report their health back as events
 * through it. Nothing here runs per request; the per-request path is adapter → signals → detectors
 * → recorder → pipeline.emit, and it never throws into the app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import { metrics } from '@opentelemetry/api'
import type { ResolvedConfig, WatchpostOptions } from '../config/index.js'
import { loadConfig } from '../config/index.js'
import { resolveRules } from '../config/rules.js'
import { createAsyncContext } from '../context/async-context.js'
import { HeaderSlots } from '../context/header-slots.js'
import {
  type ContextFactory,
  type ContextStore,
  createContextFactory,
  type RouteReader,
} from '../context/request-context.js'
import type { RequestContext } from '../context/types.js'
import type { DeliverySink } from '../delivery/delivery-sink.js'
import { renderMetrics } from '../delivery/metrics.js'
import { createDeliveryMonitor } from '../delivery/monitor.js'
import { METER_NAME, observeDelivery } from '../delivery/otel-metrics.js'
import type { Destination } from '../delivery/types.js'
import { refusedRequest } from '../detection/client-error.js'
import { createDetection, type Detection } from '../detection/engine.js'
import { DETECTORS } from '../detectors/index.js'
import { WatchpostError, WatchpostTypeError } from '../errors.js'
import { createEventApiFactory, type RequestApi } from '../events/api.js'
import { createBuilder } from '../events/build.js'
import { CATALOGUE } from '../events/catalogue/index.js'
import { classifyJwtError } from '../jwt/classify.js'
import { bearerToken, createJwtVerify } from '../jwt/verify.js'
import { flushOnExit } from '../pipeline/exit-flush.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { closeOnSignals } from '../pipeline/signals.js'
import type { Sink } from '../pipeline/types.js'
import { compileRedactor } from '../redaction/index.js'
import { createRuleEngine, type RuleEngine, type RuleHook } from '../rules/engine.js'
import { createSinks } from '../sinks/registry.js'
import { MemoryStateStore } from '../state/memory.js'
import type { StateStore } from '../state/types.js'
import { createWarningScope, type WarningScope } from '../warnings.js'
import { createDiagnostics, type DiagnosticLogger, type Diagnostics, loggerOptions } from './diagnostics.js'
import { createRecorder } from './recorder.js'
import { createRemoteSink } from './remote-sink.js'
import type { Watchpost } from './types.js'

const VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version

/** Runtime settings given in code only (not in a configuration file). */
export interface CreateRuntime {
  /** Directory searched for `watchpost.config.*` and `package.json`; `process.cwd()` by default. */
  readonly cwd?: string
  /** Environment for `WATCHPOST_CONFIG`, `NODE_ENV` and `${VAR}` substitution; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv
  /** Sink instances added to the configured ones (an app's own sink; tests). */
  readonly sinks?: readonly Sink[]
  /**
   * Destinations of the app's own (`Destination`, from `@watchpost/core/sdk`), each delivered like a
   * configured remote sink: spool, batching by size, retries, dead letters, health.
   */
  readonly destinations?: readonly Destination[]
  /**
   * Where the rules keep their windows and blocks: a `StateStore` (`@watchpost/redis` to share them
   * between instances); in this process's memory by default.
   */
  readonly state?: StateStore
  /** The app's functions a rule's `hook` response calls, by name (docs/rules.md). */
  readonly hooks?: Readonly<Record<string, RuleHook>>
  /**
   * The app's logger (pino, `fastify.log`, anything with `warn(fields, message)`): runtime
   * diagnostics — delivery degraded or failing, a hook that threw, events dropped — are written to
   * it as `warn({ code, sink, … }, message)`, at most one line per code per `logIntervalMs`
   * (docs/observability.md). The Fastify plugin uses `fastify.log` when this is not given.
   */
  readonly logger?: DiagnosticLogger
  /** The logger's rate limit: one line per code (and sink, reason) per interval; 60000 ms by default. */
  readonly logIntervalMs?: number
}

/**
 * What a framework adapter tells core once, at creation: where a request's context is kept and how
 * its matched route is read. Both are the adapter's choice, made by measurement (docs/performance.md).
 */
export interface AdapterContract {
  /** Names the adapter in warnings (`@watchpost/express`). */
  readonly name: string
  /** Where `open` keeps a request's context; a symbol-keyed property of the request by default. */
  readonly contextStore?: ContextStore | undefined
  /** The request's matched route pattern, asked when `ctx.route` is first read. */
  readonly routeOf?: RouteReader | undefined
}

/** What an adapter works with: the app-facing instance, the signals, and the context operations. */
export interface AdapterCore {
  /** The instance the app sees (`fastify.watchpost`, `wp.instance`). */
  readonly watchpost: Watchpost
  /** The signals the adapter sends, and its route options. */
  readonly signals: Detection
  /** The rules engine: the adapter installs its check only when `gates` (protect mode). */
  readonly rules: RuleEngine
  /**
   * What the rules say about a request's source (`rules.gates`; ask `rules.quiet()` first, before
   * opening a context): `undefined` lets it through, `delay` holds it, `block` is the answer to
   * write — and takes the request out of the detectors (the 429 is Watchpost's, not the app's rate
   * limiter's; the rules record it as `access_blocked`). A lookup that fails lets the request through.
   */
  refusal(ctx: RequestContext): Refusal | undefined
  /** The request's context, created and stored on the first call (`contextStore`). */
  open(req: IncomingMessage, res?: ServerResponse, owner?: unknown): RequestContext
  /** A new context, not stored: for an adapter that keeps it in a slot of its own. */
  create(req: IncomingMessage, res?: ServerResponse, owner?: unknown): RequestContext
  /** The stored context of a request, if `open` (or the adapter) stored one. */
  stored(req: IncomingMessage): RequestContext | undefined
  /** The request-scoped API bound to a context the adapter holds. */
  requestApi(ctx: RequestContext): RequestApi
  /** Runs `fn` with `ctx` as the current async context when `correlation.asyncContext` is on; else runs it. */
  runInContext<T>(ctx: RequestContext, fn: () => T): T
  /** The instance's warning scope: `warnOnce(code, arg, core.warnings)` warns once per instance. */
  readonly warnings: WarningScope
  /**
   * Reports a runtime warning of the adapter (a callback of the app that threw, a failure of its
   * own): the process warning once per instance, and a rate-limited line to the app's logger.
   */
  readonly warn: Diagnostics['warn']
}

/** A request the rules hold or refuse, as `AdapterCore.refusal` says: adapters write it as their framework does. */
export type Refusal =
  | { readonly action: 'delay'; readonly delayMs: number }
  | {
      readonly action: 'block'
      readonly status: 403 | 429
      readonly headers: Readonly<Record<string, string>>
      readonly body: { readonly error: string }
    }

/** The default adapter: plain `node:http`, contexts under a symbol on the request. */
const NODE_HTTP: AdapterContract = { name: '@watchpost/core' }

export function assemble(
  options: WatchpostOptions | undefined,
  runtime: CreateRuntime = {},
  adapter: AdapterContract = NODE_HTTP,
): AdapterCore {
  const config: ResolvedConfig = loadConfig(options, runtime)
  const warnings = createWarningScope()
  const logging = loggerOptions(runtime.logger, runtime.logIntervalMs)
  const diagnostics = createDiagnostics({ scope: warnings, ...logging })
  const warn = diagnostics.warn
  const redactor = compileRedactor({ ...config.privacy })
  const headerSlots = new HeaderSlots()
  const contexts: ContextFactory = createContextFactory({
    headers: headerSlots,
    trustProxy: config.trustProxy,
    traceparent: config.correlation.traceparent,
    requestIdHeaders: config.correlation.requestIdHeaders,
    responseHeader: config.correlation.responseHeader,
    maxLength: config.correlation.maxLength,
    store: adapter.contextStore,
    routeOf: adapter.routeOf,
    ...(logging.logger === undefined
      ? {}
      : { onTrustError: (err) => warn('WATCHPOST_W114', { cause: err }) }),
  })
  const asyncContext = config.correlation.asyncContext ? createAsyncContext() : undefined
  const build = createBuilder({ identity: config.app, redactor, productVersion: VERSION })

  const pipeline = new Pipeline(config.queue, {
    onSinkFailure(sink, failure) {
      warn('WATCHPOST_W101', { sink: sink.name, events: failure.failedEvents.length, cause: failure.cause })
    },
  })
  let rules: RuleEngine | undefined
  const recorder = createRecorder({
    build,
    emit: (event) => pipeline.emit(event),
    onBuildError: (name, err) => warn('WATCHPOST_W102', { event: name, cause: err }),
    observe: (event) => rules?.observe(event),
  })
  const state = runtime.state ?? new MemoryStateStore()
  if (!isStateStore(state)) throw new WatchpostTypeError('ERR_WATCHPOST_RULE_STATE_INVALID', undefined)
  const hooks = runtime.hooks ?? {}
  const ruleList = resolveRules(config)
  for (const rule of ruleList) {
    const hook = rule.response?.action === 'hook' ? (rule.response.hook as string) : undefined
    if (hook !== undefined && config.mode === 'protect' && typeof hooks[hook] !== 'function')
      throw new WatchpostTypeError('ERR_WATCHPOST_RULE_HOOK_MISSING', { rule: rule.id, hook })
  }
  rules = createRuleEngine({
    rules: ruleList,
    mode: config.mode,
    store: state,
    hooks,
    now: Date.now,
    record: (name, params, options) => {
      recorder.record(recorder.compiled(name)!, params, undefined, options)
    },
    eventIp: (ip) => redactor.ip(ip) ?? ip,
    onHookError: (hook, rule, cause) => warn('WATCHPOST_W109', { hook, rule, cause }),
    onStoreError: (cause) => warn('WATCHPOST_W110', { cause }),
  })
  const ruleEngine = rules
  const monitor = createDeliveryMonitor({
    report: recorder.system,
    // The process warning as it always was (a sink's first problem of each kind); every occurrence
    // for the logger, which rate-limits.
    warn: (problem, text, { sink, first }) => warn(DELIVERY_WARNINGS[problem], { sink, text }, first),
    pipelineStats: () => pipeline.stats(),
    ...(diagnostics.logging
      ? {
          onState(health, to) {
            if (to === 'healthy') return
            warn(to === 'failing' ? 'WATCHPOST_W112' : 'WATCHPOST_W111', {
              sink: health.sink,
              lastError: health.lastError,
            })
          },
          onDrops: (sink, reason, dropped) => warn('WATCHPOST_W113', { sink, reason, dropped }),
          dropCheckMs: logging.intervalMs,
        }
      : {}),
  })
  const remote = (destination: Destination): DeliverySink => {
    const sink = createRemoteSink(destination, config, monitor.hooks)
    monitor.watch(sink)
    return sink
  }
  pipeline.attach([
    ...createSinks(config.sinks, remote),
    ...(runtime.destinations ?? []).map(remote),
    ...(runtime.sinks ?? []),
  ])

  const apis = createEventApiFactory(CATALOGUE, recorder.all, recorder.record)
  const signals = createDetection(
    config,
    DETECTORS,
    {
      events: (ctx) => apis.forContext(ctx),
      now: Date.now,
      refusedContext: (info) => contexts.create(refusedRequest(info)),
      isSensitiveKey: (key) => redactor.isSensitiveKey(key),
      header: (name) => headerSlots.slot(name),
    },
    (err) => warn('WATCHPOST_W104', { cause: err }),
  )
  const requestApi = apis.requestApis({
    jwtFailure: (ctx, err) => signals.jwtFailure(ctx, classifyJwtError(err)),
    rateLimit: (ctx, info) => signals.rateLimitHit(ctx, info),
    corsRefusal: (ctx, origin) => signals.corsCheck(ctx, { origin, allowed: false }),
  })
  const events = asyncContext === undefined ? apis.forContext(undefined) : apis.dynamic(asyncContext.current)
  const open = (req: IncomingMessage, res?: ServerResponse, owner?: unknown) => contexts.open(req, res, owner)

  // Read at collection only, from the figures health() and stats() keep (delivery/otel-metrics.ts).
  // The meter is the app's SDK's if one is registered by now, else the API's no-op.
  const stopMetrics = observeDelivery(metrics.getMeter(METER_NAME, VERSION), {
    pipeline: () => pipeline.stats(),
    sinks: () => monitor.health().sinks,
  })

  const unregisterExitFlush = flushOnExit(pipeline)
  let closing: Promise<void> | undefined
  function close(deadlineMs: number = config.shutdown.deadlineMs): Promise<void> {
    closing ??= (() => {
      unregisterExitFlush()
      removeSignalHandlers()
      signals.close()
      monitor.close()
      return ruleEngine
        .close()
        .then(() => state.close())
        .catch(() => {})
        .then(() => pipeline.close(deadlineMs))
        .finally(() => {
          stopMetrics()
          diagnostics.close()
        })
    })()
    return closing
  }
  const removeSignalHandlers = config.shutdown.signals ? closeOnSignals(() => close()) : () => {}

  const watchpost: Watchpost = {
    config,
    events,
    request: (req) => requestApi(open(req)),
    context: (req, res) => open(req, res),
    record(name, params, opts) {
      const event = recorder.compiled(name)
      if (event === undefined) {
        warn('WATCHPOST_W103', { event: String(name) })
        return undefined
      }
      return recorder.record(event, params, opts?.context ?? asyncContext?.current(), opts)
    },
    emit: (event) => pipeline.emit(event),
    createJwtVerifier(verifierOptions) {
      const verify = createJwtVerify(verifierOptions)
      return async (req, token = bearerToken(req.headers.authorization)) => {
        if (token === undefined) {
          signals.jwtFailure(open(req), { reason: 'missing' })
          throw new WatchpostError('ERR_WATCHPOST_JWT_MISSING', undefined)
        }
        try {
          return await verify(token)
        } catch (err) {
          signals.jwtFailure(open(req), classifyJwtError(err))
          throw err
        }
      }
    },
    stats: () => ({ ...pipeline.stats(), buildErrors: recorder.buildErrors, detectorErrors: signals.errors }),
    rules: {
      blocked: (target) => ruleEngine.blocked(target),
      async block({ source, user, seconds, rule = 'manual' }) {
        const kind = source !== undefined ? 'source' : 'user'
        const value = source !== undefined ? (redactor.ip(source) ?? source) : user
        if (value === undefined || !(seconds > 0))
          throw new WatchpostTypeError('ERR_WATCHPOST_RULE_BLOCK_INVALID', undefined)
        await state.setBlock({ kind, value, until: Date.now() + seconds * 1000, rule })
      },
      async lift({ source, user }) {
        const kind = source !== undefined ? 'source' : 'user'
        const value = source !== undefined ? (redactor.ip(source) ?? source) : user
        if (value === undefined) throw new WatchpostTypeError('ERR_WATCHPOST_RULE_BLOCK_INVALID', undefined)
        return state.liftBlock({ kind, value })
      },
      list: async () => [...(await state.listBlocks(Date.now()))],
      stats: () => ruleEngine.stats(),
      health: () => state.health(),
    },
    health: () => monitor.health(),
    metrics: () => renderMetrics(pipeline.stats(), monitor.health().sinks),
    flush: () => pipeline.flush(),
    close,
  }

  const refusedScope = ruleEngine.gates
    ? signals.compileRouteOptions({ ignore: true }, 'a request a rule refused')
    : undefined
  function refusal(ctx: RequestContext): Refusal | undefined {
    let gate: ReturnType<RuleEngine['gate']>
    try {
      gate = ruleEngine.gate(ctx.clientIp)
    } catch {
      return undefined
    }
    if (gate === undefined || refusedScope === undefined) return undefined
    if (gate.action === 'delay') return gate
    signals.useRouteScope(ctx, refusedScope)
    return gate.status === 429
      ? {
          action: 'block',
          status: 429,
          headers: { 'retry-after': String(gate.retryAfterSeconds) },
          body: TOO_MANY_REQUESTS,
        }
      : { action: 'block', status: 403, headers: {}, body: FORBIDDEN }
  }

  return {
    watchpost,
    signals,
    rules: ruleEngine,
    refusal,
    open,
    create: (req, res, owner) => contexts.create(req, res, owner),
    stored: contexts.get,
    requestApi,
    runInContext: (ctx, fn) => (asyncContext === undefined ? fn() : asyncContext.run(ctx, fn)),
    warnings,
    warn,
  }
}

const TOO_MANY_REQUESTS = { error: 'Too Many Requests' } as const
const FORBIDDEN = { error: 'Forbidden' } as const

const STORE_METHODS = [
  'add',
  'claim',
  'setBlock',
  'liftBlock',
  'listBlocks',
  'watchBlocks',
  'health',
  'close',
]

function isStateStore(value: unknown): value is StateStore {
  return (
    typeof value === 'object' &&
    value !== null &&
    STORE_METHODS.every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
  )
}

/** Process warnings for what an operator must fix in delivery (docs/errors.md). */
const DELIVERY_WARNINGS = {
  auth: 'WATCHPOST_W105',
  not_found: 'WATCHPOST_W106',
  set_aside: 'WATCHPOST_W107',
  store: 'WATCHPOST_W108',
} as const
