// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax, not a template
/**
 * Every error Watchpost throws, in one registry: its code, the class it is thrown as, its message and,
 * for `docs/errors.md`, its cause and its fix. `WatchpostErrorCode` is the registry's keys, so a code
 * cannot be thrown without being registered, and callers narrow in `switch (err.code)` (the shape of
 * jose's `errors` module). Codes are never reused: a retired code stays out of use.
 *
 * Not `@fastify/error`: it makes one constructor per code, never runs the base class's constructor
 * (so `ConfigError` could not set `file`, `line` and `issues`), adds an HTTP `statusCode` and names
 * every error `FastifyError`; a typed table gives the same single place with typed message arguments.
 */

/** The class each code is thrown as; `instanceof` works for each (see `WatchpostError`). */
export type WatchpostErrorClass =
  | 'WatchpostError'
  | 'WatchpostTypeError'
  | 'ConfigError'
  | 'DeliveryError'
  | 'EmulatorError'

export interface ConfigIssue {
  /** Dotted path of the offending option, e.g. `detectors.notFound.threshold`; `''` for the root. */
  readonly path: string
  /** What was expected and what was found, e.g. `expected a positive integer, got "ten"`. */
  readonly message: string
  /** Where the option is in the configuration file (1-based), when it came from the file. */
  readonly line?: number
  readonly column?: number
}

export interface ConfigErrorDetails {
  readonly file?: string | undefined
  readonly line?: number | undefined
  readonly column?: number | undefined
  readonly issues?: readonly ConfigIssue[]
  /** Why the file could not be read or parsed, or where its name came from. */
  readonly reason?: string | undefined
  readonly cause?: unknown
}

interface ErrorSpec {
  readonly class: WatchpostErrorClass
  /** The package whose code throws it, named at the start of the message. */
  readonly package: `@watchpost/${string}`
  // biome-ignore lint/suspicious/noExplicitAny: each template declares its own argument; `never` would not accept them
  readonly message: (arg: any) => string
  readonly cause: string
  readonly fix: string
}

function prefixed(pkg: string, detail: string): string {
  return `${pkg}: ${detail}`
}

/** `Invalid configuration in /app/watchpost.config.yaml:\n  - detectors.x: … (/app/watchpost.config.yaml:12:16)` */
export function formatIssues(
  title: string,
  file: string | undefined,
  issues: readonly ConfigIssue[],
): string {
  const lines = issues.map((issue) => {
    // `file:line:column` as compilers write it, so that terminals and editors open the place.
    const at = issue.line === undefined ? '' : ` (${file ?? ''}:${issue.line}:${issue.column ?? 1})`
    return `  - ${issue.path === '' ? '(root)' : issue.path}: ${issue.message}${at}`
  })
  return `${title}${file === undefined ? '' : ` in ${file}`}:\n${lines.join('\n')}`
}

function where(details: ConfigErrorDetails): string {
  return details.line === undefined
    ? String(details.file)
    : `${details.file}:${details.line}:${details.column ?? 1} (line ${details.line}, column ${details.column ?? 1})`
}

