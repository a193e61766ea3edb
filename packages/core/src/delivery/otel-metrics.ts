/**
 * The delivery figures as OpenTelemetry instruments (docs/observability.md), on the meter
 * `@watchpost/core`. Every instrument is asynchronous: one batch callback reads the figures that
 * `stats()` and `health()` already keep when the app's SDK collects, so recording an event does no
 * instrument work at all. Without an SDK the API's global meter provider is a no-op that never calls
 * the callback.
 *
 * Names and units follow the OpenTelemetry semantic-convention rules
 * (opentelemetry.io/docs/specs/semconv/general/metrics/): dotted lower-case namespaces, no unit or
 * `_total` in the name, UCUM units (`By`, `1`) and `{annotation}` units for counts; counts of what
 * exists now (queues, requests out) are up-down counters, because they add up across sinks; the
 * state is a gauge that does not (1 for the current state, 0 for the others).
 */
import type { Attributes, BatchObservableCallback, Meter, Observable } from '@opentelemetry/api'
import type { PipelineStats } from '../pipeline/pipeline.js'
import type { DeliveryHealth, DeliveryState } from './health.js'

/** The meter's name: the package that owns the instruments. */
export const METER_NAME = '@watchpost/core'

const STATES: readonly DeliveryState[] = ['healthy', 'degraded', 'failing']

/** The `sink` attribute of the in-memory queue in front of every sink (as in `metrics()`). */
const PIPELINE = 'pipeline'

/** What one collection reads: the same figures `stats()` and `health()` return. */
export interface MetricsSource {
  pipeline(): PipelineStats
  sinks(): readonly DeliveryHealth[]
}

/** Stops the callback; the instruments stay with the meter (the API has no way to delete them). */
export type StopMetrics = () => void

export function observeDelivery(meter: Meter, source: MetricsSource): StopMetrics {
  const emitted = meter.createObservableCounter('watchpost.events.emitted', {
    description: 'Events accepted by the pipeline.',
    unit: '{event}',
  })
  const sent = meter.createObservableCounter('watchpost.events.sent', {
    description: 'Events acknowledged by the destination.',
    unit: '{event}',
  })
  const deadLettered = meter.createObservableCounter('watchpost.events.dead_lettered', {
    description: 'Events set aside in the dead-letter file.',
    unit: '{event}',
  })
  const dropped = meter.createObservableCounter('watchpost.events.dropped', {
    description: 'Events let go without delivery, by sink and reason.',
    unit: '{event}',
  })
  const queueEvents = meter.createObservableUpDownCounter('watchpost.queue.events', {
    description: 'Events held in memory: the pipeline queue, and remote sinks without a spool.',
    unit: '{event}',
  })
  const queueSize = meter.createObservableUpDownCounter('watchpost.queue.size', {
    description: 'Bytes of the events held in memory (estimated for the pipeline queue).',
    unit: 'By',
  })
  const spoolEvents = meter.createObservableUpDownCounter('watchpost.spool.events', {
    description: 'Events in the disk spool, not yet acknowledged.',
    unit: '{event}',
  })
  const spoolSize = meter.createObservableUpDownCounter('watchpost.spool.size', {
    description: 'Bytes of the spooled events on disk.',
    unit: 'By',
  })
  const active = meter.createObservableUpDownCounter('watchpost.delivery.active_requests', {
    description: 'Requests sent to the destination and not yet answered.',
    unit: '{request}',
  })
  const requests = meter.createObservableCounter('watchpost.delivery.requests', {
    description: 'Requests that succeeded.',
    unit: '{request}',
  })
  const retries = meter.createObservableCounter('watchpost.delivery.retries', {
    description: 'Requests re-sent after a failure.',
    unit: '{request}',
  })
  const state = meter.createObservableGauge('watchpost.delivery.state', {
    description: 'Delivery state of a sink: 1 for the current one, 0 for the others.',
    unit: '1',
  })
  const observables: Observable[] = [
    emitted,
    sent,
    deadLettered,
    dropped,
    queueEvents,
    queueSize,
    spoolEvents,
    spoolSize,
    active,
    requests,
    retries,
    state,
  ]

  const callback: BatchObservableCallback = (result) => {
    const front = source.pipeline()
    const pipeline: Attributes = { sink: PIPELINE }
    result.observe(emitted, front.emitted)
    result.observe(queueEvents, front.queued, pipeline)
    result.observe(queueSize, front.queuedBytes, pipeline)
    for (const [reason, n] of Object.entries(front.dropped))
      result.observe(dropped, n, { sink: PIPELINE, reason })
    for (const h of source.sinks()) {
      const sink: Attributes = { sink: h.sink }
      result.observe(h.spooled ? spoolEvents : queueEvents, h.queued, sink)
      result.observe(h.spooled ? spoolSize : queueSize, h.queuedBytes, sink)
      result.observe(active, h.inFlight, sink)
      result.observe(sent, h.sent, sink)
      result.observe(requests, h.requests, sink)
      result.observe(retries, h.retried, sink)
      result.observe(deadLettered, h.deadLettered, sink)
      for (const [reason, n] of Object.entries(h.dropped))
        result.observe(dropped, n, { sink: h.sink, reason })
      for (const s of STATES) result.observe(state, h.state === s ? 1 : 0, { sink: h.sink, state: s })
    }
  }
  meter.addBatchObservableCallback(callback, observables)
  return () => meter.removeBatchObservableCallback(callback, observables)
}
