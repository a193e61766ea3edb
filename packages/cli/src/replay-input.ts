/**
 * What `replay` reads: a file sink's JSON Lines, or a disk spool — one sink's directory, the spool
 * root holding one directory per sink, or a single segment file. A spool is read with core's own
 * spool (`createSpool`, docs/spool.md: its format is internal), which checks every record's checksum;
 * its records are `<stream>\n<row JSON>` as prepared for the sink, turned back into events by
 * asim-rows.ts. The spool is left as it was: nothing is acknowledged, so the app that owns it still
 * sends those events on its next start (with the same EventUid).
 */
import {
  copyFileSync,
  createReadStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { SecurityEvent } from '@watchpost/core'
import { createSpool } from '@watchpost/core/sdk'
import { eventFromRow } from './asim-rows.js'
import { CliError } from './output.js'

export interface ReplayInput {
  /** `jsonl`, or `spool` with the sink directories read. */
  readonly kind: 'jsonl' | 'spool'
  /** Events in the input, known before reading them (for the progress bar). */
  readonly total: number
  /** The events, oldest first; `onSkip` hears of what is not an event. */
  events(onSkip: (why: string) => void): AsyncGenerator<Partial<SecurityEvent>>
}

const SEGMENT = /^sev[0-3]-\d+\.wal$/
/** Read with no bound of size or age: the spool must not drop what the user asked to replay. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER

export async function openInput(path: string): Promise<ReplayInput> {
  const info = statSync(path)
  if (info.isDirectory()) return spoolInput(spoolDirectories(path))
  if (SEGMENT.test(basename(path))) return segmentInput(path)
  return jsonlInput(path, await countLines(path))
}

/** A sink's directory holds segments or a ledger; the spool root holds such directories. */
function spoolDirectories(path: string): string[] {
  const names = readdirSync(path)
  if (names.includes('ledger') || names.some((name) => SEGMENT.test(name))) return [path]
  const dirs = names
    .map((name) => join(path, name))
    .filter((dir) => statSync(dir).isDirectory() && existsSync(join(dir, 'ledger')))
  if (dirs.length === 0)
    throw new CliError(`${path} is not a spool directory (no segments, no ledger, no sink directories)`)
  return dirs
}

function spoolInput(directories: readonly string[], cleanup?: () => void): ReplayInput {
  const open = (directory: string) =>
    createSpool({ directory, maxBytes: UNBOUNDED, maxAgeMs: UNBOUNDED, memoryFallbackBytes: 1 })
  let total = 0
  for (const directory of directories) {
    const spool = open(directory)
    total += spool.stats().records
    void spool.close()
  }
  return {
    kind: 'spool',
    total,
    async *events(onSkip) {
      try {
        for (const directory of directories) {
          const spool = open(directory)
          try {
            for (;;) {
              const records = spool.lease(8 * 1024 * 1024, 1000)
              if (records.length === 0) break
              for (const record of records) {
                const newline = record.data.indexOf('\n')
                try {
                  const row = JSON.parse(record.data.slice(newline + 1)) as Record<string, unknown>
                  yield eventFromRow(row, { stream: record.data.slice(0, newline) })
                } catch {
                  onSkip(`a spool record of ${directory} that is not a row`)
                }
              }
            }
          } finally {
            // Nothing acknowledged: the records stay for the app that owns the spool.
            await spool.close()
          }
        }
      } finally {
        cleanup?.()
      }
    },
  }
}

/**
 * One segment file, read from a copy in a directory of its own — without its ledger, so every record
 * in it, those already delivered included. A copy, not a link: opening a spool may cut a torn record
 * off a segment's end, and the original is not ours to change.
 */
function segmentInput(file: string): ReplayInput {
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-replay-'))
  copyFileSync(resolve(file), join(dir, basename(file)))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  try {
    return spoolInput([dir], remove)
  } catch (err) {
    remove()
    throw err
  }
}

function jsonlInput(path: string, total: number): ReplayInput {
  return {
    kind: 'jsonl',
    total,
    async *events(onSkip) {
      const lines = createInterface({
        input: createReadStream(path, 'utf8'),
        crlfDelay: Number.POSITIVE_INFINITY,
      })
      let number = 0
      for await (const line of lines) {
        number++
        if (line.trim() === '') continue
        let value: unknown
        try {
          value = JSON.parse(line)
        } catch {
          value = undefined
        }
        if (typeof value === 'object' && value !== null && !Array.isArray(value))
          yield value as Partial<SecurityEvent>
        else onSkip(`line ${number} is not a JSON event`)
      }
    },
  }
}

/** Lines with content, counted in a first pass over the file (bounded memory). */
async function countLines(path: string): Promise<number> {
  let count = 0
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  })
  for await (const line of lines) if (line.trim() !== '') count++
  return count
}
