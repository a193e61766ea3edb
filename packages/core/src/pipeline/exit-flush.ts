/**
 * Flush timers are unref'd so Watchpost never keeps a process alive. The price: an app that simply
 * runs out of work would exit with events still queued. Node emits `beforeExit` when the loop is
 * empty, and scheduling more work there keeps it running, so queued events are flushed then.
 * (`process.exit()` and signals skip `beforeExit`: call `close()` for those.)
 * One listener for all instances, so many instances do not trip MaxListenersExceededWarning.
 */
import type { Pipeline } from './pipeline.js'

const open = new Set<Pipeline>()
let installed = false

function onBeforeExit(): void {
  for (const pipeline of open) {
    if (pipeline.stats().queued > 0) void pipeline.flush()
  }
}

/** Registers a pipeline to be flushed on `beforeExit`; returns the function that unregisters it. */
export function flushOnExit(pipeline: Pipeline): () => void {
  open.add(pipeline)
  if (!installed) {
    process.on('beforeExit', onBeforeExit)
    installed = true
  }
  return () => {
    open.delete(pipeline)
  }
}
