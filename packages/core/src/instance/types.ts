/** The instance every adapter hands the app (`fastify.watchpost`, `wp.instance`), and its figures. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JWTPayload } from 'jose'
import type { ResolvedConfig } from '../config/index.js'
import type { RequestContext } from '../context/types.js'
import type { DeliveryHealth, DeliveryState } from '../delivery/health.js'
import type { EventApi, RequestApi } from '../events/api.js'
import type { EventOptions } from '../events/build.js'
import type { EventName } from '../events/catalogue/index.js'
import type { JwtVerifierOptions } from '../jwt/verify.js'
import type { PipelineStats } from '../pipeline/pipeline.js'
import type { RuleStats } from '../rules/engine.js'
import type { SecurityEvent } from '../schema/fields.js'
import type { Block, StateStoreHealth } from '../state/types.js'

export interface Watchpost {
  /** The configuration in use: validated, defaulted, frozen. */
  readonly config: ResolvedConfig
  /**
   * Events outside a request (`watchpost.events.sys.startup()`); with `correlation.asyncContext` on,
   * they carry the context of the request being handled.
   */
  readonly events: EventApi
  /** The request-scoped API (`authn.loginFail(...)`, `setUser(...)`), bound to the request's context. */
  request(req: IncomingMessage): RequestApi
  /**
   * The request's context (correlation id, client address, route), opened on first use. Given the
   * response at that first use, it echoes the correlation id when `correlation.responseHeader` is set.
   */
  context(req: IncomingMessage, res?: ServerResponse): RequestContext
  /** Records an event by its vocabulary name; returns it, or `undefined` if it could not be recorded. Never throws. */
  record(
    name: EventName,
    params?: Readonly<Record<string, unknown>>,
    options?: EventOptions & { readonly context?: RequestContext | undefined },
  ): SecurityEvent | undefined
  /**
   * Queues an event already built (by `record` of another instance, or received from a worker);
   * `false` when it was dropped (counted with its reason). Never throws.
   */
  emit(event: SecurityEvent): boolean
  /**
   * A JWT verifier for bearer tokens (jose): resolves with the payload, or records the failure with
   * its reason (`authn_jwt_fail`) and rejects with the verifier's error — the app answers 401.
   */
  createJwtVerifier(
    options: JwtVerifierOptions,
  ): (req: IncomingMessage, token?: string) => Promise<JWTPayload>
  stats(): WatchpostStats
  /** The rules' blocks and figures (docs/rules.md). */
  readonly rules: WatchpostRules
  /** Delivery health: the worst state of the remote sinks (`healthy` without any) and each one's counters. */
  health(): WatchpostHealth
  /** The same figures in the Prometheus text format, for a `/metrics` route. */
  metrics(): string
  /**
   * Hands everything queued to the sinks and waits until remote sinks have delivered it — or are
   * backing off after a failure (the events stay in their spool).
   */
  flush(): Promise<void>
  /**
   * Stops recording, reports open detector windows, flushes within `deadlineMs` (default
   * `shutdown.deadlineMs`, 5000) and closes the sinks; what remote sinks did not deliver stays in the spool.
   */
  close(deadlineMs?: number): Promise<void>
}

export interface WatchpostRules {
  /** The block in force on a source (a client address) or a user, if any: the app's login route asks before checking a password. */
  blocked(target: { readonly source?: string; readonly user?: string }): Block | undefined
  /** Blocks a source or a user for `seconds`, on every instance sharing the state store (`rule` defaults to `manual`). */
  block(target: {
    readonly source?: string
    readonly user?: string
    readonly seconds: number
    readonly rule?: string
  }): Promise<void>
  /** Lifts a block; `true` when there was one. */
  lift(target: { readonly source?: string; readonly user?: string }): Promise<boolean>
  /** The blocks in force. */
  list(): Promise<Block[]>
  stats(): RuleStats
  /** The state store's health (`degraded` while a shared store answers from local memory). */
  health(): StateStoreHealth
}

export interface WatchpostStats extends PipelineStats {
  /** Events that could not be built (a bug or a hostile value the builder refused); each also reported once. */
  readonly buildErrors: number
  /** Detector failures caught (a detector bug; the request went on); reported once. */
  readonly detectorErrors: number
}

export interface WatchpostHealth {
  /** The worst state among the remote sinks; `healthy` when there are none. */
  readonly state: DeliveryState
  readonly sinks: readonly DeliveryHealth[]
}
