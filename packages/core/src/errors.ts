/**
 * Every error Watchpost throws is a `WatchpostError` with a literal `code`, so callers can narrow in
 * `switch (err.code)` (the shape jose uses in `src/util/errors.ts`). Codes are never reused.
 */
export type WatchpostErrorCode =
  | 'ERR_WATCHPOST_CONFIG_INVALID'
  | 'ERR_WATCHPOST_CONFIG_PARSE'
  | 'ERR_WATCHPOST_CONFIG_NOT_FOUND'
  | 'ERR_WATCHPOST_CONFIG_ENV'
  | 'ERR_WATCHPOST_SINK_INVALID'
  | 'ERR_WATCHPOST_JWT_MISSING'
  | 'ERR_WATCHPOST_ROUTE_OPTIONS_INVALID'
  | 'ERR_WATCHPOST_SINK_TYPE_UNKNOWN'
  | 'ERR_WATCHPOST_ORIGINS_INVALID'

export class WatchpostError extends Error {
  readonly code: WatchpostErrorCode

  constructor(code: WatchpostErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

export interface ConfigIssue {
  /** Dotted path of the offending option, e.g. `detectors.notFound.threshold`; `''` for the root. */
  readonly path: string
  /** What was expected and what was found, e.g. `expected a positive integer, got "ten"`. */
  readonly message: string
}

/** A configuration that cannot be used. `issues` lists every problem found, not just the first. */
export class ConfigError extends WatchpostError {
  readonly file: string | undefined
  readonly line: number | undefined
  readonly column: number | undefined
  readonly issues: readonly ConfigIssue[]

  constructor(
    code: Extract<
      WatchpostErrorCode,
      | 'ERR_WATCHPOST_CONFIG_INVALID'
      | 'ERR_WATCHPOST_CONFIG_PARSE'
      | 'ERR_WATCHPOST_CONFIG_NOT_FOUND'
      | 'ERR_WATCHPOST_CONFIG_ENV'
    >,
    message: string,
    details: {
      file?: string | undefined
      line?: number | undefined
      column?: number | undefined
      issues?: readonly ConfigIssue[]
      cause?: unknown
    } = {},
  ) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause })
    this.file = details.file
    this.line = details.line
    this.column = details.column
    this.issues = details.issues ?? []
  }
}
