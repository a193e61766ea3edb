/**
 * Peaks sampled every 100 ms while a scenario runs: resident memory (this process, or a child from
 * /proc/<pid>/status) and the spool's queued bytes as the sink's health reports them.
 */
import { type Dirent, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Resident set size of `pid` in bytes, from /proc (Linux); `undefined` when it has gone. */
export function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]
    return kb === undefined ? undefined : Number(kb) * 1024
  } catch {
    return undefined
  }
}

export interface Sampler {
  /** RSS when sampling started. */
  readonly baseRss: number
  peakRss: number
  peakSpoolBytes: number
  /** Samples of the probe's value (the spool's queued bytes) over time, for the shape check. */
  readonly spoolSeries: number[]
  stop(): void
}

export function sample(
  spoolBytes: () => number,
  rss: () => number | undefined = () => process.memoryUsage().rss,
): Sampler {
  const base = rss() ?? 0
  const s: Sampler = {
    baseRss: base,
    peakRss: base,
    peakSpoolBytes: 0,
    spoolSeries: [],
    stop: () => clearInterval(timer),
  }
  const take = () => {
    const r = rss()
    if (r !== undefined && r > s.peakRss) s.peakRss = r
    const b = spoolBytes()
    s.spoolSeries.push(b)
    if (b > s.peakSpoolBytes) s.peakSpoolBytes = b
  }
  const timer = setInterval(take, 100)
  take()
  return s
}

export const MB = 1024 * 1024

export function mb(bytes: number): string {
  return (bytes / MB).toFixed(1)
}

/** Bytes of the files under `dir` (recursively); 0 when it does not exist. */
export function dirBytes(dir: string): number {
  let total = 0
  for (const size of fileSizes(dir).values()) total += size
  return total
}

/** Size of each file under `dir` (recursively), by path; empty when it does not exist. */
export function fileSizes(dir: string, into = new Map<string, number>()): Map<string, number> {
  let entries: Dirent[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return into
  }
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) fileSizes(path, into)
    else {
      try {
        into.set(path, statSync(path).size)
      } catch {}
    }
  }
  return into
}
