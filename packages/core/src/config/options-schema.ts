// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax, not a template
/**
 * The configuration file format (`watchpost.config.yaml` / `.json`) — the single source of the option
 * types (`types.ts`), the defaults (`defaults.ts`), the validator's rules and the published
 * `schema/config.schema.json` + `docs/configuration.md` (`scripts/generate-config.ts`).
 */
import { Type } from '@sinclair/typebox'
import { EVENTS_BY_NAME } from '../events/catalogue/index.js'
import { DEFAULT_REDACTION_OPTIONS as D } from '../redaction/index.js'
import { deliverySchema, shutdownSchema } from './delivery-options.js'
import { detectorsSchema } from './detector-options.js'
import { Default, Defaulted, PartialDeep, Section, Strict, StringEnum, Tagged } from './schema-kit.js'
import { sentinelSinkSchema } from './sentinel-options.js'
import { webhookSinkSchema } from './webhook-schema.js'

/** RFC 9110 token, lowercase: how Node.js presents incoming header names. */
const HEADER_NAME = "^[a-z0-9!#$%&'*+.^_`|~-]+$"
const header = (description?: string) =>
  Type.String(description === undefined ? { pattern: HEADER_NAME } : { pattern: HEADER_NAME, description })

const positiveOr = (defaultValue: number, description: string) =>
  Default.Integer({ minimum: 1, default: defaultValue, description })

const MiB = 1024 * 1024

export const appSchema = Section(
  {
    name: Defaulted(
      Type.String({
        minLength: 1,
        description: 'Name of the application, recorded on every event.',
        examples: ['orders-api'],
      }),
      '`name` in package.json of the working directory, else `"app"`',
    ),
    version: Defaulted(
      Type.String({
        minLength: 1,
        description: 'Version of the application, recorded on every event.',
        examples: ['1.4.2'],
      }),
      '`version` in package.json of the working directory, else `"0.0.0"`',
    ),
    environment: Defaulted(
      Type.String({
        minLength: 1,
        description: 'Deployment environment, recorded on every event.',
        examples: ['production'],
      }),
      '`NODE_ENV`, else `"development"`',
    ),
    host: Defaulted(
      Type.String({
        minLength: 1,
        description: 'Host name recorded on every event (the `Dvc` of ASIM).',
        examples: ['web-01'],
      }),
      '`os.hostname()`',
    ),
    port: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65_535,
        description: 'Port the app listens on, recorded on events when set (e.g. `${PORT}`).',
        examples: [3000],
      }),
    ),
  },
  { description: 'Identity of the application that emits the events.' },
)

export const trustProxySchema = Default.Union(
  [
    Type.Boolean({
      description: '`true` trusts every hop (any client can then choose its IP); `false` trusts none.',
    }),
    Type.Integer({
      minimum: 0,
      description: 'Number of hops (reverse proxies) to trust in front of the app.',
    }),
    Type.String({
      minLength: 1,
      description:
        'Preset (`loopback`, `linklocal`, `uniquelocal`), address or CIDR, or a comma-separated list of them.',
    }),
    Type.Array(Type.String({ minLength: 1 }), { description: 'Presets, addresses and CIDRs to trust.' }),
  ],
  {
    default: false,
    description:
      "Which proxies in front of the app to trust for the client address (`X-Forwarded-For`). Same values and meaning as Express's `trust proxy` setting; in code it may also be a function `(addr, hop) => boolean`.",
    examples: ['loopback, 10.0.0.0/8', 1],
  },
)

export const correlationSchema = Section(
  {
    traceparent: Default.Boolean({
      default: true,
      description: 'Use the trace-id of a valid W3C `traceparent` header as the correlation id.',
    }),
    requestIdHeaders: Default.Array(header(), {
      default: ['x-request-id', 'x-correlation-id'],
      description:
        'Request headers (lowercase) whose value, when valid, is taken as the correlation id, in order.',
      examples: [['x-request-id', 'x-amzn-trace-id']],
    }),
    responseHeader: Default.Union([header(), Type.Literal(false)], {
      default: false,
      description:
        'Response header that echoes the correlation id (so a client can quote it); `false`, the default, leaves responses exactly as the app sends them.',
      examples: ['x-request-id'],
    }),
    maxLength: Default.Integer({
      minimum: 8,
      maximum: 256,
      default: 128,
      description: 'Longest incoming request id accepted; longer ones are replaced by a generated id.',
    }),
    asyncContext: Default.Boolean({
      default: false,
      description:
        'Keep the request context in an `AsyncLocalStorage` so that code without the request object can read it.',
    }),
  },
  { description: 'How each request gets its correlation id.' },
)

