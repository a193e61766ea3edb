/** Public types of the deployment templates (`@watchpost/sentinel/content`). */
import type { Value } from './expressions.js'

export type { Expr, Value } from './expressions.js'

/** Which tables the deployment feeds: the sink's `tables` option. */
export type TemplateTables = 'asim' | 'custom'

/** The renderings `watchpost templates --format` chooses from. */
export type TemplateFormat = 'arm' | 'bicep'

export interface TemplateParameter {
  readonly name: string
  readonly type: 'string' | 'int' | 'bool'
  readonly description: string
  /** Absent: the deployment must be given a value. */
  readonly defaultValue?: Value
  readonly allowedValues?: readonly string[]
  readonly minValue?: number
  readonly maxValue?: number
  readonly minLength?: number
}

export interface TemplateResource {
  /** The Bicep symbol; also how other parts of the model refer to the resource. */
  readonly symbol: string
  readonly type: string
  readonly apiVersion: string
  /** Referred to, never deployed (the workspace). */
  readonly existing?: true
  readonly name: Value
  /** Symbol of the resource this one is a child of (its type extends the parent's). */
  readonly parent?: string
  /** Symbol of the resource an extension resource applies to. */
  readonly scope?: string
  /** Deployed only when this is true. */
  readonly condition?: Value
  readonly location?: Value
  readonly kind?: string
  readonly properties?: Value
  /** Symbols this resource must wait for beyond the ones its body refers to. */
  readonly dependsOn?: readonly string[]
}

export interface TemplateOutput {
  readonly name: string
  readonly type: 'string' | 'object'
  readonly description: string
  readonly value: Value
}

/** One deployment, rendered as ARM JSON (arm.ts) and as Bicep (bicep.ts). */
export interface DeploymentModel {
  readonly description: string
  readonly parameters: readonly TemplateParameter[]
  /** Literal values only (ARM variables here never call `reference()`). */
  readonly variables: Readonly<Record<string, Value>>
  readonly resources: readonly TemplateResource[]
  readonly outputs: readonly TemplateOutput[]
}

/** A deployment's outputs, as `az deployment group show --query properties.outputs` prints them or as plain values. */
export type DeploymentOutputs = Readonly<
  Record<string, unknown | { readonly type?: string; readonly value: unknown }>
>
