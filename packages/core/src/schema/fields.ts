/**
 * The canonical event record, defined once. Every other shape is generated from this table: the
 * TypeScript `SecurityEvent` type, the record's JSON Schema, the custom table's columns and the
 * projections to the four ASIM tables (see `asim.ts`). Names are ASIM-aligned PascalCase so that
 * mapping to Sentinel is a projection, not a translation.
 */

/** Column types of a DCR stream declaration (spec/azure/logs-ingestion-api.md, DCR). */
export type ColumnType = 'string' | 'int' | 'long' | 'real' | 'boolean' | 'datetime' | 'dynamic'

export interface FieldDef {
  readonly type: ColumnType
  readonly description: string
  /** Present on every event Watchpost builds. */
  readonly always?: true
  /** Closed set of values (ASIM enumerations Watchpost uses). */
  readonly values?: readonly string[]
  readonly minimum?: number
  readonly maximum?: number
}

const SEVERITIES = ['Informational', 'Low', 'Medium', 'High'] as const
const RESULTS = ['Success', 'Partial', 'Failure', 'NA'] as const

export const FIELDS = {
  TimeGenerated: {
    type: 'datetime',
    always: true,
    description: 'When Watchpost recorded the event (ISO-8601 UTC).',
  },
  EventUid: {
    type: 'string',
    always: true,
    description:
      'Sortable unique id (UUIDv7) and the dedupe key: a re-sent event keeps it. ASIM tables carry it as EventOriginalUid.',
  },
  CorrelationId: {
    type: 'string',
    description:
      "The request's correlation id: the W3C trace-id of an incoming traceparent (joins Application Insights' operation_Id), else the incoming request id, else generated.",
  },
  EventStartTime: {
    type: 'datetime',
    always: true,
    description: 'Start of the activity (of the window, for aggregated events).',
  },
  EventEndTime: {
    type: 'datetime',
    always: true,
    description: 'End of the activity (of the window, for aggregated events).',
  },
  EventCount: {
    type: 'int',
    always: true,
    minimum: 1,
    description: 'How many occurrences this record stands for (1, or the count of an aggregated window).',
  },
  EventType: {
    type: 'string',
    always: true,
    description: 'ASIM event type of the event schema (e.g. Logon, HTTPsession, Create).',
  },
  EventSubType: { type: 'string', description: 'ASIM event subtype, where the schema defines one.' },
  EventResult: {
    type: 'string',
    always: true,
    values: RESULTS,
    description: 'Success, Partial, Failure or NA.',
  },
  EventResultDetails: {
    type: 'string',
    description:
      'Normalised result detail: the HTTP status code for web sessions, an ASIM reason (e.g. "Incorrect password") for authentication.',
  },
  EventOriginalResultDetails: { type: 'string', description: 'The reason as the app or detector stated it.' },
  EventSeverity: {
    type: 'string',
    always: true,
    values: SEVERITIES,
    description: 'Informational, Low, Medium or High.',
  },
  EventOriginalSeverity: {
    type: 'string',
    always: true,
    description: 'The OWASP logging vocabulary level (INFO, WARN, CRITICAL).',
  },
  EventOriginalType: {
    type: 'string',
    always: true,
    description: 'The OWASP Logging Vocabulary event name (authn_login_fail, malicious_excess_404, ...).',
  },
  EventMessage: {
    type: 'string',
    always: true,
    description: 'One-line human description, rendered from redacted values.',
  },
  EventProduct: { type: 'string', always: true, description: 'Always "Watchpost".' },
  EventProductVersion: { type: 'string', always: true, description: 'Version of @watchpost/core.' },
  EventVendor: { type: 'string', always: true, description: 'Always "Watchpost".' },
  EventSchema: {
    type: 'string',
    always: true,
    values: ['Authentication', 'WebSession', 'AuditEvent', 'UserManagement'],
    description: 'ASIM schema of the event; selects the ASIM table in asim mode.',
  },
  EventSchemaVersion: {
    type: 'string',
    always: true,
    description: 'Version of the ASIM schema the record follows.',
  },
  Dvc: { type: 'string', always: true, description: 'The reporting device: the app host.' },
  DvcHostname: { type: 'string', always: true, description: 'Host name of the app server.' },
  DvcAction: { type: 'string', description: 'What the app or Watchpost did (Allow, Deny, ...).' },
  AppName: { type: 'string', always: true, description: 'Name of the app (config app.name).' },
  AppVersion: { type: 'string', always: true, description: 'Version of the app (config app.version).' },
  AppEnvironment: {
    type: 'string',
    always: true,
    description: 'Deployment environment (config app.environment).',
  },
  SrcIpAddr: {
    type: 'string',
    description: 'Client address, resolved with trustProxy; truncated or hashed by option.',
  },
  SrcPortNumber: { type: 'int', minimum: 0, maximum: 65535, description: 'Client port.' },
  ActorUsername: {
    type: 'string',
    description:
      'The user acting (the authenticated user of the request); keyed-hashed when privacy.hashUserIds.',
  },
  ActorSessionId: { type: 'string', description: 'Session of the acting user, always keyed-hashed.' },
  TargetUsername: {
    type: 'string',
    description:
      'The user acted upon (the account logging in, the user created); keyed-hashed when privacy.hashUserIds.',
  },
  HttpRequestMethod: { type: 'string', description: 'HTTP method.' },
  Url: { type: 'string', description: 'Path and query of the request, sensitive query values redacted.' },
  HttpRoute: { type: 'string', description: 'Matched route pattern (e.g. /users/:id).' },
  HttpStatusCode: { type: 'int', minimum: 100, maximum: 599, description: 'HTTP response status.' },
  HttpHost: { type: 'string', description: 'Host header.' },
  HttpReferrer: { type: 'string', description: 'Referer header.' },
  HttpRequestXff: {
    type: 'string',
    description: 'X-Forwarded-For header as received (recorded, not trusted).',
  },
  HttpUserAgent: { type: 'string', description: 'User-Agent header.' },
  HttpVersion: { type: 'string', description: 'HTTP version (1.1, 2.0).' },
  HttpContentType: { type: 'string', description: 'Request Content-Type.' },
  LogonMethod: {
    type: 'string',
    description: 'ASIM logon method (Username & Password, Multi factor authentication, ...).',
  },
  LogonProtocol: { type: 'string', description: 'Logon protocol (JWT, Basic, OAuth, ...).' },
  Operation: { type: 'string', description: 'Audited operation (AuditEvent).' },
  Object: { type: 'string', description: 'Audited object: file, record, setting (AuditEvent).' },
  ObjectId: { type: 'string', description: 'Identifier of the audited object (a token id, a file id).' },
  ObjectType: { type: 'string', description: 'ASIM object type of Object.' },
  OldValue: { type: 'string', description: 'Value before the change.' },
  NewValue: { type: 'string', description: 'Value after the change.' },
  FileName: { type: 'string', description: 'Uploaded file name.' },
  FileContentType: { type: 'string', description: 'Uploaded file content type.' },
  FileSize: { type: 'int', minimum: 0, description: 'Uploaded file size in bytes.' },
  ThreatName: { type: 'string', description: 'Name of the detected threat (attack tool, injection kind).' },
  ThreatCategory: { type: 'string', description: 'Category of the detected threat.' },
  ThreatRiskLevel: { type: 'int', minimum: 0, maximum: 100, description: 'Risk 0 (benign) to 100 (high).' },
  ThreatConfidence: { type: 'int', minimum: 0, maximum: 100, description: 'Confidence 0 to 100.' },
  ThreatField: {
    type: 'string',
    description: 'The field in which the threat was found (e.g. Url, HttpUserAgent).',
  },
  RuleName: { type: 'string', description: 'The detector or rule that produced the event.' },
  AdditionalFields: {
    type: 'dynamic',
    description: "The event's own parameters that have no column, and the app's redacted details.",
  },
} as const satisfies Record<string, FieldDef>

export type FieldName = keyof typeof FIELDS

type FieldTs<T extends ColumnType> = T extends 'int' | 'long' | 'real'
  ? number
  : T extends 'boolean'
    ? boolean
    : T extends 'dynamic'
      ? Record<string, unknown>
      : string

type AlwaysKeys = { [K in FieldName]: (typeof FIELDS)[K] extends { always: true } ? K : never }[FieldName]

/** One security event, as built, redacted and delivered. Timestamps are ISO-8601 UTC strings with `Z`. */
export type SecurityEvent = { [K in AlwaysKeys]: FieldTs<(typeof FIELDS)[K]['type']> } & {
  [K in Exclude<FieldName, AlwaysKeys>]?: FieldTs<(typeof FIELDS)[K]['type']>
}

export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[]
