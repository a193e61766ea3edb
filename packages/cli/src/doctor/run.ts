/**
 * The doctor's steps in order, for each selected sentinel sink: configuration → credential →
 * token → endpoint → a test upload per stream. A failed step ends that sink's check, because each
 * step needs the one before it (no token, no upload; no endpoint, no upload); the uploads go on
 * past a failure that is particular to one stream (upload-failure.ts).
 */
import { checkConfig } from './config.js'
import { checkCredential } from './credential.js'
import { checkEndpoint } from './endpoint.js'
import { buildTestEvent } from './test-event.js'
import { checkToken } from './token.js'
import type { SinkTarget, StepResult } from './types.js'
import { checkUploads } from './uploads.js'

export interface DoctorOptions {
  /** `--config`; default: WATCHPOST_CONFIG, then `watchpost.config.*` in `cwd`, as the app looks. */
  readonly configFile?: string | undefined
  /** `--sink`: `sinks[N]`, `N`, or a DCR immutable id. Default: every sentinel sink. */
  readonly sink?: string | undefined
  /** Bound of each network step (token, each connection, each upload). */
  readonly timeoutMs: number
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
  /** Called as each step ends, for output that shows progress. */
  readonly onStep?: (step: StepResult) => void
}

export interface DoctorReport {
  readonly ok: boolean
  readonly steps: readonly StepResult[]
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const steps: StepResult[] = []
  const record = (step: StepResult): boolean => {
    steps.push(step)
    options.onStep?.(step)
    return step.ok
  }
  const loaded = checkConfig(options.configFile, options.sink, { cwd: options.cwd, env: options.env })
  if (!record(loaded.step) || loaded.config === undefined) return { ok: false, steps }
  const event = await buildTestEvent(loaded.config.app)
  const prefix = loaded.targets.length > 1
  for (const target of loaded.targets) {
    await checkSink(target, prefix ? `${target.label} ` : '', event, options, record)
  }
  return { ok: steps.every((s) => s.ok), steps }
}

async function checkSink(
  target: SinkTarget,
  prefix: string,
  event: Awaited<ReturnType<typeof buildTestEvent>>,
  options: DoctorOptions,
  record: (step: StepResult) => boolean,
): Promise<void> {
  const named = (step: StepResult): StepResult =>
    prefix === '' ? step : { ...step, name: `${prefix}${step.name}` }
  const built = checkCredential(target, options.env, options.timeoutMs)
  if (!record(named(built.step)) || built.credential === undefined || built.transport === undefined) return
  try {
    if (!record(named(await checkToken(target, built.credential, options.env, options.timeoutMs)))) return
    if (!record(named(await checkEndpoint(target, options.timeoutMs)))) return
    for (const step of await checkUploads(
      target,
      built.credential,
      built.transport,
      event,
      options.timeoutMs,
    ))
      record(named(step))
  } finally {
    // Not awaited: a request the timeout gave up on may still hold the pool, and must not hold the report.
    void built.transport.close().catch(() => {})
  }
}
