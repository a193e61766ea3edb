/**
 * Watchpost's own bookkeeping on a request context, behind symbols so that it is not part of the
 * context's public shape: only core's detection and recorder, and the adapter that opened the
 * context (through `@watchpost/core/sdk`), read or write it.
 */
import type { RequestContext } from './types.js'

/** Bits saying which kinds of event the request already recorded (detection/flags.ts). */
export const kFlags: unique symbol = Symbol('watchpost.flags')
/** The detector scope chosen for the request's route (detection/engine.ts), resolved once. */
export const kScope: unique symbol = Symbol('watchpost.scope')
/** The adapter's own object for this request (Fastify's `request`; the Express middleware's observer). */
export const kOwner: unique symbol = Symbol('watchpost.owner')

/** A context as core's internals see it: the public fields, the user fields writable, and the state above. */
export interface ContextState extends RequestContext {
  userId: string | undefined
  sessionId: string | undefined
  [kFlags]: number
  [kScope]: object | undefined
  readonly [kOwner]: unknown
}

/** Every context core creates is a `ContextState`; the public type only hides it. */
export function stateOf(ctx: RequestContext): ContextState {
  return ctx as ContextState
}
