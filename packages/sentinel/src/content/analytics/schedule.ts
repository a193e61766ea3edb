/**
 * How a rule's sliding window becomes a scheduled rule's queryFrequency and queryPeriod.
 *
 * In the app, a rule fires when the events of a group within the `windowSeconds` before any one of
 * them reach the threshold: every window that ends at an event is looked at. A scheduled query
 * runs every `queryFrequency` over the rows whose TimeGenerated falls in the last `queryPeriod`.
 * The query (query.ts) takes as window ends the events that reached the workspace during the last
 * `frequency` (by ingestion time: consecutive runs see every event once, however late it was
 * delivered) and for each counts the events of the `window` before it (by TimeGenerated, as the
 * app does). An event delivered up to `delay` late still has its whole window within the period:
 * period = window + frequency + delay. The result is the app's count, not an approximation by
 * fixed bins. (An event held back longer — a delivery outage the spool rode out — still ends a
 * window, but the part of that window older than the period is not counted.)
 *
 * The frequency is the window (the SOC hears of an attack within one window of the app), at least
 * the 5 minutes Sentinel allows and at most an hour (a day-long window is still looked at hourly).
 * Limits (spec/azure/sentinel-rules.md §1): each 5 m .. 14 d, period ≥ frequency, a period of
 * 2 d or more needs a frequency of 1 h or more — a window is at most a day (the rule schema), so
 * the period is at most 25 h 10 min and all of them hold.
 */

/** Delivery and ingestion delay allowed for (Watchpost's batching and retries, Log Analytics' ingestion). */
export const DELAY_MINUTES = 10
const MIN_FREQUENCY_MINUTES = 5
const MAX_FREQUENCY_MINUTES = 60

export interface Schedule {
  /** Minutes between runs. */
  readonly frequencyMinutes: number
  /** Minutes of data each run reads: window + frequency + DELAY_MINUTES. */
  readonly periodMinutes: number
  /** The window, in whole minutes rounded up (the KQL uses the exact seconds). */
  readonly windowMinutes: number
}

export function scheduleFor(windowSeconds: number): Schedule {
  const windowMinutes = Math.ceil(windowSeconds / 60)
  const frequencyMinutes = Math.min(MAX_FREQUENCY_MINUTES, Math.max(MIN_FREQUENCY_MINUTES, windowMinutes))
  return { frequencyMinutes, periodMinutes: windowMinutes + frequencyMinutes + DELAY_MINUTES, windowMinutes }
}

/** The YAML form of a duration (`<int>m|h|d`), in the largest unit that divides it. */
export function yamlDuration(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}d`
  if (minutes % 60 === 0) return `${minutes / 60}h`
  return `${minutes}m`
}

/** Minutes of a YAML duration, or `undefined` when it is not `<int>m|h|d`. */
export function parseYamlDuration(text: string): number | undefined {
  const match = /^([1-9][0-9]*)([mhd])$/.exec(text)
  if (match === null) return undefined
  const n = Number(match[1])
  return match[2] === 'd' ? n * 1440 : match[2] === 'h' ? n * 60 : n
}

/** The ARM form of a YAML duration: `10m` → `PT10M`, `2h` → `PT2H`, `1d` → `P1D`. */
export function isoDuration(yaml: string): string {
  const unit = yaml.slice(-1)
  const n = yaml.slice(0, -1)
  return unit === 'd' ? `P${n}D` : `PT${n}${unit.toUpperCase()}`
}

/** A KQL timespan literal for seconds (`600s`). */
export function kqlSeconds(seconds: number): string {
  return `${seconds}s`
}
