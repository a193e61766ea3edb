/**
 * `loadConfig()`: discovery → parse → `${VAR}` substitution → merge (defaults ← file ← code) →
 * validation → warnings → a frozen `ResolvedConfig`. Synchronous: it runs once, at start-up.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { ConfigError, type ConfigIssue } from '../errors.js'
import { appDefaults, deepFreeze } from './defaults.js'
import { type Locate, located, MAX_DEPTH, substituteEnv } from './env.js'
import { show } from './issues.js'
import { parseConfigFile } from './parse.js'
import { isPlainObject, pathSegments, setOwn } from './path.js'
import type { LoadRuntime, ResolvedConfig, WatchpostOptions } from './types.js'
import { checkSemantics, validateOptions } from './validate.js'
import { emitConfigWarnings } from './warnings.js'

/** Looked for in this order in the working directory. */
export const CONFIG_FILE_NAMES = [
  'watchpost.config.yaml',
  'watchpost.config.yml',
  'watchpost.config.json',
] as const

/**
 * Loads, validates and freezes the configuration. Throws a `ConfigError`
 * (`ERR_WATCHPOST_CONFIG_NOT_FOUND | _PARSE | _ENV | _INVALID`) listing every problem.
 */
export function loadConfig(options: WatchpostOptions = {}, runtime: LoadRuntime = {}): ResolvedConfig {
  const cwd = runtime.cwd ?? process.cwd()
  const env = runtime.env ?? process.env
  const { config: configOption, ...codeOptions } = options
  const file = findConfigFile(configOption, cwd, env)
  const read = file === undefined ? undefined : readLocatedConfigFile(file, env)
  const merged = mergeOptions(mergeOptions({ app: appDefaults(cwd, env) }, read?.options ?? {}), codeOptions)
  const { config, issues } = validateMerged(merged)
  if (config === undefined) {
    // An option set in code is not where the file has it, even when the file has it too.
    const locate: Locate | undefined =
      read === undefined
        ? undefined
        : (path) => (setInCode(codeOptions, path) ? undefined : read.locate(path))
    throw new ConfigError('ERR_WATCHPOST_CONFIG_INVALID', {
      file,
      issues: issues.map((issue) => located(issue, locate)),
    })
  }
  const resolved = deepFreeze({ ...config, source: { file } }) as ResolvedConfig
  emitConfigWarnings(resolved)
  return resolved
}

/**
 * Validates options already parsed (for the CLI's `validate`): defaults applied, `$schema` ignored,
 * no file, no environment substitution. `config` is set only when there are no issues.
 */
export function validateConfig(
  raw: unknown,
  runtime: LoadRuntime = {},
): { config?: ResolvedConfig; issues: readonly ConfigIssue[] } {
  if (!isPlainObject(raw)) return { issues: [{ path: '', message: `expected an object, got ${show(raw)}` }] }
  const { $schema: _schema, ...rest } = raw
  const app = appDefaults(runtime.cwd ?? process.cwd(), runtime.env ?? process.env)
  const { config, issues } = validateMerged(mergeOptions({ app }, rest))
  return config === undefined
    ? { issues }
    : { config: deepFreeze({ ...config, source: { file: undefined } }), issues }
}

/** `options.config`, else `WATCHPOST_CONFIG`, else the first `watchpost.config.*` in `cwd`, else none. */
export function findConfigFile(
  configOption: string | false | undefined,
  cwd: string,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (configOption === false) return undefined
  const explicit = configOption ?? (env.WATCHPOST_CONFIG === '' ? undefined : env.WATCHPOST_CONFIG)
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit)
    if (!existsSync(file)) {
      const from = configOption === undefined ? 'WATCHPOST_CONFIG' : 'options.config'
      throw new ConfigError('ERR_WATCHPOST_CONFIG_NOT_FOUND', { file, reason: `from ${from}` })
    }
    return file
  }
  for (const name of CONFIG_FILE_NAMES) {
    const file = resolve(cwd, name)
    if (existsSync(file)) return file
  }
  return undefined
}

