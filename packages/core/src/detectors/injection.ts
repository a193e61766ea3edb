/**
 * Injection in what the client sent: the path, query names and values, cookies, selected headers
 * and the parsed body, each decoded (inspection/normalise.ts) and shown to the rules of every threat
 * class switched on (inspection/rules/). Looked at once the response is sent, so that the event says
 * whether the payload reached the app (`EventResult` Success on 2xx/3xx) or was refused.
 *
 * One event per threat class and request, at the first input that matched, with the input's name,
 * the rule and the matched fragment only (≤ 64 characters, control characters removed; never the
 * whole input). Capped per source and class: the first few one by one, the rest as one aggregate
 * per window. Bounded by the inspection limits (options): an input or a request over them is
 * inspected up to the bound.
 */

import type { DetectorsConfig } from '../config/index.js'
import { type HeaderSlot, type HeaderValue, headerOf, headerText } from '../context/header-slots.js'
import type { RequestContext } from '../context/types.js'
import { CappedCounter, DEFAULT_CAP, DEFAULT_CAP_WINDOW_MS } from '../detection/capped-counter.js'
import { FLAG_PROTOCOL, flagged, mark } from '../detection/flags.js'
import type { DetectorDefinition } from '../detection/types.js'
import type { EventApi } from '../events/api.js'
import { INJECTION_EVENTS } from '../events/catalogue/index.js'
import { decodedWalker, Prefilter } from '../inspection/decoded.js'
import { fieldName, type InputKind, type InputName } from '../inspection/inputs.js'
import {
  ANOMALY_BROKEN_ESCAPE,
  ANOMALY_CONTROL,
  ANOMALY_CRLF,
  ANOMALY_DOUBLE_ENCODED,
  ANOMALY_ENCODED_TWICE,
  ANOMALY_INVALID_UTF8,
  ANOMALY_MIXED_ESCAPES,
  ANOMALY_NUL,
  ANOMALY_OVERLONG_UTF8,
  ANOMALY_PERCENT_U,
} from '../inspection/normalise.js'
import { RULES } from '../inspection/rules/index.js'
import type { Finding, Rule, Threat } from '../inspection/types.js'
import { BoundedMemo } from '../memo.js'
import { printableLine } from '../redaction/sanitise-string.js'

type Options = DetectorsConfig['injection']

/**
 * Each threat class's name in camel case: the option that switches it (`detectors.injection.<name>`)
 * and its event API method (`malicious.<name>()`), one name for both.
 */
const NAME = {
  sqli: 'sqli',
  xss: 'xss',
  path_traversal: 'pathTraversal',
  command_injection: 'commandInjection',
  jndi: 'jndi',
  template_injection: 'templateInjection',
  prototype_pollution: 'prototypePollution',
  nosql_injection: 'nosqlInjection',
  ssrf: 'ssrf',
} as const satisfies Readonly<Record<Threat, keyof Options & keyof EventApi['malicious']>>

type Recorded = Parameters<EventApi['malicious']['sqli']>

function recordFinding(api: EventApi, threat: Threat, params: Recorded[0], options: Recorded[1]): void {
  api.malicious[NAME[threat]](params, options)
}

const FRAGMENT = 64
/** Header values remembered as clean, and the longest one remembered. */
const CLEAN_VALUES = 512
const CLEAN_VALUE_LENGTH = 512
/** Short values the prefilter passed over, remembered. */
const PASSED_OVER_VALUES = 4096
const RISK = { high: undefined, medium: 60, low: 40 } as const
const SEVERITY = { high: 'High', medium: 'Medium', low: 'Low' } as const

