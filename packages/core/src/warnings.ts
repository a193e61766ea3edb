/**
 * Every warning Watchpost emits, in one registry: its code, its message, whether it is emitted once
 * or once per key, whether it also goes to the app's logger (`log`), and, for `docs/errors.md`, its
 * cause and its fix. Codes are never reused: a retired warning keeps its number and the next one
 * takes a new number. Emitted as `process.emitWarning(message, 'WatchpostWarning', code)`, except
 * the logger-only diagnostics (`log.only`).
 *
 * The shape is process-warning's (fastify's `lib/warnings.js`), but not the package: its warnings
 * are emitted once per process or every time, while several of these are once per key (per sink,
 * per event name) and once per Watchpost instance, and its formatting drops every argument after a
 * falsy one (`0`, `''`).
 */

export const WARNING_NAME = 'WatchpostWarning'

interface WarningSpec {
  /** The package whose code emits it, named at the start of the message. */
  readonly package: `@watchpost/${string}`
  // biome-ignore lint/suspicious/noExplicitAny: each template declares its own argument; `never` would not accept them
  readonly message: (arg: any) => string
  /** `once`: at most once per scope; `key`: at most once per scope for each `key(arg)`. */
  readonly once: 'once' | 'key'
  // biome-ignore lint/suspicious/noExplicitAny: as `message`
  readonly key?: (arg: any) => string
  readonly cause: string
  readonly fix: string
  /**
   * A runtime diagnostic also goes to the app's logger (`runtime.logger`, Fastify's `fastify.log`),
   * as `logger.warn({ code, ...fields(arg) }, message)`, at most once per interval and code
   * (instance/diagnostics.ts). `only`: the logger alone, never a process warning (process warnings
   * stay as they were: the configuration's, and the runtime ones they always had). The fields are
   * names, counts and error messages: never an event's content.
   */
  readonly log?: {
    readonly only?: true
    // biome-ignore lint/suspicious/noExplicitAny: as `message`
    readonly fields: (arg: any) => Readonly<Record<string, unknown>>
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

const errorField = (a: { cause: unknown }) => ({ error: reason(a.cause) })
const sinkText = { fields: (a: { sink: string; text: string }) => ({ sink: a.sink }) }

export const WARNINGS = {
  WATCHPOST_W001: {
    package: '@watchpost/core',
    once: 'once',
    message: (_: undefined) =>
      'trustProxy: true trusts every hop of X-Forwarded-For, so any client can spoof its IP address; trust a hop count or the proxy addresses instead (e.g. "loopback" or 1)',
    cause:
      '`trustProxy: true`: every `X-Forwarded-For` hop is trusted, so any client can choose its IP address.',
    fix: 'Trust a hop count or the proxies’ addresses, e.g. `trustProxy: 1` or `"loopback"`.',
  },
  WATCHPOST_W002: {
    package: '@watchpost/core',
    once: 'once',
    message: (_: undefined) =>
      // biome-ignore lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax
      'privacy.hashUserIds/hashIps is on without privacy.hashKey: a random per-process key is used, so hashes change at every restart and differ between instances; set privacy.hashKey (e.g. "${WATCHPOST_HASH_KEY}")',
    cause:
      '`privacy.hashUserIds` or `privacy.hashIps` without `privacy.hashKey`: a random key per process is used, so hashes change at every restart and differ between instances.',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax
    fix: 'Set `privacy.hashKey` (at least 32 characters), e.g. `"${WATCHPOST_HASH_KEY}"`.',
  },
  WATCHPOST_W003: {
    package: '@watchpost/core',
    once: 'once',
    message: (_: undefined) =>
      'mode is "protect" but no enabled rule has a response, so nothing will ever be blocked, delayed or handed to a hook',
    cause:
      '`mode: protect` with no enabled rule that has a `response`: nothing will ever be blocked, delayed or handed to a hook.',
    fix: 'Give a rule a `response` (docs/rules.md), or use `mode: monitor`.',
  },
  WATCHPOST_W004: {
    package: '@watchpost/core',
    once: 'once',
    message: (rules: string) =>
      `mode is "monitor", so the responses of rules ${rules} are not applied (their firings are recorded); set mode: protect to apply them`,
    cause:
      'A rule with a `response` in `monitor` mode: the rule fires and is recorded, its response is not applied.',
    fix: 'Set `mode: protect` to apply the actions, or `action: none` to say that recording is meant.',
  },
  WATCHPOST_W101: {
    package: '@watchpost/core',
    once: 'key',
    key: (a: { sink: string }) => a.sink,
    message: (a: { sink: string; events: number; cause: unknown }) =>
      `sink ${a.sink} failed to deliver ${a.events} event(s): ${reason(a.cause)}. Further failures are counted in stats().sinks, not reported again.`,
    cause: 'A sink failed to deliver events (once per sink); later failures are counted in `stats().sinks`.',
    fix: 'Follow the reason in the message (a full disk, an unwritable path, a closed stream).',
    log: {
      fields: (a: { sink: string; events: number; cause: unknown }) => ({
        sink: a.sink,
        events: a.events,
        error: reason(a.cause),
      }),
    },
  },
  WATCHPOST_W102: {
    package: '@watchpost/core',
    once: 'key',
    key: (a: { event: string }) => a.event,
    message: (a: { event: string; cause: unknown }) => `could not build ${a.event}: ${reason(a.cause)}`,
    cause:
      'An event could not be built (e.g. a parameter’s getter threw); once per event name, counted in `stats().buildErrors`.',
    fix: 'Pass plain values as the event’s parameters.',
    log: { fields: (a: { event: string; cause: unknown }) => ({ event: a.event, error: reason(a.cause) }) },
  },
  WATCHPOST_W103: {
    package: '@watchpost/core',
    once: 'key',
    key: (a: { event: string }) => a.event,
    message: (a: { event: string }) => `unknown event ${JSON.stringify(a.event)}`,
    cause: '`record()` was given a name that is not in the catalogue (once per name).',
    fix: 'Use a name of the catalogue ([events.md](events.md)), or the typed `events` API.',
    log: { fields: (a: { event: string }) => ({ event: a.event }) },
  },
  WATCHPOST_W104: {
    package: '@watchpost/core',
    once: 'once',
    message: (a: { cause: unknown }) =>
      `a detector failed: ${reason(a.cause)}. Counted in stats().detectorErrors.`,
    cause:
      'A detector threw while handling a signal; counted in `stats().detectorErrors`, the request goes on.',
    fix: 'Report it with the message: a detector must not throw.',
    log: { fields: errorField },
  },
  WATCHPOST_W105: {
    package: '@watchpost/core',
    once: 'key',
    key: (a: { sink: string; text: string }) => a.text.slice(0, 64),
    message: (a: { sink: string; text: string }) => a.text,
    cause:
      'A remote sink’s credentials were refused (401/403, or Entra refused the credential); events are kept and retried.',
    fix: 'Fix the credential or grant its identity the Monitoring Metrics Publisher role on the DCR.',
    log: sinkText,
  },
  WATCHPOST_W106: {
    package: '@watchpost/core',
    once: 'key',
    key: (a: { sink: string; text: string }) => a.text.slice(0, 64),
    message: (a: { sink: string; text: string }) => a.text,
    cause:
      'A remote sink’s target does not exist (404: endpoint, DCR or stream); events are kept and retried.',
    fix: 'Check the endpoint, the DCR immutable id and the stream names against the deployed DCR.',
    log: sinkText,
  },
  WATCHPOST_W107: {
    package: '@watchpost/core',
    once: 'key',
    key: (a: { sink: string; text: string }) => a.text.slice(0, 64),
    message: (a: { sink: string; text: string }) => a.text,
    cause:
      'A record was refused for good (a 400 isolated to it, or too large even trimmed) and set aside in the dead-letter file.',
    fix: 'Read the record in the dead-letter file; the message says why it was refused.',
    log: sinkText,
  },
  WATCHPOST_W108: {
    package: '@watchpost/core',
    once: 'key',
    key: (a: { sink: string; text: string }) => a.text.slice(0, 64),
    message: (a: { sink: string; text: string }) => a.text,
    cause:
      'The spool cannot write to disk (full, read-only); events wait in memory, then are dropped and counted as `unwritable`.',
    fix: 'Free space or make `spool.directory` writable (or point it elsewhere).',
    log: sinkText,
  },
  WATCHPOST_W109: {
    package: '@watchpost/core',
    once: 'key',
    key: (a: { hook: string }) => a.hook,
    message: (a: { hook: string; rule: string; cause: unknown }) =>
      `the rule hook ${a.hook} (rule ${a.rule}) failed: ${reason(a.cause)}; the request went on. Counted in rules.stats().hookErrors.`,
    cause:
      'A hook a rule calls (`runtime.hooks`) threw, rejected, or did not settle within 5 s. The firing is recorded; the requests go on.',
    fix: 'Make the hook settle quickly and handle its own errors.',
    log: {
      fields: (a: { hook: string; rule: string; cause: unknown }) => ({
        hook: a.hook,
        rule: a.rule,
        error: reason(a.cause),
      }),
    },
  },
  WATCHPOST_W110: {
    package: '@watchpost/core',
    once: 'once',
    message: (a: { cause: unknown }) =>
      `a rule could not use its state store: ${reason(a.cause)}; that firing or block was skipped. Counted in rules.stats().storeErrors.`,
    cause:
      'The state store (`runtime.state`) failed a call instead of answering from memory: a rule missed a count, a firing or a block. Requests go on.',
    fix: 'Check the store (a shared store should fall back to memory by itself: see its health()).',
    log: { fields: errorField },
  },
  WATCHPOST_W111: {
    package: '@watchpost/core',
    once: 'key',
    key: (a: { sink: string }) => a.sink,
    message: (a: { sink: string; lastError: string | undefined }) =>
      `delivery to ${a.sink} is degraded${a.lastError === undefined ? '' : `: ${a.lastError}`}; events are kept and retried`,
    cause:
      'A remote sink turned `degraded`: its requests fail and are retried (throttling, 5xx, network, token endpoint), its spool cannot write, or a record was set aside in the last minute. Events are kept.',
    fix: 'Follow `lastError` (in the line and in `health()`); it clears by itself once a request succeeds.',
    log: {
      only: true,
      fields: (a: { sink: string; lastError: string | undefined }) => ({
        sink: a.sink,
        state: 'degraded',
        lastError: a.lastError,
      }),
    },
  },
  WATCHPOST_W112: {
    package: '@watchpost/core',
    once: 'key',
    key: (a: { sink: string }) => a.sink,
    message: (a: { sink: string; lastError: string | undefined }) =>
      `delivery to ${a.sink} is failing${a.lastError === undefined ? '' : `: ${a.lastError}`}; events are kept in the spool up to its size and age`,
    cause:
      'A remote sink turned `failing`: its credentials or target were refused (401/403/404), or no request has succeeded for `delivery.failingAfterMs`. `sys_monitor_disabled` is recorded.',
    fix: 'Follow `lastError`; for refused credentials or an unknown target see WATCHPOST_W105 and WATCHPOST_W106.',
    log: {
      only: true,
      fields: (a: { sink: string; lastError: string | undefined }) => ({
        sink: a.sink,
        state: 'failing',
        lastError: a.lastError,
      }),
    },
  },
  WATCHPOST_W113: {
    package: '@watchpost/core',
    once: 'key',
    key: (a: { sink: string; reason: string }) => `${a.sink}\0${a.reason}`,
    message: (a: { sink: string; reason: string; dropped: number }) =>
      `${a.dropped} event(s) dropped by ${a.sink} (${a.reason})`,
    cause:
      'Events were let go without delivery (the count since the last line, by sink and reason: `queue_full`, `overflow`, `expired`, `unwritable`, …). Counted in `health()` and `metrics()`; reported as `sys_monitor_events_dropped` once delivery works.',
    fix: 'The reason says which bound was reached: raise `queue`/`spool` limits, or fix the delivery problem that made the backlog grow.',
    log: {
      only: true,
      fields: (a: { sink: string; reason: string; dropped: number }) => ({
        sink: a.sink,
        reason: a.reason,
        dropped: a.dropped,
      }),
    },
  },
  WATCHPOST_W114: {
    package: '@watchpost/core',
    once: 'once',
    message: (a: { cause: unknown }) =>
      `the trustProxy function threw; the request's socket peer was taken as its client address: ${reason(a.cause)}`,
    cause:
      'A `trustProxy` function of the app’s threw. For that request nothing was trusted: the client address is the socket peer, as if `trustProxy` were `false`.',
    fix: 'Make the function return `true` or `false` for every address and hop.',
    log: { only: true, fields: errorField },
  },
  WATCHPOST_W201: {
    package: '@watchpost/fastify',
    once: 'once',
    message: (a: { cause: unknown }) =>
      `the corsDelegator() origin function threw; the origin was refused: ${reason(a.cause)}`,
    cause: 'The origin function given to `fastify.watchpost.corsDelegator()` threw; the origin was refused.',
    fix: 'Make the origin function return `true` or `false` for every origin.',
    log: { fields: errorField },
  },
  WATCHPOST_W202: {
    package: '@watchpost/fastify',
    once: 'once',
    message: (a: { hook: string; cause: unknown }) =>
      `the app's ${a.hook} hook given to rateLimitHooks() threw; the refusal was recorded and the limiter's answer sent: ${reason(a.cause)}`,
    cause:
      'An `onExceeded` or `onBanReach` hook given to `fastify.watchpost.rateLimitHooks()` threw. Watchpost calls it after recording and keeps its error from the limiter.',
    fix: 'Make the hook handle its own errors.',
    log: {
      only: true,
      fields: (a: { hook: string; cause: unknown }) => ({ hook: a.hook, error: reason(a.cause) }),
    },
  },
  WATCHPOST_W301: {
    package: '@watchpost/express',
    once: 'once',
    message: (a: { what: string; cause: unknown }) => `${a.what}: ${reason(a.cause)}`,
    cause:
      'The Express adapter failed while opening or observing a request, or recording an error or a CORS refusal; the request went on unchanged.',
    fix: 'Report it with the message: the adapter must not fail.',
    log: { fields: (a: { what: string; cause: unknown }) => ({ what: a.what, error: reason(a.cause) }) },
  },
  WATCHPOST_W302: {
    package: '@watchpost/express',
    once: 'once',
    message: (a: { cause: unknown }) =>
      `the wp.cors() origin function threw; the origin was refused: ${reason(a.cause)}`,
    cause: 'The `wp.cors()` origin function threw; the origin was refused.',
    fix: 'Make the origin function return `true` or `false` for every origin.',
    log: { fields: errorField },
  },
  WATCHPOST_W303: {
    package: '@watchpost/express',
    once: 'once',
    message: (a: { cause: unknown }) => `recording a rate-limit refusal failed: ${reason(a.cause)}`,
    cause: 'Recording a rate-limit refusal failed; the limiter’s answer was sent anyway.',
    fix: 'Report it with the message: recording must not fail.',
    log: { fields: errorField },
  },
} as const satisfies Record<`WATCHPOST_W${number}`, WarningSpec>

type Registry = typeof WARNINGS

export type WarningCode = keyof Registry

/** The argument of a warning's message template; `undefined` for a fixed message. */
export type WarningArg<C extends WarningCode> = Parameters<Registry[C]['message']>[0]

/** What has been emitted, for `warnOnce`'s "once": the process, or one Watchpost instance. */
export interface WarningScope {
  readonly emitted: Set<string>
}

export function createWarningScope(): WarningScope {
  return { emitted: new Set() }
}

/** Warnings of the configuration and of code without an instance are once per process. */
export const PROCESS_WARNINGS: WarningScope = createWarningScope()

/** The warning's text, as emitted (`@watchpost/<package>: <message>`). */
export function warningMessage<C extends WarningCode>(code: C, arg: WarningArg<C>): string {
  const spec: WarningSpec = WARNINGS[code]
  return `${spec.package}: ${spec.message(arg)}`
}

/**
 * Emits `code` unless it is a logger-only diagnostic (`log.only`), or it (or, for a per-key warning, its key) was already emitted in `scope`.
 * Returns whether it emitted. Never throws: a warning must not fail the code that reports it.
 */
export function warnOnce<C extends WarningCode>(
  code: C,
  arg: WarningArg<C>,
  scope: WarningScope = PROCESS_WARNINGS,
): boolean {
  try {
    const spec: WarningSpec = WARNINGS[code]
    if (spec.log?.only === true) return false
    const id = spec.once === 'key' && spec.key !== undefined ? `${code}\0${spec.key(arg)}` : code
    if (scope.emitted.has(id)) return false
    scope.emitted.add(id)
    process.emitWarning(warningMessage(code, arg), WARNING_NAME, code)
    return true
  } catch {
    return false
  }
}
