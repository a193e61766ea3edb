/**
 * Projections of the canonical record (fields.ts) to the custom table and to the four ASIM tables.
 * A field goes to the ASIM column of the same name and type when the table has one, to an explicit
 * rename (below) otherwise, and else into AdditionalFields under its own name — nothing is lost.
 * Column facts come from asim-columns.generated.ts (generated from spec/azure/asim-tables.json).
 */
import { WatchpostError } from '../errors.js'
import { ASIM_TABLES } from './asim-columns.generated.js'
import { type ColumnType, FIELD_NAMES, FIELDS, type FieldName, type SecurityEvent } from './fields.js'

export type AsimSchema = keyof typeof ASIM_TABLES
export const ASIM_SCHEMAS = Object.keys(ASIM_TABLES) as AsimSchema[]

/** The custom table used by `tables: custom` (every field a column). */
export const CUSTOM_TABLE = 'WatchpostSecurityEvents_CL'
export const CUSTOM_STREAM = 'Custom-WatchpostSecurityEvents'

/**
 * Renames where an ASIM table names our field differently. `null` drops a field the table implies
 * (EventSchema is set by the ASIM parser from the table; Dvc is a query-time alias outside WebSession).
 * The ASIM tables have no EventUid column: it travels as EventOriginalUid.
 */
const RENAMES: Record<AsimSchema, Partial<Record<FieldName, string | null>>> = {
  WebSession: {
    EventUid: 'EventOriginalUid',
    EventSchema: null,
    AppName: 'DstAppName',
    ActorUsername: 'SrcUsername',
  },
  Authentication: {
    EventUid: 'EventOriginalUid',
    EventSchema: null,
    Dvc: null,
    AppName: 'TargetAppName',
    Url: 'TargetUrl',
  },
  AuditEvent: {
    EventUid: 'EventOriginalUid',
    EventSchema: null,
    Dvc: null,
    AppName: 'TargetAppName',
    Url: 'TargetUrl',
  },
  UserManagement: {
    EventUid: 'EventOriginalUid',
    Dvc: null,
    OldValue: 'PreviousPropertyValue',
    NewValue: 'NewPropertyValue',
  },
}

/**
 * Columns a row gets from another of its columns. Microsoft's ASIM field catalogue makes a
 * Conditional field required once the field it qualifies is set (a user name's type with the user
 * name, an app's type with the app name), and the Web Session parser computes the Mandatory `Dst`
 * from DstFQDN/DstHostname/DstIpAddr/DstDvcId: for a web server's own session the destination is
 * the app host (spec/azure/asim-field-catalogue.md, spec/azure/asim-analytics.md).
 */
export interface DerivedColumn {
  readonly column: string
  readonly from: string
  readonly value: (from: string) => string
}

const DERIVED: ReadonlyArray<DerivedColumn & { readonly schemas?: readonly AsimSchema[] }> = [
  { column: 'ActorUsernameType', from: 'ActorUsername', value: usernameType },
  { column: 'TargetUsernameType', from: 'TargetUsername', value: usernameType },
  { column: 'SrcUsernameType', from: 'SrcUsername', value: usernameType },
  // The target of a sign-in or an audited action is the app itself, a service (ASIM AppType).
  { column: 'TargetAppType', from: 'TargetAppName', value: () => 'Service' },
  { column: 'DstHostname', from: 'DvcHostname', value: (host) => host, schemas: ['WebSession'] },
]

/** ASIM UsernameType of a user name: UPN (`a@b`), Windows (`DOMAIN\a`), DN (`CN=a,…`), else Simple (a keyed hash too). */
function usernameType(name: string): 'UPN' | 'Windows' | 'DN' | 'Simple' {
  if (/^[^@\s]+@[^@\s]+$/.test(name)) return 'UPN'
  if (/^[^\\\s]+\\[^\\\s]+$/.test(name)) return 'Windows'
  if (/^(CN|OU|DC|UID)=[^,]+(,|$)/i.test(name)) return 'DN'
  return 'Simple'
}

/** Where one field goes in one table: a column, AdditionalFields (`additional`), or nowhere (`drop`). */
export type FieldPlacement =
  | { readonly kind: 'column'; readonly column: string }
  | { readonly kind: 'additional' }
  | { readonly kind: 'drop' }

export interface AsimProjection {
  readonly schema: AsimSchema
  readonly table: string
  /** The DCR input stream Watchpost sends this schema's rows to (`Custom-Watchpost<Schema>`). */
  readonly inputStream: string
  /** The DCR output stream of the ASIM table (`Microsoft-ASim…Logs`). */
  readonly outputStream: string
  readonly schemaVersion: string
  readonly placements: Readonly<Record<FieldName, FieldPlacement>>
  /** Columns set from another column of the row (a user name's type, the web session's destination). */
  readonly derived: readonly DerivedColumn[]
  /** The DCR stream declaration's columns for this projection (name → type), in a stable order. */
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: ColumnType }>
}

