/**
 * `shutdown.signals`: close the instance on SIGTERM/SIGINT (orchestrators send SIGTERM and wait a
 * grace period), then let the signal do what it would have done. A process that listens for a
 * signal no longer exits on it, so when Watchpost is the only listener it re-raises the signal
 * after closing; when the app listens too, the app decides.
 */
const SIGNALS = ['SIGTERM', 'SIGINT'] as const

export function closeOnSignals(close: () => Promise<void>): () => void {
  const handler = (signal: NodeJS.Signals) => {
    remove()
    void close()
      .catch(() => {})
      .finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
      })
  }
  const remove = () => {
    for (const signal of SIGNALS) process.off(signal, handler)
  }
  for (const signal of SIGNALS) process.on(signal, handler)
  return remove
}
