/**
 * The one harmless event each upload sends: a `sys_monitor_enabled` built by core's own event
 * builder (so every field is what the app would send), for the monitor `watchpost-doctor`, with a
 * message and `AdditionalFields.Details.WatchpostDoctorTest` saying it is a test. For each ASIM
 * stream it is projected as that schema's events are, through the sink's own routing
 * (`createPrepare`), so the row has exactly the columns the app's rows have.
 */
import { type AppConfig, createWatchpost, type SecurityEvent } from '@watchpost/core'
import { ASIM_PROJECTIONS, ASIM_SCHEMAS, CUSTOM_TABLE } from '@watchpost/core/sdk'
import { createPrepare } from '@watchpost/sentinel'
import { CliError } from '../output.js'
import type { SinkTarget } from './types.js'

export const TEST_MONITOR = 'watchpost-doctor'
export const TEST_MESSAGE =
  'watchpost doctor: test event sent to check the Sentinel configuration; no action needed'

/** One row per stream the sink uses: the four ASIM streams, or its one custom stream. */
export interface TestUpload {
  readonly stream: string
  /** The table the DCR is expected to send the stream to, for the user's eyes. */
  readonly table: string
  readonly row: Record<string, unknown>
}

export async function buildTestEvent(app: AppConfig): Promise<SecurityEvent> {
  const wp = createWatchpost({ config: false, sinks: [], app })
  try {
    const event = wp.record(
      'sys_monitor_enabled',
      { monitor: TEST_MONITOR },
      { message: TEST_MESSAGE, details: { WatchpostDoctorTest: true }, severity: 'Informational' },
    )
    if (event === undefined) throw new CliError('core did not build the test event')
    return event
  } finally {
    await wp.close()
  }
}

export function testUploads(target: SinkTarget, event: SecurityEvent): TestUpload[] {
  const prepare = createPrepare(target.config)
  if (target.config.tables === 'custom') {
    const { partition, row } = prepare(event as unknown as Record<string, unknown>)
    return [{ stream: partition, table: CUSTOM_TABLE, row }]
  }
  return ASIM_SCHEMAS.map((schema) => {
    const projection = ASIM_PROJECTIONS[schema]
    const asSchema = { ...event, EventSchema: schema, EventSchemaVersion: projection.schemaVersion }
    const { partition, row } = prepare(asSchema as unknown as Record<string, unknown>)
    return { stream: partition, table: projection.table, row }
  })
}
