// `@watchpost/core/testing`: for tests of a destination (a sink author's `Destination`), of adapters
// and of apps. Drives a destination through core's own delivery loop over an in-memory store, as
// `createWatchpost` does for a configured remote sink; plays clients that hang up against a server.
// Not for production code.
export {
  createDeliverySink,
  type DeliveryOptions,
} from './delivery/delivery-sink.js'
export { MemoryStore, type MemoryStoreOptions } from './delivery/memory-store.js'
export type { NewRecord, RecordStore, SeverityRank, StoredRecord } from './delivery/types.js'
export {
  type ClientHangUp,
  clientHangUps,
  type HangUpPaths,
  hangUp,
} from './detection/hang-ups.js'
