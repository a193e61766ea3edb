/**
 * The console sink: for development, one human-readable line per event (coloured on a TTY), or JSON
 * Lines for log collectors. Writes happen off the request path, one write per batch.
 */
import type { Writable } from 'node:stream'
import type { Sink } from '../pipeline/types.js'
import type { SecurityEvent } from '../schema/fields.js'
import { writeWithBackpressure } from './write-stream.js'

export interface ConsoleSinkOptions {
  /** `pretty` one line per event, `json` JSON Lines, `auto` pretty on a TTY and JSON otherwise. */
  readonly format?: 'auto' | 'pretty' | 'json'
  readonly stream?: 'stdout' | 'stderr' | Writable
  /** Colours in pretty output; by default when the stream `takesColour`. */
  readonly colors?: boolean | undefined
}

/**
 * Whether a stream is a terminal that Node says takes colour (`hasColors()`, which honours
 * `NO_COLOR`, `NODE_DISABLE_COLORS`, `FORCE_COLOR`, `TERM=dumb` and `CI`): the one rule for the
 * console sink's and the CLI's colour.
 */
export function takesColour(stream: Writable): boolean {
  const tty = stream as { isTTY?: boolean; hasColors?: () => boolean }
  return tty.isTTY === true && tty.hasColors?.() === true
}

const SEVERITY_LABEL: Record<string, string> = {
  Informational: 'INFO',
  Low: 'LOW ',
  Medium: 'MED ',
  High: 'HIGH',
}
const SEVERITY_COLOR: Record<string, string> = {
  Informational: '\x1b[36m',
  Low: '\x1b[32m',
  Medium: '\x1b[33m',
  High: '\x1b[31m',
}
const DIM = '\x1b[2m'
const RESET = '\x1b[0m'

/** One line per event: time, severity, vocabulary name, message, then where it came from. */
export function formatPretty(event: SecurityEvent, colors: boolean): string {
  const sev = SEVERITY_LABEL[event.EventSeverity] ?? event.EventSeverity
  const where: string[] = []
  if (event.SrcIpAddr !== undefined) where.push(`src=${event.SrcIpAddr}`)
  if (event.HttpRequestMethod !== undefined) where.push(`${event.HttpRequestMethod} ${event.Url ?? ''}`)
  if (event.HttpStatusCode !== undefined) where.push(`status=${event.HttpStatusCode}`)
  if (event.EventCount > 1) where.push(`count=${event.EventCount}`)
  if (event.CorrelationId !== undefined) where.push(`corr=${event.CorrelationId}`)
  const tail = where.join(' ')
  if (!colors)
    return `${event.TimeGenerated} ${sev} ${event.EventOriginalType} ${event.EventMessage}${tail ? `  ${tail}` : ''}\n`
  const color = SEVERITY_COLOR[event.EventSeverity] ?? ''
  return `${DIM}${event.TimeGenerated}${RESET} ${color}${sev}${RESET} ${event.EventOriginalType} ${event.EventMessage}${tail ? `  ${DIM}${tail}${RESET}` : ''}\n`
}

export function createConsoleSink(options: ConsoleSinkOptions = {}): Sink {
  const stream: Writable =
    options.stream === undefined || options.stream === 'stdout'
      ? process.stdout
      : options.stream === 'stderr'
        ? process.stderr
        : options.stream
  const isTty = (stream as { isTTY?: boolean }).isTTY === true
  const format =
    options.format === undefined || options.format === 'auto' ? (isTty ? 'pretty' : 'json') : options.format
  const colors = options.colors ?? takesColour(stream)
  return {
    name: 'console',
    async send(batch) {
      let out = ''
      for (const event of batch)
        out += format === 'json' ? `${JSON.stringify(event)}\n` : formatPretty(event, colors)
      await writeWithBackpressure(stream, out)
    },
    async close() {
      // stdout/stderr are the process's; never end them.
    },
  }
}
