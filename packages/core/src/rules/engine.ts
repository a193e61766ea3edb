/**
 * The rules engine: every recorded event is shown to the rules that count it (config/rules.ts says
 * which are in effect); a rule adds it to its group's sliding window in the state store, and at the
 * threshold — once per window, on one instance, by the store's claim — records one derived event
 * (`rule_threshold_*`) and, in `protect` mode, applies its response: a block or a delay of the
 * source (looked up on the request path in local maps, kept in step with the store's block
 * notices), a block of the user (asked by the app), or the app's hook.
 *
 * Off the request path except `gate`, which is two map lookups when nothing is blocked. Nothing here
 * throws into the app: a store or hook failure is counted and warned once.
 */
import { derivedSchema, type ResolvedRule } from '../config/rules.js'
import type { EventOptions } from '../events/build.js'
import type { EventName } from '../events/catalogue/index.js'
import { EVENTS_BY_NAME } from '../events/catalogue/index.js'
import { BoundedMemo } from '../memo.js'
import type { SecurityEvent } from '../schema/fields.js'
import { blockKey } from '../state/memory.js'
import type { Block, BlockTarget, MaybePromise, StateStore, WindowEntry } from '../state/types.js'
import { outsideHours } from './hours.js'

/** What a rule's hook receives. */
export interface RuleFiring {
  /** The rule's id. */
  readonly rule: string
  /** The group's values by column (`{ SrcIpAddr: '203.0.113.9' }`), as the events carry them. */
  readonly group: Readonly<Record<string, string>>
  /** Events (or distinct values) within the window when it fired. */
  readonly count: number
  readonly windowSeconds: number
  /** When it fired (ms since the epoch). */
  readonly at: number
}

export type RuleHook = (firing: RuleFiring) => unknown

/** The answer due to a request, when a rule blocks or delays its source. */
export type Gate =
  | {
      readonly action: 'block'
      readonly status: 403 | 429
      readonly retryAfterSeconds: number
      readonly rule: string
    }
  | { readonly action: 'delay'; readonly delayMs: number; readonly rule: string }

export interface RuleStats {
  readonly firings: number
  readonly blockedRequests: number
  readonly delayedRequests: number
  readonly hookErrors: number
  readonly storeErrors: number
}

export interface RuleEngineDeps {
  readonly rules: readonly ResolvedRule[]
  readonly mode: 'monitor' | 'protect'
  readonly store: StateStore
  readonly hooks: Readonly<Record<string, RuleHook>>
  readonly now: () => number
  /** Records an event (no request context); never throws. */
  readonly record: (name: EventName, params: Record<string, unknown>, options: EventOptions) => void
  /** A client address as events carry it (redacted: truncated or hashed as configured). */
  readonly eventIp: (ip: string) => string
  readonly onHookError: (hook: string, rule: string, cause: unknown) => void
  readonly onStoreError: (cause: unknown) => void
}

export interface RuleEngine {
  /** Shows a recorded event to the rules that count it. */
  observe(event: SecurityEvent): void
  /**
   * The request path: what is due to a request from `clientIp` (`protect` mode), recording the
   * refusal (the first of each block at once, the rest per minute). `undefined`: let it through.
   */
  gate(clientIp: string): Gate | undefined
  /** Whether `gate` can ever answer (protect mode, a rule that blocks or delays sources): adapters install their check only then. */
  readonly gates: boolean
  /**
   * Nothing is blocked or delayed now: `gate` would let every request through. Adapters ask first,
   * so that while nothing is blocked a request costs no context and no client-address lookup.
   */
  quiet(): boolean
  /** The block in force on a source or a user (its value as the app knows it), if any. */
  blocked(target: { readonly source?: string; readonly user?: string }): Block | undefined
  stats(): RuleStats
  /** Stops the timers and store subscriptions, recording what the last minute held back. */
  close(): Promise<void>
}

const HOOK_TIMEOUT_MS = 5000
const MINUTE = 60_000
/** How often the store's health is looked at, to list the blocks again once it is back. */
const HEALTH_CHECK_MS = 1000
/**
 * Requests held by delays at once, at most: each holds a socket and its request, and a delayed
 * source decides how many it sends. Past it, the source's requests are answered 429 at once.
 */
export const MAX_DELAYED = 256

