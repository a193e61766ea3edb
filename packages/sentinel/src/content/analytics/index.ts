// Sentinel analytics content compiled from Watchpost's rules: explicit re-exports, values with their types.
export {
  compileAnalyticsRule,
  compileAnalyticsRules,
  sentinelRuleName,
  sentinelRuleNames,
} from './analytics-rule.js'
export { ALERT_RULES_API_VERSION, analyticsTemplate, SAVED_SEARCHES_API_VERSION } from './arm.js'
export { EVENT_ATTACK, TACTICS, type Tactic, TECHNIQUE_TACTICS, tacticsOf } from './attack.js'
export { checkAnalyticsRule, checkContent, checkHuntingQuery } from './checks.js'
export { analyticsRuleId, CONTENT_NAMESPACE, huntingQueryId } from './content-id.js'
export { huntingQueries } from './hunting.js'
export { type CompiledQuery, compileQuery, type QueryResult, RESULT_COLUMNS } from './query.js'
export { type Schedule, scheduleFor } from './schedule.js'
export type {
  AlertDetailsOverride,
  AlertSeverity,
  AnalyticsRule,
  CompiledRule,
  CompileResult,
  ContentProblem,
  EntityMapping,
  EntityType,
  HuntingQuery,
  NotCompilable,
  TableMode,
} from './types.js'
export { analyticsRuleYaml, huntingQueryYaml } from './yaml-form.js'