export const injectionDetector: DetectorDefinition<'injection', Options> = {
  id: 'injection',
  emits: [...INJECTION_EVENTS, 'malicious_protocol_violation'],
  create(options, { events, now, isSensitiveKey, header }) {
    const rules: Rule[] = RULES.filter((rule) => options[NAME[rule.threat]] === true)
    const limits = {
      maxValueLength: options.maxValueLength,
      maxTotalLength: options.maxTotalLength,
      maxDepth: options.maxDepth,
      maxValues: options.maxValues,
    }
    const headers = options.headers
    const headerSlots = headers.map(header)
    const cookieSlot = header('cookie')
    const contentTypeSlot = header('content-type')
    // One cap per source and class: a SQL injection run does not hide the traversal that follows.
    const capped = new CappedCounter({
      windowMs: DEFAULT_CAP_WINDOW_MS,
      cap: DEFAULT_CAP,
      onAggregate(key, count, startTime, endTime) {
        const bar = key.indexOf('|')
        const threat = key.slice(0, bar) as Threat | 'protocol'
        if (threat === 'protocol') {
          events(undefined).malicious.protocolViolation(
            { reason: 'other' },
            {
              count,
              startTime,
              endTime,
              srcIp: key.slice(bar + 1),
              ruleName: 'injection',
              message: `${count} more encoding anomalies from one source`,
            },
          )
          return
        }
        recordFinding(
          events(undefined),
          threat,
          { parameter: '(several)' },
          {
            count,
            startTime,
            endTime,
            srcIp: key.slice(bar + 1),
            ruleName: 'injection',
            message: `${count} more ${threat} findings from one source`,
          },
        )
      },
    })

    function record(ctx: RequestContext, status: number, finding: Finding, kind: InputKind, name: InputName) {
      if (!capped.admit(`${finding.threat}|${ctx.clientIp}`, now())) return
      recordFinding(
        events(ctx),
        finding.threat,
        {
          parameter: fieldName(kind, name),
          ruleId: finding.rule,
          // A value under a secret's name (a password, a session cookie) is never recorded, not even
          // the part that matched: only that something matched there.
          fragment: secretName(kind, name, isSensitiveKey)
            ? REDACTED
            : printableLine(finding.fragment, FRAGMENT),
          outcome: status >= 200 && status < 400 ? 'reached' : 'refused',
          ...(RISK[finding.confidence] === undefined ? {} : { riskLevel: RISK[finding.confidence] }),
        },
        // RuleName is the rule's id (the `ruleId` parameter), not the detector's name.
        { statusCode: status, severity: SEVERITY[finding.confidence] },
      )
    }

    function recordAnomaly(ctx: RequestContext, status: number, reason: AnomalyReason, field: string) {
      mark(ctx, FLAG_PROTOCOL)
      if (!capped.admit(`protocol|${ctx.clientIp}`, now())) return
      events(ctx).malicious.protocolViolation(
        { reason, header: field },
        { ruleName: 'injection', statusCode: status },
      )
    }

    // Header values every rule passed (a browser's User-Agent), remembered so that the next request
    // with the same value skips them: a desktop Chrome User-Agent costs 6–8 µs of decoding and rules
    // (in-process, median of 9 rounds on the 2-core CI machine with other work on it), on every
    // request. Bounded; when full the memory starts over, so a flood of distinct values costs the
    // rules, never memory.
    const clean = new BoundedMemo<string, true>(CLEAN_VALUES, CLEAN_VALUE_LENGTH)
    const remember = (value: string) => clean.set(value, true)
    // The same few User-Agents and Referers come back request after request.
    const seenClean = (kind: InputKind, raw: string) => kind === 'header' && clean.get(raw) === true
    // The prefilter, remembering the short values it passed over (a JSON API's keys and enumerations).
    const prefilter = new Prefilter(new BoundedMemo(PASSED_OVER_VALUES))

    /**
     * An inspection of one request at a time, its walker, the inputs object and the visitor made
     * once (inputs.ts `InputWalker`). A second inspection started while one runs (an event's
     * consumer ending another response at once) gets one of its own.
     */
    const inspection = () => {
      let current: RequestContext | undefined
      let status = 0
      let found = 0 // one bit per rule that already matched in this request
      let anomalyReported = false
      const values = new Array<HeaderValue>(headerSlots.length).fill(undefined)
      const input = { url: '', cookie: undefined as HeaderValue, headers: values, body: undefined as unknown }
      const walker = decodedWalker(
        headers,
        limits,
        (kind, text, anomalies, raw, name) => {
          const ctx = current as RequestContext
          let matched = false
          if (!anomalyReported) {
            const reason = anomalyReason(anomalies, text, kind, headerText(ctx, contentTypeSlot))
            if (reason !== undefined) {
              matched = true
              anomalyReported = true
              recordAnomaly(ctx, status, reason, fieldName(kind, name))
            }
          }
          for (let i = 0; i < rules.length; i++) {
            if ((found & (1 << i)) !== 0) continue
            const finding = (rules[i] as Rule).match(text, kind, anomalies)
            if (finding === undefined) continue
            matched = true
            found |= 1 << i
            record(ctx, status, finding, kind, name)
          }
          if (kind === 'header' && !matched && anomalies === 0) remember(raw)
          return anomalyReported && found === (1 << rules.length) - 1
        },
        seenClean,
        prefilter,
      )
      /** Inspects a request; `true` when inputs past the bounds went uninspected and nothing said so yet. */
      const run = (ctx: RequestContext, code: number, body: unknown): boolean => {
        current = ctx
        status = code
        found = 0
        // The request line's own violations are the protocol detector's (FLAG_PROTOCOL).
        anomalyReported = flagged(ctx, FLAG_PROTOCOL) || !options.encodingAnomalies
        input.url = ctx.url
        input.cookie = headerOf(ctx, cookieSlot)
        for (let i = 0; i < values.length; i++) values[i] = headerOf(ctx, headerSlots[i] as HeaderSlot)
        input.body = body
        try {
          return walker.walk(input).truncated && !anomalyReported
        } finally {
          // Nothing of the request is kept past its inspection.
          current = undefined
          input.cookie = undefined
          input.body = undefined
          for (let i = 0; i < values.length; i++) values[i] = undefined
        }
      }
      return { walker, run }
    }
    const shared = inspection()

    return {
      responseFinish(ctx, status, _res, body) {
        if (rules.length === 0 && !options.encodingAnomalies) return
        const { run } = shared.walker.busy ? inspection() : shared
        // Inputs past the bounds were not inspected: said once, at low severity (a large upload is
        // not an attack; an attacker padding a payload past the bounds is why it is said at all).
        if (run(ctx, status, body)) {
          mark(ctx, FLAG_PROTOCOL)
          if (capped.admit(`protocol|${ctx.clientIp}`, now()))
            events(ctx).malicious.protocolViolation(
              { reason: 'oversized_input' },
              { ruleName: 'injection', statusCode: status, severity: 'Low' },
            )
        }
      },
      sweep: (t) => capped.sweep(t),
    }
  },
}

