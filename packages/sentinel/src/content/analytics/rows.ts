/**
 * Watchpost's rows of one or more tables, each wanted field under its Watchpost name whichever
 * column (or AdditionalFields key) the table keeps it in — the common start of every query.
 * Several tables are read through a `union` of one projection each, so their columns line up.
 */
import type { AsimSchema } from '@watchpost/core/sdk'
import { fieldSource, tableOf } from './columns.js'
import { kqlList } from './kql.js'

export type Rows =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: string }

/** What to read from a table: its event types (`undefined`: every Watchpost event). */
export type TableSelection = ReadonlyMap<AsimSchema | 'custom', readonly string[] | undefined>

/** A pseudo-field: when the row reached the workspace (`ingestion_time()`, read before any projection). */
export const INGESTION_TIME = 'IngestionTime'

function tableRows(
  schema: AsimSchema | 'custom',
  events: readonly string[] | undefined,
  fields: readonly string[],
  since: string,
): Rows {
  const projected: string[] = fields.includes(INGESTION_TIME) ? [`${INGESTION_TIME} = ingestion_time()`] : []
  const expressions = new Map<string, string>()
  for (const field of new Set(['EventProduct', 'EventOriginalType', ...fields])) {
    if (field === INGESTION_TIME) continue
    const from = fieldSource(field, schema)
    if (from.kind === 'missing') return { ok: false, reason: from.reason }
    expressions.set(field, from.expression)
    if (field !== 'EventProduct')
      projected.push(from.expression === field ? field : `${field} = ${from.expression}`)
  }
  const types =
    events === undefined ? '' : ` and ${expressions.get('EventOriginalType')} in ${kqlList(events)}`
  return {
    ok: true,
    text: [
      tableOf(schema),
      `| where TimeGenerated > ago(${since})`,
      // Watchpost's rows only: an ASIM table holds every product's (EventProduct is always "Watchpost").
      `| where ${expressions.get('EventProduct')} == 'Watchpost'${types}`,
      `| project ${projected.join(', ')}`,
    ].join('\n'),
  }
}

/** The rows of `tables` since `since` (a KQL timespan expression), with `fields` projected. */
export function watchpostRows(tables: TableSelection, fields: readonly string[], since: string): Rows {
  const parts: string[] = []
  for (const [schema, events] of tables) {
    const part = tableRows(schema, events, fields, since)
    if (!part.ok) return part
    parts.push(part.text)
  }
  if (parts.length === 1) return { ok: true, text: parts[0] as string }
  const indented = parts.map((p) =>
    `(${p})`
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n'),
  )
  return { ok: true, text: `union\n${indented.join(',\n')}` }
}