function compileProjection(schema: AsimSchema): AsimProjection {
  const spec = ASIM_TABLES[schema]
  const tableColumns: Readonly<Record<string, ColumnType>> = spec.columns
  const renames = RENAMES[schema]
  const placements = {} as Record<FieldName, FieldPlacement>
  const columns: Array<{ name: string; type: ColumnType }> = []
  for (const name of FIELD_NAMES) {
    const renamed = renames[name]
    if (renamed === null) {
      placements[name] = { kind: 'drop' }
      continue
    }
    const column = renamed ?? name
    if (tableColumns[column] === FIELDS[name].type) {
      placements[name] = { kind: 'column', column }
      columns.push({ name: column, type: FIELDS[name].type })
    } else if (renamed !== undefined) {
      throw new WatchpostError(
        'ERR_WATCHPOST_SCHEMA_PROJECTION_INVALID',
        `${schema} projection renames ${name} to ${column}, which the table lacks`,
      )
    } else {
      placements[name] = { kind: 'additional' }
    }
  }
  const sent = new Set(columns.map((c) => c.name))
  const derived: DerivedColumn[] = []
  for (const { schemas, ...d } of DERIVED) {
    const type = tableColumns[d.column]
    if ((schemas !== undefined && !schemas.includes(schema)) || type === undefined || !sent.has(d.from))
      continue
    derived.push(d)
    columns.push({ name: d.column, type })
  }
  return {
    schema,
    table: spec.table,
    inputStream: `Custom-Watchpost${schema}`,
    outputStream: spec.outputStream,
    schemaVersion: spec.schemaVersion,
    placements,
    derived,
    columns,
  }
}

export const ASIM_PROJECTIONS: Readonly<Record<AsimSchema, AsimProjection>> = {
  WebSession: compileProjection('WebSession'),
  Authentication: compileProjection('Authentication'),
  AuditEvent: compileProjection('AuditEvent'),
  UserManagement: compileProjection('UserManagement'),
}

/** Column list of the custom table / its DCR stream: every field of the record. */
export const CUSTOM_COLUMNS: ReadonlyArray<{
  readonly name: FieldName
  readonly type: ColumnType
  readonly description: string
}> = FIELD_NAMES.map((name) => ({ name, type: FIELDS[name].type, description: FIELDS[name].description }))

/** Row for the ASIM table of the event's schema. Off the request path (delivery side). */
export function projectToAsim(event: SecurityEvent): {
  readonly projection: AsimProjection
  readonly row: Record<string, unknown>
} {
  const projection = ASIM_PROJECTIONS[event.EventSchema as AsimSchema]
  const row: Record<string, unknown> = {}
  let additional: Record<string, unknown> | undefined
  const source = event as Record<string, unknown>
  // The record's own keys (a couple of dozen) rather than every field of the schema; a key the
  // schema does not know (a damaged record) has no placement and is left out.
  for (const name in source) {
    const value = source[name]
    if (value === undefined || name === 'AdditionalFields') continue
    const placement = projection.placements[name as FieldName]
    if (placement === undefined) continue
    if (placement.kind === 'column') row[placement.column] = value
    else if (placement.kind === 'additional') {
      additional ??= {}
      additional[name] = value
    }
  }
  for (const d of projection.derived) {
    const from = row[d.from]
    if (typeof from === 'string' && from !== '') row[d.column] = d.value(from)
  }
  if (event.AdditionalFields !== undefined || additional !== undefined) {
    row.AdditionalFields =
      additional === undefined ? event.AdditionalFields : { ...event.AdditionalFields, ...additional }
  }
  return { projection, row }
}

/** One input stream of a data collection rule, as Watchpost sends to it. */
export interface DcrStream {
  /** The input stream (`Custom-Watchpost<Schema>`, or `Custom-WatchpostSecurityEvents`). */
  readonly stream: string
  /** Its stream declaration's columns. */
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: ColumnType }>
  /** Where its data flow sends it (`Microsoft-ASim…Logs`, `Custom-WatchpostSecurityEvents_CL`). */
  readonly outputStream: string
  /** The sink's `streams` key for it: the ASIM schema, or `custom`. */
  readonly key: AsimSchema | 'custom'
}

/**
 * The streams a data collection rule needs for a table mode: the one description the deployment
 * templates and the emulator's default rule are both made from (rows are sent already in the
 * table's shape, so each data flow passes them through).
 */
export function dcrStreams(tables: 'asim' | 'custom'): readonly DcrStream[] {
  if (tables === 'custom')
    return [
      {
        stream: CUSTOM_STREAM,
        columns: CUSTOM_COLUMNS,
        outputStream: `Custom-${CUSTOM_TABLE}`,
        key: 'custom',
      },
    ]
  return ASIM_SCHEMAS.map((schema) => {
    const p = ASIM_PROJECTIONS[schema]
    return { stream: p.inputStream, columns: p.columns, outputStream: p.outputStream, key: schema }
  })
}