export const privacySchema = Section(
  {
    hashKey: Type.Optional(
      Type.String({
        minLength: 16,
        description:
          'Secret key (at least 16 characters) for the keyed hashes of user ids and IPs. Keep it out of the file: use `${WATCHPOST_HASH_KEY}`.',
        examples: ['${WATCHPOST_HASH_KEY}'],
      }),
    ),
    hashUserIds: Default.Boolean({
      default: D.hashUserIds,
      description: 'Record user names and ids as keyed hashes.',
    }),
    hashIps: Default.Boolean({ default: D.hashIps, description: 'Record IP addresses as keyed hashes.' }),
    truncateIps: Default.Boolean({
      default: D.truncateIps,
      description: 'Record IP addresses truncated (IPv4 /24, IPv6 /48) instead of in full.',
    }),
    sensitiveKeys: Default.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        'Extra key names (case-insensitive) whose values are always redacted, in addition to the built-in list (password, token, secret, …).',
      examples: [['ssn', 'iban']],
    }),
    headerAllowlist: Default.Array(header(), {
      default: [...D.headerAllowlist],
      description: 'Request headers (lowercase) recorded on events; all others are dropped.',
    }),
    redactCardNumbers: Default.Boolean({
      default: D.redactCardNumbers,
      description: 'Redact payment card numbers (Luhn-valid digit runs) found in recorded strings.',
    }),
    maxStringLength: Default.Integer({
      minimum: 64,
      maximum: 65_536,
      default: D.maxStringLength,
      description: 'Longest string recorded; longer ones are truncated.',
    }),
    maxDepth: Default.Integer({
      minimum: 1,
      maximum: 32,
      default: D.maxDepth,
      description: 'Deepest nesting recorded.',
    }),
    maxKeys: Default.Integer({
      minimum: 1,
      maximum: 1000,
      default: D.maxKeys,
      description: 'Most keys recorded per object.',
    }),
  },
  { description: 'What is recorded about people, and how.' },
)

export const routeSchema = Strict(
  {
    match: Type.String({
      minLength: 1,
      description: 'Path pattern: exact (`/health`), prefix (`/admin/*`) or glob (`/api/**/export`).',
      examples: ['/admin/*'],
    }),
    methods: Type.Optional(
      Type.Array(Type.String({ minLength: 1, pattern: '^[A-Z][A-Z0-9_-]*$' }), {
        description: 'HTTP methods (uppercase) the override applies to; all methods when absent.',
        examples: [['POST']],
      }),
    ),
    ignore: Default.Boolean({ default: false, description: 'Record nothing for matching requests.' }),
    detectors: PartialDeep(detectorsSchema, {
      description:
        'Detector options for matching requests; same shape as `detectors`, every field optional, unset fields inherit.',
    }),
  },
  { description: 'Overrides for the requests a pattern matches.' },
)
/** Event columns a rule can group by, count distinct values of, or match on. */
export const RULE_FIELDS = [
  'SrcIpAddr',
  'TargetUsername',
  'ActorUsername',
  'ActorSessionId',
  'HttpRoute',
  'Url',
  'HttpUserAgent',
] as const
/** String columns a rule's `where` may test (besides RULE_FIELDS). */
export const RULE_WHERE_FIELDS = [
  ...RULE_FIELDS,
  'EventResult',
  'EventResultDetails',
  'EventOriginalResultDetails',
  'EventSeverity',
  'ThreatCategory',
  'HttpRequestMethod',
  'RuleName',
] as const

const clock = (description: string) =>
  Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description, examples: ['08:00'] })

export const ruleResponseSchema = Strict(
  {
    action: StringEnum(['block', 'delay', 'hook'], {
      description:
        '`block`: answer the group’s requests with `status` for `durationSeconds`; `delay`: hold them `delayMs` before the app sees them; `hook`: call the app’s hook named `hook` once per firing.',
    }),
    target: Default.Enum(['source', 'user'], {
      default: 'source',
      description:
        'Whom `block` and `delay` apply to: `source` (the client address; the rule must group by `SrcIpAddr`) or `user` (the rule must group by `TargetUsername` or `ActorUsername`; the app asks with `watchpost.rules.blocked({ user })`).',
    }),
    durationSeconds: Default.Integer({
      minimum: 1,
      maximum: 7 * 86_400,
      default: 900,
      description: 'How long a `block` or `delay` lasts.',
    }),
    status: Default.Union([Type.Literal(429), Type.Literal(403)], {
      default: 429,
      description: 'Status of a blocked request’s answer (`429` with `Retry-After`, or `403`).',
    }),
    delayMs: Default.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 2000,
      description: 'How long a `delay` holds each request, in milliseconds.',
    }),
    hook: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Name of the app’s hook (`runtime.hooks`, given in code) that `hook` calls.',
        examples: ['lockAccount'],
      }),
    ),
  },
  { description: 'What the rule does when it fires, in `protect` mode only.' },
)

