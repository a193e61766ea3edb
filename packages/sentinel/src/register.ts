/**
 * The `sentinel` sink type: a remote sink whose destination is the Logs Ingestion API. Registered
 * with @watchpost/core's sink registry when this package is loaded, so `sinks: [{ type: sentinel }]`
 * in a configuration file finds it.
 */
import { registerSinkType, type SinkType } from '@watchpost/core/sdk'
import { createSentinelDestination } from './sentinel-destination.js'
import type { SentinelSinkConfig } from './types.js'

export const sentinelSinkType: SinkType = {
  type: 'sentinel',
  kind: 'remote',
  destination: (config) => createSentinelDestination(config as SentinelSinkConfig),
}

registerSinkType(sentinelSinkType)
