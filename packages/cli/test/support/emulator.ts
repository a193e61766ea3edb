/** Starts `watchpost emulator --json` as a child process and reads what it prints. */
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { finished, type RunResult, start } from './cli.js'
import type { SinkEntry } from './events.js'

export interface EmulatorInfo {
  readonly url: string
  readonly caPath: string
  readonly tenantId: string
  readonly clientId: string
  readonly clientSecret: string
  readonly dcrImmutableId: string
  readonly streams: string[]
  readonly env: Record<string, string>
  readonly sink: SinkEntry
}

export interface RunningEmulator {
  readonly child: ChildProcess
  readonly info: EmulatorInfo
  /** The child's whole output and exit, once it has exited. */
  readonly done: Promise<RunResult>
  /** SIGTERM, then the exit. */
  stop(): Promise<RunResult>
}

/** `watchpost --json emulator --port 0` with its TLS material and store under `dir`. */
export async function startEmulatorCli(dir: string): Promise<RunningEmulator> {
  const child = start(
    ['--json', 'emulator', '--port', '0', '--tls-dir', join(dir, 'tls'), '--db', join(dir, 'rows.db')],
    { cwd: dir },
  )
  const done = finished(child, 120_000)
  const firstLine = await new Promise<string>((resolve, reject) => {
    let buffered = ''
    const onData = (chunk: Buffer | string) => {
      buffered += chunk.toString()
      const end = buffered.indexOf('\n')
      if (end !== -1) {
        child.stdout?.off('data', onData)
        resolve(buffered.slice(0, end))
      }
    }
    child.stdout?.on('data', onData)
    void done.then((result) => reject(new Error(`the emulator exited first: ${JSON.stringify(result)}`)))
  })
  const info = JSON.parse(firstLine) as EmulatorInfo
  return {
    child,
    info,
    done,
    stop: () => {
      child.kill('SIGTERM')
      return done
    },
  }
}
