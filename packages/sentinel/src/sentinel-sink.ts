/**
 * The `sentinel` sink: one `LogsIngestionClient.upload()` per input stream per batch, authenticated
 * by the credential `credential.type` selects. The client already cuts each upload into chunks of
 * < 1,000,000 bytes of JSON and gzips them (client-behaviour.md §2); failed chunks come back as the
 * rows they held and are mapped back to their events, so the pipeline counts exactly which failed.
 *
 * First slice of issue 4: no spool, no own retry, no dead-letter file, no `sys_monitor_*` events.
 */
import {
  isAggregateLogsUploadError,
  LogsIngestionClient,
  type LogsIngestionClientOptions,
} from '@azure/monitor-ingestion'
import type { SecurityEvent, Sink, SinkFailure } from '@watchpost/core'
import { createCredential } from './credential.js'
import { createRouter, type StreamGroup } from './route.js'
import { createTransport } from './transport.js'
import type { SentinelSinkConfig, SentinelSinkOverrides } from './types.js'

function assertConfig(config: SentinelSinkConfig): void {
  if (config === null || typeof config !== 'object')
    throw new TypeError('@watchpost/sentinel: config must be the options object of a sentinel sink')
  if (typeof config.endpoint !== 'string' || !config.endpoint.startsWith('https://'))
    throw new TypeError('@watchpost/sentinel: endpoint must be an https:// URL')
  if (typeof config.dcrImmutableId !== 'string' || config.dcrImmutableId === '')
    throw new TypeError('@watchpost/sentinel: dcrImmutableId must be a non-empty string')
  if (config.tables !== 'asim' && config.tables !== 'custom')
    throw new TypeError('@watchpost/sentinel: tables must be "asim" or "custom"')
  if (config.http !== undefined && config.http !== 'undici' && config.http !== 'node')
    throw new TypeError('@watchpost/sentinel: http must be "undici" or "node"')
  if (config.tls?.ca !== undefined && (typeof config.tls.ca !== 'string' || config.tls.ca === ''))
    throw new TypeError('@watchpost/sentinel: tls.ca must be a PEM file path or PEM text')
}

async function uploadGroup(
  client: LogsIngestionClient,
  dcrImmutableId: string,
  group: StreamGroup,
): Promise<SinkFailure[]> {
  const failures: SinkFailure[] = []
  try {
    await client.upload(dcrImmutableId, group.stream, group.rows, {
      onError({ failedLogs, cause }) {
        const failedEvents: SecurityEvent[] = []
        for (const row of failedLogs) {
          const event = group.eventOf.get(row as Record<string, unknown>)
          if (event !== undefined) failedEvents.push(event)
        }
        failures.push({ failedEvents, cause })
      },
    })
  } catch (err) {
    // upload() throws AggregateLogsUploadError after every chunk, even with onError; its `errors`
    // repeat what onError already collected (client-behaviour.md §2). Anything else means the
    // client failed outside a chunk: count the whole group, which is never an undercount.
    if (!isAggregateLogsUploadError(err)) return [{ failedEvents: [...group.eventOf.values()], cause: err }]
  }
  return failures
}

/** Creates the sink the `sentinel` entry of `sinks` describes; core calls it for `type: 'sentinel'`. */
export function createSentinelSink(config: SentinelSinkConfig, overrides: SentinelSinkOverrides = {}): Sink {
  assertConfig(config)
  // One transport for both pipelines: the token requests go where the uploads go and must trust the
  // same CA; with undici they also share its keep-alive pool.
  const transport = createTransport(config)
  const credential = overrides.credential ?? createCredential(config.credential, process.env, transport)
  // The client's default retry policy stays on in this slice: it retries 429 with Retry-After,
  // 408/5xx and network errors up to 3 times (client-behaviour.md §3), which is all the retrying
  // there is until the spool and its own backoff land (issue 4, pipeline back half). That back half
  // will set `retryOptions: { maxRetries: 0 }` so that the two backoffs never multiply.
  const clientOptions: LogsIngestionClientOptions = {
    ...(transport.httpClient === undefined ? {} : { httpClient: transport.httpClient }),
    ...(transport.tlsOptions === undefined ? {} : { tlsOptions: { ca: transport.tlsOptions.ca } }),
    ...overrides.clientOptions,
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  }
  const client = new LogsIngestionClient(config.endpoint, credential, clientOptions)
  const route = createRouter(config)
  const { dcrImmutableId } = config

  return {
    name: `sentinel:${dcrImmutableId}`,
    async send(batch) {
      const groups = route(batch)
      const results = await Promise.all(
        [...groups.values()].map((g) => uploadGroup(client, dcrImmutableId, g)),
      )
      const failures = results.flat()
      return failures.length === 0 ? undefined : { failures }
    },
    // Uploads are awaited by `send` and the pipeline waits for `send` before `close`, so only the
    // undici pool's idle sockets are left to release (the SDK's idle sockets do not hold the process).
    close: () => transport.close(),
  }
}
