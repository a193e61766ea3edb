/**
 * The SDK's default HttpClient (`http: node`) against the undici one (`http: undici`), uploading the
 * same 500-event batch to the emulator on loopback through the real LogsIngestionClient. Each client
 * runs in its own child process (so RSS is its own, and the emulator's SQLite work is not counted),
 * trusting the emulator through `tls.ca` alone. Figures are printed, never asserted.
 *
 *   node --import tsx packages/sentinel/bench/http-client.bench.ts [uploads=400] [batch=500]
 */
import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createWatchpost, type SecurityEvent } from '@watchpost/core'
import { batchOf } from '@watchpost/core/sdk'
import {
  emulatorTarget,
  sentinelSinkFor,
  startEmulator,
  type EmulatorTarget as Target,
} from '@watchpost/emulator'
import { createSentinelDestination } from '../src/index.js'

const self = fileURLToPath(import.meta.url)
const run = promisify(execFile)

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

async function child(
  http: 'undici' | 'node',
  target: Target,
  uploads: number,
  size: number,
  inFlight: number,
) {
  // Only the transport is measured: the destination makes one request per send, never retrying.
  const destination = createSentinelDestination({ ...sentinelSinkFor(target), tables: 'asim', http })
  const wp = createWatchpost({ config: false, app: { name: 'shop', version: '1.0.0' }, sinks: [] })
  const batch: SecurityEvent[] = []
  for (let i = 0; i < size; i++) {
    const event = wp.record('authz_fail', { userId: `user-${i}`, resource: `/orders/${i}` })
    if (event !== undefined) batch.push(event)
  }
  await wp.close()
  // One request per stream, as the delivery loop would cut them (every authz_fail goes to one stream).
  const groups = new Map<string, Record<string, unknown>[]>()
  for (const event of batch) {
    const { partition, row } = destination.prepare(event as unknown as Record<string, unknown>)
    groups.set(partition, [...(groups.get(partition) ?? []), row])
  }
  const sink = {
    async send(): Promise<unknown> {
      try {
        for (const [partition, rows] of groups)
          await destination.send(batchOf(partition, rows), AbortSignal.timeout(60_000))
        return undefined
      } catch (err) {
        return err
      }
    },
    close: () => destination.close(),
  }
  // Warm-up: token, TLS handshake, JIT.
  for (let i = 0; i < 20; i++) await sink.send()

  const latencies: number[] = []
  let failed = 0
  let peakRss = process.memoryUsage().rss
  let next = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < uploads) {
        next++
        const start = performance.now()
        const result = await sink.send()
        latencies.push(performance.now() - start)
        if (result !== undefined) failed++
        peakRss = Math.max(peakRss, process.memoryUsage().rss)
      }
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  await sink.close()
  latencies.sort((a, b) => a - b)
  return {
    http,
    inFlight,
    uploads,
    failed,
    uploadsPerS: uploads / seconds,
    eventsPerS: (uploads * size) / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMsPerUpload: (cpu.user + cpu.system) / 1000 / uploads,
    peakRssMiB: peakRss / 2 ** 20,
  }
}

if (process.argv[2] === '--child') {
  const [http, target, uploads, size, inFlight] = JSON.parse(process.argv[3] ?? '[]')
  process.stdout.write(`${JSON.stringify(await child(http, target, uploads, size, inFlight))}\n`)
} else {
  const uploads = Number(process.argv[2] ?? 400)
  const size = Number(process.argv[3] ?? 500)
  // Lenient: strict per-row validation is the emulator's cost, identical for both clients.
  const em = await startEmulator({ tlsDir: mkdtempSync(join(tmpdir(), 'watchpost-bench-')), mode: 'lenient' })
  const target = emulatorTarget(em)
  console.log(
    `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}; ${uploads} uploads × ${size} events per run; emulator on ${em.url}`,
  )
  console.log(
    'client | in flight | uploads/s | events/s | p50 ms | p99 ms | CPU ms/upload | peak RSS MiB | failed',
  )
  try {
    for (const inFlight of [1, 8]) {
      // Alternate the order so neither client always runs on a warmer emulator.
      for (const http of inFlight === 1 ? (['node', 'undici'] as const) : (['undici', 'node'] as const)) {
        // Async: the emulator answers from this process's event loop.
        const { stdout: out } = await run(
          process.execPath,
          ['--import', 'tsx', self, '--child', JSON.stringify([http, target, uploads, size, inFlight])],
          { env: { ...process.env, NODE_EXTRA_CA_CERTS: '' }, encoding: 'utf8', maxBuffer: 1 << 24 },
        )
        const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}')
        console.log(
          `${r.http} | ${r.inFlight} | ${r.uploadsPerS.toFixed(1)} | ${Math.round(r.eventsPerS)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuMsPerUpload.toFixed(2)} | ${r.peakRssMiB.toFixed(1)} | ${r.failed}`,
        )
        em.store.clear()
      }
    }
  } finally {
    await em.close()
  }
}
