import { AsyncLocalStorage } from 'node:async_hooks'
import type { RequestContext } from './types.js'

/**
 * Optional binding of the request context to the async call chain (`correlation.asyncContext`, off
 * by default; docs/async-context.md has the measured cost). With it on, code that has no `req` in
 * hand — a repository, a queue producer — finds the current request's context with `currentContext()`.
 */
export interface AsyncContext {
  /** Runs `fn` with `ctx` as the current context for it and every async continuation it creates. */
  run<T>(ctx: RequestContext, fn: () => T): T
  /**
   * Makes `ctx` current for the rest of the current synchronous execution and its continuations
   * (`AsyncLocalStorage#enterWith`). Prefer `run`: `enter` leaks into whatever else runs later in the
   * same async resource (e.g. the next request on a keep-alive socket, until it enters its own).
   */
  enter(ctx: RequestContext): void
  /** The current context, or `undefined` outside a request. */
  current(): RequestContext | undefined
}

/**
 * One storage per process, created by the first `createAsyncContext()`. Merely importing this module
 * costs nothing: Node installs its async hooks only once a storage is used (`run`/`enterWith`), and
 * `currentContext()` returns `undefined` without touching `AsyncLocalStorage` until then.
 * Sharing one storage between several Watchpost instances is safe: a request runs in one of them.
 */
let storage: AsyncLocalStorage<RequestContext> | undefined

/** Creates (or returns the process-wide) async context binding. Call it once at start-up when enabled. */
export function createAsyncContext(): AsyncContext {
  if (storage === undefined) storage = new AsyncLocalStorage<RequestContext>()
  const als = storage
  return {
    run: (ctx, fn) => als.run(ctx, fn),
    enter: (ctx) => als.enterWith(ctx),
    current: () => als.getStore(),
  }
}

/**
 * The context of the request being handled, from anywhere in its async call chain; `undefined`
 * outside a request or when `correlation.asyncContext` is off.
 */
export function currentContext(): RequestContext | undefined {
  return storage?.getStore()
}
