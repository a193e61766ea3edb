/**
 * The `tls` option of remote sinks (read by `readCa` / `secureContextWithCa`, sinks/tls-ca.ts): one
 * shape for every sink, each saying in its own words what the CA is for.
 */
import { t } from './schema-builder.js'

export function sinkTlsSchema(caDescription: string, examples: readonly string[]) {
  return t.optional(
    t.object(
      { ca: t.optional(t.string({ minLength: 1, description: caDescription, examples })) },
      { description: "TLS settings of this sink's connections." },
    ),
  )
}
