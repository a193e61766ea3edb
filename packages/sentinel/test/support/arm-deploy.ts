/**
 * What Azure Resource Manager does with the generated ARM JSON, for the parts the tests need: it
 * checks the parameters (type, allowed values, bounds), fills in defaults, drops the resources whose
 * `condition` is false, and evaluates every `[…]` expression — the functions the template uses,
 * with `if()` evaluating only the branch it chooses. Outputs are evaluated later, once the caller
 * says what `reference()` returns for the deployed resources (their read-only properties).
 * Semantics: spec/azure/deployment.md §6.
 */
import { createHash } from 'node:crypto'

type Json = string | number | boolean | null | Json[] | { [key: string]: Json }
type Template = Record<string, unknown>
type Scope = {
  readonly parameters: Record<string, Json>
  readonly variables: Record<string, Json>
  readonly references: Record<string, Json>
}

export const SUBSCRIPTION = '00000000-0000-4000-8000-0000000005b5'
export const RESOURCE_GROUP = 'rg-watchpost'
export const RESOURCE_GROUP_LOCATION = 'westeurope'

export interface DeployedResource {
  readonly id: string
  readonly type: string
  readonly apiVersion: string
  readonly name: string
  readonly scope?: string
  readonly location?: string
  readonly kind?: string
  readonly properties: Record<string, Json>
  readonly dependsOn: readonly string[]
}

export interface Deployment {
  readonly parameters: Record<string, Json>
  readonly resources: readonly DeployedResource[]
  /** The outputs, given each deployed resource's read-only properties by resource id. */
  outputs(references: Record<string, Record<string, Json>>): Record<string, Json>
}

// ---- expressions -------------------------------------------------------------------------------

type Node =
  | { readonly k: 'lit'; readonly v: Json }
  | { readonly k: 'call'; readonly name: string; readonly args: readonly Node[] }
  | { readonly k: 'member'; readonly of: Node; readonly key: string }

function parse(text: string): Node {
  let i = 0
  const space = () => {
    while (text[i] === ' ') i++
  }
  const expect = (c: string) => {
    space()
    if (text[i] !== c) throw new Error(`expected ${c} at ${i} in ${text}`)
    i++
  }
  const primary = (): Node => {
    space()
    if (text[i] === "'") {
      let out = ''
      i++
      for (;;) {
        if (i >= text.length) throw new Error(`unterminated string in ${text}`)
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            out += "'"
            i += 2
            continue
          }
          i++
          return { k: 'lit', v: out }
        }
        out += text[i++]
      }
    }
    const number = /^-?\d+/.exec(text.slice(i))
    if (number !== null) {
      i += number[0].length
      return { k: 'lit', v: Number(number[0]) }
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))
    if (name === null) throw new Error(`unexpected ${text[i]} at ${i} in ${text}`)
    i += name[0].length
    expect('(')
    const args: Node[] = []
    space()
    if (text[i] === ')') i++
    else {
      for (;;) {
        args.push(postfix())
        space()
        if (text[i] === ',') {
          i++
          continue
        }
        expect(')')
        break
      }
    }
    return { k: 'call', name: name[0], args }
  }
  const postfix = (): Node => {
    let node = primary()
    for (;;) {
      space()
      if (text[i] !== '.') return node
      i++
      const key = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))
      if (key === null) throw new Error(`expected a property name at ${i} in ${text}`)
      i += key[0].length
      node = { k: 'member', of: node, key: key[0] }
    }
  }
  const node = postfix()
  space()
  if (i !== text.length) throw new Error(`trailing text at ${i} in ${text}`)
  return node
}

function resourceIdFrom(prefix: string, type: string, names: readonly string[]): string {
  const [namespace, ...types] = type.split('/')
  if (types.length !== names.length)
    throw new Error(`${type} needs ${types.length} names, got ${names.length}`)
  return `${prefix}/providers/${namespace}/${types.map((t, n) => `${t}/${names[n]}`).join('/')}`
}

