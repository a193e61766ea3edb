/**
 * Real disk trouble for the spool where the machine allows it: a tmpfs of a fixed size (it fills),
 * remounted read-only. Needs root and a kernel that lets this container mount; each helper says
 * whether it worked so the scenario can fall back (a size-capped spool; a path under a file).
 */
import { execFileSync } from 'node:child_process'

function run(args: readonly string[]): boolean {
  try {
    execFileSync('mount', args, { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export function canMount(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0
}

/** Mounts a tmpfs of `size` (e.g. `2m`) on `dir`; false when not possible here. */
export function mountTmpfs(dir: string, size: string): boolean {
  return canMount() && run(['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir])
}

export function remount(dir: string, options: string): boolean {
  return run(['-o', `remount,${options}`, dir])
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' })
  } catch {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' })
    } catch {}
  }
}