export const ruleSchema = Strict(
  {
    id: Type.String({
      pattern: '^[a-z0-9][a-z0-9._-]{0,63}$',
      description:
        'Stable id of the rule (lower case, digits, `.`, `_`, `-`), recorded as `RuleName` on the events it derives. A shipped rule’s id (`watchpost.*`) changes that rule: the fields given replace its own.',
      examples: ['orders.refund-burst'],
    }),
    enabled: Default.Boolean({ default: true, description: 'Whether the rule runs.' }),
    title: Type.Optional(
      Type.String({ minLength: 1, maxLength: 120, description: 'Short title, for people.' }),
    ),
    description: Type.Optional(Type.String({ minLength: 1, description: 'What the rule catches and why.' })),
    events: Type.Optional(
      Type.Array(StringEnum([...EVENTS_BY_NAME.keys()], { description: 'event names, see docs/events.md' }), {
        minItems: 1,
        description:
          'Event names the rule counts (the vocabulary names of docs/events.md); all of one ASIM schema. Required for a new rule.',
        examples: [['authn_login_fail']],
      }),
    ),
    where: Type.Optional(
      Type.Array(
        Strict(
          {
            field: StringEnum(RULE_WHERE_FIELDS, { description: 'Event column.' }),
            in: Type.Array(Type.String(), { minItems: 1, description: 'Values it must have (one of).' }),
          },
          { description: 'A condition on the counted events.' },
        ),
        { description: 'Conditions every counted event must meet.' },
      ),
    ),
    groupBy: Type.Optional(
      Type.Array(StringEnum(RULE_FIELDS, { description: 'Event column.' }), {
        minItems: 1,
        maxItems: 3,
        description:
          'Event columns the events are counted per (`SrcIpAddr`: per client address). Every counted event must be able to carry them. Required for a new rule.',
        examples: [['SrcIpAddr']],
      }),
    ),
    distinct: Type.Optional(
      StringEnum(RULE_FIELDS, {
        description:
          'Count distinct values of this column instead of events (`TargetUsername`: how many accounts one source tried).',
      }),
    ),
    threshold: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        description:
          'Events (or distinct values) within the window that make the rule fire; an aggregated event counts as its `EventCount`. Required for a new rule.',
      }),
    ),
    windowSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 86_400,
        description: 'Length of the sliding window, in seconds. Required for a new rule.',
      }),
    ),
    outsideHours: Type.Optional(
      Strict(
        {
          from: clock('Start of the hours (HH:MM).'),
          to: clock('End of the hours (HH:MM); before `from` for hours across midnight.'),
          timezone: Default.String({
            minLength: 1,
            default: 'UTC',
            description: 'IANA time zone of the hours (`Europe/Paris`).',
          }),
          days: Default.Array(StringEnum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']), {
            minItems: 1,
            default: ['mon', 'tue', 'wed', 'thu', 'fri'],
            description: 'Days the hours apply to; every hour of the other days is outside.',
          }),
        },
        { description: 'Count only events outside these working hours.' },
      ),
    ),
    severity: Type.Optional(
      StringEnum(['Informational', 'Low', 'Medium', 'High'], {
        description: 'Severity of the derived event; the highest of the counted events when absent.',
      }),
    ),
    response: Type.Optional(ruleResponseSchema),
  },
  {
    description:
      'A rule: the events it counts, per group, over a sliding window; at the threshold, one derived event and, in `protect` mode, its response (docs/rules.md).',
  },
)

export const consoleSinkSchema = Strict(
  {
    type: Type.Literal('console', { description: 'Selects the console sink.' }),
    format: Default.Enum(['auto', 'pretty', 'json'], {
      default: 'auto',
      description: '`auto` is pretty on a TTY and JSON lines otherwise.',
    }),
    stream: Default.Enum(['stdout', 'stderr'], { default: 'stdout', description: 'Stream written to.' }),
    colors: Type.Optional(
      Type.Boolean({
        description:
          'Colour the pretty format; by default when the stream is a terminal that takes colour (`NO_COLOR`, `FORCE_COLOR` and `TERM=dumb` are honoured).',
      }),
    ),
  },
  { description: 'Writes events to the console.' },
)

