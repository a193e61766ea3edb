/**
 * Protocol anomalies attack tools produce: methods the app does not serve (TRACE, TRACK, DEBUG,
 * CONNECT, made-up verbs), null bytes or CR/LF in the path (raw or percent-encoded), duplicated
 * singleton headers (request smuggling, host confusion), absurd header counts or sizes — and what
 * Node's own parser refused before any middleware ran (`clientError`, observed by the adapters
 * without changing Node's answer). A client that resets the connection, times out or ends its
 * request half-way is not a violation: those `clientError`s never reach this detector
 * (`refusedByParser`, client-error.ts). Capped per source.
 */
import type { DetectorsConfig } from '../config/index.js'
import type { RequestContext } from '../context/types.js'
import { capPerSource } from '../detection/capped-counter.js'
import { FLAG_PROTOCOL, FLAG_UNEXPECTED_METHOD, mark } from '../detection/flags.js'
import type { DetectorDefinition } from '../detection/types.js'
import type { PROTOCOL_VIOLATIONS } from '../events/catalogue/malicious.js'

type Violation = (typeof PROTOCOL_VIOLATIONS)[number]

/** Headers a request may carry once; Node silently keeps the first copy of several of them. */
const SINGLETONS = ['host', 'content-length', 'content-type', 'authorization', 'transfer-encoding']
/**
 * The singletons have five different lengths, so a header name's length picks the one candidate it
 * could be: one comparison per header, no lowercased copy, no Set (this runs on every request).
 */
const SINGLETON_BY_LENGTH: Array<string | undefined> = []
for (const name of SINGLETONS) SINGLETON_BY_LENGTH[name.length] = name
/**
 * The same names as clients usually spell them (`Content-Type`). A whole-string comparison is one
 * builtin call; comparing character by character costs ~50 instructions a character on the header
 * names Node's parser makes (test/bench/instructions.mjs), so it is only the last resort.
 */
const CANONICAL_BY_LENGTH: Array<string | undefined> = SINGLETON_BY_LENGTH.map((name) =>
  name?.replace(/(^|-)[a-z]/g, (c) => c.toUpperCase()),
)

/** `name` equals the lowercase ASCII `lower`, ignoring case; the lengths are equal. */
function equalsIgnoringCase(name: string, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let c = name.charCodeAt(i)
    if (c >= 65 && c <= 90) c |= 0x20
    if (c !== lower.charCodeAt(i)) return false
  }
  return true
}
const MAX_HEADERS = 100
const MAX_HEADER_VALUE = 8192

export const protocolDetector: DetectorDefinition<'protocol', DetectorsConfig['protocol']> = {
  id: 'protocol',
  emits: ['malicious_unexpected_method', 'malicious_protocol_violation'],
  create(options, { events, now }) {
    const allowed = new Set(options.allowedMethods)
    const capped = capPerSource((held) =>
      events(undefined).malicious.protocolViolation(
        { reason: 'other' },
        {
          ...held,
          ruleName: 'protocol',
          message: `${held.count} more protocol violations from one source`,
        },
      ),
    )
    const violation = (ctx: RequestContext, reason: Violation, header?: string) => {
      mark(ctx, FLAG_PROTOCOL)
      if (capped.admit(ctx.clientIp, now()))
        events(ctx).malicious.protocolViolation({ reason, header }, { ruleName: 'protocol' })
    }
    return {
      requestStart(ctx) {
        if (!allowed.has(ctx.method)) {
          mark(ctx, FLAG_UNEXPECTED_METHOD)
          if (capped.admit(ctx.clientIp, now()))
            events(ctx).malicious.unexpectedMethod({ method: ctx.method }, { ruleName: 'protocol' })
          return
        }
        const target = pathViolation(ctx.url)
        if (target !== undefined) return violation(ctx, target)
        const header = headerViolation(ctx.request.rawHeaders)
        if (header !== undefined) violation(ctx, header.reason, header.name)
      },
      clientError(info, ctx) {
        if (!capped.admit(ctx.clientIp, now())) return
        const api = events(ctx)
        const options = { ruleName: 'protocol', statusCode: info.status } as const
        if (info.code === 'HPE_INVALID_METHOD' && info.method !== undefined) {
          api.malicious.unexpectedMethod({ method: info.method }, options)
        } else {
          api.malicious.protocolViolation({ reason: 'parse_error', code: info.code }, options)
        }
      },
      sweep: (t) => capped.sweep(t),
    }
  },
}

/** `\0`, CR, LF in the target, raw or as `%00`/`%0d`/`%0a` (any case). One linear scan. */
export function pathViolation(url: string): Violation | undefined {
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i)
    if (c === 0) return 'null_byte_in_path'
    if (c === 10 || c === 13) return 'control_char_in_path'
    if (c === 37 /* % */ && url.charCodeAt(i + 1) === 48 /* 0 */) {
      const d = url.charCodeAt(i + 2) | 0x20
      if (d === 48 /* 0 */) return 'null_byte_in_path'
      if (d === 97 /* a */ || d === 100 /* d */) return 'control_char_in_path'
    }
  }
  return undefined
}

/** Whether `value` holds `%0a` or `%0d` (any case). One `indexOf` for the common value without `%0`. */
function hasEncodedLineBreak(value: string): boolean {
  for (let i = value.indexOf('%0'); i !== -1; i = value.indexOf('%0', i + 1)) {
    const c = value.charCodeAt(i + 2) | 0x20
    if (c === 0x61 || c === 0x64) return true
  }
  return false
}

/**
 * Duplicated singleton headers, too many headers, an absurdly long value, or an encoded line break
 * in a value, from `rawHeaders`.
 */
export function headerViolation(raw: readonly string[]): { reason: Violation; name: string } | undefined {
  if (raw.length > MAX_HEADERS * 2) return { reason: 'oversized_header', name: '(count)' }
  let seen = 0 // one bit per singleton, at the position of its (unique) length
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    const value = raw[i + 1] ?? ''
    if (value.length > MAX_HEADER_VALUE) return { reason: 'oversized_header', name: name.toLowerCase() }
    // `%0d` / `%0a` in a header value: a line break waiting for a server or proxy that decodes it
    // into a header it writes (response splitting). Node refuses raw CR/LF in headers itself.
    if (hasEncodedLineBreak(value)) return { reason: 'crlf_injection', name: name.toLowerCase() }
    const singleton = SINGLETON_BY_LENGTH[name.length]
    if (singleton === undefined) continue
    if (
      name !== singleton &&
      name !== CANONICAL_BY_LENGTH[name.length] &&
      !equalsIgnoringCase(name, singleton)
    )
      continue
    const bit = 1 << name.length
    if ((seen & bit) !== 0) return { reason: 'duplicate_header', name: singleton }
    seen |= bit
  }
  return undefined
}