const RG_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}`

/** ARM's guid() is a deterministic UUID of its arguments; a name-based hash stands in for it. */
function guidOf(args: readonly string[]): string {
  const h = createHash('sha1').update(args.join('\u0000')).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

function evaluate(node: Node, scope: Scope): Json {
  if (node.k === 'lit') return node.v
  if (node.k === 'member') {
    const of = evaluate(node.of, scope)
    if (typeof of !== 'object' || of === null || Array.isArray(of) || !(node.key in of))
      throw new Error(`no property ${node.key} in ${JSON.stringify(of)}`)
    return of[node.key] as Json
  }
  const arg = (n: number) => evaluate(node.args[n] as Node, scope)
  const all = () => node.args.map((a) => evaluate(a, scope))
  const str = (n: number) => {
    const v = arg(n)
    if (typeof v !== 'string') throw new Error(`${node.name}: argument ${n} is not a string`)
    return v
  }
  switch (node.name) {
    case 'parameters': {
      const name = str(0)
      if (!(name in scope.parameters)) throw new Error(`no parameter ${name}`)
      return scope.parameters[name] as Json
    }
    case 'variables': {
      const name = str(0)
      if (!(name in scope.variables)) throw new Error(`no variable ${name}`)
      return scope.variables[name] as Json
    }
    case 'resourceGroup':
      return { id: RG_ID, name: RESOURCE_GROUP, location: RESOURCE_GROUP_LOCATION }
    case 'resourceId': {
      const [type, ...names] = all() as string[]
      return resourceIdFrom(RG_ID, type as string, names)
    }
    case 'subscriptionResourceId': {
      const [type, ...names] = all() as string[]
      return resourceIdFrom(`/subscriptions/${SUBSCRIPTION}`, type as string, names)
    }
    case 'extensionResourceId': {
      const [scopeId, type, ...names] = all() as string[]
      return resourceIdFrom(scopeId as string, type as string, names)
    }
    case 'reference': {
      const id = str(0)
      if (!(id in scope.references)) throw new Error(`reference() of ${id}, which was not deployed`)
      return scope.references[id] as Json
    }
    case 'format': {
      const [template, ...args] = all()
      return String(template).replace(/\{(\d+)\}/g, (_, n: string) => String(args[Number(n)]))
    }
    case 'equals': {
      const [a, b] = all()
      return JSON.stringify(a) === JSON.stringify(b)
    }
    case 'if': {
      // Only the chosen branch is evaluated (a reference() of an undeployed resource in the other
      // branch is never looked at).
      const test = arg(0)
      if (typeof test !== 'boolean') throw new Error('if(): the condition is not a boolean')
      return arg(test ? 1 : 2)
    }
    case 'guid':
      return guidOf(all().map(String))
    case 'null':
      return null
    case 'true':
      return true
    case 'false':
      return false
    default:
      throw new Error(`the test evaluator does not know ${node.name}()`)
  }
}

/** A JSON value of the template with its expressions evaluated. */
function resolve(value: unknown, scope: Scope): Json {
  if (typeof value === 'string') {
    if (value.startsWith('[[')) return value.slice(1)
    if (value.startsWith('[') && value.endsWith(']')) return evaluate(parse(value.slice(1, -1)), scope)
    return value
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, scope))
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, scope)]))
  return value as Json
}

// ---- deployment --------------------------------------------------------------------------------

interface ParameterSpec {
  type: string
  defaultValue?: unknown
  allowedValues?: Json[]
  minValue?: number
  maxValue?: number
  minLength?: number
}

function checkParameter(name: string, spec: ParameterSpec, value: Json): void {
  const types: Record<string, string> = { string: 'string', int: 'number', bool: 'boolean', object: 'object' }
  if (typeof value !== types[spec.type]) throw new Error(`parameter ${name}: expected ${spec.type}`)
  if (spec.allowedValues !== undefined && !spec.allowedValues.includes(value))
    throw new Error(`parameter ${name}: ${JSON.stringify(value)} is not one of the allowed values`)
  if (typeof value === 'number' && spec.minValue !== undefined && value < spec.minValue)
    throw new Error(`parameter ${name}: below ${spec.minValue}`)
  if (typeof value === 'number' && spec.maxValue !== undefined && value > spec.maxValue)
    throw new Error(`parameter ${name}: above ${spec.maxValue}`)
  if (typeof value === 'string' && spec.minLength !== undefined && value.length < spec.minLength)
    throw new Error(`parameter ${name}: shorter than ${spec.minLength}`)
}

function idOfResource(resource: { type: string; name: string; scope?: string }): string {
  const names = resource.name.split('/')
  if (resource.scope === undefined) return resourceIdFrom(RG_ID, resource.type, names)
  // A relative scope (`<type>/<name>`) is in this resource group.
  const scopeId = resource.scope.startsWith('/') ? resource.scope : `${RG_ID}/providers/${resource.scope}`
  return resourceIdFrom(scopeId, resource.type, names)
}

/** Deploys the template's resources, as far as evaluating them goes. */
export function deploy(template: Template, given: Record<string, Json>): Deployment {
  const specs = template.parameters as Record<string, ParameterSpec>
  for (const name of Object.keys(given)) if (!(name in specs)) throw new Error(`unknown parameter ${name}`)
  const parameters: Record<string, Json> = {}
  const base: Scope = { parameters, variables: {}, references: {} }
  for (const [name, spec] of Object.entries(specs)) {
    const value = name in given ? given[name] : resolve(spec.defaultValue, base)
    if (value === undefined) throw new Error(`parameter ${name} needs a value`)
    checkParameter(name, spec, value as Json)
    parameters[name] = value as Json
  }
  const variables = resolve(template.variables ?? {}, base) as Record<string, Json>
  const scope: Scope = { parameters, variables, references: {} }
  const resources: DeployedResource[] = []
  for (const raw of template.resources as Array<Record<string, unknown>>) {
    if ('condition' in raw && resolve(raw.condition, scope) !== true) continue
    const r = resolve(raw, scope) as Record<string, Json>
    const resource = {
      type: r.type as string,
      apiVersion: r.apiVersion as string,
      name: r.name as string,
      ...(r.scope === undefined ? {} : { scope: r.scope as string }),
      ...(r.location === undefined ? {} : { location: r.location as string }),
      ...(r.kind === undefined ? {} : { kind: r.kind as string }),
      properties: (r.properties ?? {}) as Record<string, Json>,
      dependsOn: (r.dependsOn ?? []) as string[],
    }
    resources.push({ id: idOfResource(resource), ...resource })
  }
  return {
    parameters,
    resources,
    outputs(references) {
      const withRefs: Scope = { parameters, variables, references }
      const out: Record<string, Json> = {}
      for (const [name, output] of Object.entries(template.outputs as Record<string, { value: unknown }>))
        out[name] = resolve(output.value, withRefs)
      return out
    },
  }
}
