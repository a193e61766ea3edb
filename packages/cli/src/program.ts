/**
 * The `watchpost` command line: one commander program, each sub-command in its own module under
 * commands/. Exported for tests and for tools that embed the commands; the bin runs main.ts.
 */
import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { registerBlocks } from './commands/blocks.js'
import { registerDoctor } from './commands/doctor.js'
import { registerEmulator } from './commands/emulator.js'
import { registerInit } from './commands/init.js'
import { registerReplay } from './commands/replay.js'
import { registerRules } from './commands/rules.js'
import { registerTail } from './commands/tail.js'
import { registerTemplates } from './commands/templates.js'
import { registerValidate } from './commands/validate.js'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string
}

/** A sub-command module: adds its command (options, arguments, action) to the program. */
export type Register = (program: Command) => void

const COMMANDS: readonly Register[] = [
  registerInit,
  registerValidate,
  registerTemplates,
  registerRules,
  registerEmulator,
  registerTail,
  registerReplay,
  registerDoctor,
  registerBlocks,
]

/** The `watchpost` program with every sub-command. */
export function createProgram(): Command {
  const program = new Command('watchpost')
    .description('Security events from Fastify and Express apps into Microsoft Sentinel.')
    .version(version, '-v, --version')
    .option('--json', 'print JSON (for machines) instead of text')
    .option('--no-color', 'no colour, even on a terminal')
    .showHelpAfterError('(watchpost --help lists the commands)')
    .exitOverride()
  for (const register of COMMANDS) register(program)
  return program
}