export const ERRORS = {
  ERR_WATCHPOST_CONFIG_INVALID: {
    class: 'ConfigError',
    package: '@watchpost/core',
    message: (d: ConfigErrorDetails) => formatIssues('Invalid configuration', d.file, d.issues ?? []),
    cause:
      'The options (file, environment and code merged) do not match the schema. `issues` lists every problem as `{ path, message }`, with `line` and `column` when the option came from the file.',
    fix: 'Correct each listed option; [configuration.md](configuration.md) gives every option with its type and default.',
  },
  ERR_WATCHPOST_CONFIG_PARSE: {
    class: 'ConfigError',
    package: '@watchpost/core',
    message: (d: ConfigErrorDetails) => `Cannot parse ${where(d)}: ${d.reason ?? 'unknown reason'}`,
    cause:
      'The configuration file cannot be read, or is not valid YAML/JSON (a duplicate key counts). `file`, `line` and `column` say where.',
    fix: 'Fix the syntax at the reported line and column, or the file’s permissions.',
  },
  ERR_WATCHPOST_CONFIG_NOT_FOUND: {
    class: 'ConfigError',
    package: '@watchpost/core',
    message: (d: ConfigErrorDetails) =>
      `Configuration file not found: ${d.file}${d.reason === undefined ? '' : ` (${d.reason})`}`,
    cause: '`options.config` or `WATCHPOST_CONFIG` names a file that does not exist.',
    fix: 'Point it at the file, or leave both unset to look for `watchpost.config.{yaml,yml,json}` in the working directory.',
  },
  ERR_WATCHPOST_CONFIG_ENV: {
    class: 'ConfigError',
    package: '@watchpost/core',
    message: (d: ConfigErrorDetails) =>
      formatIssues('Cannot substitute environment variables', d.file, d.issues ?? []),
    cause:
      'A `${VAR}` reference names an unset variable and has no `:-default`; `issues` names the option and the variable.',
    fix: 'Set the variable, or give the reference a default: `${VAR:-value}`.',
  },
  ERR_WATCHPOST_CONFIG_DEFAULTS_INCONSISTENT: {
    class: 'WatchpostError',
    package: '@watchpost/core',
    message: (issues: string) => prefixed('@watchpost/core', `inconsistent option defaults: ${issues}`),
    cause:
      'A default in the options schema does not pass its own validation (a bug in Watchpost, found on import).',
    fix: 'Report it with the message; no configuration can work around it.',
  },
  ERR_WATCHPOST_SINK_INVALID: {
    class: 'WatchpostError',
    package: '@watchpost/core',
    message: (detail: string) => detail,
    cause:
      'At start-up: a `sentinel` sink is configured but `@watchpost/sentinel` is not installed or cannot be loaded, its options are inconsistent (e.g. a credential field its `type` does not use), a `webhook` sink’s `url`, `secret`, `headers` or `tls.ca` is unusable, or a sink of an unknown `type` reached `createWatchpost` without validation.',
    fix: 'Follow the message: it names the option (or the install command) and what it must be.',
  },
  ERR_WATCHPOST_PIPELINE_ATTACHED: {
    class: 'WatchpostError',
    package: '@watchpost/core',
    message: (_: undefined) => prefixed('@watchpost/core', 'Pipeline.attach may be called once'),
    cause: 'A pipeline was given its sinks twice (a bug in the code that assembles an instance).',
    fix: 'Report it with the message; create the sinks first and attach them once.',
  },
  ERR_WATCHPOST_SINK_TYPE_UNKNOWN: {
    class: 'WatchpostError',
    package: '@watchpost/core',
    message: (detail: string) => prefixed('@watchpost/core', detail),
    cause:
      'A sink `type` that no package registered (`console`, `file` and `webhook` are core’s, `sentinel` is `@watchpost/sentinel`’s), reaching the sink registry without the configuration’s validation.',
    fix: 'Use one of the registered types the message lists, or load the package that registers yours first.',
  },
  ERR_WATCHPOST_ROUTE_OPTIONS_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/core',
    message: (detail: string) => prefixed('@watchpost/core', detail),
    cause:
      'A route’s own Watchpost options (Fastify `config: { watchpost }`, Express `wp.route(options)`) have an unknown key, an `ignore` that is not a boolean, or detector options the configuration would refuse. Checked when the route is declared.',
    fix: 'Follow the message: it names the route, the option and what it must be (the same rules as `detectors` in the configuration).',
  },
  ERR_WATCHPOST_ORIGINS_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/core',
    message: (detail: string) => prefixed('@watchpost/core', detail),
    cause:
      'The allowed origins given to Fastify’s `corsDelegator()` or Express’s `wp.cors()` are not strings, RegExps, a list of them, or a function.',
    fix: 'Pass e.g. `["https://shop.example", /\\.shop\\.example$/]` or a function `(origin) => boolean`.',
  },
  ERR_WATCHPOST_JWT_MISSING: {
    class: 'WatchpostError',
    package: '@watchpost/core',
    message: (_: undefined) => 'No bearer token in the Authorization header',
    cause: 'A verifier from `createJwtVerifier` was called for a request without `Authorization: Bearer …`.',
    fix: 'Answer 401; the failure is already recorded as `authn_jwt_fail` (reason `missing`).',
  },
  ERR_WATCHPOST_JWT_OPTIONS_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/core',
    message: (detail: string) => prefixed('@watchpost/core', `jwt ${detail}`),
    cause:
      '`createJwtVerifier` was given no algorithm allowlist, an allowlist with `none`, or not exactly one of `jwksUrl`, `jwks` and `key`.',
    fix: 'Pass `algorithms` (e.g. `["RS256"]`) and exactly one key source.',
  },
  ERR_WATCHPOST_TRUST_PROXY_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/core',
    message: (detail: string) => prefixed('@watchpost/core', `trustProxy ${detail}`),
    cause:
      '`trustProxy` is not a boolean, a non-negative hop count, an address list or a function, or lists an invalid address or range.',
    fix: 'Use e.g. `1`, `"loopback"` or `"10.0.0.0/8, 127.0.0.1"`.',
  },
  ERR_WATCHPOST_DETECTOR_LIST_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/core',
    message: (detail: string) => prefixed('@watchpost/core', `detector list entry ${detail}`),
    cause:
      'An entry of a detector list (`scannerProbe.extraPaths` / `ignorePaths`, `attackTool.extra` / `ignore`) is not in the list syntax: the configuration file is checked against it first, so this is reached from code that builds options by hand.',
    fix: 'Use printable ASCII; a path starts with `/`, `^/`, `^/*` or `*`, with `*` only first or last and `$` only last (docs/detectors.md).',
  },
  ERR_WATCHPOST_REDIS_USAGE_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/redis',
    message: (detail: string) => prefixed('@watchpost/redis', detail),
    cause:
      '`createRedisStateStore()` was given a client of neither kind (ioredis, node-redis) or an option out of range, or a store call was given arguments outside the StateStore contract (a weight that is not a positive integer, a window or cap below 1, a block without a kind or value).',
    fix: 'Pass the app’s connected ioredis or node-redis client and the options of packages/redis/README.md; a store call’s arguments come from Watchpost’s rules, so a custom caller must keep to the contract.',
  },
  ERR_WATCHPOST_RULE_HOOK_MISSING: {
    class: 'WatchpostTypeError',
    package: '@watchpost/core',
    message: (a: { rule: string; hook: string }) =>
      prefixed('@watchpost/core', `rule ${a.rule} calls hook ${a.hook}, which runtime.hooks does not have`),
    cause: 'A rule’s response is `action: hook` with a `hook` name the code did not give in `runtime.hooks`.',
    fix: 'Pass the function: `watchpost(options, { hooks: { lockAccount: async (firing) => … } })` (Express) or `runtime: { hooks }` in the Fastify plugin’s options.',
  },
  ERR_WATCHPOST_RULE_BLOCK_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/core',
    message: (_: undefined) =>
      prefixed(
        '@watchpost/core',
        'a block needs a source or a user, and a block a number of seconds above 0',
      ),
    cause:
      '`watchpost.rules.block()` or `lift()` was called without `source` or `user`, or `block()` without `seconds` > 0.',
    fix: 'Call `watchpost.rules.block({ source: "203.0.113.9", seconds: 900 })` or `lift({ user: "alice" })`.',
  },
  ERR_WATCHPOST_RULE_STATE_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/core',
    message: (_: undefined) => prefixed('@watchpost/core', 'runtime.state is not a StateStore'),
    cause:
      '`runtime.state` lacks a method of the StateStore interface (add, claim, setBlock, liftBlock, listBlocks, watchBlocks, health, close).',
    fix: 'Pass a store made by `createRedisStateStore()` (`@watchpost/redis`) or `new MemoryStateStore()`, or leave it out.',
  },
  ERR_WATCHPOST_LOGGER_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/core',
    message: (detail: string) => prefixed('@watchpost/core', detail),
    cause:
      '`runtime.logger` is not a pino-style logger (it has no `warn` method), or `runtime.logIntervalMs` is not a positive number of milliseconds.',
    fix: 'Pass the app’s logger (pino, `fastify.log`, or any object with `warn(fields, message)`) and an interval such as `60000`, or leave them out.',
  },
  ERR_WATCHPOST_CORRELATION_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/core',
    message: (detail: string) => prefixed('@watchpost/core', `correlation ${detail}`),
    cause:
      'A correlation option given to the context factory directly is unusable: `maxLength` not a positive integer, a `requestIdHeaders` entry or `responseHeader` that is not a header name.',
    fix: 'Pass header names (RFC 9110 tokens) and a positive integer.',
  },
  ERR_WATCHPOST_REDACTION_OPTIONS_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/core',
    message: (detail: string) => prefixed('@watchpost/core', `redaction.${detail}`),
    cause:
      '`compileRedactor` was given an option of the wrong type or range (e.g. `maxDepth: 0`, an empty `hashKey`).',
    fix: 'Follow the message: it names the option and what it must be.',
  },
  ERR_WATCHPOST_SPOOL_OPTIONS_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/core',
    message: (detail: string) => prefixed('@watchpost/core', `spool ${detail}`),
    cause:
      '`createSpool` was given no `directory`, a size or time limit that is not a positive number, or a `now`/`onError` that is not a function.',
    fix: 'Follow the message: it names the option and what it must be.',
  },
  ERR_WATCHPOST_SCHEMA_PROJECTION_INVALID: {
    class: 'WatchpostError',
    package: '@watchpost/core',
    message: (detail: string) => prefixed('@watchpost/core', detail),
    cause:
      'A table projection renames a field to a column its table lacks (a bug in Watchpost, found on import).',
    fix: 'Report it with the message; no configuration can work around it.',
  },
  ERR_WATCHPOST_DELIVERY_FAILED: {
    class: 'DeliveryError',
    package: '@watchpost/core',
    message: (detail: string) => detail,
    cause:
      'A destination could not deliver a request; `kind` says how the delivery loop handles it (`retry`, `auth`, `not_found`, `too_large`, `rejected`). Never thrown into the app: it shows in `health().sinks[].lastError`.',
    fix: 'Follow `lastError`; refused credentials and missing targets are also reported as `WATCHPOST_W105`/`W106`.',
  },
  ERR_WATCHPOST_SENTINEL_OPTIONS_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/sentinel',
    message: (detail: string) => prefixed('@watchpost/sentinel', detail),
    cause:
      '`createSentinelDestination` was called directly with an unusable `config` (not `https://`, no DCR id, unknown `tables` or `http`, an empty `tls.ca`).',
    fix: 'Pass a sentinel sink’s options as the configuration validates them (or configure the sink instead).',
  },
  ERR_WATCHPOST_SENTINEL_HTTP_OPTIONS_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/sentinel',
    message: (detail: string) => prefixed('@watchpost/sentinel', detail),
    cause: '`createUndiciHttpClient` was given a timeout or `connections` that is not a number > 0.',
    fix: 'Pass positive numbers, or leave the option out for its default.',
  },
  ERR_WATCHPOST_SENTINEL_INSECURE_URL: {
    class: 'WatchpostError',
    package: '@watchpost/sentinel',
    message: (url: string) =>
      prefixed('@watchpost/sentinel', `cannot connect to ${url} while allowInsecureConnection is false`),
    cause: 'The undici HTTP client was asked for a plain `http://` URL by a pipeline that does not allow it.',
    fix: 'Use the `https://` endpoint of the data collection endpoint.',
  },
  ERR_WATCHPOST_SENTINEL_OUTPUTS_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/sentinel',
    message: (detail: string) => prefixed('@watchpost/sentinel', detail),
    cause:
      '`watchpostConfigFromOutputs` was given outputs that are not those of the Watchpost deployment template: `endpoint` missing or not `https://`, `immutableId` not `dcr-` + 32 hex digits, or `streams` not an object.',
    fix: 'Pass the deployment’s outputs (`az deployment group show … --query properties.outputs -o json`) of the template `watchpost templates` wrote.',
  },
  ERR_WATCHPOST_SENTINEL_TEMPLATE_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/sentinel',
    message: (detail: string) => prefixed('@watchpost/sentinel', detail),
    cause:
      '`armTemplate(model)` was given a deployment model that refers to a resource it does not declare, or that puts an object or an array inside an expression (ARM expressions take them only through variables).',
    fix: 'Start from `deploymentModel()`; declare every resource a reference names, and move literal objects and arrays into `variables`.',
  },
  ERR_WATCHPOST_SENTINEL_CONTENT_INVALID: {
    class: 'WatchpostError',
    package: '@watchpost/sentinel',
    message: (detail: string) => prefixed('@watchpost/sentinel', detail),
    cause:
      'A shipped hunting query reads a field that the tables of the chosen table mode do not keep (a bug in Watchpost, found when the content is generated).',
    fix: 'Report it with the message; no configuration can work around it.',
  },
  ERR_WATCHPOST_EXPRESS_CORS_OPTIONS_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/express',
    message: (detail: string) => prefixed('@watchpost/express', detail),
    cause:
      '`wp.cors(allowed, corsOptions)` was given a `corsOptions` that is not an object, or a `corsOptions.origin`.',
    fix: 'List the origins in `allowed` (it decides), and leave `origin` out of `corsOptions`.',
  },
  ERR_WATCHPOST_EXPRESS_RATE_LIMIT_HANDLER_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/express',
    message: (_: undefined) =>
      prefixed('@watchpost/express', 'wp.rateLimitHandler(handler): handler must be a function'),
    cause: '`wp.rateLimitHandler()` was given something other than a function.',
    fix: 'Pass the handler your rate limiter would call (e.g. `express-rate-limit`’s `handler`).',
  },
  ERR_WATCHPOST_EXPRESS_SERVER_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/express',
    message: (_: undefined) =>
      prefixed('@watchpost/express', 'wp.observe(server) expects the http.Server of app.listen()'),
    cause: '`wp.observe()` was called without the `http.Server` that `app.listen()` returns.',
    fix: 'Pass the server: `wp.observe(app.listen(port))`.',
  },
  ERR_WATCHPOST_EMULATOR_OPTIONS_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/emulator',
    message: (detail: string) => prefixed('@watchpost/emulator', detail),
    cause:
      '`startEmulator` was given an unusable option (host, port, mode, `dcrImmutableId`, `allowedPrincipals`, a limit).',
    fix: 'Follow the message: it names the option and what it must be.',
  },
  ERR_WATCHPOST_EMULATOR_FAULTS_INVALID: {
    class: 'WatchpostTypeError',
    package: '@watchpost/emulator',
    message: (detail: string) => prefixed('@watchpost/emulator', detail),
    cause: '`setFaults` (or `faults` at start) was given an unknown fault or a value out of range.',
    fix: 'Follow the message; the emulator README lists every fault with an example.',
  },
  ERR_WATCHPOST_EMULATOR_DCR_INVALID: {
    class: 'EmulatorError',
    package: '@watchpost/emulator',
    message: (detail: string) => prefixed('@watchpost/emulator', detail),
    cause: 'The data collection rule given to the emulator is inconsistent (streams, data flows, columns).',
    fix: 'Follow the message: it names the stream or data flow and what is wrong.',
  },
  ERR_WATCHPOST_EMULATOR_TLS_FAILED: {
    class: 'EmulatorError',
    package: '@watchpost/emulator',
    message: (detail: string) => prefixed('@watchpost/emulator', detail),
    cause: 'The emulator’s TLS directory cannot be created, or the certificate and key in it are unusable.',
    fix: 'Make the directory writable, or delete it so the material is created again.',
  },
  ERR_WATCHPOST_EMULATOR_LISTEN_FAILED: {
    class: 'EmulatorError',
    package: '@watchpost/emulator',
    message: (detail: string) => prefixed('@watchpost/emulator', detail),
    cause: 'The emulator cannot listen on its host and port (in use, or not permitted).',
    fix: 'Choose another port (`0` picks a free one) or stop what holds it.',
  },
} as const satisfies Record<`ERR_WATCHPOST_${string}`, ErrorSpec>

