/**
 * The deployment model as a Bicep file: the same parameters, variables, resources and outputs as
 * arm.ts, in Bicep's syntax — symbols instead of `resourceId()`, `parent` and `scope` instead of
 * composed names, interpolation instead of `format()`, dependencies inferred from references.
 * Syntax facts: spec/azure/deployment.md §6.
 */
import { type Expr, isExpr, referencedResources, splitTemplate, type Value } from './expressions.js'
import { deploymentModel } from './model.js'
import type { DeploymentModel, TemplateParameter, TemplateResource } from './types.js'

const INDENT = '  '
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A Bicep string literal's body: `\`, `'`, `${` and control characters escaped. */
function escapeText(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll("'", "\\'")
    .replaceAll('${', '\\${')
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r')
    .replaceAll('\t', '\\t')
}

const quote = (text: string) => `'${escapeText(text)}'`

/** A bare identifier (a resource's symbol), spelled as a variable is. */
const symbol = (name: string): Value => ({ $: 'var', name })

function operand(value: Value): string {
  // Parenthesised where an operator's operand is itself an operator expression.
  const text = render(value, '')
  return isExpr(value) && (value.$ === 'equals' || value.$ === 'if') ? `(${text})` : text
}

function expression(expr: Expr): string {
  switch (expr.$) {
    case 'param':
    case 'var':
      return expr.name
    case 'rgLocation':
      return 'resourceGroup().location'
    case 'id':
      return `${expr.resource}.id`
    case 'prop':
      return `${expr.resource}.properties.${expr.path.join('.')}`
    case 'roleDefinition':
      return `subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ${quote(expr.roleId)})`
    case 'equals':
      return `${operand(expr.left)} == ${operand(expr.right)}`
    case 'if':
      return `${operand(expr.test)} ? ${operand(expr.then)} : ${operand(expr.else)}`
    case 'guid':
      return `guid(${expr.args.map((a) => render(a, '')).join(', ')})`
    case 'format':
      return `'${splitTemplate(expr.template)
        .map((part) =>
          typeof part === 'number' ? `\${${render(expr.args[part] ?? '', '')}}` : escapeText(part),
        )
        .join('')}'`
  }
}

/** A value at `indent`: objects and arrays one entry per line, as Bicep writes them. */
function render(value: Value, indent: string): string {
  if (typeof value === 'string') return quote(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null) return 'null'
  if (isExpr(value)) return expression(value)
  const inner = indent + INDENT
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[\n${value.map((v) => `${inner}${render(v, inner)}\n`).join('')}${indent}]`
  }
  const entries = Object.entries(value as { readonly [key: string]: Value })
  if (entries.length === 0) return '{}'
  const lines = entries.map(([k, v]) => `${inner}${IDENTIFIER.test(k) ? k : quote(k)}: ${render(v, inner)}\n`)
  return `{\n${lines.join('')}${indent}}`
}

function decorators(p: TemplateParameter): string[] {
  const out = [`@description(${quote(p.description)})`]
  if (p.allowedValues !== undefined) out.push(`@allowed(${render([...p.allowedValues], '')})`)
  if (p.minValue !== undefined) out.push(`@minValue(${p.minValue})`)
  if (p.maxValue !== undefined) out.push(`@maxValue(${p.maxValue})`)
  if (p.minLength !== undefined) out.push(`@minLength(${p.minLength})`)
  return out
}

function renderResource(resource: TemplateResource): string {
  const head = `resource ${resource.symbol} '${resource.type}@${resource.apiVersion}'`
  const body: Array<[string, Value]> = []
  if (resource.parent !== undefined) body.push(['parent', symbol(resource.parent)])
  if (resource.scope !== undefined) body.push(['scope', symbol(resource.scope)])
  body.push(['name', resource.name])
  if (resource.location !== undefined) body.push(['location', resource.location])
  if (resource.kind !== undefined) body.push(['kind', resource.kind])
  if (resource.properties !== undefined) body.push(['properties', resource.properties])
  // Bicep infers a dependency from a reference; only the others are written (its linter flags the rest).
  const referenced = new Set(referencedResources(resource.properties))
  const extra = (resource.dependsOn ?? []).filter((s) => !referenced.has(s))
  if (extra.length > 0) body.push(['dependsOn', extra.map(symbol)])
  const lines = body.map(([key, v]) => `${INDENT}${key}: ${render(v, INDENT)}`)
  const assign = resource.existing
    ? ' existing ='
    : resource.condition === undefined
      ? ' ='
      : ` = if (${render(resource.condition, '')})`
  return `${head}${assign} {\n${lines.join('\n')}\n}`
}

/** The Bicep file's text. */
export function bicepTemplate(model: DeploymentModel = deploymentModel()): string {
  const blocks: string[] = [`// ${model.description}`, "targetScope = 'resourceGroup'"]
  for (const p of model.parameters) {
    const initial = p.defaultValue === undefined ? '' : ` = ${render(p.defaultValue, '')}`
    blocks.push([...decorators(p), `param ${p.name} ${p.type}${initial}`].join('\n'))
  }
  for (const [name, v] of Object.entries(model.variables)) blocks.push(`var ${name} = ${render(v, '')}`)
  for (const resource of model.resources) blocks.push(renderResource(resource))
  for (const o of model.outputs) {
    blocks.push(`@description(${quote(o.description)})\noutput ${o.name} ${o.type} = ${render(o.value, '')}`)
  }
  return `${blocks.join('\n\n')}\n`
}
