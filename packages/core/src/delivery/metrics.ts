/**
 * Health and counters in the Prometheus text exposition format (version 0.0.4), which Prometheus
 * and the OpenTelemetry Collector's `prometheus` receiver scrape. Names follow the OpenMetrics
 * conventions: `_total` for counters, base units (bytes) in the name.
 */
import type { PipelineStats } from '../pipeline/pipeline.js'
import type { DeliveryHealth, DeliveryState } from './health.js'

const STATES: readonly DeliveryState[] = ['healthy', 'degraded', 'failing']

/** Escapes a label value (backslash, double quote, newline), per the exposition format. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

class Writer {
  lines: string[] = []
  #declared = new Set<string>()

  sample(
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    labels: Record<string, string>,
    value: number,
  ) {
    if (!this.#declared.has(name)) {
      this.#declared.add(name)
      this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    }
    const pairs = Object.entries(labels)
      .map(([k, v]) => `${k}="${label(v)}"`)
      .join(',')
    this.lines.push(`${name}${pairs === '' ? '' : `{${pairs}}`} ${Number.isFinite(value) ? value : 0}`)
  }
}

export function renderMetrics(pipeline: PipelineStats, sinks: readonly DeliveryHealth[]): string {
  const w = new Writer()
  w.sample(
    'watchpost_events_emitted_total',
    'counter',
    'Events accepted by the pipeline.',
    {},
    pipeline.emitted,
  )
  w.sample('watchpost_queue_events', 'gauge', 'Events waiting in the in-memory queue.', {}, pipeline.queued)
  for (const [reason, n] of Object.entries(pipeline.dropped))
    w.sample(
      'watchpost_events_dropped_total',
      'counter',
      'Events dropped, by sink and reason.',
      { sink: 'pipeline', reason },
      n,
    )
  for (const h of sinks) {
    const sink = { sink: h.sink }
    for (const [reason, n] of Object.entries(h.dropped))
      w.sample(
        'watchpost_events_dropped_total',
        'counter',
        'Events dropped, by sink and reason.',
        { ...sink, reason },
        n,
      )
    w.sample(
      'watchpost_delivery_sent_total',
      'counter',
      'Events acknowledged by the destination.',
      sink,
      h.sent,
    )
    w.sample('watchpost_delivery_requests_total', 'counter', 'Requests that succeeded.', sink, h.requests)
    w.sample(
      'watchpost_delivery_retries_total',
      'counter',
      'Requests re-sent after a failure.',
      sink,
      h.retried,
    )
    w.sample(
      'watchpost_delivery_dead_lettered_total',
      'counter',
      'Events set aside in the dead-letter file.',
      sink,
      h.deadLettered,
    )
    w.sample(
      'watchpost_delivery_queued_events',
      'gauge',
      'Events held for delivery (memory or spool).',
      sink,
      h.queued,
    )
    w.sample(
      'watchpost_delivery_queued_bytes',
      'gauge',
      'Bytes held for delivery (on disk when spooled).',
      sink,
      h.queuedBytes,
    )
    w.sample(
      'watchpost_delivery_in_flight_requests',
      'gauge',
      'Requests sent to the destination and not yet answered.',
      sink,
      h.inFlight,
    )
    for (const state of STATES)
      w.sample(
        'watchpost_delivery_state',
        'gauge',
        'Delivery state: 1 for the current one.',
        { ...sink, state },
        h.state === state ? 1 : 0,
      )
  }
  return `${w.lines.join('\n')}\n`
}
