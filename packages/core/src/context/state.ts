/**
 * Private symbols: where the default store keeps a context on Node's request, and Watchpost's own
 * bookkeeping on a request context, kept out of the context's public shape. Only core's detection
 * and recorder, and the adapter that opened the context (through `@watchpost/core/sdk`), use them.
 */
import type { RequestContext } from './types.js'

/** Where the default context store keeps a request's context on Node's request. */
export const kContext: unique symbol = Symbol('watchpost.context')
/** Bits saying which kinds of event the request already recorded (detection/flags.ts). */
export const kFlags: unique symbol = Symbol('watchpost.flags')
/** The detector scope chosen for the request's route (detection/engine.ts), resolved once. */
export const kScope: unique symbol = Symbol('watchpost.scope')
/** The adapter's own object for this request (Fastify's `request`; the Express middleware's observer). */
export const kOwner: unique symbol = Symbol('watchpost.owner')
/** The values of the headers core reads, by slot (header-slots.ts), read once as the context is created. */
export const kHeaderValues: unique symbol = Symbol('watchpost.headerValues')

/** A context as core's internals see it: the public fields, the user fields writable, and the state above. */
export interface ContextState extends RequestContext {
  userId: string | undefined
  sessionId: string | undefined
  [kFlags]: number
  [kScope]: object | undefined
  readonly [kOwner]: unknown
  readonly [kHeaderValues]: ReadonlyArray<string | string[] | undefined>
}
