/**
 * How every command speaks: readable text (coloured on a terminal that takes colour, unless
 * `--no-color`) or, with `--json`, one JSON document on stdout that a machine can parse. Failures
 * are a `CliError` thrown by the command: main.ts prints its message — never a stack trace — and
 * exits with its code.
 */
import { styleText } from 'node:util'
import { takesColour } from '@watchpost/core/sdk'
import type { Command } from 'commander'

/** Exit codes: 0 done; 1 the command ran and found problems (or failed); 2 wrong usage. */
export const EXIT = { ok: 0, problems: 1, usage: 2 } as const

/** A failure to report to the user in plain words, with the exit code it ends the process with. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    message: string,
    readonly exitCode: number = EXIT.problems,
    /** Structured detail for `--json` (e.g. the problems found). */
    readonly detail?: unknown,
  ) {
    super(message)
  }
}

export type Tone = 'ok' | 'warn' | 'error' | 'dim' | 'bold' | 'accent'

const STYLES: Readonly<Record<Tone, Parameters<typeof styleText>[0]>> = {
  ok: 'green',
  warn: 'yellow',
  error: 'red',
  dim: 'dim',
  bold: 'bold',
  accent: 'cyan',
}

export interface Output {
  /** `--json` was given: print one JSON document, no text. */
  readonly json: boolean
  /** Colour is on: stdout `takesColour` (@watchpost/core's rule, the console sink's too), and no `--no-color`. */
  readonly colour: boolean
  /** `text` in a tone when colour is on, as it is otherwise. */
  paint(tone: Tone, text: string): string
  /** Lines of text to stdout (nothing in `--json` mode). */
  say(...lines: string[]): void
  /** Lines of text to stderr, in `--json` mode too (progress, notes). */
  note(...lines: string[]): void
  /** The command's result as JSON on stdout (only in `--json` mode). */
  result(value: unknown): void
  /**
   * One compact JSON line on stdout (only in `--json` mode), for commands that keep running and
   * print as they go (JSON Lines: each line parses on its own).
   */
  line(value: unknown): void
}

interface GlobalOptions {
  readonly json?: boolean
  readonly color?: boolean
}

/** The output for a command, from the global options (`--json`, `--no-color`) and the streams. */
export function outputFor(
  command: Command,
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): Output {
  const options = command.optsWithGlobals<GlobalOptions>()
  const json = options.json === true
  const colour = !json && options.color !== false && takesColour(stdout)
  return {
    json,
    colour,
    // The decision is made once, above: styleText must not make its own from process.stdout.
    paint: (tone, text) => (colour ? styleText(STYLES[tone], text, { validateStream: false }) : text),
    say: (...lines) => {
      if (!json) stdout.write(`${lines.join('\n')}\n`)
    },
    note: (...lines) => {
      stderr.write(`${lines.join('\n')}\n`)
    },
    result: (value) => {
      if (json) stdout.write(`${JSON.stringify(value, null, 2)}\n`)
    },
    line: (value) => {
      if (json) stdout.write(`${JSON.stringify(value)}\n`)
    },
  }
}
