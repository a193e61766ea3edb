/**
 * What arrived, by EventUid: the emulator stores every row it accepted (never de-duplicated), in
 * the ASIM tables under `EventOriginalUid` and in the custom table under `EventUid`.
 */
import type { Emulator } from '@watchpost/emulator'

/** EventUid → rows stored, over every table. */
export function rowsByUid(em: Emulator): Map<string, number> {
  const counts = new Map<string, number>()
  for (const row of em.store.rows()) {
    const uid = (row.EventOriginalUid ?? row.EventUid) as string | undefined
    if (uid !== undefined) counts.set(uid, (counts.get(uid) ?? 0) + 1)
  }
  return counts
}

export interface Tally {
  /** Events expected (emitted and accepted). */
  readonly expected: number
  /** Of those, how many are stored at least once. */
  readonly received: number
  /** Extra rows of expected events (stored more than once). */
  readonly duplicates: number
  /** Expected events not stored. */
  readonly lost: number
  /** Some of the lost EventUids, for the failure message. */
  readonly lostSample: readonly string[]
  /** Rows of events the scenario did not emit (the instance's own `sys_monitor_*` events). */
  readonly others: number
}

export function tally(em: Emulator, expected: Iterable<string>): Tally {
  const rows = rowsByUid(em)
  let count = 0
  let received = 0
  let duplicates = 0
  const lostSample: string[] = []
  const seen = new Set<string>()
  for (const uid of expected) {
    count++
    seen.add(uid)
    const n = rows.get(uid) ?? 0
    if (n > 0) {
      received++
      duplicates += n - 1
    } else if (lostSample.length < 5) lostSample.push(uid)
  }
  let others = 0
  for (const [uid, n] of rows) if (!seen.has(uid)) others += n
  return { expected: count, received, duplicates, lost: count - received, lostSample, others }
}

/** EventUid → when the emulator first stored it (ms since the epoch, its `_IngestionTime`). */
export function firstStored(em: Emulator): Map<string, number> {
  const first = new Map<string, number>()
  for (const row of em.store.rows()) {
    const uid = (row.EventOriginalUid ?? row.EventUid) as string | undefined
    if (uid === undefined) continue
    const t = Date.parse(row._IngestionTime)
    const before = first.get(uid)
    if (before === undefined || t < before) first.set(uid, t)
  }
  return first
}
