/**
 * Where each event goes and as what: `asim` projects it to the exact columns of its ASIM table
 * (`projectToAsim`, core) and sends it to that table's input stream; `custom` sends the record as it
 * is, every field being a column of `WatchpostSecurityEvents_CL`. The delivery loop groups rows by
 * stream, so one request never mixes streams.
 */
import type { SecurityEvent } from '@watchpost/core'
import { type AsimSchema, CUSTOM_STREAM, projectToAsim } from '@watchpost/core/sdk'
import type { SentinelSinkConfig } from './types.js'

export type Prepare = (event: Record<string, unknown>) => {
  readonly partition: string
  readonly row: Record<string, unknown>
}

/** Compiles the stream names once; the returned function runs per record, off the request path. */
export function createPrepare(config: Pick<SentinelSinkConfig, 'tables' | 'streams'>): Prepare {
  const streams = config.streams ?? {}
  if (config.tables === 'custom') {
    const partition = streams.custom ?? CUSTOM_STREAM
    return (event) => ({ partition, row: event })
  }
  const overrides: Partial<Record<AsimSchema, string>> = {}
  for (const schema of ['WebSession', 'Authentication', 'AuditEvent', 'UserManagement'] as const) {
    const name = streams[schema]
    if (name !== undefined) overrides[schema] = name
  }
  return (event) => {
    const { projection, row } = projectToAsim(event as unknown as SecurityEvent)
    return { partition: overrides[projection.schema] ?? projection.inputStream, row }
  }
}
