/**
 * Runs the real bin (`bin/watchpost.js` → dist/main.js) as a child process, as a user would. The
 * package must be built first (`npm run build -w packages/cli`; the `test` task builds it).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/watchpost.js', import.meta.url))

export interface RunResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
  /** Killed (SIGKILL) after this long: a hung command fails its test instead of the whole run. */
  readonly timeoutMs?: number
}

/**
 * The environment without anything that would change the CLI's output: a config file, and every
 * variable Node's `hasColors()` reads besides `TERM` (CI machines set `CI`, which turns colour off).
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const {
    WATCHPOST_CONFIG: _c,
    FORCE_COLOR: _f,
    NO_COLOR: _n,
    NODE_DISABLE_COLORS: _d,
    CI: _ci,
    ...env
  } = process.env
  return { ...env, ...extra }
}

export function start(args: readonly string[], options: RunOptions = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

export function run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const child = start(args, options)
  return finished(child, options.timeoutMs ?? 30_000)
}

/** Collects a started child's output until it exits. */
export function finished(child: ChildProcess, timeoutMs = 30_000): Promise<RunResult> {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix = 'watchpost-cli-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