type Registry = typeof ERRORS

export type WatchpostErrorCode = keyof Registry

/** The codes thrown as one class. */
export type WatchpostErrorCodeOf<K extends WatchpostErrorClass> = {
  [C in WatchpostErrorCode]: Registry[C]['class'] extends K ? C : never
}[WatchpostErrorCode]

/** The argument of a code's message template. */
export type WatchpostErrorArg<C extends WatchpostErrorCode> = Parameters<Registry[C]['message']>[0]

/** A code's message arguments: the template's one argument, which may be left out when it is optional. */
export type WatchpostErrorArgs<C extends WatchpostErrorCode> =
  undefined extends WatchpostErrorArg<C>
    ? [arg?: WatchpostErrorArg<C>, options?: { cause?: unknown }]
    : [arg: WatchpostErrorArg<C>, options?: { cause?: unknown }]

/** The message of `code` with `arg`, as the error classes build it. */
export function errorMessage<C extends WatchpostErrorCode>(code: C, arg: WatchpostErrorArg<C>): string {
  return (ERRORS[code].message as (arg: unknown) => string)(arg)
}

function causeOf(options: { cause?: unknown } | undefined): { cause: unknown } | undefined {
  return options?.cause === undefined ? undefined : { cause: options.cause }
}

export class WatchpostError<C extends WatchpostErrorCode = WatchpostErrorCode> extends Error {
  readonly code: C

