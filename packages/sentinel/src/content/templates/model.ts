/**
 * The deployment Watchpost's `sentinel` sink needs, as one model: parameters, resources and outputs,
 * rendered as ARM JSON (arm.ts) and as Bicep (bicep.ts). Every stream, column and table comes from
 * core's single schema source (`dcrStreams`, `CUSTOM_COLUMNS`, `CUSTOM_TABLE`) — the values the sink
 * sends with and the emulator's default DCR is made of —
 * never from a list kept here. Resource types, apiVersions and property shapes:
 * spec/azure/deployment.md.
 */
import { CUSTOM_COLUMNS, CUSTOM_TABLE, dcrStreams } from '@watchpost/core/sdk'
import { CONFIG_TEMPLATE } from './config-snippet.js'
import {
  choose,
  equals,
  format,
  guid,
  idOf,
  param,
  propertyOf,
  resourceGroupLocation,
  roleDefinition,
  type Value,
  variable,
} from './expressions.js'
import type {
  DeploymentModel,
  TemplateOutput,
  TemplateParameter,
  TemplateResource,
  TemplateTables,
} from './types.js'

/** Monitoring Metrics Publisher: the data action `Microsoft.Insights/Telemetry/Write` (spec/azure/deployment.md §4). */
export const MONITORING_METRICS_PUBLISHER = '3913510d-42f4-4e42-8a64-420c390055eb'

/** The DCR's local label for the workspace, used by its data flows. */
const DESTINATION = 'workspace'

export const RESOURCE_TYPES = {
  workspace: { type: 'Microsoft.OperationalInsights/workspaces', apiVersion: '2022-10-01' },
  table: { type: 'Microsoft.OperationalInsights/workspaces/tables', apiVersion: '2022-10-01' },
  dcr: { type: 'Microsoft.Insights/dataCollectionRules', apiVersion: '2024-03-11' },
  dce: { type: 'Microsoft.Insights/dataCollectionEndpoints', apiVersion: '2024-03-11' },
  roleAssignment: { type: 'Microsoft.Authorization/roleAssignments', apiVersion: '2022-04-01' },
  onboarding: { type: 'Microsoft.SecurityInsights/onboardingStates', apiVersion: '2025-09-01' },
} as const

interface StreamSet {
  /** `streamDeclarations` of the DCR. */
  readonly declarations: Record<string, { columns: Array<{ name: string; type: string }> }>
  readonly dataFlows: Array<{
    streams: string[]
    destinations: string[]
    transformKql: string
    outputStream: string
  }>
  /** The stream names, keyed as the sink's `streams` option keys them. */
  readonly streams: Record<string, string>
}

function flow(stream: string, outputStream: string): StreamSet['dataFlows'][number] {
  // Rows are sent already in the table's shape (core projects them), so `source` passes them through.
  return { streams: [stream], destinations: [DESTINATION], transformKql: 'source', outputStream }
}

/** What each table mode declares: the input streams the sink sends to and where they flow. */
export function streamSet(tables: TemplateTables): StreamSet {
  const set: StreamSet = { declarations: {}, dataFlows: [], streams: {} }
  for (const { stream, columns, outputStream, key } of dcrStreams(tables)) {
    set.declarations[stream] = { columns: columns.map(({ name, type }) => ({ name, type })) }
    set.dataFlows.push(flow(stream, outputStream))
    set.streams[key] = stream
  }
  return set
}

const TABLE_MODES: readonly TemplateTables[] = ['asim', 'custom']

const isCustom = equals(param('tables'), 'custom')
/** One of the two modes' variables, chosen by the `tables` parameter. */
const perMode = (name: string) => choose(isCustom, variable(`custom${name}`), variable(`asim${name}`))

const PARAMETERS: readonly TemplateParameter[] = [
  {
    name: 'workspaceName',
    type: 'string',
    minLength: 1,
    description: 'Name of the existing Log Analytics workspace (in this resource group) that Sentinel reads.',
  },
  {
    name: 'principalId',
    type: 'string',
    minLength: 1,
    description:
      "Object id of the app's identity (managed identity principal id, or the app registration's service principal object id); it gets Monitoring Metrics Publisher on the data collection rule.",
  },
  {
    name: 'principalType',
    type: 'string',
    defaultValue: 'ServicePrincipal',
    allowedValues: ['ServicePrincipal', 'User', 'Group'],
    description: 'Kind of principal: ServicePrincipal for a managed identity or an app registration.',
  },
  {
    name: 'tables',
    type: 'string',
    defaultValue: 'asim',
    allowedValues: [...TABLE_MODES],
    description:
      "The sink's `tables` option. asim: one stream per ASIM table (needs Sentinel on the workspace). custom: one stream into the custom table " +
      `${CUSTOM_TABLE}, which this deployment creates.`,
  },
  {
    name: 'location',
    type: 'string',
    defaultValue: resourceGroupLocation,
    description: "Region of the data collection rule (and endpoint): it must be the workspace's region.",
  },
  {
    name: 'dataCollectionRuleName',
    type: 'string',
    defaultValue: 'dcr-watchpost',
    description: 'Name of the data collection rule.',
  },
  {
    name: 'retentionInDays',
    type: 'int',
    defaultValue: 90,
    minValue: 4,
    maxValue: 730,
    description: `Analytics retention of ${CUSTOM_TABLE} in days (custom mode only).`,
  },
  {
    name: 'createDataCollectionEndpoint',
    type: 'bool',
    defaultValue: false,
    description:
      'Create a data collection endpoint and send through it. Only for Private Link: the rule has its own ingestion endpoint.',
  },
  {
    name: 'dataCollectionEndpointName',
    type: 'string',
    defaultValue: 'dce-watchpost',
    description: 'Name of the data collection endpoint, when createDataCollectionEndpoint is true.',
  },
  {
    name: 'onboardSentinel',
    type: 'bool',
    defaultValue: false,
    description:
      'Enable Microsoft Sentinel on the workspace (its onboarding state). Leave false when Sentinel is on already.',
  },
]

