/**
 * Follows a growing file line by line, as `tail -F` does: by polling its size and identity, which
 * works on every file system (fs.watch misses renames on some and fires twice on others). It copes
 * with what a file sink does to its file: rotation (the file is renamed and a new one created: the
 * rest of the old one is read first), truncation (read again from the start) and a last line still
 * being written (held back until its newline arrives).
 */
import { type FileHandle, open, stat } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'

/** How any source is followed (a file here, an emulator in follow-emulator.ts). */
export interface Following {
  /** Start with what is there already instead of only what comes next. */
  readonly fromStart: boolean
  /** Stop at the end of what is there now instead of following. */
  readonly once: boolean
  readonly pollMs: number
  /** Stops following (at the next poll). */
  readonly signal: AbortSignal
  /** Something the reader should know (a rotation, a truncation, a missing file, an outage). */
  onNotice(message: string): void
}

export interface FollowFileOptions extends Following {
  readonly path: string
  onLine(line: string): void
}

/** Bytes read per call: a bound on memory whatever the file's size. */
const CHUNK = 64 * 1024

interface Open {
  readonly handle: FileHandle
  readonly ino: number
  position: number
}

export async function followFile(options: FollowFileOptions): Promise<void> {
  const { path, signal } = options
  let current: Open | undefined
  let partial = ''
  let firstOpen = true
  let waitingNoticed = false

  const readToEnd = async (file: Open): Promise<void> => {
    const buffer = Buffer.alloc(CHUNK)
    for (;;) {
      const { bytesRead } = await file.handle.read(buffer, 0, CHUNK, file.position)
      if (bytesRead === 0) return
      file.position += bytesRead
      partial += buffer.toString('utf8', 0, bytesRead)
      const lines = partial.split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) if (line.trim() !== '') options.onLine(line)
    }
  }
  const openFile = async (): Promise<Open | undefined> => {
    try {
      const handle = await open(path, 'r')
      const info = await handle.stat()
      const position = firstOpen && !options.fromStart && !options.once ? info.size : 0
      if (firstOpen && !options.once) options.onNotice(`following ${path}`)
      firstOpen = false
      return { handle, ino: info.ino, position }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }

  try {
    while (!signal.aborted) {
      current ??= await openFile()
      if (current === undefined) {
        if (options.once) {
          options.onNotice(`${path} does not exist`)
          return
        }
        if (!waitingNoticed) options.onNotice(`waiting for ${path} to appear`)
        waitingNoticed = true
        firstOpen = false // a file that appears later is read from its start
      } else {
        const size = (await current.handle.stat()).size
        if (size < current.position) {
          options.onNotice(`${path} was truncated; reading it from the start`)
          current.position = 0
          partial = ''
        }
        await readToEnd(current)
        if (options.once) {
          if (partial.trim() !== '')
            options.onNotice(`the last line of ${path} has no end yet (still being written?); left out`)
          break
        }
        const now = await stat(path).catch(() => undefined)
        if (now === undefined || now.ino !== current.ino) {
          // Rotated (renamed away, maybe a new file in its place): the old file is complete. A last
          // line without its newline will not get one now.
          await readToEnd(current)
          if (partial.trim() !== '') options.onLine(partial)
          partial = ''
          await current.handle.close()
          current = undefined
          firstOpen = false
          options.onNotice(`${path} was rotated; following the new file`)
          continue
        }
      }
      await sleep(options.pollMs, undefined, { signal }).catch(() => {})
    }
  } finally {
    await current?.handle.close()
  }
}
