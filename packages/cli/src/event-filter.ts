/**
 * The filters `tail` (and anything else that selects events) applies: event names with a trailing
 * `*` for a prefix (`authn_*`), a minimum severity, a source address, a correlation id. Compiled
 * once from the options; an event passes when it meets every filter given.
 */
import type { SecurityEvent, Severity } from '@watchpost/core'
import { CliError, EXIT } from './output.js'

export const SEVERITIES: readonly Severity[] = ['Informational', 'Low', 'Medium', 'High']

export interface FilterOptions {
  /** Event names (`EventOriginalType`); `name*` matches every name that starts with `name`. */
  readonly type?: readonly string[]
  /** The least severity shown. */
  readonly severity?: string
  /** `SrcIpAddr`, exactly. */
  readonly source?: string
  /** `CorrelationId`, exactly. */
  readonly correlation?: string
}

export type EventFilter = (event: Partial<SecurityEvent>) => boolean

/** For a repeatable option that also takes comma lists: `--type a,b --type c` → `[a, b, c]`. */
export function collectList(value: string, previous: readonly string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ]
}

export function compileFilter(options: FilterOptions): EventFilter {
  const checks: EventFilter[] = []
  if (options.type !== undefined && options.type.length > 0) {
    const exact = new Set(options.type.filter((t) => !t.endsWith('*')))
    const prefixes = options.type.filter((t) => t.endsWith('*')).map((t) => t.slice(0, -1))
    checks.push((event) => {
      const type = event.EventOriginalType ?? ''
      return exact.has(type) || prefixes.some((prefix) => type.startsWith(prefix))
    })
  }
  if (options.severity !== undefined) {
    const least = severityRank(options.severity)
    checks.push((event) => SEVERITIES.indexOf(event.EventSeverity as Severity) >= least)
  }
  const { source, correlation } = options
  if (source !== undefined) checks.push((event) => event.SrcIpAddr === source)
  if (correlation !== undefined) checks.push((event) => event.CorrelationId === correlation)
  return (event) => checks.every((check) => check(event))
}

/** The rank of a severity given on the command line, case-insensitively. */
function severityRank(value: string): number {
  const rank = SEVERITIES.findIndex((s) => s.toLowerCase() === value.toLowerCase())
  if (rank === -1)
    throw new CliError(
      `--severity must be one of ${SEVERITIES.join(', ')}; got ${JSON.stringify(value)}`,
      EXIT.usage,
    )
  return rank
}
