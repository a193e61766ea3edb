/**
 * Rows as the Sentinel sink sends them (and the emulator stores them) turned back into Watchpost
 * events, so that `tail` and `replay` treat every source alike. A custom-table row is the event
 * itself; an ASIM row is undone with the projection that made it (core's `ASIM_PROJECTIONS`):
 * renamed columns get their field names back (`EventOriginalUid` → `EventUid`), fields kept in
 * `AdditionalFields` come out of it, and `EventSchema` (dropped by the tables) is the projection's.
 */
import { CATALOGUE, type SecurityEvent } from '@watchpost/core'
import { ASIM_PROJECTIONS, ASIM_SCHEMAS, type AsimProjection, type AsimSchema } from '@watchpost/core/sdk'

/** Where a row came from: its table (the emulator's `_Table`) or its input stream (a spool's partition). */
export interface RowOrigin {
  readonly table?: string
  readonly stream?: string
}

const SCHEMA_OF_EVENT: ReadonlyMap<string, AsimSchema> = new Map(
  Object.values(CATALOGUE).flatMap((namespace) =>
    Object.values(namespace as Record<string, { name: string; schema: AsimSchema }>).map(
      (def) => [def.name, def.schema] as const,
    ),
  ),
)

function projectionOf(row: Record<string, unknown>, origin: RowOrigin): AsimProjection | undefined {
  const projections = ASIM_SCHEMAS.map((schema) => ASIM_PROJECTIONS[schema])
  const known = projections.find((p) => p.table === origin.table || p.inputStream === origin.stream)
  if (known !== undefined) return known
  // A row with the event's own id column is a custom-table row (or a webhook's): the event as is.
  if (row.EventUid !== undefined || row.EventOriginalUid === undefined) return undefined
  // An ASIM row on a stream the sink was configured to name otherwise: its event name says its schema.
  const schema = SCHEMA_OF_EVENT.get(String(row.EventOriginalType))
  return schema === undefined ? undefined : ASIM_PROJECTIONS[schema]
}

export function eventFromRow(row: Record<string, unknown>, origin: RowOrigin = {}): Partial<SecurityEvent> {
  const projection = projectionOf(row, origin)
  const event: Record<string, unknown> = {}
  if (projection === undefined) {
    for (const [key, value] of Object.entries(row)) if (!key.startsWith('_')) event[key] = value
    return event as Partial<SecurityEvent>
  }
  const additional =
    typeof row.AdditionalFields === 'object' && row.AdditionalFields !== null
      ? { ...(row.AdditionalFields as Record<string, unknown>) }
      : undefined
  for (const [field, placement] of Object.entries(projection.placements)) {
    if (placement.kind === 'column') {
      const value = row[placement.column]
      if (value !== undefined && value !== null) event[field] = value
    } else if (
      placement.kind === 'additional' &&
      additional !== undefined &&
      Object.hasOwn(additional, field)
    ) {
      event[field] = additional[field]
      delete additional[field]
    }
  }
  event.EventSchema = projection.schema
  if (additional !== undefined && Object.keys(additional).length > 0) event.AdditionalFields = additional
  else delete event.AdditionalFields
  return event as Partial<SecurityEvent>
}
