/**
 * MITRE ATT&CK: the tactics Sentinel accepts, the tactics of each technique Watchpost names, and
 * which techniques each Watchpost event stands for. Facts and the reasons behind the mapping:
 * spec/mitre-attack.md; the tactic list: spec/azure/sentinel-rules.md §1.
 */
import type { ResolvedRule } from '@watchpost/core/sdk'

/** Tactics an analytics rule may list (spec/azure/sentinel-rules.md §1). */
export const TACTICS = [
  'InitialAccess',
  'Execution',
  'Persistence',
  'PrivilegeEscalation',
  'DefenseEvasion',
  'CredentialAccess',
  'Discovery',
  'LateralMovement',
  'Collection',
  'Exfiltration',
  'CommandAndControl',
  'Impact',
  'Reconnaissance',
  'ResourceDevelopment',
  'ImpairProcessControl',
  'InhibitResponseFunction',
] as const
export type Tactic = (typeof TACTICS)[number]

/** The tactics each technique belongs to in ATT&CK (spec/mitre-attack.md); a sub-technique has its parent's. */
export const TECHNIQUE_TACTICS: Readonly<Record<string, readonly Tactic[]>> = {
  T1078: ['DefenseEvasion', 'Persistence', 'PrivilegeEscalation', 'InitialAccess'],
  T1098: ['Persistence', 'PrivilegeEscalation'],
  T1110: ['CredentialAccess'],
  T1136: ['Persistence'],
  T1189: ['InitialAccess'],
  T1190: ['InitialAccess'],
  T1213: ['Collection'],
  T1499: ['Impact'],
  T1531: ['Impact'],
  T1550: ['DefenseEvasion', 'LateralMovement'],
  T1562: ['DefenseEvasion'],
  T1567: ['Exfiltration'],
  T1595: ['Reconnaissance'],
  T1606: ['CredentialAccess'],
  T1621: ['CredentialAccess'],
}

/** The tactics of a technique or sub-technique (`T1110.003` → its parent's); empty when unknown. */
export function tacticsOf(technique: string): readonly Tactic[] {
  return TECHNIQUE_TACTICS[technique.split('.')[0] as string] ?? []
}

/** A technique and the tactic it is listed under for an event. */
type Use = readonly [technique: string, tactic: Tactic]

const INJECTION: readonly Use[] = [['T1190', 'InitialAccess']]

/** What each Watchpost event stands for in ATT&CK (spec/mitre-attack.md says why). */
export const EVENT_ATTACK: Readonly<Record<string, readonly Use[]>> = {
  authn_login_fail: [['T1110', 'CredentialAccess']],
  authn_login_fail_max: [['T1110', 'CredentialAccess']],
  authn_login_lock: [['T1110', 'CredentialAccess']],
  authn_jwt_fail: [['T1606', 'CredentialAccess']],
  authn_token_reuse: [['T1550.001', 'DefenseEvasion']],
  session_use_after_expire: [['T1550.004', 'DefenseEvasion']],
  authn_impossible_travel: [['T1078', 'InitialAccess']],
  authn_mfa_fail: [['T1621', 'CredentialAccess']],
  malicious_excess_404: [['T1595.003', 'Reconnaissance']],
  malicious_scanner_probe: [['T1595.003', 'Reconnaissance']],
  malicious_attack_tool: [['T1595.002', 'Reconnaissance']],
  malicious_sqli: INJECTION,
  malicious_xss: INJECTION,
  malicious_path_traversal: INJECTION,
  malicious_command_injection: INJECTION,
  malicious_jndi_injection: INJECTION,
  malicious_template_injection: INJECTION,
  malicious_prototype_pollution: INJECTION,
  malicious_nosql_injection: INJECTION,
  malicious_ssrf: INJECTION,
  malicious_direct_reference: INJECTION,
  sequence_fail: INJECTION,
  malicious_cors: [['T1189', 'InitialAccess']],
  excess_rate_limit_exceeded: [['T1499.003', 'Impact']],
  authz_admin: [
    ['T1098', 'Persistence'],
    ['T1078', 'PrivilegeEscalation'],
  ],
  authz_change: [['T1098', 'PrivilegeEscalation']],
  privilege_permissions_changed: [['T1098', 'PrivilegeEscalation']],
  user_created: [['T1136', 'Persistence']],
  user_archived: [['T1531', 'Impact']],
  user_deleted: [['T1531', 'Impact']],
  sys_monitor_disabled: [['T1562.001', 'DefenseEvasion']],
  sensitive_read: [['T1213', 'Collection']],
  sensitive_export: [['T1567', 'Exfiltration']],
}

/**
 * The brute-force sub-technique a rule's way of counting means: one account (password guessing),
 * many accounts from one source within minutes (credential stuffing) or over a longer window
 * (password spraying, slow enough to stay under lockouts).
 */
function bruteForceVariant(rule: ResolvedRule): string | undefined {
  if (!rule.events.some((e) => EVENT_ATTACK[e]?.some(([t]) => t === 'T1110'))) return undefined
  if (rule.distinct === 'TargetUsername') return rule.windowSeconds <= 900 ? 'T1110.004' : 'T1110.003'
  if (rule.groupBy.includes('TargetUsername')) return 'T1110.001'
  return undefined
}

/** The tactics and techniques of a rule: those of the events it counts, in a stable order. */
export function attackOfRule(rule: ResolvedRule): { tactics: Tactic[]; techniques: string[] } {
  const uses = rule.events.flatMap((e) => EVENT_ATTACK[e] ?? [])
  const variant = bruteForceVariant(rule)
  const techniques = new Set(uses.map(([t]) => t))
  if (variant !== undefined) techniques.add(variant)
  const tactics = new Set(uses.map(([, tactic]) => tactic))
  return {
    tactics: TACTICS.filter((t) => tactics.has(t)),
    techniques: [...techniques].sort(),
  }
}