  constructor(code: C, ...[arg, options]: WatchpostErrorArgs<C>) {
    super(errorMessage(code, arg as WatchpostErrorArg<C>), causeOf(options))
    this.name = new.target.name
    this.code = code
  }

  /**
   * A `WatchpostTypeError` is a `TypeError` (callers check that) and also a `WatchpostError`, so that
   * one `instanceof WatchpostError` sees every coded error. Subclasses keep the ordinary check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` asks about, a subclass included
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true
    // biome-ignore lint/complexity/noThisInStatic: as above
    return this === WatchpostError && value instanceof WatchpostTypeError
  }
}

/** Misuse (an argument of the wrong type or range): a `TypeError`, with its registered code. */
export class WatchpostTypeError<
  C extends WatchpostErrorCodeOf<'WatchpostTypeError'> = WatchpostErrorCodeOf<'WatchpostTypeError'>,
> extends TypeError {
  readonly code: C

  constructor(code: C, ...[arg, options]: WatchpostErrorArgs<C>) {
    super(errorMessage(code, arg as WatchpostErrorArg<C>), causeOf(options))
    this.name = new.target.name
    this.code = code
  }
}

/** A configuration that cannot be used. `issues` lists every problem found, not just the first. */
export class ConfigError extends WatchpostError<WatchpostErrorCodeOf<'ConfigError'>> {
  readonly file: string | undefined
  readonly line: number | undefined
  readonly column: number | undefined
  readonly issues: readonly ConfigIssue[]

  constructor(code: WatchpostErrorCodeOf<'ConfigError'>, details: ConfigErrorDetails = {}) {
    super(code, details, { cause: details.cause })
    this.file = details.file
    this.line = details.line ?? details.issues?.[0]?.line
    this.column = details.line === undefined ? details.issues?.[0]?.column : details.column
    this.issues = details.issues ?? []
  }
}
