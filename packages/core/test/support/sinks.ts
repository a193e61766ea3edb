/** Sinks for tests that plug in through `runtime.sinks`: one that keeps what it gets, one that fails. */
import type { SecurityEvent, Sink } from '../../src/index.js'

export function memorySink(): Sink & { readonly events: SecurityEvent[] } {
  const events: SecurityEvent[] = []
  return {
    name: 'memory',
    events,
    async send(batch) {
      events.push(...batch)
    },
    async close() {},
  }
}

/** A sink whose every batch fails with `message` (a full disk, a closed stream). */
export function failingSink(name: string, message: string): Sink {
  return {
    name,
    async send() {
      throw new Error(message)
    },
    async close() {},
  }
}
