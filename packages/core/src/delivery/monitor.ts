/**
 * The delivery monitor: watches every remote sink and turns what it sees into `sys_monitor_*`
 * events and operator warnings — a sink that starts failing (`sys_monitor_disabled`), recovers
 * (`sys_monitor_enabled`), or drops events (`sys_monitor_events_dropped`, the count since the last
 * report, once delivery works again, every minute while it does, and at close). For the app's
 * logger it also reports each change of state and, every `dropCheckMs`, each drop counter that grew —
 * whatever the state, since a log line, unlike an event, does not need delivery to work.
 */
import type { EventName } from '../events/catalogue/index.js'
import type { PipelineStats } from '../pipeline/pipeline.js'
import type { DeliveryHooks, DeliverySink } from './delivery-sink.js'
import type { DeliveryHealth, DeliveryState } from './health.js'

/** How often drops are reported while delivery is not failing. */
const DROP_REPORT_INTERVAL_MS = 60_000

const STATE_ORDER: Readonly<Record<DeliveryState, number>> = { healthy: 0, degraded: 1, failing: 2 }

export type DeliveryProblem = Parameters<NonNullable<DeliveryHooks['onProblem']>>[0]

export interface DeliveryMonitorDeps {
  /** Records an event about Watchpost itself. */
  readonly report: (name: EventName, params: Readonly<Record<string, unknown>>) => void
  /**
   * Warns the operator about something to fix; called at each occurrence (`first`: the sink's first
   * of that kind), rate-limited or deduplicated by the caller.
   */
  readonly warn: (
    problem: DeliveryProblem,
    message: string,
    occurrence: { readonly sink: string; readonly first: boolean },
  ) => void
  /** The front queue's counters (its drops are reported too). */
  readonly pipelineStats: () => PipelineStats
  /** A sink's state changed (for the app's logger). Must not throw. */
  readonly onState?: (health: DeliveryHealth, to: DeliveryState) => void
  /** Drops since the last check, by source (`pipeline` or a sink) and reason; checked every `dropCheckMs`. */
  readonly onDrops?: (source: string, reason: string, dropped: number) => void
  readonly dropCheckMs?: number
}

export interface DeliveryMonitor {
  /** The hooks each remote sink is created with. */
  readonly hooks: DeliveryHooks
  /** Starts watching a sink created with `hooks`. */
  watch(sink: DeliverySink): void
  /** The worst state among the sinks (`healthy` with none) and each sink's health. */
  health(): { readonly state: DeliveryState; readonly sinks: readonly DeliveryHealth[] }
  /** Reports the drops not yet reported and stops the timer. */
  close(): void
}

export function createDeliveryMonitor(deps: DeliveryMonitorDeps): DeliveryMonitor {
  const sinks: DeliverySink[] = []
  const disabled = new Set<string>()
  const reported = new Map<string, number>()

  /** Calls `report` with each drop counter that grew since `seen` last saw it. */
  function dropsSince(
    seen: Map<string, number>,
    report: (source: string, reason: string, dropped: number) => void,
  ): void {
    const check = (source: string, reason: string, total: number) => {
      const key = `${source}\0${reason}`
      const before = seen.get(key) ?? 0
      if (total <= before) return
      seen.set(key, total)
      report(source, reason, total - before)
    }
    for (const [reason, n] of Object.entries(deps.pipelineStats().dropped)) check('pipeline', reason, n)
    for (const sink of sinks) {
      const health = sink.health()
      for (const [reason, n] of Object.entries(health.dropped)) check(health.sink, reason, n)
    }
  }

  function reportDrops(): void {
    dropsSince(reported, (monitor, reason, dropped) =>
      deps.report('sys_monitor_events_dropped', { monitor, reason, dropped }),
    )
  }

  const onDrops = deps.onDrops
  const logged = new Map<string, number>()
  const logDrops = onDrops === undefined ? () => {} : () => dropsSince(logged, onDrops)

  const hooks: DeliveryHooks = {
    onProblem: (problem, message, occurrence) => deps.warn(problem, message, occurrence),
    onStateChange(health, _from, to) {
      deps.onState?.(health, to)
      if (to === 'failing' && !disabled.has(health.sink)) {
        disabled.add(health.sink)
        deps.report('sys_monitor_disabled', {
          monitor: health.sink,
          reason: health.lastError ?? 'delivery failing',
        })
      } else if (to === 'healthy') {
        if (disabled.delete(health.sink)) deps.report('sys_monitor_enabled', { monitor: health.sink })
        reportDrops()
      }
    },
  }

  const timer = setInterval(() => {
    if (sinks.every((sink) => sink.health().state !== 'failing')) reportDrops()
  }, DROP_REPORT_INTERVAL_MS)
  timer.unref()
  const logTimer =
    onDrops === undefined ? undefined : setInterval(logDrops, deps.dropCheckMs ?? DROP_REPORT_INTERVAL_MS)
  logTimer?.unref()

  return {
    hooks,
    watch: (sink) => {
      sinks.push(sink)
    },
    health() {
      const list = sinks.map((sink) => sink.health())
      let state: DeliveryState = 'healthy'
      for (const h of list) if (STATE_ORDER[h.state] > STATE_ORDER[state]) state = h.state
      return { state, sinks: list }
    },
    close() {
      clearInterval(timer)
      clearInterval(logTimer)
      reportDrops()
      logDrops()
    },
  }
}
