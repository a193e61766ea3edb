// `@watchpost/sentinel/content`: what to deploy in Azure for Watchpost's events — the deployment
// templates (data collection rule, custom table, role assignment) and the Sentinel analytics rules
// and hunting queries compiled from Watchpost's rules — and which of Microsoft's built-in ASIM
// analytics rules Watchpost's rows feed. Explicit re-exports, each value with its types. Loading it
// registers no sink and opens no connection.
export { BUILTIN_ASIM_RULES, matchBuiltinAsimRules } from './builtin/match.js'
export type { BuiltinAsimRule, BuiltinRuleHit, BuiltinRuleMatch, ProjectedRow } from './builtin/types.js'
export { UNUSUAL_USER_AGENTS, type UnusualUserAgent, type UserAgentCategory } from './builtin/user-agents.js'