export const fileSinkSchema = Strict(
  {
    type: Type.Literal('file', { description: 'Selects the file sink.' }),
    path: Type.String({
      minLength: 1,
      description: 'File the events are appended to, as JSON lines.',
      examples: ['logs/security.jsonl'],
    }),
    maxBytes: Default.Integer({
      minimum: 1024,
      default: 10 * MiB,
      description: 'Size in bytes at which the file is rotated.',
    }),
    maxFiles: Default.Integer({ minimum: 1, maximum: 100, default: 5, description: 'Rotated files kept.' }),
  },
  { description: 'Appends events to a local file, rotated by size.' },
)

export const queueSchema = Section(
  {
    maxEvents: positiveOr(10_000, 'Most events held in memory before new ones are dropped (and counted).'),
    maxBytes: positiveOr(16 * MiB, 'Most bytes of events held in memory.'),
    flushIntervalMs: Default.Integer({
      minimum: 10,
      maximum: 60_000,
      default: 250,
      description: 'Longest time, in milliseconds, an event waits before being sent.',
    }),
    batchSize: Default.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 500,
      description: 'Most events per batch.',
    }),
  },
  { description: 'The in-memory queue in front of every sink (filled on the request path, drained off it).' },
)

export const spoolSchema = Section(
  {
    enabled: Default.Boolean({
      default: true,
      description:
        'Keep the events of remote sinks (`sentinel`, `webhook`) on disk until they are acknowledged, so that outages and restarts lose nothing (docs/pipeline.md#guarantees). Off: they wait in memory, bounded by `queue.maxBytes`, and are lost on exit.',
    }),
    directory: Default.String({
      minLength: 1,
      default: '.watchpost/spool',
      description:
        'Directory of the spool files (relative to the working directory); each remote sink gets a subdirectory. If it cannot be written, events wait in memory and the sink reports `degraded`.',
    }),
    maxBytes: positiveOr(
      256 * MiB,
      'Most bytes on disk per remote sink; beyond it the oldest events of the lowest severity are dropped first (counted as `overflow`).',
    ),
    maxAgeHours: positiveOr(48, 'Events older than this are dropped from the spool (counted as `expired`).'),
    syncIntervalMs: Default.Integer({
      minimum: 10,
      maximum: 10_000,
      default: 200,
      description:
        'How often, in milliseconds, the spool is synced to disk (fdatasync). A process crash loses no event already spooled; a power loss at most this long. The in-memory queue is flushed to the spool at least twice as often, so a killed process loses at most the events of its last sync interval.',
    }),
  },
  { description: 'Durable on-disk buffer of the remote sinks.' },
)

export const optionsSchema = Strict(
  {
    app: appSchema,
    mode: Default.Enum(['monitor', 'protect'], {
      default: 'monitor',
      description:
        '`monitor` records only (rules fire and derive events); `protect` also applies the rules’ responses (block, delay, hook).',
    }),
    trustProxy: trustProxySchema,
    correlation: correlationSchema,
    privacy: privacySchema,
    detectors: detectorsSchema,
    routes: Default.Array(routeSchema, {
      default: [],
      description: 'Per-route overrides, first match wins (matched on the request path, without the query).',
      examples: [[{ match: '/health', ignore: true }]],
    }),
    defaultRules: Default.Boolean({
      default: true,
      description: 'Run the shipped rules (`watchpost.*`, docs/rules.md) besides those of `rules`.',
    }),
    rules: Default.Array(ruleSchema, {
      default: [],
      description:
        'Rules of the app, and changes to the shipped ones (by their `id`): events counted per group over a sliding window → a derived event and, in `protect` mode, a response (docs/rules.md).',
      examples: [
        [
          {
            id: 'watchpost.credential-stuffing',
            response: { action: 'block', durationSeconds: 900 },
          },
        ],
      ],
    }),
    sinks: Default.Array(Tagged([consoleSinkSchema, fileSinkSchema, sentinelSinkSchema, webhookSinkSchema]), {
      default: [{ type: 'console' }],
      description: 'Where events are delivered; each entry is selected by its `type`.',
    }),
    queue: queueSchema,
    spool: spoolSchema,
    delivery: deliverySchema,
    shutdown: shutdownSchema,
  },
  { description: 'Watchpost configuration.' },
)

export type OptionsSchema = typeof optionsSchema
