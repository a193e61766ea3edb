/**
 * Deep copy of an arbitrary value into a bounded, redacted `JsonValue`. Everything the app hands
 * over (`AdditionalFields`, error details) passes here, so it must survive hostile input: throwing
 * getters, Proxies whose traps throw, cycles, huge or deep structures, `__proto__` keys from
 * `JSON.parse`. The walk is recursive but its depth is bounded by `maxDepth` (≤ 64), so a
 * 10,000-deep input costs `maxDepth` frames.
 */
import { types } from 'node:util'
import { REDACTED } from './sensitive-keys.js'
import type { JsonValue } from './types.js'

export const MAX_DEPTH_PLACEHOLDER = '[MaxDepth]'
export const CIRCULAR_PLACEHOLDER = '[Circular]'
export const UNREADABLE_PLACEHOLDER = '[Unreadable]'
/** Key of the entry summarising the keys left out of an object. */
export const MORE_KEYS_KEY = '[truncated]'
/** Bound of a key, in UTF-16 code units. */
export const MAX_KEY_LENGTH = 256

/**
 * Keys that reach a prototype when assigned with `obj[key] = …` or merged by other code
 * (`__proto__`), or are the usual gadgets of prototype-pollution chains (`constructor.prototype`).
 * They are kept as evidence but renamed with brackets: `__proto__` → `[__proto__]`.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

export interface ValueSanitiserOptions {
  readonly isSensitiveKey: (key: string) => boolean
  /** Sanitise (and card-mask) a string value; bounded by the caller's `maxStringLength`. */
  readonly text: (value: string) => string
  /** Sanitise a key to `MAX_KEY_LENGTH`, no card masking. */
  readonly key: (value: string) => string
  /** Redact a `URL` instance's href. */
  readonly url: (url: string) => string
  readonly maxDepth: number
  readonly maxKeys: number
}

interface KeyInfo {
  readonly name: string
  readonly sensitive: boolean
}
const KEY_CACHE_SIZE = 2048
const KEY_CACHE_KEY_LENGTH = 64

/** Sentinel for "leave this entry out" (functions, symbols, `undefined` in objects). */
const OMIT: unique symbol = Symbol('omit')
type Walked = JsonValue | typeof OMIT

