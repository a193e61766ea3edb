/** Public types of @watchpost/emulator. */

/** DCR column types (logs-ingestion-api.md §4). */
export type DcrColumnType = 'string' | 'int' | 'long' | 'real' | 'boolean' | 'datetime' | 'dynamic'

export interface DcrColumn {
  readonly name: string
  readonly type: DcrColumnType
}

/**
 * The part of a data collection rule the emulator reads: the ARM body's `properties` (or the whole
 * ARM body, `{ properties: … }`). Only `transformKql: "source"` (or none) is supported.
 */
export interface DcrDefinition {
  readonly immutableId?: string
  readonly streamDeclarations: Readonly<Record<string, { readonly columns: readonly DcrColumn[] }>>
  readonly dataFlows: ReadonlyArray<{
    readonly streams: readonly string[]
    readonly outputStream?: string
    readonly transformKql?: string
    readonly destinations?: readonly string[]
  }>
}

/** One input stream as the emulator enforces it. */
export interface StreamInfo {
  readonly name: string
  readonly columns: readonly DcrColumn[]
  /** Output tables (from `dataFlows[].outputStream` without its `Microsoft-`/`Custom-` prefix). */
  readonly tables: readonly string[]
}

/** `strict`: a column the stream does not declare is a 400. `lenient`: it is dropped (as Azure is believed to). */
export type ValidationMode = 'strict' | 'lenient'

/** Which rows the `reject` fault answers with 400: a column/value match, or a function (code only). */
export type RejectRule =
  | { readonly column: string; readonly equals: unknown }
  | { readonly column: string; readonly pattern: string }
  | ((row: Readonly<Record<string, unknown>>, index: number, stream: string) => boolean)

/**
 * Faults applied to ingestion requests (`POST /dataCollectionRules/…`). `share` is the fraction of
 * requests affected (0–1, default 1); `seconds` limits a fault to that long after it is set (default:
 * until cleared). All draws come from one PRNG seeded by `seed`, so a seeded run is repeatable.
 */
export interface FaultConfig {
  readonly seed?: number
  /** Stop listening (connection refused), for `seconds` or until cleared; reopens on the same port. */
  readonly down?: true | { readonly seconds?: number }
  /** 429; `retryAfterSeconds: null` sends no `Retry-After` (the real client then does not retry). */
  readonly throttle?: {
    readonly retryAfterSeconds?: number | null
    readonly seconds?: number
    readonly share?: number
  }
  /** 500 or 503 (default 503) for a share of requests; `retryAfterSeconds` adds the header. */
  readonly serverErrors?: {
    readonly share?: number
    readonly status?: 500 | 503
    readonly retryAfterSeconds?: number
    readonly seconds?: number
  }
  /** Delay the response by `delayMs`. */
  readonly slow?: { readonly delayMs: number; readonly share?: number; readonly seconds?: number }
  /** Destroy the socket; `afterStore: true` stores the rows first (the client sees a failure of a success). */
  readonly reset?: { readonly share?: number; readonly afterStore?: boolean; readonly seconds?: number }
  /** 400 `RowRejected` for a request holding a row that matches. */
  readonly reject?: RejectRule
  /**
   * Entra fails while ingestion keeps working — every route the credentials use (OpenID discovery,
   * keys, the token endpoint, managed identity): `reset` destroys the connection, `hang` never
   * answers (the connection is reset when the faults are next set or cleared), `unavailable`
   * answers 503 `temporarily_unavailable`. Not drawn by `share`: every token request fails.
   */
  readonly token?: { readonly mode: TokenFaultMode; readonly seconds?: number }
  /**
   * The app registration's client secret has passed its end date: a token request with the right
   * secret gets 401 `invalid_client` AADSTS7000222, as Entra answers an expired secret. A wrong
   * secret still gets AADSTS7000215; federated assertions and managed identity are not affected.
   */
  readonly secretExpired?: true | { readonly seconds?: number }
  /**
   * The principal holds no Monitoring Metrics Publisher role on the DCR (never assigned, removed, or
   * assigned less than ~30 minutes ago): every ingestion request with a valid token, for an existing
   * DCR and stream, gets 403 `OperationFailed`, as `allowedPrincipals` does for principals it omits.
   */
  readonly roleMissing?: true | { readonly seconds?: number }
}

