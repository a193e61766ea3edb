/**
 * The `tls` option of remote sinks (read by `readCa` / `secureContextWithCa`, sinks/tls-ca.ts): one
 * shape for every sink, each saying in its own words what the CA is for.
 */
import { Type } from '@sinclair/typebox'
import { Strict } from './schema-kit.js'

export function sinkTlsSchema(caDescription: string, examples: readonly string[]) {
  return Type.Optional(
    Strict(
      { ca: Type.Optional(Type.String({ minLength: 1, description: caDescription, examples })) },
      { description: "TLS settings of this sink's connections." },
    ),
  )
}
