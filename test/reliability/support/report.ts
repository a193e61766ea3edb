/**
 * Each scenario's figures, printed as one markdown table row as soon as it ends, and appended (one
 * JSON line) to the file `run.ts` names in WATCHPOST_RELIABILITY_RESULTS under the OS temp dir, so
 * that the runner can print the whole table at the end (for docs/sentinel.md).
 */
import { appendFileSync } from 'node:fs'
import { mb } from './measure.js'
import { profile } from './profile.js'

export interface Figures {
  readonly scenario: string
  /** Events the app emitted and the pipeline accepted. */
  readonly emitted: number
  /** Of those, stored at least once by the emulator. */
  readonly received: number
  readonly duplicates: number
  readonly lost: number
  /** Dropped on purpose and counted (disk full, dead letter): not "lost". */
  readonly dropped?: number
  readonly peakRss: number
  readonly rssGrowth?: number
  readonly peakSpoolBytes: number
  /** Seconds from the end of the fault until the backlog was delivered. */
  readonly drainSeconds?: number
  readonly notes?: string
}

export const COLUMNS = [
  'scenario',
  'emitted',
  'received',
  'dup',
  'lost',
  'dropped',
  'peak RSS MB (+growth)',
  'peak spool MB',
  'drain s',
  'notes',
] as const

export function row(f: Figures): string {
  const cells = [
    f.scenario,
    String(f.emitted),
    String(f.received),
    String(f.duplicates),
    String(f.lost),
    String(f.dropped ?? 0),
    f.rssGrowth === undefined ? mb(f.peakRss) : `${mb(f.peakRss)} (+${mb(f.rssGrowth)})`,
    mb(f.peakSpoolBytes),
    f.drainSeconds === undefined ? '–' : f.drainSeconds.toFixed(1),
    f.notes ?? '',
  ]
  return `| ${cells.join(' | ')} |`
}

export function header(): string {
  return `| ${COLUMNS.join(' | ')} |\n|${COLUMNS.map(() => '---').join('|')}|`
}

export function report(figures: Figures): void {
  console.log(`[reliability:${profile().name}] ${header().split('\n')[0]}\n${row(figures)}`)
  const file = process.env.WATCHPOST_RELIABILITY_RESULTS
  if (file !== undefined && file !== '') appendFileSync(file, `${JSON.stringify(figures)}\n`)
}
