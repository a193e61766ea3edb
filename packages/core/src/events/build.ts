/**
 * The event builder: one catalogue definition + typed parameters + the request context + the app's
 * identity → one redacted, bounded SecurityEvent. Everything that can be decided once (message
 * templates, parameter targets, fixed fields) is compiled at start-up; per call it only copies and
 * cleans values. It runs on the request path, so: no JSON, no I/O, no hashing of bodies.
 */

import type { RequestContext } from '../context/types.js'
import type { Redactor } from '../redaction/index.js'
import type { FieldName, SecurityEvent } from '../schema/fields.js'
import { ASIM_PROJECTIONS } from '../schema/projections.js'
import { type EventDef, LEVEL_SEVERITY, type ParamDef, type Severity } from './define.js'
import { isoTime } from './iso-time.js'
import { uuidv7 } from './uid.js'

export const PRODUCT = 'Watchpost'

export interface AppIdentity {
  readonly name: string
  readonly version: string
  readonly environment: string
  readonly host: string
  readonly port?: number | undefined
}

/** What a caller (a detector, the app) may add to the typed parameters of an event. */
export interface EventOptions {
  /** Overrides the catalogue's default severity. */
  readonly severity?: Severity | undefined
  /** Replaces the rendered message (it is sanitised like any other text). */
  readonly message?: string | undefined
  /** Free-form details: deep-copied, redacted and bounded into AdditionalFields.Details. */
  readonly details?: Readonly<Record<string, unknown>> | undefined
  /** For aggregated events: how many occurrences and over which window (ms since the epoch). */
  readonly count?: number | undefined
  readonly startTime?: number | undefined
  readonly endTime?: number | undefined
  /** HTTP status of the response, when known. */
  readonly statusCode?: number | undefined
  /** The detector or rule that produced the event. */
  readonly ruleName?: string | undefined
  /** The client address, for events built without a request context (aggregates of a window). */
  readonly srcIp?: string | undefined
}

interface CompiledParam {
  readonly name: string
  readonly def: ParamDef
  readonly fields: readonly FieldName[]
  readonly additionalKey: string | undefined
}

/** A message template: literal text, then for each placeholder its parameter index (or -1) and name. */
interface TemplateSlot {
  readonly text: string
  readonly param: number
  readonly name: string
}

export interface CompiledEvent {
  readonly def: EventDef
  readonly params: readonly CompiledParam[]
  readonly head: string
  readonly slots: readonly TemplateSlot[]
  /** `fixed` as entries: a loop over them beats `Object.assign` on the request path. */
  readonly fixed: ReadonlyArray<readonly [string, unknown]>
  /** Index in `params` of the parameter that `byParam` reads, or -1. */
  readonly byParamIndex: number
  readonly severity: Severity
  readonly schemaVersion: string
}

const MAX_LIST_ITEMS = 32
const MAX_SHORT = 256
const MAX_MESSAGE = 1024

export function compileEvent(def: EventDef): CompiledEvent {
  const params: CompiledParam[] = []
  for (const [name, param] of Object.entries(def.params)) {
    const target = param.target
    if (typeof target === 'string' && target.startsWith('AdditionalFields.')) {
      params.push({ name, def: param, fields: [], additionalKey: target.slice('AdditionalFields.'.length) })
    } else {
      params.push({
        name,
        def: param,
        fields: (Array.isArray(target) ? target : [target]) as FieldName[],
        additionalKey: undefined,
      })
    }
  }
  // "Login failed for {userId} ({reason})" → head 'Login failed for ', slots userId→' (', reason→')'.
  const parts = def.message.split(/\{(\w+)\}/)
  const slots: TemplateSlot[] = []
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!
    slots.push({ name, param: params.findIndex((p) => p.name === name), text: parts[i + 1] ?? '' })
  }
  return {
    def,
    params,
    head: parts[0] ?? '',
    slots,
    fixed: Object.entries(def.fixed ?? {}),
    byParamIndex: def.byParam === undefined ? -1 : params.findIndex((p) => p.name === def.byParam?.param),
    severity: def.severity ?? LEVEL_SEVERITY[def.level],
    schemaVersion: ASIM_PROJECTIONS[def.schema].schemaVersion,
  }
}

