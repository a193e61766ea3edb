/**
 * Microsoft's ASIM field catalogue (spec/azure/asim-field-catalogue.csv, copied from Azure-Sentinel's
 * ASimTester.csv) and the native tables' exact columns (spec/azure/asim-tables.json), read once, and
 * the check of one projected row against both: what Microsoft's ASIM data tester would say, offline.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { AsimSchema } from '@watchpost/core/sdk'

const spec = (rel: string) => fileURLToPath(new URL(`../../../../spec/azure/${rel}`, import.meta.url))

export interface CatalogueField {
  readonly name: string
  readonly type: string
  readonly class: string
  /** Allowed values, when the catalogue enumerates them (an empty list enumerates nothing). */
  readonly values: readonly string[] | undefined
  /** For an Alias, the field it stands for; for a Conditional, the field that makes it required. */
  readonly related: string | undefined
}

/** The catalogue's fields of each schema Watchpost writes, by name. */
export const CATALOGUE: ReadonlyMap<AsimSchema, ReadonlyMap<string, CatalogueField>> = readCatalogue()

function readCatalogue(): Map<AsimSchema, Map<string, CatalogueField>> {
  const [header, ...lines] = readFileSync(spec('asim-field-catalogue.csv'), 'utf8').trim().split('\n')
  if (header !== 'ColumnName,ColumnType,Class,Schema,LogicalType,ListOfValues,Aliased')
    throw new Error(`unexpected catalogue header: ${header}`)
  const bySchema = new Map<AsimSchema, Map<string, CatalogueField>>()
  for (const line of lines) {
    // No value of the copied rows holds a comma or a quote: a plain split is the CSV parse.
    const [name, type, cls, schema, logical, list, related] = line.split(',') as string[]
    let fields = bySchema.get(schema as AsimSchema)
    if (fields === undefined) {
      fields = new Map()
      bySchema.set(schema as AsimSchema, fields)
    }
    fields.set(name!, {
      name: name!,
      type: normaliseType(type!),
      class: cls!,
      values: logical === 'Enumerated' && list !== '' ? list!.split('|').map((v) => v.trim()) : undefined,
      related: related === '' ? undefined : related,
    })
  }
  return bySchema
}

/** The catalogue's typos and logical types in the type column (spec/azure/asim-field-catalogue.md). */
function normaliseType(type: string): string {
  if (type === 'Latitude' || type === 'Longitude') return 'real'
  if (['sting', 'IP address', 'MAC address', 'City', 'Country', 'Region', ''].includes(type)) return 'string'
  return type
}

interface TableSpec {
  readonly table: string
  readonly EventSchema: AsimSchema
  readonly columns: ReadonlyArray<{ readonly name: string; readonly dcrType: string; readonly class: string }>
  readonly queryTimeAliases: readonly string[]
  readonly schemaFieldsWithoutColumn: ReadonlyArray<{ readonly name: string }>
}

const tables = (
  JSON.parse(readFileSync(spec('asim-tables.json'), 'utf8')) as { tables: Record<string, TableSpec> }
).tables

/** The native table of each schema. */
export const TABLES: ReadonlyMap<AsimSchema, TableSpec> = new Map(
  Object.values(tables).map((t) => [t.EventSchema, t]),
)

/**
 * Mandatory fields the native table has no column for, and who supplies them (spec/azure/asim-analytics.md):
 * the Web Session parser computes `Dst` from these columns, so one of them must be set.
 */
const COMPUTED_AT_QUERY_TIME: Partial<Record<AsimSchema, Record<string, readonly string[]>>> = {
  WebSession: { Dst: ['DstFQDN', 'DstHostname', 'DstIpAddr', 'DstDvcId'] },
}

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/

function typeProblem(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value !== 'string'
    case 'int':
      return !Number.isInteger(value) || (value as number) < -(2 ** 31) || (value as number) >= 2 ** 31
    case 'long':
      return !Number.isSafeInteger(value)
    case 'real':
      return typeof value !== 'number' || !Number.isFinite(value)
    case 'bool':
    case 'boolean':
      return typeof value !== 'boolean'
    case 'datetime':
      return typeof value !== 'string' || !ISO_UTC.test(value) || Number.isNaN(Date.parse(value))
    case 'dynamic':
      return typeof value !== 'object' || value === null
    default:
      return true
  }
}

/** What is wrong with one row of `schema`'s native table, by the catalogue; empty when nothing is. */
export function conformanceProblems(schema: AsimSchema, row: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = []
  const fields = CATALOGUE.get(schema)!
  const table = TABLES.get(schema)!
  const columns = new Map(table.columns.map((c) => [c.name, c]))
  const present = (name: string) => row[name] !== undefined && row[name] !== ''

  for (const [name, value] of Object.entries(row)) {
    const column = columns.get(name)
    if (column === undefined) {
      problems.push(`${name} is not a column of ${table.table}`)
      continue
    }
    if (column.class === 'System') problems.push(`${name} is filled by Log Analytics, not sent`)
    const field = fields.get(name)
    if (field?.class === 'Alias') problems.push(`${name} is a query-time alias of ${field.related}`)
    const type = field?.type ?? column.dcrType
    if (typeProblem(type, value)) problems.push(`${name}=${JSON.stringify(value)} is not a ${type}`)
    // EventVendor/EventProduct list the products Microsoft parses; a new product is a tester warning only.
    if (field?.values !== undefined && name !== 'EventVendor' && name !== 'EventProduct') {
      if (!field.values.includes(value as string))
        problems.push(`${name}=${JSON.stringify(value)} is not one of ${field.values.join('|')}`)
    }
  }

  const notColumns = new Set([
    ...table.queryTimeAliases,
    ...table.schemaFieldsWithoutColumn.map((f) => f.name),
    ...table.columns.filter((c) => c.class === 'System').map((c) => c.name),
  ])
  const computed = COMPUTED_AT_QUERY_TIME[schema] ?? {}
  for (const field of fields.values()) {
    if (field.class === 'Mandatory') {
      const sources = computed[field.name]
      if (sources !== undefined) {
        if (!sources.some(present))
          problems.push(`mandatory ${field.name} is computed from ${sources.join('|')}, all empty`)
      } else if (!columns.has(field.name)) {
        // Type, EventSchema, Dvc outside WebSession: supplied by Log Analytics or the parser.
        if (!notColumns.has(field.name)) problems.push(`mandatory ${field.name} is neither sent nor supplied`)
      } else if (!present(field.name)) {
        if (columns.get(field.name)!.class !== 'System') problems.push(`mandatory ${field.name} missing`)
      }
    }
    // A Conditional field is required once the field it qualifies is set (SrcUsername → SrcUsernameType).
    if (field.class === 'Conditional' && field.related !== undefined && present(field.related)) {
      if (columns.has(field.name) && !present(field.name))
        problems.push(`${field.name} is required when ${field.related} is set`)
    }
  }

  if (schema === 'WebSession' && row.EventResultDetails !== undefined) {
    // The Web Session schema's EventResultDetails is the HTTP status, as a string (HttpStatusCode is its alias).
    if (typeof row.EventResultDetails !== 'string' || !/^[1-5]\d\d$/.test(row.EventResultDetails))
      problems.push(`EventResultDetails=${JSON.stringify(row.EventResultDetails)} is not an HTTP status`)
  }
  return problems
}
