/** Starts `watchpost emulator --json` as a child process and reads what it prints. */
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
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

/** A JSON request to the emulator over HTTPS, trusting its CA (and nothing else). */
export function emulatorRequest(
  info: Pick<EmulatorInfo, 'url' | 'caPath'>,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, info.url),
      {
        method,
        ca: readFileSync(info.caPath),
        headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: text === '' ? undefined : JSON.parse(text) }),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
