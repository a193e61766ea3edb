/**
 * The few deployment-time expressions the templates need, as data: the model (model.ts) is written
 * once with them, and arm.ts / bicep.ts each spell them in their own syntax. Only what the model
 * uses is here — parameters, variables, resource ids and runtime properties, equality, a choice,
 * `guid()`, `format()` — so both renderings stay small enough to read and to test.
 */

/** A literal or an expression; objects and arrays may hold expressions at any depth. */
export type Value =
  | string
  | number
  | boolean
  | null
  | Expr
  | readonly Value[]
  | { readonly [key: string]: Value }

export type Expr =
  | { readonly $: 'param'; readonly name: string }
  | { readonly $: 'var'; readonly name: string }
  /** The deployment's resource group location. */
  | { readonly $: 'rgLocation' }
  /** A declared resource's id. */
  | { readonly $: 'id'; readonly resource: string }
  /** A property of a declared resource known only once it exists (`properties.<path>`). */
  | { readonly $: 'prop'; readonly resource: string; readonly path: readonly string[] }
  /** The id of a built-in role definition in the subscription. */
  | { readonly $: 'roleDefinition'; readonly roleId: string }
  | { readonly $: 'equals'; readonly left: Value; readonly right: Value }
  | { readonly $: 'if'; readonly test: Value; readonly then: Value; readonly else: Value }
  | { readonly $: 'guid'; readonly args: readonly Value[] }
  /** `{0}`, `{1}`, … in `template` are replaced by `args`; the template holds no other braces. */
  | { readonly $: 'format'; readonly template: string; readonly args: readonly Value[] }

export const param = (name: string): Expr => ({ $: 'param', name })
export const variable = (name: string): Expr => ({ $: 'var', name })
export const resourceGroupLocation: Expr = { $: 'rgLocation' }
export const idOf = (resource: string): Expr => ({ $: 'id', resource })
export const propertyOf = (resource: string, ...path: string[]): Expr => ({ $: 'prop', resource, path })
export const roleDefinition = (roleId: string): Expr => ({ $: 'roleDefinition', roleId })
export const equals = (left: Value, right: Value): Expr => ({ $: 'equals', left, right })
export const choose = (test: Value, then: Value, otherwise: Value): Expr => ({
  $: 'if',
  test,
  then,
  else: otherwise,
})
export const guid = (...args: Value[]): Expr => ({ $: 'guid', args })
export const format = (template: string, ...args: Value[]): Expr => ({ $: 'format', template, args })

export function isExpr(value: Value): value is Expr {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && '$' in value
}

/** Symbols of the resources a value refers to (ARM needs them in `dependsOn`, Bicep infers them). */
export function referencedResources(value: Value | undefined): string[] {
  if (typeof value !== 'object' || value === null) return []
  if (Array.isArray(value)) return value.flatMap(referencedResources)
  if (!isExpr(value))
    return Object.values(value as { readonly [key: string]: Value }).flatMap(referencedResources)
  switch (value.$) {
    case 'id':
    case 'prop':
      return [value.resource]
    case 'equals':
      return [...referencedResources(value.left), ...referencedResources(value.right)]
    case 'if':
      return [value.test, value.then, value.else].flatMap(referencedResources)
    case 'guid':
    case 'format':
      return value.args.flatMap(referencedResources)
    default:
      return []
  }
}

const PLACEHOLDER = /\{(\d+)\}/g

/**
 * `format()` as ARM evaluates it for string arguments, for the text the CLI builds from a
 * deployment's outputs; the same template gives both.
 */
export function fillTemplate(template: string, args: readonly string[]): string {
  return template.replace(PLACEHOLDER, (_, index: string) => args[Number(index)] ?? '')
}

/** The template split at its placeholders: text, argument index, text, … (Bicep interpolates). */
export function splitTemplate(template: string): Array<string | number> {
  const parts: Array<string | number> = []
  let last = 0
  for (const match of template.matchAll(PLACEHOLDER)) {
    parts.push(template.slice(last, match.index), Number(match[1]))
    last = match.index + match[0].length
  }
  parts.push(template.slice(last))
  return parts
}
