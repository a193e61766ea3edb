/**
 * Where core keeps a Fastify request's context when it is opened before the reply is sent (the
 * app's own events, a JWT check, a body error), so that code holding only `request.raw`
 * (`createJwtVerifier()(request.raw)`) finds the same one: a WeakMap keyed by Node's request, not
 * core's default property on it. Node's and Fastify's code reads `IncomingMessage` on every request,
 * and a property added to only some requests gives them a second hidden class: once attack traffic
 * had opened contexts early, every later request, benign ones included, went through megamorphic
 * property loads there (measured: +8 µs CPU per `GET`, test/bench/NOTES.md). The map holds only the
 * requests opened early; most contexts live in the plugin's request slot alone. Module-level, so
 * that every instance of the plugin shares it, as they share the property.
 */
import type { IncomingMessage } from 'node:http'
import type { RequestContext } from '@watchpost/core'
import type { ContextStore } from '@watchpost/core/sdk'

const contexts = new WeakMap<IncomingMessage, RequestContext>()

export const rawStore: ContextStore = {
  get: (req) => contexts.get(req),
  set: (req, context) => {
    contexts.set(req, context)
  },
}
