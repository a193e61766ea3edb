// `@watchpost/sentinel/content`: what to deploy in Azure for Watchpost's events — the deployment
// templates (data collection rule, custom table, role assignment) and the Sentinel analytics rules
// and hunting queries compiled from Watchpost's rules — and which of Microsoft's built-in ASIM
// analytics rules Watchpost's rows feed. Explicit re-exports, each value with its types. Loading it
// registers no sink and opens no connection.
export {
  ALERT_RULES_API_VERSION,
  type AlertDetailsOverride,
  type AlertSeverity,
  type AnalyticsRule,
  analyticsRuleId,
  analyticsRuleYaml,
  analyticsTemplate,
  CONTENT_NAMESPACE,
  type CompiledQuery,
  type CompiledRule,
  type CompileResult,
  type ContentProblem,
  checkAnalyticsRule,
  checkContent,
  checkHuntingQuery,
  compileAnalyticsRule,
  compileAnalyticsRules,
  compileQuery,
  type EntityMapping,
  type EntityType,
  EVENT_ATTACK,
  type HuntingQuery,
  huntingQueries,
  huntingQueryId,
  huntingQueryYaml,
  type NotCompilable,
  type QueryResult,
  RESULT_COLUMNS,
  SAVED_SEARCHES_API_VERSION,
  type Schedule,
  scheduleFor,
  sentinelRuleName,
  sentinelRuleNames,
  TACTICS,
  type TableMode,
  type Tactic,
  TECHNIQUE_TACTICS,
  tacticsOf,
} from './analytics/index.js'
export { BUILTIN_ASIM_RULES, matchBuiltinAsimRules } from './builtin/match.js'
export type { BuiltinAsimRule, BuiltinRuleHit, BuiltinRuleMatch, ProjectedRow } from './builtin/types.js'
export { UNUSUAL_USER_AGENTS, type UnusualUserAgent, type UserAgentCategory } from './builtin/user-agents.js'
export { ARM_PARAMETERS_SCHEMA, ARM_TEMPLATE_SCHEMA, armParameters, armTemplate } from './templates/arm.js'
export { bicepTemplate } from './templates/bicep.js'
export { CONFIG_TEMPLATE, watchpostConfigFromOutputs } from './templates/config-snippet.js'
export {
  deploymentModel,
  MONITORING_METRICS_PUBLISHER,
  RESOURCE_TYPES,
  streamSet,
} from './templates/model.js'
export type {
  DeploymentModel,
  DeploymentOutputs,
  Expr,
  TemplateFormat,
  TemplateOutput,
  TemplateParameter,
  TemplateResource,
  TemplateTables,
  Value,
} from './templates/types.js'