/** Reads, parses and substitutes `${VAR}` in one configuration file; `$schema` is dropped. */
export function readConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  return readLocatedConfigFile(file, env).options
}

/**
 * Whether the code options set `path` or an option that contains it. Objects merge, so only a value
 * that is not one (arrays included: they replace) hides the file's.
 */
function setInCode(codeOptions: unknown, path: string): boolean {
  let node = codeOptions
  for (const key of pathSegments(path) ?? []) {
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) return false
    node = node[key]
    if (node === undefined) return false
    if (!isPlainObject(node)) return true
  }
  return false
}

function readLocatedConfigFile(
  file: string,
  env: NodeJS.ProcessEnv,
): { options: Record<string, unknown>; locate: Locate } {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      throw new ConfigError('ERR_WATCHPOST_CONFIG_NOT_FOUND', { file, cause: err })
    }
    throw new ConfigError('ERR_WATCHPOST_CONFIG_PARSE', {
      file,
      reason: `cannot read it: ${(err as Error).message}`,
      cause: err,
    })
  }
  const { value: parsed, locate } = parseConfigFile(text, file)
  // An empty file (YAML `null`) is an empty configuration.
  if (parsed === null || parsed === undefined) return { options: {}, locate }
  if (!isPlainObject(parsed)) {
    const issue = { path: '', message: `expected a mapping of options, got ${show(parsed)}` }
    throw new ConfigError('ERR_WATCHPOST_CONFIG_INVALID', { file, issues: [located(issue, locate)] })
  }
  const { $schema: _schema, ...options } = substituteEnv(parsed, env, file, locate) as Record<string, unknown>
  return { options, locate }
}

/** Objects deep-merge, anything else (arrays included) is replaced; `undefined` never overrides. */
export function mergeOptions(base: unknown, over: unknown, depth = 0): unknown {
  if (over === undefined) return base
  // The depth cap stops a circular code option from recursing forever; validation then reports it.
  if (!isPlainObject(base) || !isPlainObject(over) || depth > MAX_DEPTH) return over
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(base)) setOwn(out, key, base[key])
  for (const key of Object.keys(over)) setOwn(out, key, mergeOptions(out[key], over[key], depth + 1))
  return out
}

function validateMerged(merged: unknown): { config?: Omit<ResolvedConfig, 'source'>; issues: ConfigIssue[] } {
  // A `trustProxy` function (code only) is outside the file format: validate the rest, then put it back.
  const trust = isPlainObject(merged) ? merged.trustProxy : undefined
  const input = typeof trust === 'function' ? { ...(merged as object), trustProxy: false } : merged
  const { value, issues } = validateOptions(input)
  if (issues.length === 0 && isPlainObject(value)) {
    checkSemantics(value, issues)
    if (typeof trust === 'function') value.trustProxy = trust
  }
  if (issues.length > 0) return { issues: namingRules(issues, input) }
  return { config: value as Omit<ResolvedConfig, 'source'>, issues }
}

/**
 * A problem inside `rules[N]` names the rule by its id too (`rule app.burst: …`), as the rules'
 * own checks do: a rule is known by its id, its index moves as the list changes.
 */
function namingRules(issues: ConfigIssue[], input: unknown): ConfigIssue[] {
  const rules = isPlainObject(input) && Array.isArray(input.rules) ? input.rules : undefined
  if (rules === undefined) return issues
  return issues.map((issue) => {
    const index = /^rules\[(\d+)\]/.exec(issue.path)?.[1]
    const rule = index === undefined ? undefined : rules[Number(index)]
    const id = isPlainObject(rule) && typeof rule.id === 'string' ? rule.id : undefined
    if (id === undefined || issue.message.startsWith('rule ')) return issue
    return { ...issue, message: `rule ${JSON.stringify(id.slice(0, 64)).slice(1, -1)}: ${issue.message}` }
  })
}
