/**
 * For tests that need a system program (later: `redis-server`, `chromium`): find it, or install its
 * Debian package when that is possible (running as root with apt-get, as in CI), or fail with the
 * exact line that installs it. Never a silent skip: a test that cannot run must fail.
 */
import { execFileSync, spawnSync } from 'node:child_process'

export interface RequireCommandOptions {
  /** Install the package when missing and allowed (root + apt-get). Default true. */
  readonly install?: boolean
  /** For tests of this helper: pretend the command is missing from PATH. */
  readonly path?: string
}

export class MissingCommandError extends Error {
  readonly installLine: string
  constructor(command: string, debPackage: string, why: string) {
    const installLine = `apt-get update && apt-get install -y ${debPackage}`
    super(`${command} is not installed (${why}). Install it with: ${installLine}`)
    this.name = 'MissingCommandError'
    this.installLine = installLine
  }
}

function which(command: string, path: string | undefined): string | undefined {
  const env = path === undefined ? process.env : { ...process.env, PATH: path }
  const found = spawnSync('sh', ['-c', `command -v "$0"`, command], { env, encoding: 'utf8' })
  const out = found.stdout.trim()
  return found.status === 0 && out !== '' ? out : undefined
}

/** The absolute path of `command`, installing `debPackage` first when needed and possible. */
export function requireCommand(
  command: string,
  debPackage: string,
  options: RequireCommandOptions = {},
): string {
  const found = which(command, options.path)
  if (found !== undefined) return found
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const hasApt = which('apt-get', options.path) !== undefined
  if (options.install === false)
    throw new MissingCommandError(command, debPackage, 'installing was not allowed')
  if (!isRoot || !hasApt) {
    throw new MissingCommandError(
      command,
      debPackage,
      isRoot ? 'apt-get is not available' : 'not running as root',
    )
  }
  execFileSync(
    'sh',
    ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${debPackage}`],
    {
      stdio: 'inherit',
      timeout: 600_000,
    },
  )
  const installed = which(command, options.path)
  if (installed === undefined)
    throw new MissingCommandError(command, debPackage, `installing ${debPackage} did not provide it`)
  return installed
}
