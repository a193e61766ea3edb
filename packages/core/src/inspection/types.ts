/** What the inspection rules share: the threat classes, a rule and what it found. */
import type { InputKind } from './inputs.js'

export const THREATS = [
  'sqli',
  'xss',
  'path_traversal',
  'command_injection',
  'jndi',
  'template_injection',
  'prototype_pollution',
  'nosql_injection',
  'ssrf',
] as const

export type Threat = (typeof THREATS)[number]

/** How sure a rule is: `high` only where a SOC should be paged (EventSeverity High). */
export type Confidence = 'high' | 'medium' | 'low'

export interface Finding {
  readonly threat: Threat
  /** The rule's id, stable across releases (`sqli.union-select`): RuleName. */
  readonly rule: string
  /** The matched part of the decoded input; cut to 64 characters and sanitised before it is recorded. */
  readonly fragment: string
  readonly confidence: Confidence
}

/**
 * One threat class's rule. `match` gets the decoded, lower-cased text (normalise.ts) and must run in
 * time linear in its length: no regular expression with nested or overlapping quantifiers (the ReDoS
 * test checks every one). It returns the first finding, or `undefined`.
 */
export interface Rule {
  readonly threat: Threat
  match(text: string, kind: InputKind, anomalies: number): Finding | undefined
}
