/**
 * The YAML form of analytics rules and hunting queries, as the Azure-Sentinel repository keeps
 * them (one file each; the portal's "Import" and the repository's tooling read it): keys in the
 * repository's order, the query as a literal block so it reads as written.
 */
import { stringify } from 'yaml'
import type { AnalyticsRule, HuntingQuery } from './types.js'

const OPTIONS = { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false } as const

/** The rule as a YAML document. */
export function analyticsRuleYaml(rule: AnalyticsRule): string {
  const { tags, ...rest } = rule
  const ordered = {
    id: rest.id,
    name: rest.name,
    description: rest.description,
    severity: rest.severity,
    requiredDataConnectors: rest.requiredDataConnectors,
    queryFrequency: rest.queryFrequency,
    queryPeriod: rest.queryPeriod,
    triggerOperator: rest.triggerOperator,
    triggerThreshold: rest.triggerThreshold,
    tactics: rest.tactics,
    relevantTechniques: rest.relevantTechniques,
    ...(tags === undefined ? {} : { tags }),
    query: rest.query,
    entityMappings: rest.entityMappings,
    customDetails: rest.customDetails,
    alertDetailsOverride: rest.alertDetailsOverride,
    eventGroupingSettings: rest.eventGroupingSettings,
    version: rest.version,
    kind: rest.kind,
  }
  return stringify(ordered, OPTIONS)
}

/** The hunting query as a YAML document. */
export function huntingQueryYaml(query: HuntingQuery): string {
  const { slug: _slug, ...rest } = query
  return stringify(
    {
      id: rest.id,
      name: rest.name,
      description: rest.description,
      requiredDataConnectors: rest.requiredDataConnectors,
      tactics: rest.tactics,
      relevantTechniques: rest.relevantTechniques,
      query: rest.query,
      version: rest.version,
    },
    OPTIONS,
  )
}
