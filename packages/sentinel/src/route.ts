/**
 * Splits a batch into one upload per input stream. `asim` projects each event to the exact columns
 * of its ASIM table (`projectToAsim`, core); `custom` sends the record as it is, every field being a
 * column of `WatchpostSecurityEvents_CL`. Each group keeps row → event, because the client reports
 * failures as the rows it was given (`onError({ failedLogs })`, the same objects, client-behaviour.md §2).
 */
import { type AsimSchema, CUSTOM_STREAM, projectToAsim, type SecurityEvent } from '@watchpost/core'
import type { SentinelSinkConfig } from './types.js'

export interface StreamGroup {
  readonly stream: string
  readonly rows: Record<string, unknown>[]
  readonly eventOf: Map<Record<string, unknown>, SecurityEvent>
}

export type Router = (batch: readonly SecurityEvent[]) => Map<string, StreamGroup>

function add(
  groups: Map<string, StreamGroup>,
  stream: string,
  row: Record<string, unknown>,
  event: SecurityEvent,
) {
  let group = groups.get(stream)
  if (group === undefined) {
    group = { stream, rows: [], eventOf: new Map() }
    groups.set(stream, group)
  }
  group.rows.push(row)
  group.eventOf.set(row, event)
}

/** Compiles the stream names once; the returned router runs per batch, off the request path. */
export function createRouter(config: Pick<SentinelSinkConfig, 'tables' | 'streams'>): Router {
  const streams = config.streams ?? {}
  if (config.tables === 'custom') {
    const stream = streams.custom ?? CUSTOM_STREAM
    return (batch) => {
      const groups = new Map<string, StreamGroup>()
      for (const event of batch) add(groups, stream, event as unknown as Record<string, unknown>, event)
      return groups
    }
  }
  const overrides: Partial<Record<AsimSchema, string>> = {}
  for (const schema of ['WebSession', 'Authentication', 'AuditEvent', 'UserManagement'] as const) {
    const name = streams[schema]
    if (name !== undefined) overrides[schema] = name
  }
  return (batch) => {
    const groups = new Map<string, StreamGroup>()
    for (const event of batch) {
      const { projection, row } = projectToAsim(event)
      add(groups, overrides[projection.schema] ?? projection.inputStream, row, event)
    }
    return groups
  }
}
