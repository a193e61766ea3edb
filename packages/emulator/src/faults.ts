/**
 * Fault injection for ingestion requests. One PRNG (mulberry32) drives every `share` draw, in a fixed
 * order per request (reset, slow, throttle, serverErrors), so a seeded run is repeatable.
 */
import { WatchpostTypeError } from '@watchpost/core'
import type { FaultConfig, RejectRule, TokenFaultMode } from './types.js'

export type FaultDecision =
  | { readonly kind: 'reset' }
  | { readonly kind: 'throttle'; readonly retryAfterSeconds: number | null }
  | {
      readonly kind: 'serverError'
      readonly status: 500 | 503
      readonly retryAfterSeconds: number | undefined
    }
  | { readonly kind: 'none' }

export interface RequestFaults {
  readonly delayMs: number
  readonly decision: FaultDecision
  /** Destroy the socket after storing the rows. */
  readonly resetAfterStore: boolean
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function share(value: number | undefined, name: string): number {
  if (value === undefined) return 1
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_EMULATOR_FAULTS_INVALID',
      `faults.${name}.share must be between 0 and 1`,
    )
  }
  return value
}

function seconds(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isFinite(value) || value < 0) {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_EMULATOR_FAULTS_INVALID',
      `faults.${name}.seconds must be a number >= 0`,
    )
  }
  return value
}

/** Checks a fault configuration (from code or from `POST /admin/faults`); throws `ERR_WATCHPOST_EMULATOR_FAULTS_INVALID` (a `TypeError`) on misuse. */
export function checkFaults(faults: FaultConfig): void {
  if (typeof faults !== 'object' || faults === null)
    throw new WatchpostTypeError('ERR_WATCHPOST_EMULATOR_FAULTS_INVALID', 'faults must be an object')
  const known = new Set([
    'seed',
    'down',
    'throttle',
    'serverErrors',
    'slow',
    'reset',
    'reject',
    'token',
    'secretExpired',
    'roleMissing',
  ])
  for (const key of Object.keys(faults)) {
    if (!known.has(key))
      throw new WatchpostTypeError(
        'ERR_WATCHPOST_EMULATOR_FAULTS_INVALID',
        `unknown fault ${JSON.stringify(key)}`,
      )
  }
  if (faults.seed !== undefined && !Number.isInteger(faults.seed)) {
    throw new WatchpostTypeError('ERR_WATCHPOST_EMULATOR_FAULTS_INVALID', 'faults.seed must be an integer')
  }
  if (faults.down !== undefined && faults.down !== true) seconds(faults.down.seconds, 'down')
  if (faults.throttle !== undefined) {
    share(faults.throttle.share, 'throttle')
    seconds(faults.throttle.seconds, 'throttle')
    const ra = faults.throttle.retryAfterSeconds
    if (ra !== undefined && ra !== null && (!Number.isInteger(ra) || ra < 0)) {
      throw new WatchpostTypeError(
        'ERR_WATCHPOST_EMULATOR_FAULTS_INVALID',
        'faults.throttle.retryAfterSeconds must be an integer >= 0 or null',
      )
    }
  }
  if (faults.serverErrors !== undefined) {
    share(faults.serverErrors.share, 'serverErrors')
    seconds(faults.serverErrors.seconds, 'serverErrors')
    const status = faults.serverErrors.status
    if (status !== undefined && status !== 500 && status !== 503) {
      throw new WatchpostTypeError(
        'ERR_WATCHPOST_EMULATOR_FAULTS_INVALID',
        'faults.serverErrors.status must be 500 or 503',
      )
    }
  }
  if (faults.slow !== undefined) {
    if (!Number.isFinite(faults.slow.delayMs) || faults.slow.delayMs < 0) {
      throw new WatchpostTypeError(
        'ERR_WATCHPOST_EMULATOR_FAULTS_INVALID',
        'faults.slow.delayMs must be a number >= 0',
      )
    }
    share(faults.slow.share, 'slow')
    seconds(faults.slow.seconds, 'slow')
  }
  if (faults.reset !== undefined) {
    share(faults.reset.share, 'reset')
    seconds(faults.reset.seconds, 'reset')
  }
  if (faults.reject !== undefined) compileReject(faults.reject)
  if (faults.token !== undefined) {
    if (!TOKEN_MODES.has(faults.token.mode))
      throw new WatchpostTypeError(
        'ERR_WATCHPOST_EMULATOR_FAULTS_INVALID',
        'faults.token.mode must be "reset", "hang" or "unavailable"',
      )
    seconds(faults.token.seconds, 'token')
  }
  for (const name of ['secretExpired', 'roleMissing'] as const) {
    const fault = faults[name]
    if (fault === undefined || fault === true) continue
    if (typeof fault !== 'object' || fault === null)
      throw new WatchpostTypeError(
        'ERR_WATCHPOST_EMULATOR_FAULTS_INVALID',
        `faults.${name} must be true or { seconds }`,
      )
    seconds(fault.seconds, name)
  }
}

