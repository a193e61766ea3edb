/**
 * The shape of a catalogue entry and the helpers that declare its parameters. A parameter is a real,
 * typed field of the record (a column such as TargetUsername, or a typed key of AdditionalFields),
 * never an `"event:param1,param2"` string.
 */
import type { FieldName, SecurityEvent } from '../schema/fields.js'
import type { AsimSchema } from '../schema/projections.js'

export type Severity = 'Informational' | 'Low' | 'Medium' | 'High'
export type EventResult = 'Success' | 'Partial' | 'Failure' | 'NA'
/** Levels used by the OWASP Logging Vocabulary. */
export type OwaspLevel = 'INFO' | 'WARN' | 'CRITICAL'

/** How a parameter value is cleaned before it is stored (see redaction). */
export type ParamKind = 'text' | 'user' | 'ip'

/** Where a parameter is stored: record fields (several when the schema wants it twice) or an AdditionalFields key. */
export type ParamTarget = FieldName | readonly FieldName[] | `AdditionalFields.${string}`

export interface ParamDef<T = unknown, R extends boolean = boolean> {
  readonly type: 'string' | 'int' | 'boolean' | 'strings' | 'enum'
  readonly target: ParamTarget
  readonly required: R
  readonly kind: ParamKind
  readonly values?: readonly string[]
  readonly description: string
  /** Phantom: the TypeScript type of the value. */
  readonly __type?: T
}

interface ParamOpts {
  readonly kind?: ParamKind
}

function param<T>(type: ParamDef['type'], target: ParamTarget, description: string, opts?: ParamOpts) {
  return { type, target, required: false, kind: opts?.kind ?? 'text', description } as ParamDef<T, false>
}

export const p = {
  string: (target: ParamTarget, description: string, opts?: ParamOpts) =>
    param<string>('string', target, description, opts),
  user: (target: ParamTarget, description: string) =>
    param<string>('string', target, description, { kind: 'user' }),
  int: (target: ParamTarget, description: string) => param<number>('int', target, description),
  boolean: (target: ParamTarget, description: string) => param<boolean>('boolean', target, description),
  strings: (target: ParamTarget, description: string) =>
    param<readonly string[]>('strings', target, description),
  enum: <const V extends readonly string[]>(values: V, target: ParamTarget, description: string) =>
    ({ ...param<V[number]>('enum', target, description), values }) as ParamDef<V[number], false>,
  required: <T>(def: ParamDef<T, false>) => ({ ...def, required: true }) as ParamDef<T, true>,
}

export interface EventDef<P extends Record<string, ParamDef> = Record<string, ParamDef>> {
  /** OWASP vocabulary name, or a Watchpost addition in the same style. */
  readonly name: string
  readonly origin: 'owasp' | 'watchpost'
  readonly level: OwaspLevel
  /** Defaults to the level's severity: INFO → Informational, WARN → Medium, CRITICAL → High. */
  readonly severity?: Severity
  readonly schema: AsimSchema
  readonly eventType: string
  readonly eventSubType?: string
  readonly result: EventResult
  readonly resultDetails?: string
  /** Message template; `{param}` is replaced by the redacted value (or `unknown`). */
  readonly message: string
  readonly description: string
  readonly params: P
  /** Constant fields every instance carries (e.g. LogonMethod, Operation, DvcAction). */
  readonly fixed?: Partial<SecurityEvent>
  /** Result, details or severity that depend on an enum parameter's value (a failed upload check is High). */
  readonly byParam?: {
    readonly param: keyof P & string
    readonly result?: Readonly<Record<string, EventResult>>
    readonly resultDetails?: Readonly<Record<string, string>>
    readonly severity?: Readonly<Record<string, Severity>>
  }
}

/** Declares a catalogue entry, keeping its name as a literal type (for `record('authn_login_fail', …)`). */
export function defineEvent<const N extends string, const P extends Record<string, ParamDef>>(
  def: EventDef<P> & { readonly name: N },
): EventDef<P> & { readonly name: N } {
  return def
}

type ValueOf<D> = D extends ParamDef<infer T, boolean> ? T : never
type RequiredKeys<P> = { [K in keyof P]: P[K] extends ParamDef<unknown, true> ? K : never }[keyof P]
type OptionalKeys<P> = Exclude<keyof P, RequiredKeys<P>>

/** The typed parameters of an event definition. */
export type ParamsOf<D> =
  D extends EventDef<infer P>
    ? Flatten<
        { [K in RequiredKeys<P>]: ValueOf<P[K]> } & { [K in OptionalKeys<P>]?: ValueOf<P[K]> | undefined }
      >
    : never

/** One object type instead of an intersection: readable hovers, and excess-property checks on literals. */
type Flatten<T> = { [K in keyof T]: T[K] }

export const LEVEL_SEVERITY: Readonly<Record<OwaspLevel, Severity>> = {
  INFO: 'Informational',
  WARN: 'Medium',
  CRITICAL: 'High',
}
