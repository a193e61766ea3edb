/**
 * Row validation against a stream declaration. Azure documents no 400 codes for this
 * (logs-ingestion-api.md §3), so the codes here are the emulator's own; each message names the row
 * index and the column so that a mapping mistake is found at once.
 */
import type { DcrColumnType, StreamInfo, ValidationMode } from './types.js'

/** Values longer than 64 KB are truncated by the service, not rejected (logs-ingestion-api.md §1). */
export const MAX_FIELD_BYTES = 64 * 1024

export type RowsResult =
  | { readonly ok: true; readonly rows: Array<Record<string, unknown>> }
  | { readonly ok: false; readonly code: ValidationCode; readonly message: string }

export type ValidationCode =
  | 'InvalidPayload'
  | 'InvalidColumnType'
  | 'UndeclaredColumn'
  | 'MissingTimeGenerated'

const INT_MIN = -(2 ** 31)
const INT_MAX = 2 ** 31 - 1
/** ISO-8601 date or date-time, optional fraction and offset. */
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/

function typeOk(type: DcrColumnType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string'
    case 'int':
      return Number.isInteger(value) && (value as number) >= INT_MIN && (value as number) <= INT_MAX
    case 'long':
      return Number.isSafeInteger(value)
    case 'real':
      return typeof value === 'number' && Number.isFinite(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'datetime':
      return typeof value === 'string' && ISO_DATETIME.test(value) && !Number.isNaN(Date.parse(value))
    case 'dynamic':
      return true
  }
}

function expected(type: DcrColumnType): string {
  switch (type) {
    case 'int':
      return 'an integer between -2147483648 and 2147483647'
    case 'long':
      return 'a safe integer'
    case 'real':
      return 'a finite number'
    case 'datetime':
      return 'an ISO-8601 date-time string'
    default:
      return `a ${type}`
  }
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

function truncate(value: string): string {
  if (value.length * 3 <= MAX_FIELD_BYTES || Buffer.byteLength(value) <= MAX_FIELD_BYTES) return value
  // Cut on a byte boundary, then drop a split trailing character.
  return Buffer.from(value)
    .subarray(0, MAX_FIELD_BYTES)
    .toString('utf8')
    .replace(/\uFFFD$/, '')
}

export function validateRows(
  body: unknown,
  stream: StreamInfo,
  mode: ValidationMode,
  requireTimeGenerated: boolean,
  ingestionTime: string,
): RowsResult {
  if (!Array.isArray(body)) {
    return { ok: false, code: 'InvalidPayload', message: 'The request body must be a JSON array of objects.' }
  }
  const types = new Map(stream.columns.map((c) => [c.name, c.type]))
  const hasTimeGenerated = types.get('TimeGenerated') === 'datetime'
  const rows: Array<Record<string, unknown>> = []
  for (const [index, item] of body.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return {
        ok: false,
        code: 'InvalidPayload',
        message: `Row ${index}: expected a JSON object, got ${shown(item)}.`,
      }
    }
    const row: Record<string, unknown> = {}
    for (const [column, value] of Object.entries(item as Record<string, unknown>)) {
      const type = types.get(column)
      if (type === undefined) {
        if (mode === 'lenient') continue
        return {
          ok: false,
          code: 'UndeclaredColumn',
          message: `Row ${index}: column '${column}' is not declared in stream '${stream.name}'.`,
        }
      }
      if (value === null || value === undefined) continue
      if (!typeOk(type, value)) {
        return {
          ok: false,
          code: 'InvalidColumnType',
          message: `Row ${index}: column '${column}' is declared ${type} in stream '${stream.name}'; expected ${expected(type)}, got ${shown(value)}.`,
        }
      }
      row[column] = typeof value === 'string' ? truncate(value) : value
    }
    if (hasTimeGenerated && row.TimeGenerated === undefined) {
      if (requireTimeGenerated) {
        return {
          ok: false,
          code: 'MissingTimeGenerated',
          message: `Row ${index}: column 'TimeGenerated' is missing.`,
        }
      }
      row.TimeGenerated = ingestionTime
    }
    rows.push(row)
  }
  return { ok: true, rows }
}
