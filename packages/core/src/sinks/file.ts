/**
 * The file sink: JSON Lines, appended one write per batch, rotated by size (`events.jsonl` →
 * `events.jsonl.1` → … → `events.jsonl.<maxFiles-1>`, the oldest deleted). The file is fsync'ed
 * before each rotation and on close, so a rotated file is complete on disk.
 */
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { Sink } from '../pipeline/types.js'

export interface FileSinkOptions {
  readonly path: string
  /** Size at which the file is rotated. */
  readonly maxBytes?: number
  /** Files kept, the current one included. */
  readonly maxFiles?: number
}

export function createFileSink(options: FileSinkOptions): Sink {
  const path = resolve(options.path)
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024
  const maxFiles = Math.max(1, options.maxFiles ?? 5)
  let handle: FileHandle | undefined
  let size = 0
  // Only a regular file is rotated and fsync'ed: a path such as /dev/null or a FIFO is written to
  // as it is (renaming /dev/null would break the machine; fsync on it fails with EINVAL).
  let regular = true

  async function ensureOpen(): Promise<FileHandle> {
    if (handle !== undefined) return handle
    await mkdir(dirname(path), { recursive: true })
    handle = await open(path, 'a', 0o640)
    const info = await handle.stat()
    regular = info.isFile()
    size = info.size
    return handle
  }

  async function sync(fh: FileHandle): Promise<void> {
    if (regular) await fh.sync()
  }

  async function rotate(): Promise<void> {
    if (handle !== undefined) {
      await sync(handle)
      await handle.close()
      handle = undefined
    }
    await rm(`${path}.${maxFiles - 1}`, { force: true })
    for (let i = maxFiles - 2; i >= 1; i--) {
      await rename(`${path}.${i}`, `${path}.${i + 1}`).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err
      })
    }
    if (maxFiles > 1) await rename(path, `${path}.1`)
    else await rm(path, { force: true })
    size = 0
  }

  return {
    name: `file:${options.path}`,
    async send(batch) {
      let out = ''
      for (const event of batch) out += `${JSON.stringify(event)}\n`
      await ensureOpen()
      // A UTF-16 unit is at most 3 bytes of UTF-8: the exact count (a scan of the whole batch, ~1,600
      // instructions per event) is only needed when the batch might not fit.
      if (regular && size > 0 && size + 3 * out.length > maxBytes && size + Buffer.byteLength(out) > maxBytes)
        await rotate()
      const fh = await ensureOpen()
      const { bytesWritten } = await fh.write(out)
      size += bytesWritten
    },
    async flush() {
      if (handle !== undefined && regular) await handle.datasync()
    },
    async close() {
      if (handle === undefined) return
      const fh = handle
      handle = undefined
      await sync(fh)
      await fh.close()
    },
  }
}
