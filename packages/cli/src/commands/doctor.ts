/**
 * `watchpost doctor [--config FILE] [--sink NAME] [--timeout MS]`: checks a real Sentinel setup
 * step by step, as the app would run it, and says for the first thing that is wrong what it is and
 * what to do (doctor/run.ts for the steps). Exit 0 when every step passed, 1 when one failed, 2 for
 * wrong usage; `--json` prints `{ ok, steps: [{ name, ok, detail, hint, cause? }] }`.
 */
import { type Command, InvalidArgumentError } from 'commander'
import { runDoctor } from '../doctor/run.js'
import type { StepResult } from '../doctor/types.js'
import { EXIT, type Output, outputFor } from '../output.js'

const DEFAULT_TIMEOUT_MS = 20_000

function timeout(value: string): number {
  const ms = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(ms) || ms < 1)
    throw new InvalidArgumentError('a whole number of milliseconds, at least 1')
  return ms
}

const TITLES: Readonly<Record<string, string>> = {
  config: 'Configuration',
  credential: 'Credential',
  token: 'Access token',
  endpoint: 'Ingestion endpoint',
}

function title(name: string): string {
  const [, prefix = '', step = name] = /^(sinks\[\d+\] )?(.*)$/.exec(name) ?? []
  const upload = /^upload (.+)$/.exec(step)
  return `${prefix}${upload === null ? (TITLES[step] ?? step) : `Test upload to ${upload[1]}`}`
}

function print(out: Output, step: StepResult): void {
  const mark = step.ok ? out.paint('ok', '✓') : out.paint('error', '✗')
  out.say(`${mark} ${out.paint('bold', title(step.name))}: ${step.detail}`)
  if (step.hint !== null) out.say(`  ${out.paint('accent', '→')} ${step.hint}`)
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check a Sentinel sink for real: configuration, credential, token, endpoint, one test event per stream',
    )
    .option('--config <file>', 'configuration file (default: WATCHPOST_CONFIG, then watchpost.config.* here)')
    .option('--sink <name>', 'which sentinel sink: sinks[N], N, or its DCR immutable id (default: each)')
    .option('--timeout <ms>', `bound of each network step (default ${DEFAULT_TIMEOUT_MS})`, timeout)
    .action(async (options: { config?: string; sink?: string; timeout?: number }, command: Command) => {
      const out = outputFor(command)
      const report = await runDoctor({
        configFile: options.config,
        sink: options.sink,
        timeoutMs: options.timeout ?? DEFAULT_TIMEOUT_MS,
        env: process.env,
        cwd: process.cwd(),
        onStep: (step) => print(out, step),
      })
      if (report.ok) out.say(out.paint('ok', 'All checks passed.'))
      else
        out.say(
          out.paint('error', 'A check failed.'),
          out.paint('dim', 'The steps that need it were not run: fix it and run doctor again.'),
        )
      out.result({ ok: report.ok, steps: report.steps })
      process.exitCode = report.ok ? EXIT.ok : EXIT.problems
    })
}
