/**
 * `watchpost validate [file]`: loads the configuration exactly as an app would (core's
 * `loadConfig`: the same file lookup, `${VAR}` substitution, defaults and checks) and reports every
 * problem with its option path, line and reason, or a one-line summary and the warnings.
 */
import { closeSync, openSync, readSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import {
  CONFIG_FILE_NAMES,
  ConfigError,
  findConfigFile,
  loadConfig,
  type ResolvedConfig,
} from '@watchpost/core'
import type { Command } from 'commander'
import { CliError, EXIT, type Output, outputFor } from '../output.js'
import { type CollectedWarning, collectWarnings } from '../warnings.js'

export interface Problem {
  /** The option's dotted path; `''` for the file as a whole (a syntax error, a missing file). */
  readonly path: string
  readonly line: number | undefined
  readonly column: number | undefined
  readonly message: string
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a configuration file as an app would load it (default: the one the app would find)')
    .argument('[file]', 'the file (default: WATCHPOST_CONFIG, else watchpost.config.yaml/.yml/.json here)')
    .action(async (fileArg: string | undefined, _options: unknown, command: Command) => {
      const out = outputFor(command)
      const cwd = process.cwd()
      let file: string
      try {
        file = locate(fileArg, cwd)
      } catch (err) {
        // With --json, no file to check is a result like any problem (`file` null when none was found).
        if (!(err instanceof CliError) || !out.json) throw err
        const problem = { path: '', line: null, column: null, message: err.message }
        out.result({ valid: false, file: err.detail ?? null, problems: [problem], warnings: [] })
        process.exitCode = EXIT.problems
        return
      }
      const shown = relative(cwd, file) || file
      const binary = binaryContent(file)
      if (binary !== undefined) {
        report(out, file, shown, [{ path: '', line: undefined, column: undefined, message: binary }])
        return
      }
      let loaded: { value: ResolvedConfig; warnings: CollectedWarning[] }
      try {
        loaded = await collectWarnings(() => loadConfig({ config: file }, { cwd }))
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err
        report(out, file, shown, problemsOf(err))
        return
      }
      const { value: config, warnings } = loaded
      const sinks = config.sinks.map((sink) => sink.type).join(', ')
      for (const warning of warnings)
        out.say(`${out.paint('warn', 'warning')} ${warning.code}: ${warning.message}`)
      out.say(
        `${out.paint('ok', 'valid')} ${shown}: app ${config.app.name}, mode ${config.mode}, sinks ${sinks}, ${config.rules.length} rule(s) of its own${warnings.length > 0 ? `, ${warnings.length} warning(s)` : ''}`,
      )
      out.result({
        valid: true,
        file,
        problems: [],
        warnings: warnings.map(({ code, message }) => ({ code, message })),
      })
    })
}

/**
 * Why the file is not text at all (YAML and JSON are text): a NUL byte in its first 8 KiB, as
 * `git` and `grep` decide. Core would parse such a file as one long YAML string and quote it back.
 */
function binaryContent(file: string): string | undefined {
  let head: Buffer
  try {
    const fd = openSync(file, 'r')
    try {
      head = Buffer.alloc(8192)
      head = head.subarray(0, readSync(fd, head, 0, head.length, 0))
    } finally {
      closeSync(fd)
    }
  } catch {
    return undefined // core reports what is wrong with reading it
  }
  return head.includes(0) ? 'not a YAML or JSON file: it holds binary data' : undefined
}

/** The file named, else the one the app would find (core's lookup); a clear error when there is none. */
function locate(fileArg: string | undefined, cwd: string): string {
  try {
    const file = findConfigFile(fileArg, cwd, process.env)
    if (file !== undefined) return file
  } catch (err) {
    if (err instanceof ConfigError && err.code === 'ERR_WATCHPOST_CONFIG_NOT_FOUND') {
      const from = fileArg === undefined ? ' (from WATCHPOST_CONFIG)' : ''
      const missing = err.file ?? resolve(cwd, fileArg ?? '')
      throw new CliError(`${missing} does not exist${from}`, EXIT.problems, missing)
    }
    throw err
  }
  throw new CliError(
    `no configuration file here: looked for ${CONFIG_FILE_NAMES.join(', ')} in ${cwd}; name one, or set WATCHPOST_CONFIG`,
  )
}

/** Every problem a `ConfigError` carries, as path, place and reason. */
export function problemsOf(err: ConfigError): Problem[] {
  if (err.issues.length > 0) {
    const problems = err.issues.map((issue) => ({
      path: issue.path,
      line: issue.line,
      column: issue.column,
      message: issue.message,
    }))
    // In the order of the file (stable: problems without a line keep theirs, last).
    return problems.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER))
  }
  return [{ path: '', line: err.line, column: err.column, message: reasonOf(err) }]
}

/**
 * The reason of a parse or read error without the file and place, which `Problem` carries apart.
 * Core's message holds `Cannot parse <file>[:<line>:<column> (line L, column C)]: <reason>`.
 */
function reasonOf(err: ConfigError): string {
  if (err.code === 'ERR_WATCHPOST_CONFIG_NOT_FOUND') return 'the file does not exist'
  const place =
    err.line === undefined
      ? ''
      : `:${err.line}:${err.column ?? 1} (line ${err.line}, column ${err.column ?? 1})`
  const prefix = `Cannot parse ${err.file}${place}: `
  const at = err.message.indexOf(prefix)
  return at === -1 ? err.message : err.message.slice(at + prefix.length)
}

/** Prints the problems (text or the JSON result) and ends the command with exit code 1. */
function report(out: Output, file: string, shown: string, problems: readonly Problem[]): void {
  for (const p of problems) {
    const at = p.line === undefined ? shown : `${shown}:${p.line}:${p.column ?? 1}`
    const path = p.path === '' ? '' : `${out.paint('bold', p.path)}: `
    out.say(`${out.paint('error', 'error')} ${at}: ${path}${p.message}`)
  }
  out.say(`${shown} is not valid: ${problems.length} problem(s)`)
  // `null`, not an absent key, for a place unknown: every problem has the same four keys.
  const json = problems.map((p) => ({
    path: p.path,
    line: p.line ?? null,
    column: p.column ?? null,
    message: p.message,
  }))
  out.result({ valid: false, file, problems: json, warnings: [] })
  process.exitCode = EXIT.problems
}
