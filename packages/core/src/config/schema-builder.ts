/**
 * A tiny TypeBox-like builder: every value it returns IS a plain JSON Schema (draft 2020-12 subset)
 * object, and carries its TypeScript type as a phantom, so one declaration gives both the option
 * types (`Static<S>`, `StaticInput<S>`) and the published schema. No code generation (no `Function`).
 *
 * Markers the JSON does not need live under symbol keys, which `JSON.stringify` skips.
 */

/** Runtime marker: the property may be absent and gets no default. */
export const kOptional: unique symbol = Symbol('watchpost.schema.optional')
/** Runtime marker: a human description of a default computed at start-up (e.g. from package.json). */
export const kDefaultFrom: unique symbol = Symbol('watchpost.schema.defaultFrom')

// Type-only phantoms: never present at runtime.
declare const kStatic: unique symbol
declare const kInput: unique symbol
declare const kHasDefault: unique symbol

interface Phantom<T, I = T> {
  readonly [kStatic]?: T
  readonly [kInput]?: I
}

export interface Annotations {
  description?: string
  examples?: readonly unknown[]
}

export interface SchemaNode extends Annotations {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array'
  default?: unknown
  const?: unknown
  enum?: readonly unknown[]
  minLength?: number
  maxLength?: number
  pattern?: string
  minimum?: number
  maximum?: number
  items?: SchemaNode
  minItems?: number
  properties?: Record<string, SchemaNode>
  required?: string[]
  additionalProperties?: false
  anyOf?: SchemaNode[]
  [kOptional]?: true
  [kDefaultFrom]?: string
}

export interface TString extends SchemaNode, Phantom<string> {
  type: 'string'
}
export interface TInteger extends SchemaNode, Phantom<number> {
  type: 'integer'
}
export interface TNumber extends SchemaNode, Phantom<number> {
  type: 'number'
}
export interface TBoolean extends SchemaNode, Phantom<boolean> {
  type: 'boolean'
}
export interface TLiteral<V extends string | number | boolean> extends SchemaNode, Phantom<V> {
  const: V
}
export interface TEnum<V extends string> extends SchemaNode, Phantom<V> {
  type: 'string'
  enum: readonly V[]
}
export interface TArray<S extends SchemaNode>
  extends SchemaNode,
    Phantom<Static<S>[], readonly StaticInput<S>[]> {
  type: 'array'
  items: S
}
export interface TObject<P extends Record<string, SchemaNode> = Record<string, SchemaNode>>
  extends SchemaNode,
    Phantom<ResolvedProps<P>, InputProps<P>> {
  type: 'object'
  properties: P
  required: string[]
  additionalProperties: false
}
export interface TUnion<S extends SchemaNode> extends SchemaNode, Phantom<Static<S>, StaticInput<S>> {
  anyOf: S[]
}
/** Absent when not given; no default applied. */
export type TOptional<S extends SchemaNode> = S & { readonly [kOptional]: true }
/** Absent in input is fine: a default (static or computed at start-up) fills it. */
export type TDefaulted<S extends SchemaNode> = S & { readonly [kHasDefault]: true }

/** The type of a value after defaults are applied. */
export type Static<S> = S extends { readonly [kStatic]?: infer T } ? Exclude<T, undefined> : never
/** The type a user may write (file or code): anything with a default may be left out. */
export type StaticInput<S> = S extends { readonly [kInput]?: infer T } ? Exclude<T, undefined> : never

type Simplify<T> = { [K in keyof T]: T[K] } & {}
type OptionalKeys<P> = { [K in keyof P]: P[K] extends { readonly [kOptional]: true } ? K : never }[keyof P]
type InputOptionalKeys<P> = {
  [K in keyof P]: P[K] extends { readonly [kOptional]: true } | { readonly [kHasDefault]: true }
    ? K
    : // biome-ignore lint/complexity/noBannedTypes: `{}` here means "an input with no required key"
      {} extends StaticInput<P[K]>
      ? K
      : never
}[keyof P]

type ResolvedProps<P> = Simplify<
  { [K in Exclude<keyof P, OptionalKeys<P>>]: Static<P[K]> } & { [K in OptionalKeys<P>]?: Static<P[K]> }
>
type InputProps<P> = Simplify<
  { [K in Exclude<keyof P, InputOptionalKeys<P>>]: StaticInput<P[K]> } & {
    [K in InputOptionalKeys<P>]?: StaticInput<P[K]>
  }
