/**
 * What `watchpost doctor` reports: one result per step, in the order the steps ran. A failed step
 * names its cause with a stable code (`cause`), so scripts and tests can tell the failures apart
 * without reading the prose meant for people.
 */
import type { SentinelSinkConfig } from '@watchpost/core'

export interface StepResult {
  /** `config`, `credential`, `token`, `endpoint`, or `upload <stream>`. */
  readonly name: string
  readonly ok: boolean
  /** What was checked and what was found, in plain words. */
  readonly detail: string
  /** What to do about it; `null` when there is nothing to do. */
  readonly hint: string | null
  /** The named cause of a failure (see README: `doctor`), absent when the step passed. */
  readonly cause?: Cause
}

export type Cause =
  | 'config-invalid'
  | 'no-sentinel-sink'
  | 'sink-not-found'
  | 'credential-incomplete'
  | 'unknown-tenant'
  | 'unknown-client'
  | 'wrong-secret'
  | 'secret-expired'
  | 'token-refused'
  | 'no-credential'
  | 'tls-untrusted'
  | 'unreachable'
  | 'timeout'
  | 'endpoint-not-ingestion'
  | 'token-rejected'
  | 'role-missing'
  | 'dcr-not-found'
  | 'stream-not-found'
  | 'dcr-or-stream-not-found'
  | 'dcr-mismatch'
  | 'too-large'
  | 'service-busy'
  | 'upload-failed'

/** A `sentinel` entry of `sinks`, with where it is in the file. */
export interface SinkTarget {
  /** `sinks[N]`, as the configuration's error messages name it. */
  readonly label: string
  readonly config: SentinelSinkConfig
}

export const ok = (name: string, detail: string): StepResult => ({ name, ok: true, detail, hint: null })

export const failed = (name: string, cause: Cause, detail: string, hint: string): StepResult => ({
  name,
  ok: false,
  detail,
  hint,
  cause,
})