type AnomalyReason =
  | 'crlf_injection'
  | 'null_byte'
  | 'control_char'
  | 'overlong_utf8'
  | 'invalid_utf8'
  | 'percent_u_encoding'
  | 'broken_escape'
  | 'double_encoding'
  | 'request_in_parameter'

const isBody = (kind: InputKind) => kind === 'body' || kind === 'body_key'

const isFormBody = (contentType: string | undefined) =>
  typeof contentType === 'string' &&
  contentType.slice(0, 33).toLowerCase().startsWith('application/x-www-form-urlencoded')

/** `text` with every character above Latin-1 whose low byte is LF or CR cut to that byte; `undefined` when it has none. */
function truncatedLineBreaks(text: string): string | undefined {
  let out: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c > 0xff && ((c & 0xff) === 0x0a || (c & 0xff) === 0x0d)) {
      out ??= text.slice(0, i)
      out += String.fromCharCode(c & 0xff)
    } else if (out !== undefined) out += text[i]
  }
  return out
}

/** A line break followed by a header a response or a mail would obey (header injection). */
const INJECTED_HEADER =
  /[\r\n](?:(?:set-cookie|location|content-(?:type|length|disposition)|refresh|bcc|cc|to|from|subject|reply-to|x-[a-z-]{1,32})[ \t]{0,4}:|http\/\d)/