/** Compile the deep sanitiser; the returned function never throws. */
export function createValueSanitiser(options: ValueSanitiserOptions): (value: unknown) => JsonValue {
  const { isSensitiveKey, text, key: sanitiseKey, url, maxDepth, maxKeys } = options
  // Containers on the current path; at most `maxDepth` long, so `includes` is a short scan.
  const ancestors: object[] = []

  // Keys repeat across events: one Map lookup replaces sanitising, renaming and the sensitivity
  // check. Bounded, cleared when full; long keys are not cached.
  const keyCache = new Map<string, KeyInfo>()

  const keyInfo = (raw: string): KeyInfo => {
    const hit = keyCache.get(raw)
    if (hit !== undefined) return hit
    const clean = sanitiseKey(raw)
    const info: KeyInfo = {
      name: PROTOTYPE_KEYS.has(clean) ? '[' + clean + ']' : clean,
      sensitive: isSensitiveKey(raw),
    }
    if (raw.length <= KEY_CACHE_KEY_LENGTH) {
      if (keyCache.size >= KEY_CACHE_SIZE) keyCache.clear()
      keyCache.set(raw, info)
    }
    return info
  }

  /** Items `[0, min(length, maxKeys - 1))` when `length > maxKeys`, plus a summary item. */
  const readArray = (list: ArrayLike<unknown>, length: number, level: number): JsonValue[] => {
    const out: JsonValue[] = []
    const kept = length > maxKeys ? maxKeys - 1 : length
    for (let i = 0; i < kept; i++) {
      let item: unknown
      try {
        item = list[i]
      } catch {
        out.push(UNREADABLE_PLACEHOLDER)
        continue
      }
      const walked = walk(item, level)
      out.push(walked === OMIT ? null : walked)
    }
    if (kept < length) out.push('[+' + (length - kept) + ' more items]')
    return out
  }

  /** Entries of `keys` (read lazily by index), at most `maxKeys` including the summary entry. */
  const readEntries = (
    keys: readonly string[],
    read: (index: number) => unknown,
    total: number,
    level: number,
  ): { [key: string]: JsonValue } => {
    const out: { [key: string]: JsonValue } = {}
    const limit = Math.min(total > maxKeys ? maxKeys - 1 : total, keys.length)
    for (let i = 0; i < limit; i++) {
      const { name, sensitive } = keyInfo(keys[i]!)
      // A sensitive value is never read: no getter runs, nothing to leak.
      if (sensitive) {
        out[name] = REDACTED
        continue
      }
      let item: unknown
      try {
        item = read(i)
      } catch {
        out[name] = UNREADABLE_PLACEHOLDER
        continue
      }
      const walked = walk(item, level)
      if (walked !== OMIT) out[name] = walked
    }
    if (limit < total) out[MORE_KEYS_KEY] = '[+' + (total - limit) + ' more keys]'
    return out
  }

  const readMap = (map: Map<unknown, unknown>, level: number): { [key: string]: JsonValue } => {
    const keys: string[] = []
    const values: unknown[] = []
    for (const [k, v] of map) {
      if (keys.length >= maxKeys) break
      const t = typeof k
      // Object and symbol keys have no faithful JSON name: they are left out (and counted).
      if (t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint') {
        keys.push(String(k))
        values.push(v)
      }
    }
    return readEntries(keys, (i) => values[i], map.size, level)
  }

  const readSet = (set: Set<unknown>, level: number): JsonValue[] => {
    const items: unknown[] = []
    for (const item of set) {
      if (items.length >= maxKeys) break
      items.push(item)
    }
    return readArray(items, set.size, level)
  }

  const readError = (error: Error, level: number): { [key: string]: JsonValue } => {
    // `name` and `message` are not enumerable, so they are added first; `stack` is left out
    // (file paths, noise). They come on top of the `maxKeys` own properties.
    const keys = Object.keys(error).filter((k) => k !== 'stack' && k !== 'name' && k !== 'message')
    const rest = readEntries(
      keys,
      (i) => (error as unknown as Record<string, unknown>)[keys[i]!],
      keys.length,
      level,
    )
    const out: { [key: string]: JsonValue } = {
      name: text(String(error.name)),
      message: text(String(error.message)),
    }
    for (const k of Object.keys(rest)) out[k] = rest[k]!
    return out
  }

  const readObject = (value: object, level: number): JsonValue => {
    if (types.isDate(value)) {
      const time = Date.prototype.getTime.call(value)
      return Number.isFinite(time) ? new Date(time).toISOString() : null
    }
    if (ArrayBuffer.isView(value)) return '[Binary ' + value.byteLength + ' bytes]'
    if (types.isAnyArrayBuffer(value)) return '[Binary ' + value.byteLength + ' bytes]'
    if (types.isBoxedPrimitive(value)) {
      const walked = walk(value.valueOf(), level)
      return walked === OMIT ? null : walked
    }
    if (value instanceof URL) return url(value.href)
    if (ancestors.includes(value)) return CIRCULAR_PLACEHOLDER
    if (level >= maxDepth) return MAX_DEPTH_PLACEHOLDER
    ancestors.push(value)
    try {
      if (Array.isArray(value)) {
        const rawLength: unknown = value.length
        const length = typeof rawLength === 'number' && rawLength > 0 ? Math.floor(rawLength) : 0
        return readArray(value, length, level + 1)
      }
      if (types.isMap(value)) return readMap(value as Map<unknown, unknown>, level + 1)
      if (types.isSet(value)) return readSet(value as Set<unknown>, level + 1)
      if (types.isNativeError(value) || value instanceof Error) return readError(value as Error, level + 1)
      const toJSON = (value as { toJSON?: unknown }).toJSON
      if (typeof toJSON === 'function') {
        // Honour `toJSON` as JSON.stringify would (ObjectId, Decimal, Luxon); its result is walked
        // under the same bounds, and a `toJSON` on that result is not followed.
        const json: unknown = toJSON.call(value)
        if (
          json === null ||
          typeof json !== 'object' ||
          typeof (json as { toJSON?: unknown }).toJSON !== 'function'
        ) {
          const walked = walk(json, level)
          return walked === OMIT ? null : walked
        }
      }
      const keys = Object.keys(value)
      const record = value as Record<string, unknown>
      return readEntries(keys, (i) => record[keys[i]!], keys.length, level + 1)
    } finally {
      ancestors.pop()
    }
  }

  const walk = (value: unknown, level: number): Walked => {
    switch (typeof value) {
      case 'string':
        return text(value)
      case 'number':
        // JSON has no NaN/Infinity; -0 prints as 0 anyway.
        return Number.isFinite(value) ? value : null
      case 'boolean':
        return value
      case 'bigint':
        return text(value.toString())
      case 'undefined':
      case 'function':
      case 'symbol':
        return OMIT
      default:
        if (value === null) return null
        try {
          return readObject(value as object, level)
        } catch {
          return UNREADABLE_PLACEHOLDER
        }
    }
  }

  return (value: unknown): JsonValue => {
    // Not reset to 0: a getter may call back into the sanitiser while a walk is in progress.
    const base = ancestors.length
    try {
      const walked = walk(value, 0)
      return walked === OMIT ? null : walked
    } catch {
      // Never propagate, whatever a getter or trap managed to do (e.g. exhaust the stack).
      return UNREADABLE_PLACEHOLDER
    } finally {
      ancestors.length = base
    }
  }
}
