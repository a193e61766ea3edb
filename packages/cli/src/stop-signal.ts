/**
 * An AbortSignal for commands that run until stopped: aborted by Ctrl-C (SIGINT), SIGTERM or an
 * optional timeout. Installed before the command prints anything, so that a reader that stops it at
 * once cannot kill it mid-start; `dispose` gives the signals back to Node.
 */
export interface StopSignal {
  readonly signal: AbortSignal
  dispose(): void
}

export function stopSignal(timeoutMs?: number): StopSignal {
  const controller = new AbortController()
  const stop = () => controller.abort()
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  const timer = timeoutMs === undefined ? undefined : setTimeout(stop, timeoutMs)
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      if (timer !== undefined) clearTimeout(timer)
    },
  }
}
