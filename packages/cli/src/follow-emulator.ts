/**
 * Follows the rows a local emulator stores, through its admin API (`GET /admin/rows`, every table,
 * each in insertion order). The API has no cursor, so each poll reads every row and keeps those past
 * the count already seen per table; a table whose count went down was cleared (`DELETE
 * /admin/rows`) and is read again from its start. Meant for the emulator's scale, not for millions
 * of rows.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Following } from './follow-file.js'
import { requestJson } from './https-json.js'
import { CliError } from './output.js'

export interface EmulatorRow extends Record<string, unknown> {
  readonly _Table: string
  readonly _IngestionTime: string
}

export interface FollowEmulatorOptions extends Following {
  readonly url: URL
  readonly ca: Buffer | undefined
  onRow(row: EmulatorRow): void
}

async function fetchRows(options: FollowEmulatorOptions): Promise<EmulatorRow[]> {
  const { status, json } = await requestJson(new URL('/admin/rows', options.url), {
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  })
  const rows = (json as { rows?: unknown } | undefined)?.rows
  if (status !== 200 || !Array.isArray(rows))
    throw new CliError(`${options.url.origin}/admin/rows answered ${status}: is it a Watchpost emulator?`)
  return rows as EmulatorRow[]
}

export async function followEmulator(options: FollowEmulatorOptions): Promise<void> {
  const seen = new Map<string, number>()
  let first = true
  let down = false
  while (!options.signal.aborted) {
    let rows: EmulatorRow[]
    try {
      rows = await fetchRows(options)
      if (down) options.onNotice(`${options.url.origin} answers again`)
      down = false
    } catch (err) {
      // The first answer says whether the address is right; later failures are an emulator restarting.
      if (first || options.once) throw err
      if (!down)
        options.onNotice(`${options.url.origin} does not answer (${(err as Error).message}); retrying`)
      down = true
      await sleep(options.pollMs, undefined, { signal: options.signal }).catch(() => {})
      continue
    }
    const byTable = new Map<string, EmulatorRow[]>()
    for (const row of rows) {
      const list = byTable.get(row._Table) ?? []
      list.push(row)
      byTable.set(row._Table, list)
    }
    const fresh: EmulatorRow[] = []
    for (const [table, list] of byTable) {
      let from = seen.get(table) ?? (first && !options.fromStart && !options.once ? list.length : 0)
      if (list.length < from) {
        options.onNotice(`the emulator's ${table} rows were cleared`)
        from = 0
      }
      fresh.push(...list.slice(from))
      seen.set(table, list.length)
    }
    for (const table of seen.keys()) if (!byTable.has(table)) seen.set(table, 0)
    // Tables are listed one after the other: interleave their new rows by arrival.
    fresh.sort((a, b) => a._IngestionTime.localeCompare(b._IngestionTime))
    for (const row of fresh) options.onRow(row)
    if (first && !options.once) options.onNotice(`following ${options.url.origin}`)
    first = false
    if (options.once) return
    await sleep(options.pollMs, undefined, { signal: options.signal }).catch(() => {})
  }
}