export interface BuilderDeps {
  readonly identity: AppIdentity
  readonly redactor: Redactor
  readonly productVersion: string
}

export type BuildFn = (
  compiled: CompiledEvent,
  params: Readonly<Record<string, unknown>> | undefined,
  context: RequestContext | undefined,
  options: EventOptions | undefined,
) => SecurityEvent

export function createBuilder(deps: BuilderDeps): BuildFn {
  const { redactor, productVersion } = deps
  const identity = {
    name: redactor.string(deps.identity.name, MAX_SHORT),
    version: redactor.string(deps.identity.version, MAX_SHORT),
    environment: redactor.string(deps.identity.environment, MAX_SHORT),
    host: redactor.string(deps.identity.host, MAX_SHORT),
  }

  function cleanParam(def: ParamDef, value: unknown): unknown {
    switch (def.type) {
      case 'int': {
        const n = typeof value === 'number' ? value : Number(value)
        return Number.isFinite(n) ? Math.max(-2147483648, Math.min(2147483647, Math.trunc(n))) : undefined
      }
      case 'boolean':
        return Boolean(value)
      case 'strings': {
        const list = Array.isArray(value) ? value : [value]
        const out: string[] = []
        for (let i = 0; i < list.length && i < MAX_LIST_ITEMS; i++)
          out.push(redactor.text(String(list[i]), MAX_SHORT))
        return out
      }
      case 'enum':
        return redactor.string(String(value), 64)
      default:
        if (def.kind === 'user') return redactor.userId(String(value))
        if (def.kind === 'ip') return redactor.ip(String(value))
        return redactor.text(String(value))
    }
  }

  return function build(compiled, params, ctx, options) {
    const { def } = compiled
    const now = Date.now()
    const nowIso = isoTime(now)
    const start = options?.startTime ?? ctx?.startTime ?? now
    const end = options?.endTime ?? now
    const event: SecurityEvent = {
      TimeGenerated: nowIso,
      EventUid: uuidv7(now),
      EventStartTime: start === now ? nowIso : isoTime(start),
      EventEndTime: end === now ? nowIso : isoTime(end),
      EventCount: options?.count !== undefined && options.count >= 1 ? Math.trunc(options.count) : 1,
      EventType: def.eventType,
      EventResult: def.result,
      EventSeverity: options?.severity ?? compiled.severity,
      EventOriginalSeverity: def.level,
      EventOriginalType: def.name,
      EventMessage: '',
      EventProduct: PRODUCT,
      EventProductVersion: productVersion,
      EventVendor: PRODUCT,
      EventSchema: def.schema,
      EventSchemaVersion: compiled.schemaVersion,
      Dvc: identity.host,
      DvcHostname: identity.host,
      AppName: identity.name,
      AppVersion: identity.version,
      AppEnvironment: identity.environment,
    }
    const record = event as Record<string, unknown>
    if (def.eventSubType !== undefined) event.EventSubType = def.eventSubType
    if (def.resultDetails !== undefined) event.EventResultDetails = def.resultDetails
    for (const [field, value] of compiled.fixed) record[field] = value

    if (ctx !== undefined) {
      event.CorrelationId = ctx.correlationId
      if (ctx.clientIp !== '') event.SrcIpAddr = redactor.ip(ctx.clientIp)
      if (ctx.clientPort !== undefined) event.SrcPortNumber = ctx.clientPort
      event.HttpRequestMethod = redactor.string(ctx.method, 32)
      event.Url = redactor.url(ctx.url)
      const route = ctx.route
      if (route !== undefined) event.HttpRoute = redactor.string(route, MAX_SHORT)
      if (ctx.host !== undefined) event.HttpHost = redactor.string(ctx.host, MAX_SHORT)
      if (ctx.userAgent !== undefined) event.HttpUserAgent = redactor.string(ctx.userAgent, 1024)
      if (ctx.referer !== undefined) event.HttpReferrer = redactor.url(ctx.referer)
      if (ctx.forwardedFor !== undefined) {
        // Through the header redactor: it applies the allowlist and hashes/truncates every address.
        const xff = redactor.headers({ 'x-forwarded-for': ctx.forwardedFor })['x-forwarded-for']
        if (xff !== undefined) event.HttpRequestXff = xff
      }
      event.HttpVersion = ctx.httpVersion
      if (ctx.userId !== undefined) event.ActorUsername = redactor.userId(ctx.userId)
      if (ctx.sessionId !== undefined) event.ActorSessionId = redactor.sessionId(ctx.sessionId)
    }

    let additional: Record<string, unknown> | undefined
    // Clean values by parameter index, for the fields, byParam and the message.
    const rendered = new Array<unknown>(compiled.params.length)
    if (params !== undefined && params !== null) {
      for (let i = 0; i < compiled.params.length; i++) {
        const param = compiled.params[i]!
        const raw = params[param.name]
        if (raw === undefined || raw === null) continue
        const value = cleanParam(param.def, raw)
        if (value === undefined) continue
        rendered[i] = value
        if (param.additionalKey !== undefined) {
          additional ??= {}
          additional[param.additionalKey] = value
        } else {
          for (const field of param.fields) record[field] = value
        }
      }
      const by = def.byParam
      if (by !== undefined) {
        const key = rendered[compiled.byParamIndex]
        if (typeof key === 'string') {
          const result = by.result?.[key]
          if (result !== undefined) event.EventResult = result
          const details = by.resultDetails?.[key]
          if (details !== undefined) event.EventResultDetails = details
          const severity = by.severity?.[key]
          if (severity !== undefined && options?.severity === undefined) event.EventSeverity = severity
        }
      }
    }

    if (options !== undefined) {
      if (options.statusCode !== undefined && Number.isInteger(options.statusCode)) {
        event.HttpStatusCode = options.statusCode
        // WebSession: EventResultDetails is the status code as a string, and EventResult follows it:
        // Success below 400, Failure from 400 (asim-tables.json enumerations; ASimTester.csv makes
        // HttpStatusCode an alias of EventResultDetails). An attack the app answered 200 reached it.
        if (def.schema === 'WebSession') {
          event.EventResultDetails = String(options.statusCode)
          event.EventResult = options.statusCode < 400 ? 'Success' : 'Failure'
        }
      }
      if (options.ruleName !== undefined) event.RuleName = redactor.string(options.ruleName, MAX_SHORT)
      if (options.srcIp !== undefined && event.SrcIpAddr === undefined)
        event.SrcIpAddr = redactor.ip(options.srcIp)
      if (options.details !== undefined) {
        additional ??= {}
        additional.Details = redactor.value(options.details)
      }
    }
    if (additional !== undefined) event.AdditionalFields = additional

    if (options?.message !== undefined) {
      event.EventMessage = redactor.text(String(options.message), MAX_MESSAGE)
    } else {
      let message = compiled.head
      for (const slot of compiled.slots) {
        const value = (slot.param === -1 ? undefined : rendered[slot.param]) ?? fallback(slot.name, event)
        message += (value === undefined ? 'unknown' : String(value)) + slot.text
      }
      // Values are already clean; the bound still applies to the whole line.
      event.EventMessage = message.length > MAX_MESSAGE ? redactor.string(message, MAX_MESSAGE) : message
    }
    return event
  }
}

/**
 * Template names that fall back to request fields when the caller did not pass them. A message never
 * carries a query string (redacted or not): where it falls back to the URL, it takes its path.
 */
function fallback(name: string, event: SecurityEvent): unknown {
  switch (name) {
    case 'route':
      return event.HttpRoute ?? pathOf(event.Url)
    case 'path':
      return pathOf(event.Url)
    case 'method':
      return event.HttpRequestMethod
    case 'count':
      return event.EventCount
    case 'userId':
      return event.ActorUsername
    default:
      return undefined
  }
}

/** A URL without its query string and fragment. */
function pathOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined
  const end = url.search(/[?#]/)
  return end === -1 ? url : url.slice(0, end)
}
