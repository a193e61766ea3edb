/**
 * `watchpost emulator`: runs the local stand-in for Azure (`@watchpost/emulator`: Logs Ingestion,
 * Entra ID tokens, a SQLite store) until SIGINT or SIGTERM, and prints how to point an app at it —
 * the environment lines and the `sentinel` sink entry for the configuration file.
 */
import type { Emulator } from '@watchpost/emulator'
import type { Command } from 'commander'
import { CliError, EXIT, outputFor } from '../output.js'
import { stopSignal } from '../stop-signal.js'
import { yamlLines } from '../yaml-snippet.js'

interface EmulatorCommandOptions {
  readonly port: string
  readonly host?: string
  readonly tlsDir?: string
  readonly db?: string
}

export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description('run the local Azure emulator (Logs Ingestion + Entra ID) until Ctrl-C')
    .option('--port <n>', 'port to listen on (0: any free port)', '8443')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option(
      '--tls-dir <dir>',
      'where its CA, certificate and token key live (default .watchpost/emulator/tls)',
    )
    .option('--db <file>', 'SQLite file for the rows it accepts (default: in memory)')
    .action(async (options: EmulatorCommandOptions, command: Command) => {
      const out = outputFor(command)
      const port = Number(options.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new CliError(
          `--port must be an integer from 0 to 65535, got ${JSON.stringify(options.port)}`,
          EXIT.usage,
        )
      // Loaded here, not with the program: its TLS and SQLite modules would slow every other command.
      const { emulatorTarget, sentinelSinkFor, startEmulator } = await import('@watchpost/emulator')
      let emulator: Emulator
      try {
        emulator = await startEmulator({
          port,
          ...(options.host === undefined ? {} : { host: options.host }),
          ...(options.tlsDir === undefined ? {} : { tlsDir: options.tlsDir }),
          ...(options.db === undefined ? {} : { dbPath: options.db }),
        })
      } catch (err) {
        // The emulator wraps the listen error (its own EmulatorError); the system's code is on the cause.
        const cause = (err as { cause?: NodeJS.ErrnoException }).cause
        if (cause?.code === 'EADDRINUSE')
          throw new CliError(`port ${port} is in use; choose another with --port (0: any free one)`)
        throw new CliError(`the emulator could not start: ${(err as Error).message}`)
      }
      // Listening for the signals before saying where it is: whoever reads that may stop it at once.
      const stop = stopSignal()
      const sink = sentinelSinkFor(emulator)
      out.line({
        ...emulatorTarget(emulator),
        streams: Object.keys(emulator.streams),
        env: emulator.env,
        sink,
      })
      out.say(
        `${out.paint('ok', 'Watchpost emulator')} listening on ${out.paint('bold', emulator.url)} (Ctrl-C stops it)`,
        `  CA certificate    ${emulator.caPath}`,
        `  tables            ${[...new Set(Object.values(emulator.streams).flatMap((s) => s.tables))].join(', ')}`,
        `  rows, as JSON     ${emulator.url}/admin/rows   (follow them: npx watchpost tail --emulator ${emulator.url})`,
        '',
        out.paint(
          'dim',
          '# Either: the sink entry for watchpost.config.yaml (its CA trusted by the sink alone)',
        ),
        'sinks:',
        ...yamlLines([sink], '  '),
        '',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration file's substitution syntax
        out.paint('dim', '# Or: this environment, read by a sink entry written with ${VAR} references;'),
        out.paint('dim', '# NODE_EXTRA_CA_CERTS must be set before the app starts'),
        ...Object.entries(emulator.env).map(([name, value]) => `${name}=${value}`),
      )
      await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }))
      stop.dispose()
      await emulator.close()
      out.note('watchpost emulator stopped')
    })
}
