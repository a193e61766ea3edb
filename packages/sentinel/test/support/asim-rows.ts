/**
 * Projected rows as Watchpost sends them, for the built-in-rule tests: each event recorded by core
 * inside a real request (its path, method and headers), projected with projectToAsim. `at` places a
 * copy of a row at another time and source, which is all that differs between the rows of an attack.
 */
import { createWatchpost, type EventName } from '@watchpost/core'
import { projectToAsim } from '@watchpost/core/sdk'
import type { ProjectedRow } from '../../src/content/index.js'
import { serve } from './helpers.js'

export interface RowSpec {
  readonly event: EventName
  readonly params?: Readonly<Record<string, unknown>>
  /** The status the app answered (Web Session events). */
  readonly status?: number
  readonly path?: string
  readonly headers?: Readonly<Record<string, string>>
}

const app = { name: 'shop', version: '1.4.0', environment: 'production', host: 'web-01' }

/** One projected row per spec, in order. */
export async function rowsOf(specs: readonly RowSpec[]): Promise<ProjectedRow[]> {
  const wp = createWatchpost({ config: false, app, sinks: [] })
  const rows: ProjectedRow[] = []
  for (const spec of specs) {
    await serve(
      (req, res) => {
        const context = wp.context(req, res)
        const event = wp.record(spec.event, spec.params, {
          context,
          ...(spec.status === undefined ? {} : { statusCode: spec.status }),
        })
        if (event === undefined) throw new Error(`${spec.event} was not built`)
        rows.push(projectToAsim(event))
      },
      [spec.headers ?? {}],
      spec.path ?? '/',
    )
  }
  await wp.close()
  return rows
}

/** The row recorded at `time` (ISO) instead, with other columns changed (a source address, a user). */
export function at(
  { projection, row }: ProjectedRow,
  time: string,
  columns: Readonly<Record<string, unknown>> = {},
): ProjectedRow {
  return { projection, row: { ...row, TimeGenerated: time, ...columns } }
}

/** `n` copies of a row, `stepMs` apart from `start` (ISO). */
export function burst(
  row: ProjectedRow,
  n: number,
  start: string,
  stepMs: number,
  columns: (i: number) => Readonly<Record<string, unknown>> = () => ({}),
): ProjectedRow[] {
  const t0 = Date.parse(start)
  return Array.from({ length: n }, (_, i) => at(row, new Date(t0 + i * stepMs).toISOString(), columns(i)))
}
