/**
 * Where a record the destination refused for good (a 400 isolated to that one record, a record
 * that cannot be read back) is set aside with the service's error text, so that it never blocks
 * the records behind it and an operator can see why. Bounded: at `maxBytes` the file is rotated to
 * `<path>.1`, replacing the previous one, so at most twice `maxBytes` is ever on disk.
 * Appends are synchronous and rare (one per poison record), off the request path.
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs'
import { dirname } from 'node:path'

export interface DeadLetterOptions {
  readonly path: string
  readonly maxBytes: number
}

export interface DeadLetterEntry {
  /** The sink that refused it. */
  readonly sink: string
  /** HTTP status, when there was one. */
  readonly status: number | undefined
  /** Why: the service's error text or the local reason. */
  readonly error: string
  /** The record as stored: `<stream>\n<row JSON>` (the redacted event as prepared for the destination), or the event's JSON when it could not be prepared. */
  readonly record: string
}

export interface DeadLetterFile {
  /** Writes one entry; false when it could not be written (the caller counts it as dropped). */
  write(entry: DeadLetterEntry): boolean
  readonly path: string
}

export function createDeadLetterFile(options: DeadLetterOptions): DeadLetterFile {
  let size: number | undefined
  return {
    path: options.path,
    write(entry) {
      const line = `${JSON.stringify({
        time: new Date().toISOString(),
        sink: entry.sink,
        status: entry.status ?? null,
        error: entry.error.slice(0, 4096),
        record: entry.record,
      })}\n`
      const bytes = Buffer.byteLength(line)
      try {
        if (size === undefined) {
          mkdirSync(dirname(options.path), { recursive: true })
          try {
            size = statSync(options.path).size
          } catch {
            size = 0
          }
        }
        if (size > 0 && size + bytes > options.maxBytes) {
          renameSync(options.path, `${options.path}.1`)
          size = 0
        }
        appendFileSync(options.path, line, { mode: 0o600 })
        size += bytes
        return true
      } catch {
        size = undefined
        return false
      }
    },
  }
}
