/**
 * A Watchpost rule as KQL: the query counts what the in-process engine counts (core
 * rules/engine.ts) — the same event types, `where` conditions, groups, weights (an aggregated
 * event counts as its EventCount) or exact distinct values, over the same sliding window, in the
 * same working hours — over Watchpost's rows only (`EventProduct == 'Watchpost'`, as every event
 * carries it), from the ASIM tables of the counted events or from the custom table.
 *
 * Shape: `counted` (the rows the rule counts, each field under its Watchpost name, whichever
 * column or AdditionalFields key the table keeps it in); `candidates` (groups that reach the
 * threshold over the whole period: cheap, and it leaves only the few groups worth the exact
 * count); then, for each counted event of a candidate group that reached the workspace during the
 * last `frequency`, the events of the `window` before it (schedule.ts explains why this is the app's sliding window). One row
 * per group: the window with the highest count.
 */
import { type AsimSchema, ENGINE_EVENTS, type ResolvedRule } from '@watchpost/core/sdk'
import { tableOf } from './columns.js'
import { EVENT_FACTS } from './events.js'
import { commentText, kqlList, kqlString } from './kql.js'
import { INGESTION_TIME, watchpostRows } from './rows.js'
import { DELAY_MINUTES, type Schedule, scheduleFor } from './schedule.js'
import type { TableMode } from './types.js'

/** Columns every compiled query returns besides the group's. */
export const RESULT_COLUMNS = {
  count: 'Count',
  threshold: 'Threshold',
  windowStart: 'WindowStart',
  windowEnd: 'WindowEnd',
  host: 'DvcHostname',
  hosts: 'Hosts',
  eventTypes: 'EventTypes',
  distinctValues: 'DistinctValues',
} as const

export interface CompiledQuery {
  readonly query: string
  readonly schedule: Schedule
  /** The group's columns, named as the rule's groupBy. */
  readonly groupBy: readonly string[]
  /** Tables read. */
  readonly tables: readonly string[]
}

export type QueryResult =
  | ({ readonly ok: true } & CompiledQuery)
  | { readonly ok: false; readonly reason: string }

/** Days as KQL's dayofweek counts them (days since Sunday). */
const DAY_NUMBER: Readonly<Record<string, number>> = {
  sun: 0,
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
}
/** Host names kept per alert, and distinct values shown as a sample. */
const SAMPLE = 10

const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5))

