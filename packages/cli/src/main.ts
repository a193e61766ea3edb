/**
 * The bin's entry: runs the program on the process's arguments and turns every failure into a
 * message and an exit code (output.ts: 1 problems, 2 usage) — never a stack trace.
 */
import { CommanderError } from 'commander'
import { CliError, EXIT } from './output.js'
import { createProgram } from './program.js'
import { takeOverWarnings } from './warnings.js'

const json = process.argv.includes('--json')

function fail(message: string, exitCode: number, detail?: unknown): void {
  if (json)
    process.stdout.write(
      `${JSON.stringify({ ok: false, error: message, ...(detail === undefined ? {} : { detail }) }, null, 2)}\n`,
    )
  else process.stderr.write(`watchpost: ${message}\n`)
  process.exitCode = exitCode
}

takeOverWarnings()
try {
  await createProgram().parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has printed its message (or the help / version) already.
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage
  } else if (err instanceof CliError) {
    fail(err.message, err.exitCode, err.detail)
  } else {
    fail(err instanceof Error ? err.message : String(err), EXIT.problems)
  }
}
