/**
 * Watchpost rules as Sentinel scheduled analytics rules (the Azure-Sentinel repository's YAML
 * shape, spec/azure/sentinel-rules.md §1): the query (query.ts) carries the threshold, so the rule
 * fires on any result (`gt 0`), one alert per group (`AlertPerResult`); entities, details and the
 * alert's title come from the query's columns.
 */
import { ASIM_PROJECTIONS, type ResolvedRule } from '@watchpost/core/sdk'
import { attackOfRule } from './attack.js'
import { analyticsRuleId } from './content-id.js'
import { EVENT_FACTS, highest } from './events.js'
import { compileQuery, RESULT_COLUMNS } from './query.js'
import { yamlDuration } from './schedule.js'
import type {
  AlertSeverity,
  AnalyticsRule,
  CompiledRule,
  CompileResult,
  EntityMapping,
  NotCompilable,
  TableMode,
} from './types.js'

/** Room kept in a description for what Watchpost adds to the rule's own (limit 5,000). */
const OWN_DESCRIPTION_MAX = 4000

/** The display name of the Sentinel rule compiled from a Watchpost rule. */
export function sentinelRuleName(rule: Pick<ResolvedRule, 'id' | 'title'>): string {
  return `Watchpost: ${rule.title ?? rule.id}`
}

/**
 * Display names of the Sentinel rules compiled from `rules` (Watchpost rule id → name), for
 * the rules that compile in `tables` mode: what the SOC sees when a rule of the app fires.
 */
export function sentinelRuleNames(
  rules: readonly ResolvedRule[],
  tables: TableMode = 'asim',
): Map<string, string> {
  return new Map(compileAnalyticsRules(rules, tables).rules.map((r) => [r.ruleId, r.analytics.name]))
}

/** `600` → `10 minutes`. */
export function windowInWords(seconds: number): string {
  const [n, unit] =
    seconds % 3600 === 0
      ? [seconds / 3600, 'hour']
      : seconds % 60 === 0
        ? [seconds / 60, 'minute']
        : [seconds, 'second']
  return `${n} ${unit}${n === 1 ? '' : 's'}`
}

/** Placeholders are `{{Column}}`: text of the rule's own must not add any. */
const noPlaceholders = (text: string) => text.replace(/\{\{/g, '{ {').replace(/\}\}/g, '} }')

function entityMappings(groupBy: readonly string[]): EntityMapping[] {
  const mappings: EntityMapping[] = []
  for (const field of groupBy) {
    if (field === 'SrcIpAddr')
      mappings.push({ entityType: 'IP', fieldMappings: [{ identifier: 'Address', columnName: field }] })
    else if (field === 'TargetUsername' || field === 'ActorUsername')
      mappings.push({ entityType: 'Account', fieldMappings: [{ identifier: 'Name', columnName: field }] })
    else if (field === 'Url')
      mappings.push({ entityType: 'URL', fieldMappings: [{ identifier: 'Url', columnName: field }] })
  }
  // The app's host (the first of the window's; every host is in the Hosts detail).
  mappings.push({
    entityType: 'Host',
    fieldMappings: [{ identifier: 'HostName', columnName: RESULT_COLUMNS.host }],
  })
  return mappings
}

function describe(rule: ResolvedRule, severity: AlertSeverity): string {
  const own = noPlaceholders(rule.description ?? rule.title ?? rule.id)
  const counted =
    rule.distinct === undefined
      ? `${rule.threshold} or more of its events (${rule.events.join(', ')})`
      : `${rule.threshold} or more distinct ${rule.distinct} values in its events (${rule.events.join(', ')})`
  return [
    own.length > OWN_DESCRIPTION_MAX ? `${own.slice(0, OWN_DESCRIPTION_MAX - 1)}…` : own,
    '',
    `Compiled from the Watchpost rule ${rule.id}: fires when ${counted} fall within ${windowInWords(rule.windowSeconds)} for one ${rule.groupBy.join(' and ')}` +
      `${rule.outsideHours === undefined ? '' : `, outside working hours (${rule.outsideHours.from}–${rule.outsideHours.to} ${rule.outsideHours.timezone}, ${rule.outsideHours.days.join(' ')})`}` +
      ` — the threshold the app applies in process. Severity ${severity}.`,
  ].join('\n')
}