/** An HTTP request line inside a value: `GET http://x/ HTTP/1.1` (request smuggling through a parameter). */
const REQUEST_LINE =
  /(?:^|[\s;])(?:get|post|put|head|delete|options|connect|trace|patch) [^\s]{1,2048} http\/\d/

/**
 * What a value's decoding showed that no browser sends: CR/LF (header injection, response splitting),
 * NUL and other control characters, overlong or invalid UTF-8, `%u` escapes, a `%` that starts no
 * escape; or a request line inside a value. The first, by how telling it is.
 */
function anomalyReason(
  anomalies: number,
  text: string,
  kind: InputKind,
  contentType: string | undefined,
): AnomalyReason | undefined {
  if (anomalies !== 0) {
    // A body value may be several lines of text; there a line break counts only before a header.
    if ((anomalies & ANOMALY_CRLF) !== 0 && (!isBody(kind) || INJECTED_HEADER.test(text)))
      return 'crlf_injection'
    if ((anomalies & ANOMALY_NUL) !== 0) return 'null_byte'
    if ((anomalies & ANOMALY_CONTROL) !== 0) return 'control_char'
    if ((anomalies & ANOMALY_OVERLONG_UTF8) !== 0) return 'overlong_utf8'
    if ((anomalies & ANOMALY_PERCENT_U) !== 0) return 'percent_u_encoding'
    if ((anomalies & ANOMALY_INVALID_UTF8) !== 0) return 'invalid_utf8'
    // A body value is the framework's decoded text: a `%` there is the user's own character, unless
    // a form value kept valid escapes beside it (its decoding failed: the client sent them broken).
    if (
      (anomalies & ANOMALY_BROKEN_ESCAPE) !== 0 &&
      (!isBody(kind) || ((anomalies & ANOMALY_MIXED_ESCAPES) !== 0 && isFormBody(contentType)))
    )
      return 'broken_escape'
    // Encoded twice: in a value, when it hides a character that matters (a user may well search for
    // `%20`); in the path, always.
    if ((anomalies & (kind === 'path' ? ANOMALY_ENCODED_TWICE : ANOMALY_DOUBLE_ENCODED)) !== 0)
      return 'double_encoding'
  }
  // Characters whose low byte is CR or LF (U+560A, U+560D): a server that writes a header as Latin-1
  // truncates them into a line break (header injection through Unicode).
  if (kind !== 'path') {
    const truncated = truncatedLineBreaks(text)
    if (truncated !== undefined && INJECTED_HEADER.test(truncated)) return 'crlf_injection'
  }
  if (kind !== 'path' && text.length > 14 && text.includes(' http/') && REQUEST_LINE.test(text))
    return 'request_in_parameter'
  return undefined
}

const REDACTED = '[REDACTED]'

/** Whether the input is a value under a sensitive key (`password`, `session`, `x-auth-token`). */
function secretName(kind: InputKind, name: InputName, isSensitiveKey: (key: string) => boolean): boolean {
  if (kind === 'path' || kind === 'query_key' || kind === 'body_key' || kind === 'cookie_key') return false
  if (typeof name === 'string') return name !== '' && isSensitiveKey(name)
  for (const part of name) if (typeof part === 'string' && isSensitiveKey(part)) return true
  return false
}

/** Every regular expression of this file, for the ReDoS test. */
export const PATTERNS: readonly RegExp[] = [INJECTED_HEADER, REQUEST_LINE]
