/**
 * Runtime diagnostics of one instance: each goes out as a process warning when the registry says so
 * (once per instance, as `warnOnce` does) and, when the app gave a logger, as a line of the app's
 * own log — `logger.warn({ code, sink, … }, message)` — so that delivery trouble, a hook that threw
 * or dropped events show up where the app's operators already look (docs/observability.md).
 *
 * Lines are rate-limited: at most one per code (and per `sink` and `reason`, when the line has
 * them) per interval. What came in between is counted, and at the interval's end one more line
 * says how many (`suppressed`): a storm of 429s costs a line a minute, and nothing goes unsaid. A
 * logger that throws is ignored (the line is lost, never the request or the delivery).
 */
import { WatchpostTypeError } from '../errors.js'
import {
  WARNINGS,
  type WarningArg,
  type WarningCode,
  type WarningScope,
  warningMessage,
  warnOnce,
} from '../warnings.js'

/** A pino-style logger: `fastify.log`, a pino instance, or anything with `warn(fields, message)`. */
export interface DiagnosticLogger {
  warn(fields: Record<string, unknown>, message: string): void
}

export interface Diagnostics {
  /**
   * Reports a runtime warning: a process warning (if the code has one, once per instance; not when
   * `processWarning` is false) and a log line. Never throws.
   */
  warn<C extends WarningCode>(code: C, arg: WarningArg<C>, processWarning?: boolean): void
  /** Whether lines go to a logger (work only a logger needs is skipped without one). */
  readonly logging: boolean
  /** Writes the counts still suppressed and stops the timers. */
  close(): void
}

export interface DiagnosticsOptions {
  readonly scope: WarningScope
  readonly logger?: DiagnosticLogger | undefined
  /** The rate limit's interval. */
  readonly intervalMs: number
  readonly now?: () => number
}

interface Window {
  /** The window's end: until then, lines of its key are counted, not written. */
  until: number
  suppressed: number
  /** The last line counted, written with the count when the window ends. */
  last: { fields: Record<string, unknown>; message: () => string } | undefined
  timer: NodeJS.Timeout | undefined
}

/** The rate limit's interval when the app sets none. */
export const LOG_INTERVAL_MS = 60_000

/** Checks `runtime.logger` and `runtime.logIntervalMs` once, at start-up. */
export function loggerOptions(
  logger: unknown,
  intervalMs: unknown,
): { logger: DiagnosticLogger | undefined; intervalMs: number } {
  if (
    logger !== undefined &&
    (typeof logger !== 'object' ||
      logger === null ||
      typeof (logger as { warn?: unknown }).warn !== 'function')
  )
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_LOGGER_INVALID',
      'runtime.logger must be an object with a warn(fields, message) method',
    )
  if (intervalMs !== undefined && !(typeof intervalMs === 'number' && intervalMs > 0 && intervalMs < 2 ** 31))
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_LOGGER_INVALID',
      'runtime.logIntervalMs must be a positive number of milliseconds',
    )
  return { logger: logger as DiagnosticLogger | undefined, intervalMs: intervalMs ?? LOG_INTERVAL_MS }
}

export function createDiagnostics(options: DiagnosticsOptions): Diagnostics {
  const { scope, logger, intervalMs } = options
  const now = options.now ?? Date.now
  const windows = new Map<string, Window>()

  function write(fields: Record<string, unknown>, message: () => string): void {
    try {
      logger?.warn(fields, message())
    } catch {
      // The app's logger failing (or a message that cannot be formatted) must not fail what
      // reported the problem, nor the timer that writes the count.
    }
  }

  function endWindow(window: Window): void {
    window.timer = undefined
    const last = window.last
    if (window.suppressed === 0 || last === undefined) return
    const n = window.suppressed
    window.suppressed = 0
    window.last = undefined
    window.until = now() + intervalMs
    write({ ...last.fields, suppressed: n }, () => `${last.message()} (${n} like this since the last line)`)
  }

  /** `message` is formatted only for a line written: a storm of occurrences costs a map lookup each. */
  function log(fields: Record<string, unknown>, message: () => string): void {
    const key = `${fields.code}\0${fields.sink ?? ''}\0${fields.reason ?? ''}`
    const t = now()
    const window = windows.get(key)
    if (window === undefined || (t >= window.until && window.suppressed === 0)) {
      windows.set(key, { until: t + intervalMs, suppressed: 0, last: undefined, timer: undefined })
      write(fields, message)
      return
    }
    window.suppressed++
    window.last = { fields, message }
    if (window.timer === undefined) {
      window.timer = setTimeout(() => endWindow(window), Math.max(0, window.until - t))
      window.timer.unref()
    }
  }

  return {
    logging: logger !== undefined,
    warn(code, arg, processWarning = true) {
      if (processWarning) warnOnce(code, arg, scope)
      if (logger === undefined) return
      try {
        const spec = WARNINGS[code] as { readonly log?: { fields(arg: unknown): object } }
        if (spec.log === undefined) return
        log({ code, ...spec.log.fields(arg) }, () => warningMessage(code, arg))
      } catch {
        // A message template that cannot format its argument loses the line, nothing else.
      }
    },
    close() {
      for (const window of windows.values()) {
        if (window.timer !== undefined) clearTimeout(window.timer)
        endWindow(window)
      }
    },
  }
}