export type TokenFaultMode = 'reset' | 'hang' | 'unavailable'

export interface EmulatorOptions {
  /** Default 0 (any free port). */
  readonly port?: number
  /** Default `127.0.0.1`. */
  readonly host?: string
  /** Where the CA, the server certificate and the token signing key live. Default `.watchpost/emulator/tls` under cwd. */
  readonly tlsDir?: string
  /** SQLite file; default in memory. */
  readonly dbPath?: string
  /** Default `strict`. */
  readonly mode?: ValidationMode
  /** Default: generated from `@watchpost/core`'s ASIM projections and custom table. */
  readonly dcr?: DcrDefinition | { readonly properties: DcrDefinition }
  readonly dcrImmutableId?: string
  readonly tenantId?: string
  readonly clientId?: string
  readonly clientSecret?: string
  /** `x-identity-header` value the managed identity endpoint requires. */
  readonly identityHeader?: string
  /** Simulated RBAC: only these `appid`/`oid` values may ingest; others get 403. Default: everyone. */
  readonly allowedPrincipals?: readonly string[]
  /** A missing `TimeGenerated` is a 400 (default true); false fills in the ingestion time. */
  readonly requireTimeGenerated?: boolean
  /** Per-DCR limits (logs-ingestion-api.md §2); over them: 429 with `Retry-After`. */
  readonly limits?: { readonly requestsPerMinute?: number; readonly bytesPerMinute?: number }
  /** Token lifetime in seconds (default 3599; MSAL treats < 300 s as expired). */
  readonly tokenLifetimeSeconds?: number
  readonly faults?: FaultConfig
}

/** A row as stored: the declared columns that had a value, plus the emulator's own columns. */
export type StoredRow = Record<string, unknown> & {
  readonly _Table: string
  readonly _Stream: string
  readonly _IngestionTime: string
}

export interface RowQuery {
  readonly table?: string
  /** Matches `EventUid` (custom table) or `EventOriginalUid` (ASIM tables). */
  readonly eventUid?: string
}

export interface EmulatorStore {
  readonly tables: readonly string[]
  rows(query?: RowQuery): StoredRow[]
  /** Rows per table (every table of the DCR, zero included). */
  counts(): Record<string, number>
  clear(): void
}

/** One ingestion request as the emulator saw it (for counting retries). */
export interface RequestRecord {
  readonly time: string
  readonly path: string
  readonly stream: string | undefined
  readonly clientRequestId: string | undefined
  readonly status: number | 'reset'
  readonly errorCode: string | undefined
  readonly rows: number
}

export interface TokenClaimsOptions {
  readonly audience?: string
  /** Seconds from now; negative for an expired token. Default the configured lifetime. */
  readonly expiresInSeconds?: number
  /** Seconds from now for `nbf`. Default -60. */
  readonly notBeforeSeconds?: number
  readonly appId?: string
}

export interface Emulator {
  /** `https://127.0.0.1:PORT` — the ingestion endpoint and the authority host. */
  readonly url: string
  readonly port: number
  readonly caPath: string
  readonly caPem: string
  readonly tenantId: string
  readonly clientId: string
  readonly clientSecret: string
  readonly identityHeader: string
  readonly dcrImmutableId: string
  readonly mode: ValidationMode
  readonly streams: Readonly<Record<string, StreamInfo>>
  /** Environment lines that point an app (and the Azure clients) at the emulator. */
  readonly env: Readonly<Record<string, string>>
  readonly store: EmulatorStore
  /** Replaces the active faults. */
  setFaults(faults: FaultConfig): Promise<void>
  clearFaults(): Promise<void>
  faults(): FaultConfig
  /** Ingestion requests seen since start (or since `clearRequests`). */
  requests(): RequestRecord[]
  clearRequests(): void
  /** A token signed by the emulator's key, as its token endpoint would issue (for raw HTTP tests). */
  issueToken(options?: TokenClaimsOptions): Promise<string>
  close(): Promise<void>
}
