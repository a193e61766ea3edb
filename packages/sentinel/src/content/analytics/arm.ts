/**
 * The ARM template that deploys analytics rules and hunting queries into a workspace
 * (spec/azure/sentinel-rules.md §2).
 *
 * Analytics rules are written as what they are, extension resources of type
 * `Microsoft.SecurityInsights/alertRules` with a `scope` on the workspace — the form Bicep's
 * `scope: workspace` compiles to — rather than the legacy
 * `Microsoft.OperationalInsights/workspaces/providers/alertRules` type named
 * `<workspace>/Microsoft.SecurityInsights/<id>`: the type is the one the API version documents,
 * its name is just the rule's GUID, and the template converts to Bicep (`az bicep decompile`)
 * without a rewrite.
 */
import { isoDuration } from './schedule.js'
import type { AnalyticsRule, HuntingQuery } from './types.js'

export const ALERT_RULES_API_VERSION = '2025-09-01'
export const SAVED_SEARCHES_API_VERSION = '2025-07-01'
const ONBOARDING_API_VERSION = '2025-09-01'

const WORKSPACE_SCOPE = "[format('Microsoft.OperationalInsights/workspaces/{0}', parameters('workspace'))]"
const OPERATORS = { gt: 'GreaterThan', lt: 'LessThan', eq: 'Equal', ne: 'NotEqual' } as const
/** How long after an alert the same rule's alerts join its incident. */
const INCIDENT_LOOKBACK = 'P1D'
const SUPPRESSION = 'PT5H'

/**
 * A literal string in an ARM template: one starting with `[` would be read as an expression, so
 * it is written `[[` (the template language's escape).
 */
function literal<T>(value: T): T {
  if (typeof value === 'string') return (value.startsWith('[') ? `[${value}` : value) as T
  if (Array.isArray(value)) return value.map(literal) as T
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literal(v)])) as T
  return value
}

function alertRule(rule: AnalyticsRule): Record<string, unknown> {
  const techniques = rule.relevantTechniques.filter((t) => !t.includes('.'))
  // The resource keeps sub-techniques in their own property; their parents go in `techniques`.
  const subTechniques = rule.relevantTechniques.filter((t) => t.includes('.'))
  for (const sub of subTechniques) {
    const parent = sub.split('.')[0] as string
    if (!techniques.includes(parent)) techniques.push(parent)
  }
  const groupByEntities = [
    ...new Set(rule.entityMappings.map((m) => m.entityType).filter((type) => type !== 'Host')),
  ]
  return {
    type: 'Microsoft.SecurityInsights/alertRules',
    apiVersion: ALERT_RULES_API_VERSION,
    name: rule.id,
    scope: WORKSPACE_SCOPE,
    kind: rule.kind,
    properties: literal({
      displayName: rule.name,
      description: rule.description,
      severity: rule.severity,
      enabled: true,
      query: rule.query,
      queryFrequency: isoDuration(rule.queryFrequency),
      queryPeriod: isoDuration(rule.queryPeriod),
      triggerOperator: OPERATORS[rule.triggerOperator],
      triggerThreshold: rule.triggerThreshold,
      suppressionDuration: SUPPRESSION,
      suppressionEnabled: false,
      tactics: rule.tactics,
      techniques: techniques.sort(),
      subTechniques,
      entityMappings: rule.entityMappings,
      customDetails: rule.customDetails,
      alertDetailsOverride: rule.alertDetailsOverride,
      eventGroupingSettings: rule.eventGroupingSettings,
      templateVersion: rule.version,
      incidentConfiguration: {
        createIncident: true,
        // One incident per attacker or account: alerts of the rule that share the group's
        // entities (not the host: an attack spread over instances is one incident).
        groupingConfiguration: {
          enabled: true,
          reopenClosedIncident: false,
          lookbackDuration: INCIDENT_LOOKBACK,
          matchingMethod: groupByEntities.length > 0 ? 'Selected' : 'AllEntities',
          groupByEntities,
          groupByAlertDetails: [],
          groupByCustomDetails: [],
        },
      },
    }),
  }
}

function savedSearch(query: HuntingQuery): Record<string, unknown> {
  return {
    type: 'Microsoft.OperationalInsights/workspaces/savedSearches',
    apiVersion: SAVED_SEARCHES_API_VERSION,
    name: `[format('{0}/{1}', parameters('workspace'), '${query.id}')]`,
    properties: literal({
      category: 'Hunting Queries',
      displayName: query.name,
      query: query.query,
      version: 2,
      tags: [
        { name: 'description', value: query.description },
        { name: 'tactics', value: query.tactics.join(',') },
        { name: 'techniques', value: query.relevantTechniques.join(',') },
      ],
    }),
  }
}

/** An ARM template (deploymentTemplate 2019-04-01 schema) deploying `rules` and `hunting` into the workspace named by its `workspace` parameter. */
export function analyticsTemplate(
  rules: readonly AnalyticsRule[],
  hunting: readonly HuntingQuery[],
): Record<string, unknown> {
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: {
      description: "Microsoft Sentinel analytics rules and hunting queries compiled from Watchpost's rules.",
    },
    parameters: {
      workspace: {
        type: 'string',
        metadata: {
          description:
            'Name of the Log Analytics workspace Microsoft Sentinel runs on (same resource group).',
        },
      },
      onboardSentinel: {
        type: 'bool',
        defaultValue: false,
        metadata: {
          description:
            'Also enable Microsoft Sentinel on the workspace (analytics rules need it); leave false when it is already on.',
        },
      },
    },
    resources: [
      {
        condition: "[parameters('onboardSentinel')]",
        type: 'Microsoft.SecurityInsights/onboardingStates',
        apiVersion: ONBOARDING_API_VERSION,
        name: 'default',
        scope: WORKSPACE_SCOPE,
        properties: {},
      },
      ...rules.map((rule) => ({
        ...alertRule(rule),
        dependsOn: [
          "[extensionResourceId(resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspace')), 'Microsoft.SecurityInsights/onboardingStates', 'default')]",
        ],
      })),
      ...hunting.map(savedSearch),
    ],
  }
}