>

type DefaultOpts = { default: unknown } | { defaultFrom: string }
type WithDefault<S extends SchemaNode, O> = O extends DefaultOpts ? TDefaulted<S> : S

interface CommonOptions<V> extends Annotations {
  default?: V
  /** A default computed at start-up; the text says where from (documentation only). */
  defaultFrom?: string
}
export interface StringOptions extends CommonOptions<string> {
  minLength?: number
  maxLength?: number
  pattern?: string
}
export interface NumberOptions extends CommonOptions<number> {
  minimum?: number
  maximum?: number
}

function node<S extends SchemaNode>(base: Record<string, unknown>, options: object | undefined): S {
  const out: Record<string | symbol, unknown> = { ...base }
  for (const [key, value] of Object.entries(options ?? {})) {
    if (value === undefined) continue
    if (key === 'defaultFrom') out[kDefaultFrom] = value
    else out[key] = value
  }
  return out as S
}

/** `true` when a missing value of this schema is not an error (optional, defaulted, or all-defaultable object). */
export function isOmittable(schema: SchemaNode): boolean {
  if (schema[kOptional] === true || 'default' in schema || schema[kDefaultFrom] !== undefined) return true
  if (schema.type === 'object' && schema.properties !== undefined) return (schema.required ?? []).length === 0
  return false
}

function object<P extends Record<string, SchemaNode>>(properties: P, options?: Annotations): TObject<P> {
  const required = Object.keys(properties).filter((key) => !isOmittable(properties[key] as SchemaNode))
  return node<TObject<P>>({ type: 'object', properties, required, additionalProperties: false }, options)
}

function string<O extends StringOptions>(options?: O): WithDefault<TString, O> {
  return node({ type: 'string' }, options)
}
function integer<O extends NumberOptions>(options?: O): WithDefault<TInteger, O> {
  return node({ type: 'integer' }, options)
}
function number<O extends NumberOptions>(options?: O): WithDefault<TNumber, O> {
  return node({ type: 'number' }, options)
}
function boolean<O extends CommonOptions<boolean>>(options?: O): WithDefault<TBoolean, O> {
  return node({ type: 'boolean' }, options)
}
function literal<const V extends string | number | boolean>(value: V, options?: Annotations): TLiteral<V> {
  const type = typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean' : 'number'
  return node({ type, const: value }, options)
}
function enumOf<const V extends string, O extends CommonOptions<NoInfer<V>>>(
  values: readonly V[],
  options?: O,
): WithDefault<TEnum<V>, O> {
  return node({ type: 'string', enum: values }, options)
}
function array<
  S extends SchemaNode,
  const O extends CommonOptions<readonly StaticInput<S>[]> & { minItems?: number },
>(items: S, options?: O): WithDefault<TArray<S>, O> {
  return node({ type: 'array', items }, options)
}
function union<const S extends readonly SchemaNode[], const O extends CommonOptions<StaticInput<S[number]>>>(
  anyOf: S,
  options?: O,
): WithDefault<TUnion<S[number]>, O> {
  return node({ anyOf }, options)
}
function optional<S extends SchemaNode>(schema: S): TOptional<S> {
  return { ...schema, [kOptional]: true } as TOptional<S>
}

type PartialDeep<S extends SchemaNode> =
  S extends TObject<infer P> ? TOptional<TObject<{ [K in keyof P]: PartialDeep<P[K]> }>> : TOptional<S>

/** Every property optional at every object level, and no defaults: for overrides (e.g. per-route detectors). */
function partial<P extends Record<string, SchemaNode>>(schema: TObject<P>): PartialDeep<TObject<P>> {
  const strip = (s: SchemaNode): SchemaNode => {
    const { default: _default, [kDefaultFrom]: _from, ...rest } = s
    if (rest.type === 'object' && rest.properties !== undefined) {
      const properties: Record<string, SchemaNode> = {}
      for (const [key, value] of Object.entries(rest.properties)) properties[key] = strip(value)
      return { ...rest, properties, required: [], [kOptional]: true }
    }
    return { ...rest, [kOptional]: true }
  }
  return strip(schema) as PartialDeep<TObject<P>>
}

export const t = {
  object,
  string,
  integer,
  number,
  boolean,
  literal,
  enum: enumOf,
  array,
  union,
  optional,
  partial,
}
