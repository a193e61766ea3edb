/**
 * Proof that the app keeps serving: an HTTP server in the same process, probed every 50 ms while
 * the scenario runs; every answer and the slowest one are counted.
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Probe {
  answered: number
  failed: number
  slowestMs: number
  stop(): Promise<void>
}

export async function probeServing(onRequest: () => void = () => {}): Promise<Probe> {
  const server = createServer((_req, res) => {
    onRequest()
    res.end('ok')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  let running = true
  const probe: Probe = {
    answered: 0,
    failed: 0,
    slowestMs: 0,
    async stop() {
      running = false
      await loop
      server.close()
    },
  }
  const loop = (async () => {
    while (running) {
      const t0 = performance.now()
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) })
        if ((await res.text()) === 'ok') probe.answered++
        else probe.failed++
      } catch {
        probe.failed++
      }
      probe.slowestMs = Math.max(probe.slowestMs, performance.now() - t0)
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  return probe
}
