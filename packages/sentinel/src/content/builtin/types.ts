import type { AsimSchema } from '@watchpost/core/sdk'

/** One row as `projectToAsim` returns it: the projection (for its schema) and the table row. */
export interface ProjectedRow {
  readonly projection: { readonly schema: AsimSchema }
  readonly row: Readonly<Record<string, unknown>>
}

/** A group of rows that meets a rule's condition: what the rule would alert on. */
export interface BuiltinRuleHit {
  /** The rule's `summarize … by` columns and their values (`""` where the rows carry none). */
  readonly group: Readonly<Record<string, string>>
  /** The figure the rule compares with its threshold (rows, distinct users, failures). */
  readonly value: number
  /** TimeGenerated of the first and the last row of the group. */
  readonly from: string
  readonly to: string
}

/** One of Microsoft's built-in ASIM analytics rules, its condition as its file states it. */
export interface BuiltinAsimRule {
  /** The rule's id in its file. */
  readonly id: string
  /** The rule's name in its file: what Sentinel shows. */
  readonly name: string
  /** Its path in the Azure/Azure-Sentinel repository. */
  readonly file: string
  readonly schema: Extract<AsimSchema, 'WebSession' | 'Authentication'>
  /** The condition, in a line (spec/azure/asim-analytics.md). */
  readonly condition: string
  /** The groups of rows (of `schema`) meeting the condition, in the most favourable run of the rule. */
  readonly evaluate: (rows: readonly Readonly<Record<string, unknown>>[]) => readonly BuiltinRuleHit[]
}

/** A rule whose condition the rows meet, with the groups that meet it. */
export interface BuiltinRuleMatch {
  readonly rule: BuiltinAsimRule
  readonly hits: readonly BuiltinRuleHit[]
}
