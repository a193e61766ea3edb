/**
 * What the options schema needs beyond TypeBox: options with defaults (absent in input, present once
 * Ajv's `useDefaults` has filled them — TypeBox's `Static` only knows the input), strict objects,
 * string enums as `enum` (not TypeBox's `anyOf` of constants), and unions selected by `type`.
 */
import {
  type ArrayOptions,
  type IntegerOptions,
  type ObjectOptions,
  OptionalKind,
  type SchemaOptions,
  type Static,
  type StringOptions,
  type TArray,
  type TObject,
  type TOptional,
  type TProperties,
  type TSchema,
  type TUnion,
  type TUnsafe,
  Type,
} from '@sinclair/typebox'

/** A default computed at start-up (e.g. from package.json), in words: documentation only, not JSON Schema. */
export const kDefaultFrom: unique symbol = Symbol('watchpost.schema.defaultFrom')

// Type-only mark: never present at runtime.
declare const kDefaulted: unique symbol

/** May be left out: its `default` (or start-up code) fills it, so the resolved value always has it. */
export type TDefaulted<T extends TSchema> = TOptional<T> & { readonly [kDefaulted]: true }

export function Defaulted<T extends TSchema>(schema: T, from?: string): TDefaulted<T> {
  const optional = Type.Optional(schema)
  return (from === undefined ? optional : { ...optional, [kDefaultFrom]: from }) as TDefaulted<T>
}

/** Options that may be left out, each filled by its `default` (which must be given, of the option's type). */
export const Default = {
  Boolean: (options: SchemaOptions & { default: boolean }) => Defaulted(Type.Boolean(options)),
  Integer: (options: IntegerOptions & { default: number }) => Defaulted(Type.Integer(options)),
  String: (options: StringOptions & { default: string }) => Defaulted(Type.String(options)),
  Enum: <const V extends string>(values: readonly V[], options: SchemaOptions & { default: NoInfer<V> }) =>
    Defaulted(StringEnum(values, options)),
  Array: <T extends TSchema>(items: T, options: ArrayOptions & { default: readonly Input<T>[] }) =>
    Defaulted(Type.Array(items, options)),
  Union: <const T extends TSchema[]>(
    branches: [...T],
    options: SchemaOptions & { default: Input<T[number]> },
  ) => Defaulted(Type.Union(branches, options)),
}

/** An object that rejects unknown keys (a typo is an error, with a suggestion). */
export function Strict<P extends TProperties>(properties: P, options?: ObjectOptions): TObject<P> {
  return Type.Object(properties, { ...options, additionalProperties: false })
}

/** A strict object whose every option may be left out: absent, it is `{}` with its own defaults filled. */
export function Section<P extends TProperties>(
  properties: P,
  options?: ObjectOptions,
): TDefaulted<TObject<P>> {
  return Defaulted(Strict(properties, { ...options, default: {} }))
}

export function StringEnum<const V extends string>(
  values: readonly V[],
  options?: SchemaOptions,
): TUnsafe<V> {
  return Type.Unsafe<V>({ type: 'string', enum: values, ...options })
}

export interface TTagged<B extends TObject[]> extends TUnsafe<unknown> {
  oneOf: B
}

/**
 * Objects told apart by their `type` constant. `oneOf` + Ajv's `discriminator` checks only the branch
 * the tag selects and fills that branch's defaults; Ajv fills none inside `anyOf`, where every
 * branch is a trial.
 */
export function Tagged<const B extends TObject[]>(branches: B, options?: SchemaOptions): TTagged<B> {
  return Type.Unsafe({
    type: 'object',
    oneOf: branches,
    discriminator: { propertyName: 'type' },
    ...options,
  }) as TTagged<B>
}

type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T

/** Every option optional at every level, and no defaults: for overrides (per-route detectors). */
export function PartialDeep<T extends TObject>(
  schema: T,
  options?: SchemaOptions,
): TOptional<TUnsafe<DeepPartial<Resolved<T>>>> {
  const strip = (node: TSchema & { [kDefaultFrom]?: string }): TSchema => {
    const { default: _default, required: _required, [kDefaultFrom]: _from, ...rest } = node
    if (rest.type !== 'object' || rest.properties === undefined) return Type.Optional(rest as TSchema)
    const properties: TProperties = {}
    for (const [key, value] of Object.entries(rest.properties as TProperties)) properties[key] = strip(value)
    return Type.Optional({ ...rest, properties } as TSchema)
  }
  return { ...strip(schema), ...options } as TOptional<TUnsafe<DeepPartial<Resolved<T>>>>
}

export function isOptional(schema: TSchema): boolean {
  return schema[OptionalKind] === 'Optional'
}

type Simplify<T> = { [K in keyof T]: T[K] } & {}
type Mode = 'input' | 'resolved'
/** Keys always present: not optional, or (once resolved) filled by their default. */
type Present<P, M extends Mode> = {
  [K in keyof P]: P[K] extends TOptional<TSchema>
    ? M extends 'resolved'
      ? P[K] extends { readonly [kDefaulted]: true }
        ? K
        : never
      : never
    : K
}[keyof P]
type Value<T, M extends Mode> =
  T extends TObject<infer P>
    ? Simplify<
        { [K in Present<P, M>]: Value<P[K], M> } & { [K in Exclude<keyof P, Present<P, M>>]?: Value<P[K], M> }
      >
    : T extends TArray<infer I>
      ? M extends 'input'
        ? readonly Value<I, M>[]
        : Value<I, M>[]
      : T extends TUnion<infer U>
        ? Value<U[number], M>
        : T extends TTagged<infer B>
          ? Value<B[number], M>
          : T extends TSchema
            ? Static<T>
            : never

/** What a file or code may give: defaulted options may be left out. */
export type Input<T> = Value<T, 'input'>
/** The type of a value once validated, every default filled (TypeBox's `Static` is the input's). */
export type Resolved<T> = Value<T, 'resolved'>
