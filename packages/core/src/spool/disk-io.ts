/** The few file-system helpers the spool needs on top of `SpoolFs`. */
import * as nodeFs from 'node:fs'
import { dirname } from 'node:path'
import type { SpoolFs } from './types.js'

export const NODE_FS: SpoolFs = nodeFs

/**
 * `writeSync` may write less than asked (a disk filling up): loop, and fail on no progress.
 * `position` for a write in place (the ledger); none for an append.
 */
export function writeAll(fs: SpoolFs, fd: number, buf: Buffer, position?: number): void {
  let done = 0
  while (done < buf.length) {
    const n = fs.writeSync(fd, buf, done, buf.length - done, position === undefined ? null : position + done)
    if (n <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    done += n
  }
}

/**
 * `mkdir -p` that reports the real cause. Node's recursive mkdir turns EROFS (and a few others) into
 * `ENOENT` for the leaf — it stats the path after the failure — which sends an operator looking for a
 * missing directory on a read-only mount. On ENOENT the path is walked again one level at a time,
 * without `recursive`, so the first level that cannot be made fails with its own code (EROFS, EACCES,
 * ENOTDIR, …); the message names the spool directory and says what to fix.
 */
export function makeDirectory(fs: SpoolFs, directory: string): void {
  try {
    fs.mkdirSync(directory, { recursive: true })
    return
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw explain(err, directory)
  }
  const missing: string[] = []
  for (let dir = directory; dirname(dir) !== dir; dir = dirname(dir)) missing.unshift(dir)
  for (const dir of missing) {
    try {
      fs.mkdirSync(dir)
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw explain(err, directory)
    }
  }
}

const REMEDY: Readonly<Record<string, string>> = {
  EROFS:
    'the file system is mounted read-only: mount it read-write or set spool.directory to a writable path',
  EACCES: 'permission denied: let the process write there or set spool.directory to a writable path',
  EPERM: 'operation not permitted: let the process write there or set spool.directory to a writable path',
  ENOTDIR: 'a part of the path is a file, not a directory: fix spool.directory',
  ENOSPC: 'the disk is full: free space there or set spool.directory to another disk',
  EDQUOT: 'the disk quota is exhausted: free space there or set spool.directory to another disk',
}

/** The error, its code kept, with the spool directory and the remedy in the message. */
function explain(err: unknown, directory: string): Error {
  const error = asError(err)
  const code = errorCode(err)
  const remedy = REMEDY[code] ?? 'set spool.directory to a writable path'
  return Object.assign(
    new Error(`spool directory ${directory} cannot be created (${error.message}); ${remedy}`, { cause: err }),
    { code },
  )
}

/** Off the event loop (libuv thread pool): a sync tick never blocks requests on the disk. */
export function fdatasync(fs: SpoolFs, fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())))
}

/** Makes created, renamed and unlinked entries of `dir` durable (a file's fsync does not). */
export async function syncDirectory(fs: SpoolFs, dir: string): Promise<void> {
  const fd = fs.openSync(dir, 'r')
  try {
    await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())))
  } catch (err) {
    // Some file systems cannot fsync a directory; their metadata is as durable as it gets there.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err
  } finally {
    fs.closeSync(fd)
  }
}

export function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code
  return typeof code === 'string' ? code : 'EUNKNOWN'
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}
