/**
 * `watchpost replay <file> --sink <sink>`: sends the events of a file sink's JSON Lines, or of a
 * disk spool, to a sink through core's own delivery (replay-delivery.ts), with a progress bar on a
 * terminal and a summary. Exit 1 when anything was not delivered (failed or dead-lettered).
 *
 * Events keep their EventUid: delivery is at least once, so replaying events that already reached
 * the destination makes duplicates there with the same id (Log Analytics does not de-duplicate).
 */
import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { ConfigError, findConfigFile, loadConfig } from '@watchpost/core'
import type { Command } from 'commander'
import { CliError, EXIT, outputFor } from '../output.js'
import { progressBar } from '../progress-bar.js'
import { type ReplaySummary, replayEvents, type SinkEntry } from '../replay-delivery.js'
import { openInput } from '../replay-input.js'
import { stopSignal } from '../stop-signal.js'
import { problemsOf } from './validate.js'

interface ReplayCommandOptions {
  readonly sink: string
  readonly config?: string
  readonly dedupe: boolean
  readonly timeout: string
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description(
      "send the events of a file sink's file, or of a spool, to a sink through Watchpost's delivery",
    )
    .argument('<file>', "a file sink's JSON Lines, a spool directory, or a spool segment (.wal)")
    .requiredOption(
      '--sink <sink>',
      'the sink: its entry as JSON (\'{"type":"file","path":"out.jsonl"}\'), or the type (sentinel) or index (sinks[1]) of one in the configuration file',
    )
    .option(
      '--config <file>',
      'configuration file for the sink name and the delivery options (default: the one an app would find)',
    )
    .option('--no-dedupe', 'send every event, even one whose EventUid was already sent in this replay')
    .option('--timeout <seconds>', 'give up when nothing has been delivered for this long', '60')
    .action(async (file: string, options: ReplayCommandOptions, command: Command) => {
      const out = outputFor(command)
      const cwd = process.cwd()
      const stallSeconds = Number(options.timeout)
      if (!Number.isFinite(stallSeconds) || stallSeconds <= 0)
        throw new CliError(
          `--timeout must be a positive number of seconds, got ${JSON.stringify(options.timeout)}`,
          EXIT.usage,
        )
      if (!existsSync(resolve(cwd, file))) throw new CliError(`${file} does not exist`)
      const configFile = configFileFor(options, cwd)
      const sink = sinkFrom(options.sink, configFile)
      let input: Awaited<ReturnType<typeof openInput>>
      try {
        input = await openInput(resolve(cwd, file))
      } catch (err) {
        throw new CliError(`cannot read ${file}: ${(err as Error).message}`)
      }
      const bar = progressBar(input.total)
      const stop = stopSignal()
      let summary: ReplaySummary
      try {
        summary = await replayEvents(input, {
          sink,
          config: configFile ?? false,
          cwd,
          dedupe: options.dedupe,
          stallMs: stallSeconds * 1000,
          signal: stop.signal,
          onProgress: (p) =>
            bar.update(
              p.read,
              `sent ${p.sent}${p.deadLettered > 0 ? `, dead-lettered ${p.deadLettered}` : ''}${p.retrying === undefined ? '' : ` (retrying: ${p.retrying})`}`,
            ),
          onSkip: (why) => out.note(`watchpost replay: skipped ${why}`),
        })
      } catch (err) {
        if (err instanceof ConfigError) {
          const problems = problemsOf(err).map((p) => `  ${p.path === '' ? '' : `${p.path}: `}${p.message}`)
          throw new CliError(`the sink cannot be used:\n${problems.join('\n')}`, EXIT.usage)
        }
        throw new CliError((err as Error).message)
      } finally {
        bar.stop()
        stop.dispose()
      }
      report(out, file, input.kind, summary)
      if (summary.failed > 0 || summary.deadLettered > 0) process.exitCode = EXIT.problems
    })
}

function report(
  out: ReturnType<typeof outputFor>,
  file: string,
  kind: 'jsonl' | 'spool',
  s: ReplaySummary,
): void {
  out.result({ file, input: kind, ...s })
  const delivered = s.failed === 0 && s.deadLettered === 0
  out.say(
    `${out.paint(delivered ? 'ok' : 'error', delivered ? 'Replayed' : 'Replay incomplete:')} ${s.events} event(s) from ${file} to ${s.sink}`,
    `  sent           ${s.sent}`,
    `  failed         ${s.failed}`,
    `  dead-lettered  ${s.deadLettered}${s.deadLetterFile === undefined ? '' : ` (in ${relative(process.cwd(), s.deadLetterFile)})`}`,
    `  duplicates     ${s.duplicates} (skipped: same EventUid)`,
    ...(s.skipped > 0 ? [`  not events     ${s.skipped}`] : []),
    ...(s.stopped === undefined ? [] : [`  stopped early: ${s.stopped}`]),
  )
}

/** `--config`, else the file an app would find here (if any): it supplies sink names and delivery options. */
function configFileFor(options: ReplayCommandOptions, cwd: string): string | undefined {
  try {
    return findConfigFile(options.config, cwd, process.env)
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`${err.file ?? options.config} does not exist`)
    throw err
  }
}

/** The sink entry: JSON given inline, or one of the configuration file's sinks by type or index. */
function sinkFrom(value: string, configFile: string | undefined): SinkEntry {
  if (value.trimStart().startsWith('{')) {
    try {
      return JSON.parse(value) as SinkEntry
    } catch (err) {
      throw new CliError(`--sink is not valid JSON: ${(err as Error).message}`, EXIT.usage)
    }
  }
  if (configFile === undefined)
    throw new CliError(
      `--sink ${value} names a sink, but there is no configuration file (give --config)`,
      EXIT.usage,
    )
  let list: readonly SinkEntry[]
  try {
    list = loadConfig({ config: configFile }).sinks
  } catch (err) {
    if (err instanceof ConfigError)
      throw new CliError(`${err.message}\n(watchpost validate shows each problem)`)
    throw err
  }
  const index = /^(?:sinks\[)?(\d+)\]?$/.exec(value)?.[1]
  const matches =
    index !== undefined
      ? [list[Number(index)]].filter((s) => s !== undefined)
      : list.filter((s) => s.type === value)
  const names = list.map((s, i) => `sinks[${i}] (${s.type})`).join(', ') || 'none'
  if (matches.length === 0)
    throw new CliError(
      `no sink ${value} in ${relative(process.cwd(), configFile)}; its sinks: ${names}`,
      EXIT.usage,
    )
  if (matches.length > 1)
    throw new CliError(
      `${relative(process.cwd(), configFile)} has ${matches.length} ${value} sinks; name one by index: ${names}`,
      EXIT.usage,
    )
  return matches[0]!
}
