// The durable disk spool (docs/spool.md): explicit re-exports, each value with its types.
export { createSpool, SPOOL_DEFAULTS } from './spool.js'
export type { SeverityUsage, Spool, SpoolFs, SpoolOptions, SpoolStats } from './types.js'
