/**
 * The end of each response, observed through Node's `http.server.response.finish` diagnostics
 * channel (published by `node:http` once a response has been sent) rather than a listener added to
 * each response: `res.on()` reads and writes three properties of Express's response, and each read
 * of a property of Express's request or response is a V8 runtime lookup (≈ 1,800 instructions; the
 * objects get new hidden classes on every request, docs/performance.md). One subscriber serves
 * every middleware in the process; each context names its middleware as its owner.
 *
 * A response is observed when it has been sent. One the client abandoned before it was sent (the
 * connection closed first) is not: its status code is not an answer anybody received.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { RequestContext } from '@watchpost/core'
import { type ContextState, kOwner } from '@watchpost/core/sdk'
import { localsOf, storedContext } from './store.js'

const CHANNEL = 'http.server.response.finish'

interface FinishMessage {
  readonly request: IncomingMessage
  readonly response: ServerResponse
  readonly server: Server
}

/** What a middleware does with the responses of the requests it opened (the owner of their contexts). */
export interface ResponseObserver {
  finished(ctx: RequestContext, req: IncomingMessage, res: ServerResponse, server: Server): void
}

const observers = new Set<ResponseObserver>()

function onFinish(message: unknown): void {
  // The request comes with the message: no read of `res.req`.
  const { request, response, server } = message as FinishMessage
  const ctx = storedContext(localsOf(response), request)
  if (ctx === undefined) return
  const owner = (ctx as ContextState)[kOwner] as ResponseObserver | undefined
  if (owner !== undefined && observers.has(owner)) owner.finished(ctx, request, response, server)
}

/** Starts delivering finished responses to `observer`; the returned function stops (idempotent). */
export function watchResponses(observer: ResponseObserver): () => void {
  if (observers.size === 0) subscribe(CHANNEL, onFinish)
  observers.add(observer)
  return () => {
    if (observers.delete(observer) && observers.size === 0) unsubscribe(CHANNEL, onFinish)
  }
}
