/**
 * The two shapes of time the built-in rules use. A rule with `bin(TimeGenerated, n)` counts per
 * epoch-aligned slot. A rule without a bin counts over its query period, and Sentinel starts its
 * runs wherever it was enabled: the rows meet it when some period-long window holds enough of them,
 * which is what `windowed` looks for (a window ends at each row; conditions only grow with rows).
 */
import { bin, type Row, str, timeOf } from './kql.js'
import type { BuiltinRuleHit } from './types.js'

interface Group {
  readonly values: readonly string[]
  readonly rows: Row[]
}

function groups(rows: readonly Row[], by: readonly string[], slot?: (t: number) => number): Group[] {
  const out = new Map<string, Group>()
  for (const row of rows) {
    const t = timeOf(row)
    if (Number.isNaN(t)) continue
    const values = by.map((column) => str(row, column))
    if (slot !== undefined) values.push(new Date(slot(t)).toISOString())
    const key = JSON.stringify(values)
    let group = out.get(key)
    if (group === undefined) {
      group = { values, rows: [] }
      out.set(key, group)
    }
    group.rows.push(row)
  }
  return [...out.values()]
}

function hit(
  by: readonly string[],
  values: readonly string[],
  value: number,
  rows: readonly Row[],
): BuiltinRuleHit {
  const group: Record<string, string> = {}
  by.forEach((column, i) => {
    group[column] = values[i]!
  })
  if (values.length > by.length) group.TimeGenerated = values[by.length]!
  const times = rows.map(timeOf)
  return {
    group,
    value,
    from: new Date(Math.min(...times)).toISOString(),
    to: new Date(Math.max(...times)).toISOString(),
  }
}

/**
 * `summarize … by <by>, bin(TimeGenerated, binMs)` then a threshold: `measure` returns the figure
 * of a group when it meets the threshold, else undefined.
 */
export function binned(
  rows: readonly Row[],
  by: readonly string[],
  binMs: number,
  measure: (rows: readonly Row[]) => number | undefined,
): BuiltinRuleHit[] {
  const hits: BuiltinRuleHit[] = []
  for (const g of groups(rows, by, (t) => bin(t, binMs))) {
    const value = measure(g.rows)
    if (value !== undefined) hits.push(hit(by, g.values, value, g.rows))
  }
  return hits
}

/** `summarize … by <by>` over one run's `periodMs`: the first window of each group that meets it. */
export function windowed(
  rows: readonly Row[],
  by: readonly string[],
  periodMs: number,
  measure: (rows: readonly Row[]) => number | undefined,
): BuiltinRuleHit[] {
  const hits: BuiltinRuleHit[] = []
  for (const g of groups(rows, by)) {
    const sorted = g.rows.map((row) => ({ row, t: timeOf(row) })).sort((a, b) => a.t - b.t)
    let start = 0
    for (let end = 0; end < sorted.length; end++) {
      // A run over the last periodMs reads rows with TimeGenerated > now - periodMs.
      while (sorted[start]!.t <= sorted[end]!.t - periodMs) start++
      const window = sorted.slice(start, end + 1).map((e) => e.row)
      const value = measure(window)
      if (value !== undefined) {
        hits.push(hit(by, g.values, value, window))
        break
      }
    }
  }
  return hits
}

/** At least one row: a rule that alerts on each matching request. */
export function each(rows: readonly Row[], by: readonly string[]): BuiltinRuleHit[] {
  return groups(rows, by).map((g) => hit(by, g.values, g.rows.length, g.rows))
}
