/**
 * Process warnings in the CLI's own voice. Node prints a warning as `(node:1234) WatchpostWarning:
 * …` followed by a hint about `--trace-warnings`, which is noise on a command line; the CLI prints
 * `watchpost: warning WATCHPOST_W001: …` instead, and `validate` reports the configuration's
 * warnings as part of its result rather than on stderr.
 */

export interface CollectedWarning {
  readonly code: string | undefined
  readonly message: string
}

type Listener = (warning: CollectedWarning) => void

let listener: Listener = (warning) => {
  process.stderr.write(
    `watchpost: warning${warning.code === undefined ? '' : ` ${warning.code}`}: ${warning.message}\n`,
  )
}

/** Replaces Node's printer of process warnings (call once, at start). */
export function takeOverWarnings(): void {
  process.removeAllListeners('warning')
  process.on('warning', (warning: Error & { code?: string }) => {
    listener({ code: warning.code, message: warning.message })
  })
}

/**
 * Runs `fn` and returns the process warnings emitted meanwhile instead of printing them. Node emits
 * a warning on the next tick, so the collection ends one macrotask after `fn` returns.
 */
export async function collectWarnings<T>(fn: () => T): Promise<{ value: T; warnings: CollectedWarning[] }> {
  const warnings: CollectedWarning[] = []
  const previous = listener
  listener = (warning) => warnings.push(warning)
  try {
    const value = fn()
    await new Promise((resolve) => setImmediate(resolve))
    return { value, warnings }
  } finally {
    listener = previous
  }
}