/** The rule as a KQL query over `tables`, or why it has none. */
export function compileQuery(rule: ResolvedRule, tables: TableMode): QueryResult {
  const unknown = rule.events.filter((e) => !EVENT_FACTS.has(e))
  if (unknown.length > 0) return { ok: false, reason: `counts unknown events: ${unknown.join(', ')}` }
  // The engine never counts its own firings and refusals (no rule feeds on another's output).
  const counted = rule.events.filter((e) => !ENGINE_EVENTS.has(e))
  if (counted.length === 0)
    return {
      ok: false,
      reason: `counts only ${rule.events.join(', ')}, which the app's rules engine never counts (its own firings and refusals)`,
    }
  const schedule = scheduleFor(rule.windowSeconds)
  const groupBy = [...rule.groupBy]
  const where = rule.where ?? []
  const fields = [
    ...new Set([
      'TimeGenerated',
      INGESTION_TIME,
      'EventUid',
      'EventOriginalType',
      'EventCount',
      'DvcHostname',
      ...groupBy,
      ...(rule.distinct === undefined ? [] : [rule.distinct]),
      ...where.map((w) => w.field),
    ]),
  ]

  // The tables of the counted events: one per ASIM schema (a rule may count audit and
  // user-management events, which land in two tables), or the custom table.
  const bySchema = new Map<AsimSchema | 'custom', string[]>()
  for (const name of counted) {
    const schema = tables === 'custom' ? 'custom' : (EVENT_FACTS.get(name)?.schema as AsimSchema)
    bySchema.set(schema, [...(bySchema.get(schema) ?? []), name])
  }
  const rows = watchpostRows(bySchema, fields, 'window + frequency + delay')
  if (!rows.ok) return { ok: false, reason: rows.reason }

  const filters: string[] = []
  for (const w of where) filters.push(`| where ${w.field} in ${kqlList(w.in)}`)
  // A group (and a distinct value) must be there: the engine skips events without one.
  const needed = [...groupBy, ...(rule.distinct === undefined ? [] : [rule.distinct])]
  filters.push(`| where ${needed.map((f) => `isnotempty(${f})`).join(' and ')}`)
  const hours = rule.outsideHours
  if (hours !== undefined) {
    // Working hours in the rule's time zone, as core rules/hours.ts decides them.
    const from = minutesOf(hours.from)
    const to = minutesOf(hours.to)
    const days = hours.days.map((d) => DAY_NUMBER[d] as number).join(', ')
    const inside =
      from < to
        ? `LocalMinute >= ${from} and LocalMinute < ${to}`
        : `(LocalMinute >= ${from} or LocalMinute < ${to})`
    filters.push(
      `| extend LocalTime = datetime_utc_to_local(TimeGenerated, ${kqlString(hours.timezone)})`,
      `| extend LocalDay = toint(dayofweek(LocalTime) / 1d), LocalMinute = hourofday(LocalTime) * 60 + datetime_part('minute', LocalTime)`,
      `| where not(LocalDay in (${days}) and ${inside})`,
    )
  }
  // Delivery is at least once: a re-sent event is a second row with the same EventUid (the ASIM
  // tables' EventOriginalUid), which the engine, keyed by EventUid, counted once. Its first
  // arrival is kept, so it ends a window in one run only.
  filters.push(`| summarize arg_min(${INGESTION_TIME}, *) by EventUid`)
  const distinct = rule.distinct
  // An aggregated event stands for EventCount events (the engine's weight); a distinct count
  // counts each value once, exactly (count_distinct: dcount is an estimate; spec/azure/sentinel-rules.md §3).
  if (distinct === undefined) filters.push('| extend Weight = iff(EventCount > 1, toint(EventCount), 1)')
  const measure = distinct === undefined ? 'sum(Weight)' : `count_distinct(${distinct})`
  const keys = groupBy.join(', ')
  const C = RESULT_COLUMNS
  const sample = distinct === undefined ? '' : `, ${C.distinctValues} = make_set(${distinct}, ${SAMPLE})`
  const what =
    distinct === undefined
      ? `at least ${rule.threshold} event${rule.threshold === 1 ? '' : 's'}`
      : `at least ${rule.threshold} distinct ${distinct} values`

  const query = [
    `// Watchpost rule ${rule.id}${rule.title === undefined ? '' : ` (${commentText(rule.title)})`}: ${what} within ${rule.windowSeconds} s per ${groupBy.join(', ')}.`,
    `let window = ${rule.windowSeconds}s;`,
    `let frequency = ${schedule.frequencyMinutes}m;`,
    `let delay = ${DELAY_MINUTES}m;`,
    `let threshold = ${rule.threshold};`,
    `let counted = ${rows.text}`,
    ...filters.map((f, i) => (i === filters.length - 1 ? `${f};` : f)),
    '// Groups that reach the threshold over the whole period: only they need the exact window count.',
    'let candidates = counted',
    `| summarize Total = ${measure} by ${keys}`,
    '| where Total >= threshold',
    `| project ${keys};`,
    `let rows = materialize(counted | join kind=leftsemi candidates on ${keys});`,
    '// Each counted event that arrived since the last run ends a window; count the window before it.',
    'rows',
    `| where ${INGESTION_TIME} > ago(frequency)`,
    `| summarize by ${keys}, ${C.windowEnd} = TimeGenerated`,
    `| join kind=inner rows on ${keys}`,
    `| where TimeGenerated > ${C.windowEnd} - window and TimeGenerated <= ${C.windowEnd}`,
    `| summarize ${C.count} = ${measure}, ${C.hosts} = make_set(DvcHostname, ${SAMPLE}), ${C.eventTypes} = make_set(EventOriginalType)${sample} by ${keys}, ${C.windowEnd}`,
    `| where ${C.count} >= threshold`,
    `| summarize arg_max(${C.count}, ${C.windowEnd}, ${C.hosts}, ${C.eventTypes}${distinct === undefined ? '' : `, ${C.distinctValues}`}) by ${keys}`,
    `| extend ${C.threshold} = threshold, ${C.windowStart} = ${C.windowEnd} - window, ${C.host} = tostring(${C.hosts}[0])`,
    `| project ${keys}, ${C.count}, ${C.threshold}, ${C.windowStart}, ${C.windowEnd}, ${C.host}, ${C.hosts}, ${C.eventTypes}${distinct === undefined ? '' : `, ${C.distinctValues}`}`,
  ].join('\n')
  return { ok: true, query, schedule, groupBy, tables: [...bySchema.keys()].map(tableOf) }
}
