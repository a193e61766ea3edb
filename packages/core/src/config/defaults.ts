/**
 * The one DEFAULTS object, derived from the defaults declared in `options-schema.ts` (so defaults
 * live in one place). `app` is computed at start-up (package.json, NODE_ENV, host name) by
 * `appDefaults()`.
 */
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { WatchpostError } from '../errors.js'
import { isPlainObject } from './path.js'
import type { AppConfig, DeepReadonly, ResolvedConfig } from './types.js'
import { validateOptions } from './validate.js'

export type Defaults = Omit<ResolvedConfig, 'app' | 'source'>

function deriveDefaults(): Defaults {
  const { value, issues } = validateOptions({})
  if (issues.length > 0 || !isPlainObject(value))
    throw new WatchpostError('ERR_WATCHPOST_CONFIG_DEFAULTS_INCONSISTENT', JSON.stringify(issues))
  const { app: _app, ...sections } = value
  return deepFreeze(sections) as Defaults
}

export const DEFAULTS: Defaults = deriveDefaults()

/** `app` defaults: package.json `name`/`version` in `cwd`, `NODE_ENV`, `os.hostname()`. */
export function appDefaults(cwd: string, env: NodeJS.ProcessEnv): Required<Omit<AppConfig, 'port'>> {
  let pkg: Record<string, unknown> = {}
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'))
    if (isPlainObject(parsed)) pkg = parsed
  } catch {
    // No (readable) package.json: the fallbacks below apply.
  }
  const text = (value: unknown, fallback: string) =>
    typeof value === 'string' && value !== '' ? value : fallback
  return {
    name: text(pkg.name, 'app'),
    version: text(pkg.version, '0.0.0'),
    environment: text(env.NODE_ENV, 'development'),
    host: text(hostname(), 'localhost'),
  }
}

/** Freezes plain objects and arrays in place; functions (a `trustProxy` callback) are left alone. */
export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value as DeepReadonly<T>
}
