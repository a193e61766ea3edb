/** The few file-system helpers the spool needs on top of `SpoolFs`. */
import * as nodeFs from 'node:fs'
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
