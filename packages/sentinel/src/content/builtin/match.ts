/**
 * Which of Microsoft's built-in ASIM analytics rules a set of Watchpost's rows would make fire: the
 * rows as `projectToAsim` returns them, each rule's condition as its file states it
 * (spec/azure/asim-analytics.md). For tests, demos and docs — an offline answer to "does the SOC's
 * existing content see this attack?", not a KQL engine.
 */
import { AUTHENTICATION_RULES } from './authentication.js'
import type { BuiltinAsimRule, BuiltinRuleMatch, ProjectedRow } from './types.js'
import { WEB_SESSION_RULES } from './web-session.js'

/** The built-in rules evaluated here, Web Session then Authentication. */
export const BUILTIN_ASIM_RULES: readonly BuiltinAsimRule[] = [...WEB_SESSION_RULES, ...AUTHENTICATION_RULES]

/** The built-in rules whose conditions the rows meet, in BUILTIN_ASIM_RULES order, with the groups that meet them. */
export function matchBuiltinAsimRules(rows: Iterable<ProjectedRow>): BuiltinRuleMatch[] {
  const bySchema = new Map<string, Array<Readonly<Record<string, unknown>>>>()
  for (const { projection, row } of rows) {
    let list = bySchema.get(projection.schema)
    if (list === undefined) {
      list = []
      bySchema.set(projection.schema, list)
    }
    list.push(row)
  }
  const matches: BuiltinRuleMatch[] = []
  for (const rule of BUILTIN_ASIM_RULES) {
    const hits = rule.evaluate(bySchema.get(rule.schema) ?? [])
    if (hits.length > 0) matches.push({ rule, hits })
  }
  return matches
}
