/**
 * What the compiler needs from the event catalogue: each event's ASIM schema and the highest
 * severity it can be recorded with (its default, or a higher one some parameter value gives it).
 */
import { CATALOGUE } from '@watchpost/core'
import type { AsimSchema } from '@watchpost/core/sdk'
import type { AlertSeverity } from './types.js'

export interface EventFacts {
  readonly schema: AsimSchema
  readonly severity: AlertSeverity
}

export const SEVERITY_ORDER: readonly AlertSeverity[] = ['Informational', 'Low', 'Medium', 'High']
// The catalogue's level → severity default (core events/define.ts, LEVEL_SEVERITY).
const LEVEL_SEVERITY: Readonly<Record<string, AlertSeverity>> = {
  INFO: 'Informational',
  WARN: 'Medium',
  CRITICAL: 'High',
}

export function highest(severities: Iterable<AlertSeverity>): AlertSeverity {
  let top = 0
  for (const s of severities) top = Math.max(top, SEVERITY_ORDER.indexOf(s))
  return SEVERITY_ORDER[top] as AlertSeverity
}

interface CatalogueEntry {
  readonly name: string
  readonly level: string
  readonly severity?: AlertSeverity
  readonly schema: AsimSchema
  readonly byParam?: { readonly severity?: Readonly<Record<string, AlertSeverity>> }
}

export const EVENT_FACTS: ReadonlyMap<string, EventFacts> = new Map(
  Object.values(CATALOGUE)
    .flatMap((namespace) => Object.values(namespace) as CatalogueEntry[])
    .map((def) => {
      const base = def.severity ?? LEVEL_SEVERITY[def.level] ?? 'Medium'
      const severity = highest([base, ...Object.values(def.byParam?.severity ?? {})])
      return [def.name, { schema: def.schema, severity }] as const
    }),
)
