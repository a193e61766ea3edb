/** Runs the real `watchpost` bin (the built package) as a child process, as a user's shell would. */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/watchpost.js', import.meta.url))

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** `watchpost …args` with `env` added to this process's environment; never rejects. */
export function watchpost(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 30_000,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
        resolve({ code, stdout, stderr })
      },
    )
  })
}
