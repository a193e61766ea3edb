/**
 * The `watchpost.config.yaml` lines for the `sentinel` sink of a deployment. One template gives both
 * the ARM `format()` of the `watchpostConfig` output (model.ts), so that
 * `az deployment group show … --query properties.outputs.watchpostConfig.value -o tsv` prints a
 * ready configuration, and `watchpostConfigFromOutputs`, which builds the same text from the outputs
 * for the CLI. The options are those of core's `sentinel` sink schema
 * (packages/core/src/config/sentinel-options.ts); the stream names are the sink's defaults, so the
 * snippet needs no `streams`.
 */

import { WatchpostTypeError } from '@watchpost/core'
import { CUSTOM_STREAM } from '@watchpost/core/sdk'
import { fillTemplate } from './expressions.js'
import type { DeploymentOutputs, TemplateTables } from './types.js'

/** `{0}` endpoint, `{1}` DCR immutable id, `{2}` tables. No other braces (ARM `format()`). */
export const CONFIG_TEMPLATE = [
  '# watchpost.config.yaml: the sentinel sink of this deployment',
  'sinks:',
  '  - type: sentinel',
  '    endpoint: {0}',
  '    dcrImmutableId: {1}',
  '    tables: {2}',
  '    credential:',
  '      # DefaultAzureCredential: the managed identity in Azure, the AZURE_* variables elsewhere',
  '      type: default',
  '',
].join('\n')

const IMMUTABLE_ID = /^dcr-[0-9a-f]{32}$/

function invalid(detail: string): WatchpostTypeError {
  return new WatchpostTypeError('ERR_WATCHPOST_SENTINEL_OUTPUTS_INVALID', detail)
}

/** An output's value, whether given as az prints it (`{ type, value }`) or as the value itself. */
function outputValue(outputs: DeploymentOutputs, name: string): unknown {
  const entry = outputs[name]
  return typeof entry === 'object' && entry !== null && 'value' in entry ? entry.value : entry
}

/** The configuration snippet for a deployment of the template, from its outputs. */
export function watchpostConfigFromOutputs(outputs: DeploymentOutputs): string {
  if (typeof outputs !== 'object' || outputs === null) throw invalid('outputs must be an object')
  const endpoint = outputValue(outputs, 'endpoint')
  const immutableId = outputValue(outputs, 'immutableId')
  const streams = outputValue(outputs, 'streams')
  if (typeof endpoint !== 'string' || !endpoint.startsWith('https://'))
    throw invalid('outputs.endpoint must be an https:// URL')
  if (typeof immutableId !== 'string' || !IMMUTABLE_ID.test(immutableId))
    throw invalid('outputs.immutableId must be "dcr-" followed by 32 hex digits')
  if (typeof streams !== 'object' || streams === null || Array.isArray(streams))
    throw invalid('outputs.streams must be an object')
  // The custom mode's only stream is keyed `custom`, as in the sink's `streams` option.
  const tables: TemplateTables =
    (streams as Record<string, unknown>).custom === CUSTOM_STREAM ? 'custom' : 'asim'
  return fillTemplate(CONFIG_TEMPLATE, [endpoint, immutableId, tables])
}
