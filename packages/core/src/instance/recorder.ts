/**
 * The recorder: the one place an event is made — built (filled from the context and the app's
 * identity, redacted, bounded), marked on its request's context, and queued. Detectors, the app's
 * event API and the delivery monitor all record through it. It never throws: an event that cannot be
 * built is counted and reported once per event name.
 */
import type { RequestContext } from '../context/types.js'
import { flagOf, mark } from '../detection/flags.js'
import { type BuildFn, type CompiledEvent, compileEvent, type EventOptions } from '../events/build.js'
import { EVENTS_BY_NAME, type EventName } from '../events/catalogue/index.js'
import type { SecurityEvent } from '../schema/fields.js'

export interface Recorder {
  /** Builds, marks and queues one event; `undefined` if it could not be built. Never throws. */
  record(
    event: CompiledEvent,
    params: Readonly<Record<string, unknown>> | undefined,
    ctx: RequestContext | undefined,
    options: EventOptions | undefined,
  ): SecurityEvent | undefined
  /** The compiled event of a vocabulary name, or `undefined` for an unknown one. */
  compiled(name: string): CompiledEvent | undefined
  /** Every compiled event, by vocabulary name (for the typed event API). */
  readonly all: ReadonlyMap<string, CompiledEvent>
  /** Records an event about Watchpost itself (no request): `sys_monitor_*`. */
  system(name: EventName, params: Readonly<Record<string, unknown>>): void
  /** Events that could not be built so far. */
  readonly buildErrors: number
}

export interface RecorderDeps {
  readonly build: BuildFn
  /** Queues a built event (the pipeline's `emit`): synchronous, never throws. */
  readonly emit: (event: SecurityEvent) => boolean
  /** Reports an event that could not be built, once per event name. Never throws. */
  readonly onBuildError: (name: string, err: unknown) => void
  /** Shows each queued event to the rules engine. Never throws. */
  readonly observe?: (event: SecurityEvent) => void
}

export function createRecorder(deps: RecorderDeps): Recorder {
  const { build, emit, onBuildError, observe } = deps
  const all = new Map<string, CompiledEvent>()
  // The flag each event sets, looked up once here rather than per record.
  const flags = new Map<CompiledEvent, number>()
  for (const [name, def] of EVENTS_BY_NAME) {
    const compiled = compileEvent(def)
    all.set(name, compiled)
    flags.set(compiled, flagOf(name))
  }
  let buildErrors = 0

  function record(
    event: CompiledEvent,
    params: Readonly<Record<string, unknown>> | undefined,
    ctx: RequestContext | undefined,
    options: EventOptions | undefined,
  ): SecurityEvent | undefined {
    try {
      const built = build(event, params, ctx, options)
      if (ctx !== undefined) mark(ctx, flags.get(event) ?? 0)
      emit(built)
      observe?.(built)
      return built
    } catch (err) {
      buildErrors++
      onBuildError(event.def.name, err)
      return undefined
    }
  }

  return {
    record,
    compiled: (name) => all.get(name),
    all,
    system(name, params) {
      record(all.get(name)!, params, undefined, undefined)
    },
    get buildErrors() {
      return buildErrors
    },
  }
}
