// `@watchpost/sentinel/content`: what to deploy in Azure for Watchpost's events — the deployment
// templates (data collection rule, custom table, role assignment) and the Sentinel analytics rules
// and hunting queries compiled from Watchpost's rules. Explicit re-exports, each value with its
// types. Loading it registers no sink and opens no connection.
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
