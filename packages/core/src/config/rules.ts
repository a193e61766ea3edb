/**
 * The rules in effect: the shipped ones (default-rules.ts) unless `defaultRules: false`, each
 * changed by a `rules` entry of the same id, then the app's own; and the checks the schema cannot
 * make, reported like any other configuration problem (with the rule's path, so with its line).
 */
import type { ConfigIssue } from '../errors.js'
import { EVENTS_BY_NAME } from '../events/catalogue/index.js'
import type { AsimSchema } from '../schema/projections.js'
import { DEFAULT_RULES } from './default-rules.js'
import type { DeepReadonly, RuleConfig } from './types.js'

/** A rule as the resolved configuration holds it. */
export type Rule = DeepReadonly<RuleConfig>

/** `T` with the keys `K` present (not the built-in `Required`, which makes every key present). */
type WithKeys<T, K extends keyof T> = T & { readonly [P in K]-?: NonNullable<T[P]> }

/** A rule with everything it needs to run. */
export type ResolvedRule = WithKeys<Rule, 'events' | 'groupBy' | 'threshold' | 'windowSeconds'>

const NEEDED = ['events', 'groupBy', 'threshold', 'windowSeconds'] as const

interface RulesInput {
  readonly defaultRules: boolean
  readonly rules: readonly Rule[]
}

/** The rules in effect (enabled, complete), shipped ones first. Assumes `checkRules` found nothing. */
export function resolveRules(config: RulesInput): ResolvedRule[] {
  return merged(config)
    .map((m) => m.rule)
    .filter((rule): rule is ResolvedRule => rule.enabled && NEEDED.every((k) => rule[k] !== undefined))
}

interface Merged {
  readonly rule: Rule
  /** Index in `rules` of the entry that made or changed it; -1 for a shipped rule left as it is. */
  readonly index: number
}

function merged(config: RulesInput): Merged[] {
  const out: Merged[] = config.defaultRules ? DEFAULT_RULES.map((rule) => ({ rule, index: -1 })) : []
  config.rules.forEach((entry, index) => {
    const at = out.findIndex((m) => m.index === -1 && m.rule.id === entry.id)
    if (at === -1) out.push({ rule: entry, index })
    else out[at] = { rule: { ...(out[at] as Merged).rule, ...entry }, index }
  })
  return out
}

/** The derived event's schema for the counted events' schema. */
export function derivedSchema(schema: AsimSchema): 'Authentication' | 'WebSession' | 'AuditEvent' {
  return schema === 'Authentication' || schema === 'WebSession' ? schema : 'AuditEvent'
}

/** Whether events of `name` can carry `field` (a request's fields: any event recorded in one). */
function carries(name: string, field: string): boolean {
  if (field !== 'TargetUsername') return true
  const def = EVENTS_BY_NAME.get(name)
  if (def === undefined) return false
  const targets = Object.values(def.params).flatMap((p) => (Array.isArray(p.target) ? p.target : [p.target]))
  return targets.includes('TargetUsername') || def.fixed?.TargetUsername !== undefined
}

/** Problems of `rules` the schema cannot see, added to `issues`. */
export function checkRules(config: RulesInput, issues: ConfigIssue[]): void {
  const seen = new Map<string, number>()
  config.rules.forEach((entry, index) => {
    const first = seen.get(entry.id)
    if (first !== undefined)
      issues.push({
        path: `rules[${index}].id`,
        message: `rule ${entry.id} is already defined by rules[${first}]`,
      })
    else seen.set(entry.id, index)
  })
  const shipped = new Set(DEFAULT_RULES.map((r) => r.id))
  for (const { rule, index } of merged(config)) {
    if (index === -1 || !rule.enabled) continue
    const at = `rules[${index}]`
    const problem = (path: string, message: string) =>
      issues.push({ path: path === '' ? at : `${at}.${path}`, message: `rule ${rule.id}: ${message}` })
    const missing = NEEDED.filter((k) => rule[k] === undefined)
    if (missing.length > 0) {
      problem(
        '',
        shipped.has(rule.id) && !config.defaultRules
          ? `${missing.join(', ')} missing: defaultRules is false, so this shipped rule's id starts a rule of the app's own, which needs events, groupBy, threshold and windowSeconds`
          : `${missing.join(', ')} missing (a rule of the app's own needs events, groupBy, threshold and windowSeconds)`,
      )
      continue
    }
    const events = rule.events as readonly string[]
    const schemas = new Set(events.map((e) => derivedSchema(EVENTS_BY_NAME.get(e)?.schema ?? 'WebSession')))
    if (schemas.size > 1)
      problem(
        'events',
        `counts events of different ASIM schemas (${[...schemas].join(', ')}); one rule per schema, so its firing lands in the table of what it counts`,
      )
    const fields = [...(rule.groupBy ?? []), ...(rule.distinct === undefined ? [] : [rule.distinct])]
    for (const field of fields) {
      const without = events.filter((e) => !carries(e, field))
      if (without.length > 0)
        problem(
          rule.distinct === field ? 'distinct' : 'groupBy',
          `can never fire: ${without.join(', ')} never carr${without.length === 1 ? 'ies' : 'y'} ${field}`,
        )
    }
    if (rule.distinct !== undefined && rule.groupBy?.includes(rule.distinct))
      problem(
        'distinct',
        `counts distinct ${rule.distinct}, which it also groups by: the count could never pass 1`,
      )
    const hours = rule.outsideHours
    if (hours !== undefined) {
      if (hours.from === hours.to) problem('outsideHours', 'from and to are the same time: no hour is inside')
      try {
        new Intl.DateTimeFormat('en-GB', { timeZone: hours.timezone })
      } catch {
        problem('outsideHours.timezone', `unknown time zone ${JSON.stringify(hours.timezone)}`)
      }
    }
    const response = rule.response
    if (response === undefined) continue
    if (response.action === 'hook' && response.hook === undefined)
      problem('response.hook', 'a hook response names the hook (`hook: lockAccount`)')
    if (response.action === 'block' || response.action === 'delay') {
      const needs = response.target === 'source' ? ['SrcIpAddr'] : ['TargetUsername', 'ActorUsername']
      if (!needs.some((f) => rule.groupBy?.includes(f as never)))
        problem(
          'response.target',
          `a ${response.action} of the ${response.target} needs the rule to group by ${needs.join(' or ')}`,
        )
      if (response.action === 'delay' && response.target === 'user')
        problem(
          'response.target',
          'a delay applies to a source only (requests are held before any user is known)',
        )
    }
  }
}