function variables(): Record<string, Value> {
  const out: Record<string, Value> = {}
  for (const mode of TABLE_MODES) {
    const set = streamSet(mode)
    out[`${mode}StreamDeclarations`] = set.declarations
    out[`${mode}DataFlows`] = set.dataFlows
    out[`${mode}Streams`] = set.streams
  }
  return out
}

const RESOURCES: readonly TemplateResource[] = [
  { symbol: 'workspace', ...RESOURCE_TYPES.workspace, existing: true, name: param('workspaceName') },
  {
    symbol: 'onboarding',
    ...RESOURCE_TYPES.onboarding,
    condition: param('onboardSentinel'),
    scope: 'workspace',
    name: 'default',
    properties: {},
  },
  {
    symbol: 'customTable',
    ...RESOURCE_TYPES.table,
    condition: isCustom,
    parent: 'workspace',
    name: CUSTOM_TABLE,
    properties: {
      plan: 'Analytics',
      retentionInDays: param('retentionInDays'),
      schema: {
        name: CUSTOM_TABLE,
        columns: CUSTOM_COLUMNS.map(({ name, type, description }) => ({ name, type, description })),
      },
    },
  },
  {
    symbol: 'dce',
    ...RESOURCE_TYPES.dce,
    condition: param('createDataCollectionEndpoint'),
    name: param('dataCollectionEndpointName'),
    location: param('location'),
    properties: {},
  },
  {
    symbol: 'dcr',
    ...RESOURCE_TYPES.dcr,
    name: param('dataCollectionRuleName'),
    location: param('location'),
    // A Direct DCR gets its own logsIngestion endpoint: no DCE needed outside Private Link.
    kind: 'Direct',
    properties: {
      description: 'Watchpost security events, sent through the Logs Ingestion API.',
      dataCollectionEndpointId: choose(param('createDataCollectionEndpoint'), idOf('dce'), null),
      streamDeclarations: perMode('StreamDeclarations'),
      destinations: { logAnalytics: [{ name: DESTINATION, workspaceResourceId: idOf('workspace') }] },
      dataFlows: perMode('DataFlows'),
    },
    // Custom mode: the output table must exist first. ASIM mode: the ASim* tables exist once
    // Sentinel is on, else the DCR fails with InvalidOutputTable.
    dependsOn: ['customTable', 'onboarding'],
  },
  {
    symbol: 'publisher',
    ...RESOURCE_TYPES.roleAssignment,
    scope: 'dcr',
    // Deterministic: redeploying finds the same assignment instead of failing on a duplicate.
    name: guid(idOf('dcr'), param('principalId'), MONITORING_METRICS_PUBLISHER),
    properties: {
      roleDefinitionId: roleDefinition(MONITORING_METRICS_PUBLISHER),
      principalId: param('principalId'),
      principalType: param('principalType'),
    },
  },
]

const endpoint = choose(
  param('createDataCollectionEndpoint'),
  propertyOf('dce', 'logsIngestion', 'endpoint'),
  propertyOf('dcr', 'endpoints', 'logsIngestion'),
)
const immutableId = propertyOf('dcr', 'immutableId')

const OUTPUTS: readonly TemplateOutput[] = [
  {
    name: 'endpoint',
    type: 'string',
    description: "The sink's endpoint: the rule's logsIngestion endpoint, or the data collection endpoint's.",
    value: endpoint,
  },
  { name: 'immutableId', type: 'string', description: "The sink's dcrImmutableId.", value: immutableId },
  {
    name: 'streams',
    type: 'object',
    description: "The input streams, keyed as the sink's streams option keys them.",
    value: perMode('Streams'),
  },
  {
    name: 'watchpostConfig',
    type: 'string',
    description: 'The sentinel sink for watchpost.config.yaml.',
    value: format(CONFIG_TEMPLATE, endpoint, immutableId, param('tables')),
  },
]

/** The deployment: a data collection rule, its role assignment, and what the table mode needs. */
export function deploymentModel(): DeploymentModel {
  return {
    description:
      "Watchpost: the data collection rule, table and role that Watchpost's sentinel sink sends its security events through.",
    parameters: PARAMETERS,
    variables: variables(),
    resources: RESOURCES,
    outputs: OUTPUTS,
  }
}
