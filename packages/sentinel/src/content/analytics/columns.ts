/**
 * Where a query reads an event field, per table: in `custom` mode every field is a column of its
 * own name; in an ASIM table the field is a column (perhaps renamed: ActorUsername is SrcUsername
 * in ASimWebSessionLogs), a key of AdditionalFields (the table has no such column — the
 * projection put it there), or nowhere (the projection drops it). core's ASIM_PROJECTIONS is the
 * one source of these facts; the query follows it rather than assumptions.
 */
import type { FieldName } from '@watchpost/core'
import { ASIM_PROJECTIONS, type AsimSchema, CUSTOM_COLUMNS, CUSTOM_TABLE } from '@watchpost/core/sdk'

export type FieldSource =
  | { readonly kind: 'column'; readonly expression: string }
  | { readonly kind: 'missing'; readonly reason: string }

const CUSTOM = new Set<string>(CUSTOM_COLUMNS.map((c) => c.name))

/** The table of a schema in a mode. */
export function tableOf(schema: AsimSchema | 'custom'): string {
  return schema === 'custom' ? CUSTOM_TABLE : ASIM_PROJECTIONS[schema].table
}

/**
 * A KQL expression giving `field` as a string-typed column of a table's rows (`SrcUsername`,
 * `tostring(AdditionalFields.HttpRoute)`), or why the table cannot give it.
 */
export function fieldSource(field: string, schema: AsimSchema | 'custom'): FieldSource {
  if (schema === 'custom') {
    return CUSTOM.has(field)
      ? { kind: 'column', expression: field }
      : { kind: 'missing', reason: `${CUSTOM_TABLE} has no column ${field}` }
  }
  const projection = ASIM_PROJECTIONS[schema]
  const placement = projection.placements[field as FieldName]
  if (placement === undefined)
    return { kind: 'missing', reason: `${field} is not a field of Watchpost's events` }
  switch (placement.kind) {
    case 'column':
      return { kind: 'column', expression: placement.column }
    case 'additional':
      // AdditionalFields is dynamic: its keys come back as dynamic values, compared as strings.
      return { kind: 'column', expression: `tostring(AdditionalFields.${field})` }
    default:
      return {
        kind: 'missing',
        reason: `${projection.table} does not keep ${field} (the ASIM projection drops it, as the table implies it)`,
      }
  }
}
