/**
 * JSON Schema (draft 2020-12) of the event record, generated from the field table and the catalogue:
 * the same source as the TypeScript type, the custom-table columns and the ASIM projections.
 */

import { type ColumnType, FIELD_NAMES, FIELDS, type FieldDef } from '../schema/fields.js'
import { CATALOGUE } from './catalogue/index.js'
import type { EventDef, ParamDef } from './define.js'

type JsonSchema = Record<string, unknown>

function columnSchema(type: ColumnType): JsonSchema {
  switch (type) {
    case 'datetime':
      return { type: 'string', format: 'date-time' }
    case 'int':
    case 'long':
      return { type: 'integer' }
    case 'real':
      return { type: 'number' }
    case 'boolean':
      return { type: 'boolean' }
    case 'dynamic':
      return { type: 'object' }
    default:
      return { type: 'string' }
  }
}

function paramSchema(param: ParamDef): JsonSchema {
  switch (param.type) {
    case 'int':
      return { type: 'integer' }
    case 'boolean':
      return { type: 'boolean' }
    case 'strings':
      return { type: 'array', items: { type: 'string' } }
    case 'enum':
      return { type: 'string', enum: param.values }
    default:
      return { type: 'string' }
  }
}

export function eventJsonSchema(): JsonSchema {
  const additional: Record<string, JsonSchema> = {
    Details: { description: "The app's free-form details, redacted and bounded." },
  }
  for (const ns of Object.values(CATALOGUE)) {
    for (const def of Object.values(ns as unknown as Record<string, EventDef>)) {
      for (const param of Object.values(def.params)) {
        if (typeof param.target === 'string' && param.target.startsWith('AdditionalFields.')) {
          additional[param.target.slice('AdditionalFields.'.length)] ??= {
            ...paramSchema(param),
            description: param.description,
          }
        }
      }
    }
  }
  // Fields projected out of an ASIM table travel in AdditionalFields under their own name.
  for (const name of FIELD_NAMES) {
    if (name !== 'AdditionalFields') additional[name] ??= { ...columnSchema(FIELDS[name].type) }
  }
  const properties: Record<string, JsonSchema> = {}
  const required: string[] = []
  for (const name of FIELD_NAMES) {
    const field: FieldDef = FIELDS[name]
    const schema: JsonSchema = { ...columnSchema(field.type), description: field.description }
    if (field.values !== undefined) schema.enum = field.values
    if (field.minimum !== undefined) schema.minimum = field.minimum
    if (field.maximum !== undefined) schema.maximum = field.maximum
    if (field.type === 'string') schema.maxLength = 65536
    if (name === 'AdditionalFields') schema.properties = additional
    if (name === 'EventOriginalType') {
      schema.enum = Object.values(CATALOGUE).flatMap((ns) =>
        Object.values(ns as unknown as Record<string, EventDef>).map((d) => d.name),
      )
    }
    properties[name] = schema
    if ('always' in field) required.push(name)
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://watchpost.dev/schema/event.schema.json',
    title: 'Watchpost security event',
    description: 'One security event as Watchpost builds and delivers it (custom-table shape: every column).',
    type: 'object',
    properties,
    required,
    additionalProperties: false,
  }
}
