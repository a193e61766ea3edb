/**
 * Sustained delivery through the whole back half: an app process records events as fast as the
 * pipeline takes them (`createWatchpost` → sentinel sink → delivery loop → the real
 * `@azure/monitor-ingestion` client, gzip, HTTPS) into the emulator, with the spool on and off.
 * Targets (issue 4): ≥ 20,000 events/s delivered, ≤ 250 gzip bytes per event on the wire.
 *
 * Three processes: this one only orchestrates; the emulator runs in a child of its own (its JSON
 * validation and SQLite inserts do not count against the sink's CPU), and each variant's app runs
 * in a fresh child (its RSS is its own). The emulator's HTTPS server is wrapped to add up the
 * `content-length` of the ingestion requests it accepts, which is the gzip body on the wire.
 * Figures are printed, never asserted.
 *
 *   node --import tsx/esm packages/sentinel/bench/delivery.bench.ts [--smoke] [--seconds=15]
 */
import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const self = fileURLToPath(import.meta.url)
const EXEC_ARGV = [
  '--import',
  'tsx/esm',
  ...(process.env.WATCHPOST_BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.WATCHPOST_BENCH_PROFILE}`]
    : []),
]
const APP = { name: 'shop', version: '1.0.0', environment: 'bench', host: 'web-01' }
/** Records waiting in the sink (memory or spool) above which the emitter waits: no drops, steady state. */
const BACKLOG = 100_000

interface Target {
  url: string
  dcrImmutableId: string
  tenantId: string
  clientId: string
  clientSecret: string
  caPath: string
}

interface WireStats {
  /** Ingestion requests answered 204 and the sum of their `content-length` (gzip bytes on the wire). */
  accepted: number
  acceptedBytes: number
  /** Every ingestion request (retries and refusals included). */
  requests: number
  /** Rows stored, over every table. */
  rows: number
  /** The emulator process's CPU time so far, µs (user + system). */
  cpuMicros: number
}

interface SinkResult {
  spool: boolean
  seconds: number
  emitted: number
  refused: number
  delivered: number
  perSecond: number
  peakRss: number
  backlogAtEnd: number
  retried: number
  /** CPU seconds the app process used in the window (emitting, building, serialising, spooling, sending). */
  cpuSeconds: number
}

function arg(name: string): string | undefined {
  const prefix = `--${name}=`
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length)
}

/** The emulator child: answers `stats` and `clear` over IPC. */
async function emulatorRole(): Promise<void> {
  const https = await import('node:https')
  const { syncBuiltinESMExports } = await import('node:module')
  const wire = { accepted: 0, acceptedBytes: 0, requests: 0 }
  const create = https.default.createServer
  // Wraps the server the emulator makes, to see each request's size and status without touching it.
  https.default.createServer = ((...args: Parameters<typeof create>) => {
    const server = create(...args)
    server.prependListener('request', (req, res) => {
      if (req.method !== 'POST' || !req.url?.startsWith('/dataCollectionRules/')) return
      wire.requests++
      const bytes = Number(req.headers['content-length'] ?? Number.NaN)
      res.once('finish', () => {
        if (res.statusCode !== 204) return
        wire.accepted++
        wire.acceptedBytes += bytes
      })
    })
    return server
  }) as typeof create
  syncBuiltinESMExports()
  const { startEmulator } = await import('@watchpost/emulator')
  const em = await startEmulator({ tlsDir: join(tmpdir(), 'watchpost-bench', 'tls') })
  const target: Target = {
    url: em.url,
    dcrImmutableId: em.dcrImmutableId,
    tenantId: em.tenantId,
    clientId: em.clientId,
    clientSecret: em.clientSecret,
    caPath: em.caPath,
  }
  process.on('message', (msg: { cmd: string }) => {
    if (msg.cmd === 'stats') {
      const rows = Object.values(em.store.counts()).reduce((a, b) => a + b, 0)
      const cpu = process.cpuUsage()
      process.send!({ stats: { ...wire, rows, cpuMicros: cpu.user + cpu.system } satisfies WireStats })
    } else if (msg.cmd === 'clear') {
      em.store.clear()
      em.clearRequests()
      wire.accepted = wire.acceptedBytes = wire.requests = 0
      process.send!({ cleared: true })
    } else if (msg.cmd === 'close') {
      void em.close().then(() => process.exit(0))
    }
  })
  process.send!({ target })
}

/** One variant's app: emits for `seconds` (after a warm-up), reports one JSON result over IPC. */
async function sinkRole(): Promise<void> {
  const { createWatchpost } = await import('@watchpost/core')
  const target = JSON.parse(arg('target')!) as Target
  const spool = arg('spool') === 'on'
  const seconds = Number(arg('seconds'))
  const warmup = Number(arg('warmup'))
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-bench-'))
  const wp = createWatchpost({
    config: false,
    app: APP,
    sinks: [
      {
        type: 'sentinel',
        endpoint: target.url,
        dcrImmutableId: target.dcrImmutableId,
        tls: { ca: target.caPath },
        credential: {
          type: 'clientSecret',
          tenantId: target.tenantId,
          clientId: target.clientId,
          clientSecret: target.clientSecret,
          authorityHost: target.url,
        },
      },
    ],
    spool: { enabled: spool, directory: join(dir, 'spool') },
    delivery: { deadLetter: { path: join(dir, 'dead-letter.jsonl') } },
    queue: { maxEvents: 50_000, maxBytes: 256 * 1024 * 1024 },
  })
  const sink = () => wp.health().sinks[0]!
  let peakRss = process.memoryUsage().rss
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }, 100)
  let i = 0
  const emit = () => {
    switch (i & 3) {
      case 0:
        wp.record('authz_fail', { userId: `user-${i}`, resource: `/orders/${i}` })
        break
      case 1:
        wp.record('authn_login_fail', { userId: `user-${i}`, reason: 'bad_password' })
        break
      case 2:
        wp.record('sensitive_read', { userId: `user-${i}`, object: `report-${i}.csv`, records: i })
        break
      default:
        wp.record('user_created', { userId: 'admin', newUserId: `user-${i}` })
    }
    i++
  }
  const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve))
  const run = async (until: number) => {
    while (performance.now() < until) {
      if (wp.stats().queued > 20_000 || sink().queued > BACKLOG) {
        await new Promise((resolve) => setTimeout(resolve, 1))
        continue
      }
      for (let n = 0; n < 500; n++) emit()
      await yieldNow()
    }
  }
  await run(performance.now() + warmup * 1000)
  const sent0 = sink().sent
  const emitted0 = wp.stats().emitted
  process.send!({ window: 'start' })
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await run(t0 + seconds * 1000)
  const elapsed = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const h = sink()
  const result: SinkResult = {
    spool,
    seconds: elapsed,
    emitted: wp.stats().emitted - emitted0,
    refused: wp.stats().dropped.queue_full,
    delivered: h.sent - sent0,
    perSecond: (h.sent - sent0) / elapsed,
    peakRss,
    backlogAtEnd: h.queued + wp.stats().queued,
    retried: h.retried,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  }
  process.send!({ window: 'end', result })
  clearInterval(rssTimer)
  await wp.close(2000)
  rmSync(dir, { recursive: true, force: true })
  process.exit(0)
}

function ask<T>(child: ChildProcess, cmd: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (msg: Record<string, unknown>) => {
      if (!(key in msg)) return
      child.off('message', onMessage)
      resolve(msg[key] as T)
    }
    child.on('message', onMessage)
    child.send({ cmd })
  })
}

async function main(): Promise<void> {
  const smoke = process.argv.includes('--smoke')
  const seconds = Number(arg('seconds') ?? (smoke ? 3 : 15))
  const warmup = smoke ? 1 : 3
  const emulator = fork(self, ['--role=emulator'], {
    execArgv: EXEC_ARGV,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const target = await new Promise<Target>((resolve) =>
    emulator.on('message', (msg: { target?: Target }) => msg.target && resolve(msg.target)),
  )
  const rows: string[] = []
  for (const spool of [false, true]) {
    await ask(emulator, 'clear', 'cleared')
    const child = fork(
      self,
      [
        '--role=sink',
        `--spool=${spool ? 'on' : 'off'}`,
        `--seconds=${seconds}`,
        `--warmup=${warmup}`,
        `--target=${JSON.stringify(target)}`,
      ],
      { execArgv: EXEC_ARGV, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    )
    let before: WireStats | undefined
    let result: SinkResult | undefined
    let after: WireStats | undefined
    child.on('message', (msg: { window?: string; result?: SinkResult }) => {
      if (msg.window === 'start') void ask<WireStats>(emulator, 'stats', 'stats').then((s) => (before = s))
      if (msg.window === 'end') {
        result = msg.result
        void ask<WireStats>(emulator, 'stats', 'stats').then((s) => (after = s))
      }
    })
    const [code] = (await once(child, 'exit')) as [number | null]
    while (after === undefined || before === undefined) await new Promise((r) => setTimeout(r, 10))
    if (code !== 0 || result === undefined) throw new Error(`the spool=${spool} run failed (exit ${code})`)
    const rowsStored = after.rows - before.rows
    const bytes = after.acceptedBytes - before.acceptedBytes
    const requests = after.accepted - before.accepted
    const emulatorCpu = (after.cpuMicros - before.cpuMicros) / 1e6
    rows.push(
      `| ${spool ? 'on' : 'off'} | ${result.seconds.toFixed(1)} | ${result.emitted} | ${result.delivered} | ` +
        `${Math.round(result.perSecond)} | ${(rowsStored / result.seconds).toFixed(0)} | ` +
        `${(result.peakRss / 1024 / 1024).toFixed(0)} | ${(bytes / Math.max(1, rowsStored)).toFixed(0)} | ` +
        `${requests} | ${(rowsStored / Math.max(1, requests)).toFixed(0)} | ${result.refused} | ${result.retried} | ${result.backlogAtEnd} | ` +
        `${(result.cpuSeconds / result.seconds).toFixed(2)} | ${(emulatorCpu / result.seconds).toFixed(2)} | ` +
        `${Math.round(result.delivered / Math.max(1e-9, result.cpuSeconds))} |`,
    )
  }
  const closed = once(emulator, 'exit')
  emulator.send({ cmd: 'close' })
  await closed
  console.log(
    `\nDelivery benchmark${smoke ? ' (smoke)' : ''} — Node ${process.version}, ${cpus().length} CPU(s) ` +
      `(${cpus()[0]?.model ?? '?'}); emulator in a separate child process (strict mode, in-memory SQLite), ` +
      `app in its own child; ASIM tables, 4 event types in turn; ${seconds} s measured after ${warmup} s warm-up.\n` +
      'Targets: ≥ 20,000 events/s delivered, ≤ 250 gzip bytes per event. On 2 cores the emulator (which\n' +
      'validates and stores every row) competes with the app; "events per app CPU-second" is what the\n' +
      'app side sustains per core of its own, whatever the receiver.\n',
  )
  console.log(
    '| spool | s | emitted | delivered (acked) | events/s acked | rows/s stored | peak RSS MB | gzip B/event | requests | events/request | refused | retried | backlog at end | app CPU (cores) | emulator CPU (cores) | events per app CPU-second |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
  for (const row of rows) console.log(row)
}

const role = arg('role')
if (role === 'emulator') await emulatorRole()
else if (role === 'sink') await sinkRole()
else await main()
