/**
 * The deployment model as an ARM JSON template (deploymentTemplate schema 2019-04-01) and its
 * parameters file. Expressions become ARM's `[…]` strings; an existing resource is not deployed
 * and appears only through `resourceId()`. Syntax facts: spec/azure/deployment.md §6.
 */
import { WatchpostTypeError } from '@watchpost/core'
import { type Expr, isExpr, referencedResources, type Value } from './expressions.js'
import { deploymentModel } from './model.js'
import type { DeploymentModel, TemplateResource, TemplateTables } from './types.js'

export const ARM_TEMPLATE_SCHEMA =
  'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#'
export const ARM_PARAMETERS_SCHEMA =
  'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#'

function invalid(detail: string): WatchpostTypeError {
  return new WatchpostTypeError('ERR_WATCHPOST_SENTINEL_TEMPLATE_INVALID', detail)
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

function resourceOf(model: DeploymentModel, symbol: string): TemplateResource {
  const resource = model.resources.find((r) => r.symbol === symbol)
  if (resource === undefined) throw invalid(`the deployment model has no resource ${symbol}`)
  return resource
}

/** Text of a value inside an expression (no surrounding brackets). */
function expression(model: DeploymentModel, value: Value): string {
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`
  if (typeof value === 'number') return String(value)
  if (typeof value === 'boolean') return value ? 'true()' : 'false()'
  if (value === null) return 'null()'
  if (!isExpr(value)) throw invalid('objects and arrays inside an expression must be variables')
  return call(model, value)
}

function call(model: DeploymentModel, expr: Expr): string {
  const text = (v: Value) => expression(model, v)
  switch (expr.$) {
    case 'param':
      return `parameters('${expr.name}')`
    case 'var':
      return `variables('${expr.name}')`
    case 'rgLocation':
      return 'resourceGroup().location'
    case 'id':
      return resourceId(model, resourceOf(model, expr.resource))
    case 'prop': {
      const resource = resourceOf(model, expr.resource)
      // reference() returns the resource's `properties`.
      return `reference(${resourceId(model, resource)}, '${resource.apiVersion}').${expr.path.join('.')}`
    }
    case 'roleDefinition':
      return `subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ${text(expr.roleId)})`
    case 'equals':
      return `equals(${text(expr.left)}, ${text(expr.right)})`
    case 'if':
      return `if(${text(expr.test)}, ${text(expr.then)}, ${text(expr.else)})`
    case 'guid':
      return `guid(${expr.args.map(text).join(', ')})`
    case 'format':
      return `format(${[expr.template, ...expr.args].map(text).join(', ')})`
  }
}

/** The name ARM gives a resource: a child's is `<parent>/<child>`. */
function fullName(model: DeploymentModel, resource: TemplateResource): Value {
  if (resource.parent === undefined) return resource.name
  return {
    $: 'format',
    template: '{0}/{1}',
    args: [fullName(model, resourceOf(model, resource.parent)), resource.name],
  }
}

function resourceId(model: DeploymentModel, resource: TemplateResource): string {
  const parts: Value[] = [resource.type]
  if (resource.parent !== undefined) parts.push(resourceOf(model, resource.parent).name)
  parts.push(resource.name)
  const args = parts.map((p) => expression(model, p)).join(', ')
  if (resource.scope === undefined) return `resourceId(${args})`
  return `extensionResourceId(${resourceId(model, resourceOf(model, resource.scope))}, ${args})`
}

/** A value at a JSON position: an expression becomes `[…]`; a literal starting with `[` is escaped. */
function json(model: DeploymentModel, value: Value): Json {
  if (typeof value === 'string') return value.startsWith('[') ? `[${value}` : value
  if (typeof value !== 'object' || value === null) return value
  if (isExpr(value)) return `[${call(model, value)}]`
  if (Array.isArray(value)) return value.map((v) => json(model, v))
  return Object.fromEntries(
    Object.entries(value as { readonly [key: string]: Value }).map(([k, v]) => [k, json(model, v)]),
  )
}

function renderResource(model: DeploymentModel, resource: TemplateResource): Json {
  const out: Record<string, Json> = {}
  if (resource.condition !== undefined) out.condition = json(model, resource.condition)
  out.type = resource.type
  out.apiVersion = resource.apiVersion
  out.name = json(model, fullName(model, resource))
  if (resource.scope !== undefined) {
    // The relative form (`<type>/<name>`) that extension resources take in `scope`.
    const target = resourceOf(model, resource.scope)
    out.scope = json(model, { $: 'format', template: `${target.type}/{0}`, args: [target.name] })
  }
  if (resource.location !== undefined) out.location = json(model, resource.location)
  if (resource.kind !== undefined) out.kind = resource.kind
  if (resource.properties !== undefined) out.properties = json(model, resource.properties)
  const dependsOn = (resource.dependsOn ?? [])
    .concat(resource.scope === undefined ? [] : [resource.scope], referencedResources(resource.properties))
    .map((symbol) => resourceOf(model, symbol))
    .filter((r, i, all) => r.existing !== true && all.indexOf(r) === i)
  if (dependsOn.length > 0) out.dependsOn = dependsOn.map((r) => `[${resourceId(model, r)}]`)
  return out
}

/** The ARM JSON template, as an object (`JSON.stringify` it to write the file). */
export function armTemplate(model: DeploymentModel = deploymentModel()): Record<string, Json> {
  const parameters: Record<string, Json> = {}
  for (const p of model.parameters) {
    const out: Record<string, Json> = { type: p.type }
    if (p.defaultValue !== undefined) out.defaultValue = json(model, p.defaultValue)
    if (p.allowedValues !== undefined) out.allowedValues = [...p.allowedValues]
    if (p.minValue !== undefined) out.minValue = p.minValue
    if (p.maxValue !== undefined) out.maxValue = p.maxValue
    if (p.minLength !== undefined) out.minLength = p.minLength
    out.metadata = { description: p.description }
    parameters[p.name] = out
  }
  return {
    $schema: ARM_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: { description: model.description },
    parameters,
    variables: json(model, model.variables as Value),
    resources: model.resources.filter((r) => r.existing !== true).map((r) => renderResource(model, r)),
    outputs: Object.fromEntries(
      model.outputs.map((o) => [
        o.name,
        { type: o.type, value: json(model, o.value), metadata: { description: o.description } },
      ]),
    ),
  }
}

/**
 * A parameters file with every parameter that has a literal default, `tables` set to the mode
 * chosen; the parameters without a default (workspace, principal) are given on the command line.
 */
export function armParameters(
  tables: TemplateTables,
  model: DeploymentModel = deploymentModel(),
): Record<string, Json> {
  const parameters: Record<string, Json> = {}
  for (const p of model.parameters) {
    const value = p.name === 'tables' ? tables : p.defaultValue
    if (value === undefined || (typeof value === 'object' && value !== null)) continue
    parameters[p.name] = { value }
  }
  return { $schema: ARM_PARAMETERS_SCHEMA, contentVersion: '1.0.0.0', parameters }
}