/** The analytics rule of one Watchpost rule, or why there is none. */
export function compileAnalyticsRule(
  rule: ResolvedRule,
  tables: TableMode,
): { ok: true; rule: CompiledRule } | { ok: false; problem: NotCompilable } {
  const compiled = compileQuery(rule, tables)
  if (!compiled.ok) return { ok: false, problem: { ruleId: rule.id, reason: compiled.reason } }
  const facts = rule.events.map((e) => EVENT_FACTS.get(e)).filter((f) => f !== undefined)
  // The app's derived event takes the rule's severity, else the counted event's: the highest it
  // can be is the one a query without the event in hand can promise.
  const severity = rule.severity ?? highest(facts.map((f) => f.severity))
  const { tactics, techniques } = attackOfRule(rule)
  const C = RESULT_COLUMNS
  const groupPlaceholders = rule.groupBy.map((g) => `{{${g}}}`)
  const title = noPlaceholders(rule.title ?? rule.id)
  const measured = rule.distinct === undefined ? 'events' : `distinct ${rule.distinct} values`
  const customDetails: Record<string, string> = {
    [C.count]: C.count,
    [C.threshold]: C.threshold,
    [C.windowStart]: C.windowStart,
    [C.windowEnd]: C.windowEnd,
    [C.hosts]: C.hosts,
    [C.eventTypes]: C.eventTypes,
  }
  if (rule.distinct !== undefined) customDetails[C.distinctValues] = C.distinctValues
  for (const g of rule.groupBy) customDetails[g] = g
  const schemas = [...new Set(facts.map((f) => f.schema))]
  const analytics: AnalyticsRule = {
    id: analyticsRuleId(rule.id),
    name: sentinelRuleName(rule),
    description: describe(rule, severity),
    severity,
    requiredDataConnectors: [],
    queryFrequency: yamlDuration(compiled.schedule.frequencyMinutes),
    queryPeriod: yamlDuration(compiled.schedule.periodMinutes),
    triggerOperator: 'gt',
    triggerThreshold: 0,
    tactics,
    relevantTechniques: techniques,
    query: compiled.query,
    entityMappings: entityMappings(rule.groupBy),
    customDetails,
    alertDetailsOverride: {
      // At most 3 placeholders each (groupBy has at most 3 fields; the description takes 2).
      alertDisplayNameFormat: `${title}: ${groupPlaceholders.join(', ')}`,
      alertDescriptionFormat: `{{${C.count}}} ${measured} within ${windowInWords(rule.windowSeconds)} (threshold ${rule.threshold}) for ${rule.groupBy
        .slice(0, 2)
        .map((g, i) => `${g} ${groupPlaceholders[i]}`)
        .join(', ')}.`,
    },
    eventGroupingSettings: { aggregationKind: 'AlertPerResult' },
    ...(tables === 'asim'
      ? {
          tags: schemas.map((s) => ({ Schema: s, SchemaVersion: ASIM_PROJECTIONS[s].schemaVersion })),
        }
      : {}),
    version: '1.0.0',
    kind: 'Scheduled',
  }
  return { ok: true, rule: { ruleId: rule.id, tables, analytics } }
}

/** The analytics rules of `rules` in `tables` mode, and the rules that have none (with why). */
export function compileAnalyticsRules(rules: readonly ResolvedRule[], tables: TableMode): CompileResult {
  const compiled: CompiledRule[] = []
  const notCompilable: NotCompilable[] = []
  for (const rule of rules) {
    const result = compileAnalyticsRule(rule, tables)
    if (result.ok) compiled.push(result.rule)
    else notCompilable.push(result.problem)
  }
  return { rules: compiled, notCompilable }
}