const DERIVED: Readonly<Record<ReturnType<typeof derivedSchema>, EventName>> = {
  Authentication: 'rule_threshold_authn',
  WebSession: 'rule_threshold_web',
  AuditEvent: 'rule_threshold_audit',
}
/** The events a rule's firing records (one per ASIM schema it can count). */
export const FIRING_EVENTS: readonly EventName[] = Object.values(DERIVED)
/** The events the engine records itself and never counts when they come back. */
export const ENGINE_EVENTS: ReadonlySet<string> = new Set<string>([...FIRING_EVENTS, 'access_blocked'])

function then<T>(value: MaybePromise<T>, fn: (v: T) => void, fail: (err: unknown) => void): void {
  if (value instanceof Promise) value.then(fn, fail)
  else fn(value)
}

interface Compiled {
  readonly rule: ResolvedRule
  readonly windowMs: number
  readonly where: ReadonlyArray<readonly [string, ReadonlySet<string>]>
  readonly derived: EventName
  /** The start of its windows' keys in the store: `rule:<id>:`, then the group's values. */
  readonly prefix: string
}

export function createRuleEngine(deps: RuleEngineDeps): RuleEngine {
  const { store, now } = deps
  const protect = deps.mode === 'protect'
  const byEvent = new Map<string, Compiled[]>()
  const statusOf = new Map<string, 403 | 429>()
  for (const rule of deps.rules) {
    const schema = EVENTS_BY_NAME.get(rule.events[0] as string)?.schema ?? 'WebSession'
    const compiled: Compiled = {
      rule,
      windowMs: rule.windowSeconds * 1000,
      where: (rule.where ?? []).map((w) => [w.field, new Set(w.in)] as const),
      derived: DERIVED[derivedSchema(schema)],
      prefix: `rule:${rule.id}:`,
    }
    for (const name of rule.events) {
      const list = byEvent.get(name) ?? []
      list.push(compiled)
      byEvent.set(name, list)
    }
    if (rule.response?.action === 'block') statusOf.set(rule.id, rule.response.status)
  }
  let firings = 0
  let blockedRequests = 0
  let delayedRequests = 0
  let hookErrors = 0
  let storeErrors = 0
  let held = 0 // requests a delay holds now
  const release = () => {
    held--
  }
  const storeFailed = (err: unknown) => {
    storeErrors++
    deps.onStoreError(err)
  }

  // Blocks in force, by blockKey, kept in step with the store: its notices, a listing at start, and
  // a listing again whenever the store is back from answering out of local memory (notices sent
  // meanwhile are lost: a block set before this instance could reach the store would be missed
  // until it ends) and every minute.
  const blocks = new Map<string, Block>()
  // Delays of sources (this instance's own: a delay is not shared).
  const delays = new Map<string, { until: number; delayMs: number; rule: string }>()
  const stopWatching = store.watchBlocks((change) => {
    const key = blockKey(change.block)
    if (change.lifted) blocks.delete(key)
    else blocks.set(key, change.block)
  })
  function relist(): void {
    // Only what was known when the listing was asked for can be dropped by it: a block set since
    // may not be in the answer yet.
    const before = new Map(blocks)
    try {
      then(
        store.listBlocks(now()),
        (list) => {
          const listed = new Map(list.map((block) => [blockKey(block), block] as const))
          for (const [key, block] of before)
            if (!listed.has(key) && blocks.get(key) === block) blocks.delete(key)
          for (const [key, block] of listed) blocks.set(key, block)
        },
        storeFailed,
      )
    } catch (err) {
      storeFailed(err)
    }
  }
  relist()
  let storeState = store.health().state
  const watchHealth = setInterval(() => {
    const state = store.health().state
    if (state === 'ok' && storeState !== 'ok') relist()
    storeState = state
  }, HEALTH_CHECK_MS)
  watchHealth.unref()

  // Refused requests: the first of each block recorded at once, the rest counted per minute.
  const refused = new Map<string, { count: number; first: number; last: number; block: Block }>()
  // The gate's client addresses as events carry them: with `hashIps` each is an HMAC, and while a
  // block is in force every request asks, mostly from the same few addresses.
  const redacted = new BoundedMemo<string, string>(4096)
  const announced = new Set<string>()
  function noteRefusal(block: Block, at: number): void {
    const key = `${blockKey(block)}@${block.until}`
    if (!announced.has(key)) {
      announced.add(key)
      recordRefusals(block, {})
      return
    }
    const entry = refused.get(key)
    if (entry === undefined) refused.set(key, { count: 1, first: at, last: at, block })
    else {
      entry.count++
      entry.last = at
    }
  }
  /** One `access_blocked`: a block's first refusal, or (`count`…) the rest of a minute's. */
  function recordRefusals(block: Block, window: EventOptions): void {
    deps.record(
      'access_blocked',
      { rule: block.rule, until: new Date(block.until).toISOString(), srcIp: block.value },
      { ...window, statusCode: statusOf.get(block.rule) ?? 429 },
    )
  }
  function everyMinute(): void {
    flushRefusals()
    relist()
  }
  function flushRefusals(): void {
    for (const { count, first, last, block } of refused.values())
      recordRefusals(block, { count, startTime: first, endTime: last })
    refused.clear()
    const t = now()
    for (const [key, block] of blocks) if (block.until <= t) blocks.delete(key)
    for (const [key, delay] of delays) if (delay.until <= t) delays.delete(key)
    for (const key of announced) if (!blocks.has(key.slice(0, key.lastIndexOf('@')))) announced.delete(key)
  }
  const timer = setInterval(everyMinute, MINUTE)
  timer.unref()

  function fire(c: Compiled, event: SecurityEvent, total: number, at: number) {
    firings++
    const { rule } = c
    const group: Record<string, string> = {}
    for (const field of rule.groupBy)
      group[field] = (event as unknown as Record<string, string>)[field] as string
    const response = rule.response
    const applied = response === undefined ? 'none' : protect ? response.action : 'not_applied'
    deps.record(
      c.derived,
      {
        title: rule.title ?? rule.id,
        group: Object.entries(group)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
        threshold: rule.threshold,
        windowSeconds: rule.windowSeconds,
        distinct: rule.distinct,
        response: applied,
        srcIp: group.SrcIpAddr,
        targetUser: group.TargetUsername,
        actorUser: group.ActorUsername,
      },
      {
        count: total,
        startTime: at - c.windowMs,
        endTime: at,
        ruleName: rule.id,
        severity: rule.severity ?? (event.EventSeverity as EventOptions['severity']),
      },
    )
    if (!protect || response === undefined) return
    if (response.action === 'hook') return callHook(response.hook as string, rule.id, group, total, at, rule)
    const value =
      response.target === 'source' ? group.SrcIpAddr : (group.TargetUsername ?? group.ActorUsername)
    if (value === undefined) return
    const until = at + response.durationSeconds * 1000
    if (response.action === 'delay') {
      delays.set(value, { until, delayMs: response.delayMs, rule: rule.id })
      return
    }
    const block: Block = { kind: response.target, value, until, rule: rule.id }
    blocks.set(blockKey(block), block)
    try {
      then(store.setBlock(block), () => {}, storeFailed)
    } catch (err) {
      storeFailed(err)
    }
  }

  function callHook(
    name: string,
    ruleId: string,
    group: Record<string, string>,
    count: number,
    at: number,
    rule: ResolvedRule,
  ) {
    const hook = deps.hooks[name] as RuleHook
    const failed = (cause: unknown) => {
      hookErrors++
      deps.onHookError(name, ruleId, cause)
    }
    try {
      const result = hook(
        Object.freeze({
          rule: ruleId,
          group: Object.freeze({ ...group }),
          count,
          windowSeconds: rule.windowSeconds,
          at,
        }),
      )
      if (result instanceof Promise) {
        let timeout: NodeJS.Timeout | undefined
        const late = new Promise((_, reject) => {
          timeout = setTimeout(
            () => reject(new Error(`did not settle within ${HOOK_TIMEOUT_MS} ms`)),
            HOOK_TIMEOUT_MS,
          )
          timeout.unref()
        })
        Promise.race([result, late]).then(
          () => clearTimeout(timeout),
          (err) => {
            clearTimeout(timeout)
            failed(err)
          },
        )
      }
    } catch (err) {
      failed(err)
    }
  }

  // Every event a rule counts comes through here, on the request path: no closure, no group object
  // and no array while the store answers at once (the memory store), the key built by concatenation
  // (packages/core/bench/core.bench.ts: "authn.loginFail", which three shipped rules count).
  function consider(c: Compiled, event: SecurityEvent): void {
    const record = event as unknown as Record<string, unknown>
    for (const [field, values] of c.where) if (!values.has(String(record[field] ?? ''))) return
    const at = now()
    if (c.rule.outsideHours !== undefined && !outsideHours(c.rule.outsideHours, at)) return
    const fields = c.rule.groupBy
    let key = c.prefix
    for (let i = 0; i < fields.length; i++) {
      const value = record[fields[i] as string]
      if (typeof value !== 'string' || value === '') return
      key = i === 0 ? key + value : `${key}\u001f${value}`
    }
    let entry: WindowEntry
    if (c.rule.distinct !== undefined) {
      const value = record[c.rule.distinct]
      if (typeof value !== 'string' || value === '') return
      entry = { member: value, weight: 1, at }
    } else {
      const count = event.EventCount
      const weight = typeof count === 'number' && count > 1 ? Math.floor(count) : 1
      // The event's own id: new to every window (the memory store then keeps no map of members).
      entry = { member: event.EventUid, weight, at, unique: true }
    }
    const total = store.add(key, entry, c.windowMs, c.rule.threshold)
    if (total instanceof Promise) total.then((t) => counted(c, event, key, t, at), storeFailed)
    else counted(c, event, key, total, at)
  }

  // The claims this instance took, until when: past the threshold every event of the group comes
  // here, and while the claim is its own the store is not asked again (with Redis, a round trip).
  const claims = new BoundedMemo<string, number>(4096)

  /** At the threshold, the rule fires once per window, on the instance that claims it. */
  function counted(c: Compiled, event: SecurityEvent, key: string, total: number, at: number): void {
    if (total < c.rule.threshold) return
    const until = claims.get(key)
    if (until !== undefined && until > at) return
    const claimed = store.claim(`fired:${key}`, at, c.windowMs)
    const took = (ok: boolean) => {
      if (!ok) return
      claims.set(key, at + c.windowMs)
      fire(c, event, total, at)
    }
    if (claimed instanceof Promise) claimed.then(took, storeFailed)
    else took(claimed)
  }

  return {
    observe(event) {
      const name = event.EventOriginalType
      if (name === undefined || ENGINE_EVENTS.has(name)) return
      const list = byEvent.get(name)
      if (list === undefined) return
      for (const c of list) {
        try {
          consider(c, event)
        } catch (err) {
          storeFailed(err)
        }
      }
    },
    gates:
      protect &&
      deps.rules.some(
        (r) => r.response !== undefined && r.response.action !== 'hook' && r.response.target === 'source',
      ),
    quiet: () => blocks.size === 0 && delays.size === 0,
    gate(clientIp) {
      if ((blocks.size === 0 && delays.size === 0) || clientIp === '') return undefined
      let value = redacted.get(clientIp)
      if (value === undefined) {
        value = deps.eventIp(clientIp)
        redacted.set(clientIp, value)
      }
      const t = now()
      const block = blocks.get(`source:${value}`)
      if (block !== undefined) {
        if (block.until > t) {
          blockedRequests++
          noteRefusal(block, t)
          return {
            action: 'block',
            status: statusOf.get(block.rule) ?? 429,
            retryAfterSeconds: Math.max(1, Math.ceil((block.until - t) / 1000)),
            rule: block.rule,
          }
        }
        blocks.delete(`source:${value}`)
      }
      const delay = delays.get(value)
      if (delay !== undefined) {
        if (delay.until > t) {
          if (held >= MAX_DELAYED) {
            blockedRequests++
            return {
              action: 'block',
              status: 429,
              retryAfterSeconds: Math.max(1, Math.ceil(delay.delayMs / 1000)),
              rule: delay.rule,
            }
          }
          held++
          setTimeout(release, delay.delayMs).unref()
          delayedRequests++
          return { action: 'delay', delayMs: delay.delayMs, rule: delay.rule }
        }
        delays.delete(value)
      }
      return undefined
    },
    blocked({ source, user }) {
      const t = now()
      const targets: BlockTarget[] = []
      if (source !== undefined) targets.push({ kind: 'source', value: deps.eventIp(source) })
      if (user !== undefined) targets.push({ kind: 'user', value: user })
      for (const target of targets) {
        const block = blocks.get(blockKey(target))
        if (block !== undefined && block.until > t) return block
      }
      return undefined
    },
    stats: () => ({ firings, blockedRequests, delayedRequests, hookErrors, storeErrors }),
    async close() {
      clearInterval(timer)
      clearInterval(watchHealth)
      flushRefusals()
      stopWatching()
    },
  }
}
