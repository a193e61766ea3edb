/**
 * Public types of the Sentinel analytics content: scheduled analytics rules and hunting queries in
 * the Azure-Sentinel repository's YAML shape (spec/azure/sentinel-rules.md §1), and what the
 * compiler and the checks report.
 */

/** Where the events are read from: the four ASIM tables (`asim`) or `WatchpostSecurityEvents_CL` (`custom`). */
export type TableMode = 'asim' | 'custom'

export type AlertSeverity = 'Informational' | 'Low' | 'Medium' | 'High'

export type EntityType = 'Account' | 'IP' | 'URL' | 'Host' | 'CloudApplication' | 'DNS' | 'File'

export interface EntityMapping {
  readonly entityType: EntityType
  readonly fieldMappings: ReadonlyArray<{ readonly identifier: string; readonly columnName: string }>
}

export interface AlertDetailsOverride {
  readonly alertDisplayNameFormat?: string
  readonly alertDescriptionFormat?: string
  readonly alertSeverityColumnName?: string
  readonly alertTacticsColumnName?: string
}

/** A scheduled analytics rule, field for field as the Azure-Sentinel repository's YAML holds it. */
export interface AnalyticsRule {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly severity: AlertSeverity
  readonly requiredDataConnectors: ReadonlyArray<{
    readonly connectorId: string
    readonly dataTypes: readonly string[]
  }>
  /** `<int>m`, `<int>h` or `<int>d`. */
  readonly queryFrequency: string
  readonly queryPeriod: string
  readonly triggerOperator: 'gt' | 'lt' | 'eq' | 'ne'
  readonly triggerThreshold: number
  readonly tactics: readonly string[]
  readonly relevantTechniques: readonly string[]
  readonly query: string
  readonly entityMappings: readonly EntityMapping[]
  readonly customDetails: Readonly<Record<string, string>>
  readonly alertDetailsOverride: AlertDetailsOverride
  readonly eventGroupingSettings: { readonly aggregationKind: 'SingleAlert' | 'AlertPerResult' }
  readonly tags?: ReadonlyArray<Readonly<Record<string, string>>>
  readonly version: string
  readonly kind: 'Scheduled' | 'NRT'
}

/** An analytics rule with the Watchpost rule it was compiled from. */
export interface CompiledRule {
  /** The Watchpost rule's id (`watchpost.brute-force`). */
  readonly ruleId: string
  readonly tables: TableMode
  readonly analytics: AnalyticsRule
}

/** A Watchpost rule that has no Sentinel counterpart, and why. */
export interface NotCompilable {
  readonly ruleId: string
  readonly reason: string
}

export interface CompileResult {
  readonly rules: readonly CompiledRule[]
  readonly notCompilable: readonly NotCompilable[]
}

/** A hunting query, as the Azure-Sentinel repository's `Hunting Queries` YAML holds it. */
export interface HuntingQuery {
  readonly id: string
  /** File name stem (`rule-firings`). */
  readonly slug: string
  readonly name: string
  readonly description: string
  readonly requiredDataConnectors: readonly []
  readonly tactics: readonly string[]
  readonly relevantTechniques: readonly string[]
  readonly query: string
  readonly version: string
}

/** A published constraint an analytics rule or hunting query breaks. */
export interface ContentProblem {
  /** The rule's or query's id and name. */
  readonly subject: string
  /** The field (`queryFrequency`, `entityMappings[0].fieldMappings[0].identifier`). */
  readonly field: string
  readonly message: string
}