const TOKEN_MODES: ReadonlySet<unknown> = new Set<TokenFaultMode>(['reset', 'hang', 'unavailable'])

export type RowPredicate = (row: Readonly<Record<string, unknown>>, index: number, stream: string) => boolean

export function compileReject(rule: RejectRule): RowPredicate {
  if (typeof rule === 'function') return rule
  if (typeof rule !== 'object' || rule === null || typeof rule.column !== 'string') {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_EMULATOR_FAULTS_INVALID',
      'faults.reject needs a column (and equals or pattern) or a function',
    )
  }
  const column = rule.column
  if ('pattern' in rule) {
    // A user-given pattern in a local test tool; it only ever sees row values the test sent.
    const re = new RegExp(rule.pattern)
    return (row) => typeof row[column] === 'string' && re.test(row[column] as string)
  }
  if ('equals' in rule) {
    const wanted = JSON.stringify(rule.equals)
    return (row) => JSON.stringify(row[column]) === wanted
  }
  throw new WatchpostTypeError(
    'ERR_WATCHPOST_EMULATOR_FAULTS_INVALID',
    'faults.reject needs equals or pattern',
  )
}

export class FaultState {
  #config: FaultConfig = {}
  #setAt = 0
  #random: () => number = Math.random
  #reject: RowPredicate | undefined

  get config(): FaultConfig {
    return this.#config
  }

  get reject(): RowPredicate | undefined {
    return this.#reject
  }

  set(config: FaultConfig): void {
    checkFaults(config)
    this.#config = config
    this.#setAt = Date.now()
    this.#random = config.seed === undefined ? Math.random : mulberry32(config.seed)
    this.#reject = config.reject === undefined ? undefined : compileReject(config.reject)
  }

  /** Whether a fault limited to `seconds` is still in force. */
  #active(limit: { readonly seconds?: number } | undefined): boolean {
    if (limit === undefined) return false
    return limit.seconds === undefined || Date.now() - this.#setAt < limit.seconds * 1000
  }

  #hit(fault: { readonly share?: number; readonly seconds?: number } | undefined): boolean {
    // Always draw, so the sequence does not depend on which faults happen to be in force.
    const draw = this.#random()
    return this.#active(fault) && draw < (fault?.share ?? 1)
  }

  /** Whether the app registration's secret counts as expired now (the `secretExpired` fault). */
  secretExpired(): boolean {
    const fault = this.#config.secretExpired
    return this.#active(fault === true ? {} : fault)
  }

  /** Whether ingestion is refused for want of the role now (the `roleMissing` fault). */
  roleMissing(): boolean {
    const fault = this.#config.roleMissing
    return this.#active(fault === true ? {} : fault)
  }

  /** How Entra's routes fail now, if they do. */
  tokenFault(): TokenFaultMode | undefined {
    const token = this.#config.token
    return this.#active(token) ? token?.mode : undefined
  }

  /** Milliseconds left of a timed `down`, Infinity until cleared, 0 if not down. */
  downFor(): number {
    const down = this.#config.down
    if (down === undefined) return 0
    if (down === true || down.seconds === undefined) return Number.POSITIVE_INFINITY
    return Math.max(0, this.#setAt + down.seconds * 1000 - Date.now())
  }

  decide(): RequestFaults {
    const c = this.#config
    const reset = this.#hit(c.reset)
    const slow = this.#hit(c.slow)
    const throttle = this.#hit(c.throttle)
    const serverError = this.#hit(c.serverErrors)
    const delayMs = slow ? (c.slow?.delayMs ?? 0) : 0
    let decision: FaultDecision = { kind: 'none' }
    if (reset && c.reset?.afterStore !== true) decision = { kind: 'reset' }
    else if (throttle) {
      const ra = c.throttle?.retryAfterSeconds
      decision = { kind: 'throttle', retryAfterSeconds: ra === undefined ? 1 : ra }
    } else if (serverError) {
      decision = {
        kind: 'serverError',
        status: c.serverErrors?.status ?? 503,
        retryAfterSeconds: c.serverErrors?.retryAfterSeconds,
      }
    }
    return { delayMs, decision, resetAfterStore: reset && c.reset?.afterStore === true }
  }
}
