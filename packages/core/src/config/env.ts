// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax, not a template
/**
 * `${VAR}` / `${VAR:-default}` substitution in configuration values. It runs on the parsed STRING
 * values, never on the raw text, so an environment value cannot inject YAML/JSON structure.
 * `$${…}` stands for a literal `${…}`.
 */
import { ConfigError, type ConfigIssue } from '../errors.js'
import { childPath, isPlainObject, setOwn } from './path.js'

/**
 * A string that was exactly one `${VAR}` reference. The validator may coerce it to the integer or
 * boolean the schema expects (`port: ${PORT}`), which it never does for a string written in the file.
 */
export class EnvValue {
  constructor(
    readonly value: string,
    readonly variable: string,
  ) {}
}

/** Deeper than any option (the schema is ~5 levels); also keeps the recursion far from the stack limit. */
export const MAX_DEPTH = 64

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{/g
const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/

type Env = Readonly<Record<string, string | undefined>>

function lookup(env: Env, name: string, fallback: string | undefined): string | undefined {
  const value = Object.hasOwn(env, name) ? env[name] : undefined
  // POSIX `${VAR:-default}`: the default also applies when the variable is set but empty.
  if (fallback !== undefined && (value === undefined || value === '')) return fallback
  return value
}

function substituteString(text: string, path: string, env: Env, issues: ConfigIssue[]): string | EnvValue {
  if (!text.includes('${')) return text
  const whole = WHOLE.exec(text)
  if (whole !== null) {
    const name = whole[1] as string
    const value = lookup(env, name, whole[2])
    if (value === undefined) {
      issues.push({ path, message: `environment variable ${name} is not set and no default is given` })
      return text
    }
    return new EnvValue(value, name)
  }
  return text.replace(REFERENCE, (match: string, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${'
    if (name === undefined) {
      issues.push({
        path,
        message: 'malformed ${…} reference; write ${NAME}, ${NAME:-default} or $${ for a literal',
      })
      return match
    }
    const value = lookup(env, name, fallback)
    if (value === undefined) {
      issues.push({ path, message: `environment variable ${name} is not set and no default is given` })
      return match
    }
    return value
  })
}

/** Where an issue's option is in the file, when it came from one. */
export type Locate = (path: string) => { line: number; column: number } | undefined

/** The issue with the line and column of its option, when `locate` finds it. */
export function located(issue: ConfigIssue, locate: Locate | undefined): ConfigIssue {
  const pos = locate?.(issue.path)
  return pos === undefined ? issue : { ...issue, line: pos.line, column: pos.column }
}

/** Too deep a nesting is one issue that ends the walk; `undefined` while there is none. */
interface Walk {
  readonly env: Env
  readonly issues: ConfigIssue[]
  tooDeep: ConfigIssue | undefined
}

function walk(value: unknown, path: string, depth: number, state: Walk): unknown {
  if (state.tooDeep !== undefined) return undefined
  if (depth > MAX_DEPTH) {
    state.tooDeep = { path, message: `nesting deeper than ${MAX_DEPTH} levels` }
    return undefined
  }
  if (typeof value === 'string') return substituteString(value, path, state.env, state.issues)
  if (Array.isArray(value)) return value.map((item, i) => walk(item, childPath(path, i), depth + 1, state))
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value))
      setOwn(out, key, walk(value[key], childPath(path, key), depth + 1, state))
    return out
  }
  return value
}

/**
 * Substitutes environment references in every string of a parsed file. Throws
 * `ERR_WATCHPOST_CONFIG_ENV` listing every unset variable with its option path (and its place in
 * the file, with `locate`).
 */
export function substituteEnv(parsed: unknown, env: Env, file?: string, locate?: Locate): unknown {
  const state: Walk = { env, issues: [], tooDeep: undefined }
  const out = walk(parsed, '', 0, state)
  if (state.tooDeep !== undefined) {
    throw new ConfigError('ERR_WATCHPOST_CONFIG_INVALID', { file, issues: [located(state.tooDeep, locate)] })
  }
  if (state.issues.length > 0) {
    const issues = state.issues.map((issue) => located(issue, locate))
    throw new ConfigError('ERR_WATCHPOST_CONFIG_ENV', { file, issues })
  }
  return out
}
