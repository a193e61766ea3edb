/**
 * `watchpost tail [file]` follows a file sink's JSON Lines; `watchpost tail --emulator URL` follows
 * the rows a local emulator stores (turned back into events). Filters by event name, severity,
 * source and correlation id; prints one readable line per event, or with `--json` the events as
 * JSON Lines. Runs until Ctrl-C, `--timeout`, or with `--once` the end of what is there.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import {
  ConfigError,
  findConfigFile,
  loadConfig,
  type ResolvedConfig,
  type SecurityEvent,
} from '@watchpost/core'
import type { Command } from 'commander'
import { eventFromRow } from '../asim-rows.js'
import { collectList, compileFilter, type FilterOptions } from '../event-filter.js'
import { eventLine } from '../event-line.js'
import { followEmulator } from '../follow-emulator.js'
import { followFile } from '../follow-file.js'
import { CliError, EXIT, outputFor } from '../output.js'
import { stopSignal } from '../stop-signal.js'
import { collectWarnings } from '../warnings.js'

interface TailOptions extends FilterOptions {
  readonly emulator?: string
  readonly ca?: string
  readonly fromStart?: boolean
  readonly once?: boolean
  readonly timeout?: string
  readonly interval: string
}

/** Followed when no file is named and no configuration file is found (watchpost init's file sink). */
const DEFAULT_FILE = 'logs/security.jsonl'

export function registerTail(program: Command): void {
  program
    .command('tail')
    .description("follow the events of a file sink's file, or those an emulator stores")
    .argument('[file]', `the file sink's file (default: the configuration's file sink, else ${DEFAULT_FILE})`)
    .option('--emulator <url>', 'follow the rows of the emulator at this URL instead of a file')
    .option('--ca <file>', "the emulator's CA certificate (default: the one `watchpost emulator` makes here)")
    .option(
      '--type <names>',
      'event names, comma-separated or repeated; name* for a prefix (authn_*)',
      collectList,
    )
    .option('--severity <level>', 'least severity shown: Informational, Low, Medium or High')
    .option('--source <address>', 'only events from this client address (SrcIpAddr)')
    .option('--correlation <id>', 'only events of this correlation id (CorrelationId)')
    .option('--from-start', 'print the events already there first (default: only new ones)')
    .option('--once', 'print the events there now and stop (no following)')
    .option('--timeout <seconds>', 'stop following after this long')
    .option('--interval <ms>', 'how often to look for new events', '250')
    .action(async (fileArg: string | undefined, options: TailOptions, command: Command) => {
      const out = outputFor(command)
      if (fileArg !== undefined && options.emulator !== undefined)
        throw new CliError('give a file or --emulator, not both', EXIT.usage)
      const filter = compileFilter(options)
      const pollMs = positiveNumber('--interval', options.interval)
      const stop = stopSignal(
        options.timeout === undefined ? undefined : positiveNumber('--timeout', options.timeout) * 1000,
      )
      let shown = 0
      let skipped = 0
      const show = (event: Partial<SecurityEvent>) => {
        if (!filter(event)) return
        shown++
        if (out.json) out.line(event)
        else out.say(eventLine(event, out))
      }
      const notice = (message: string) => out.note(out.paint('dim', `watchpost tail: ${message}`))
      try {
        if (options.emulator !== undefined) {
          await followEmulator({
            url: emulatorUrl(options.emulator),
            ca: await readCa(options.ca),
            fromStart: options.fromStart === true,
            once: options.once === true,
            pollMs,
            signal: stop.signal,
            onRow: (row) => show(eventFromRow(row, { table: row._Table })),
            onNotice: notice,
          })
        } else {
          await followFile({
            path: fileArg ?? (await configuredFile(process.cwd())),
            fromStart: options.fromStart === true,
            once: options.once === true,
            pollMs,
            signal: stop.signal,
            onLine: (line) => {
              const event = parseEvent(line)
              if (event === undefined) {
                if (skipped++ === 0) notice(`skipped a line that is not a JSON event: ${line.slice(0, 80)}`)
                return
              }
              show(event)
            },
            onNotice: notice,
          })
        }
      } catch (err) {
        if (err instanceof CliError) throw err
        throw new CliError((err as Error).message)
      } finally {
        stop.dispose()
      }
      if (skipped > 1) notice(`skipped ${skipped} lines that are not JSON events`)
      if (!out.json && options.once === true && shown === 0) notice('no events')
    })
}

/**
 * The file of the first file sink in the configuration an app here would load (core's lookup);
 * `DEFAULT_FILE` without a configuration file. Its warnings are for `validate`, not for tail.
 */
async function configuredFile(cwd: string): Promise<string> {
  let config: ResolvedConfig
  try {
    const file = findConfigFile(undefined, cwd, process.env)
    if (file === undefined) return DEFAULT_FILE
    config = (await collectWarnings(() => loadConfig({ config: file }, { cwd }))).value
  } catch (err) {
    if (err instanceof ConfigError)
      throw new CliError(
        `the configuration cannot be loaded (watchpost validate says why); name the file to follow`,
      )
    throw err
  }
  const sink = config.sinks.find((s) => s.type === 'file')
  if (sink === undefined)
    throw new CliError(
      `${relative(cwd, config.source.file ?? '')} has no file sink; name the file to follow`,
      EXIT.usage,
    )
  return resolve(cwd, sink.path)
}

function parseEvent(line: string): Partial<SecurityEvent> | undefined {
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Partial<SecurityEvent>)
      : undefined
  } catch {
    return undefined
  }
}

function positiveNumber(name: string, value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0)
    throw new CliError(`${name} must be a positive number, got ${JSON.stringify(value)}`, EXIT.usage)
  return n
}

function emulatorUrl(value: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new CliError(
      `--emulator must be a URL such as https://127.0.0.1:8443, got ${JSON.stringify(value)}`,
      EXIT.usage,
    )
  }
  if (url.protocol !== 'https:')
    throw new CliError('--emulator must be an https:// URL (the emulator speaks TLS only)', EXIT.usage)
  return url
}

/** The CA named, else the emulator's default one in the working directory when there is one. */
async function readCa(file: string | undefined): Promise<Buffer | undefined> {
  let path = file
  if (path === undefined) {
    // Loaded on use: the emulator package's TLS and SQLite modules would slow every command.
    const { DEFAULT_TLS_DIR } = await import('@watchpost/emulator')
    path = join(DEFAULT_TLS_DIR, 'ca.pem')
    if (!existsSync(path)) return undefined
  }
  try {
    return readFileSync(path)
  } catch (err) {
    throw new CliError(`cannot read the CA certificate ${path}: ${(err as Error).message}`)
  }
}
