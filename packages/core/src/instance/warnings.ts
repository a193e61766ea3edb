/**
 * Runtime warnings of one instance: each code at most once per key (a sink, an event name), as a
 * process warning with its code. Never throws into the caller.
 */
export interface Warnings {
  /** Emits `message` with `code` unless this code was already emitted for `key`. */
  emit(code: string, message: string, key?: string): void
}

export function createWarnings(prefix = '@watchpost/core'): Warnings {
  const seen = new Set<string>()
  return {
    emit(code, message, key = '') {
      const id = `${code}\0${key}`
      if (seen.has(id)) return
      seen.add(id)
      try {
        process.emitWarning(`${prefix}: ${message}`, { code })
      } catch {}
    },
  }
}
