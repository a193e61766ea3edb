/**
 * Cost of `correlation.asyncContext` (AsyncLocalStorage) on this Node version. Printed, never asserted.
 *
 *   node --import tsx packages/core/bench/async-context.bench.ts
 *
 * On Node 20 an AsyncLocalStorage that has been used installs async hooks (an `init` hook on every
 * async resource plus V8 promise hooks) for the rest of the process, so "off" and "on" cannot be
 * measured in one process. The parent forks one child per run, alternating off/on, and reports the
 * median of the runs of each mode:
 *   1. micro: "requests" of 10 sequential awaits each, 32 in flight, bare vs `run(ctx, handler)`;
 *   2. server: a real `node:http` server on 127.0.0.1 whose handler awaits a few promises, driven
 *      by an in-process client (keep-alive agent, 32 concurrent, callback API — no client promises).
 *      Client and server share the process, so the client's sockets and parsers pay the `init`
 *      hook too: the server ratio is an upper bound for a server with remote clients.
 */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { Agent, createServer, type IncomingMessage, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createAsyncContext, currentContext } from '../src/context/async-context.js'
import { createContextFactory } from '../src/context/request-context.js'
import type { RequestContext } from '../src/context/types.js'

type Mode = 'off' | 'on'
interface RunResult {
  readonly microNsPerRequest: number
  readonly serverReqPerSec: number
}

const RUNS_PER_MODE = 3
const MICRO_REQUESTS = 200_000
const AWAITS = 10
const CONCURRENCY = 32
const SERVER_REQUESTS = 20_000
const SERVER_WARMUP = 2_000

const factory = createContextFactory({
  trustProxy: false,
  traceparent: true,
  requestIdHeaders: ['x-request-id'],
  responseHeader: 'x-request-id',
  maxLength: 128,
})

let sink = 0

async function step(i: number): Promise<number> {
  return i + 1
}

/** A request's async work: 10 awaits, reading the context at the end as app code would. */
async function handler(): Promise<void> {
  let n = 0
  for (let i = 0; i < AWAITS; i++) n = await step(n)
  sink += n + (currentContext() === undefined ? 0 : 1)
}

async function micro(mode: Mode): Promise<number> {
  const als = mode === 'on' ? createAsyncContext() : undefined
  const ctx = { correlationId: 'bench' } as RequestContext
  const one = als === undefined ? handler : () => als.run(ctx, handler)
  const batch = new Array<Promise<void>>(CONCURRENCY)
  const runMany = async (total: number) => {
    for (let done = 0; done < total; done += CONCURRENCY) {
      for (let i = 0; i < CONCURRENCY; i++) batch[i] = one()
      await Promise.all(batch)
    }
  }
  await runMany(MICRO_REQUESTS / 4)
  const start = process.hrtime.bigint()
  await runMany(MICRO_REQUESTS)
  return Number(process.hrtime.bigint() - start) / MICRO_REQUESTS
}

async function server(mode: Mode): Promise<number> {
  const als = mode === 'on' ? createAsyncContext() : undefined
  const handle = async (res: import('node:http').ServerResponse, ctx: RequestContext) => {
    for (let i = 0; i < 3; i++) await step(i)
    await new Promise<void>((resolve) => setImmediate(resolve))
    res.end(currentContext()?.correlationId ?? ctx.correlationId)
  }
  const srv = createServer((req, res) => {
    const ctx = factory.open(req, res)
    if (als === undefined) void handle(res, ctx)
    else void als.run(ctx, () => handle(res, ctx))
  })
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const { port } = srv.address() as AddressInfo
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })

  const load = (total: number) =>
    new Promise<void>((resolve, reject) => {
      let sent = 0
      let finished = 0
      const next = (): void => {
        if (sent === total) return
        sent++
        const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res: IncomingMessage) => {
          res.on('data', (chunk: Buffer) => {
            sink += chunk.length
          })
          res.on('end', () => {
            if (++finished === total) resolve()
            else next()
          })
        })
        req.on('error', reject)
        req.end()
      }
      for (let i = 0; i < CONCURRENCY; i++) next()
    })

  await load(SERVER_WARMUP)
  const start = process.hrtime.bigint()
  await load(SERVER_REQUESTS)
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  agent.destroy()
  srv.close()
  return SERVER_REQUESTS / seconds
}

async function child(mode: Mode): Promise<void> {
  const result: RunResult = { microNsPerRequest: await micro(mode), serverReqPerSec: await server(mode) }
  process.send?.(result)
}

function runChild(mode: Mode): Promise<RunResult> {
  const proc = fork(fileURLToPath(import.meta.url), ['child', mode])
  return new Promise((resolve, reject) => {
    proc.once('message', (message) => resolve(message as RunResult))
    proc.once('error', reject)
    proc.once('exit', (code) => {
      if (code !== 0) reject(new Error(`child ${mode} exited with ${code}`))
    })
  })
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

async function parent(): Promise<void> {
  console.log(
    `Node ${process.version}, ${process.platform}/${process.arch}; ${RUNS_PER_MODE} alternating runs per mode, one process each`,
  )
  const results: Record<Mode, RunResult[]> = { off: [], on: [] }
  for (let run = 0; run < RUNS_PER_MODE; run++) {
    for (const mode of ['off', 'on'] as const) {
      const r = await runChild(mode)
      results[mode].push(r)
      console.log(
        `  run ${run + 1} ${mode.padEnd(3)}  micro ${r.microNsPerRequest.toFixed(0).padStart(6)} ns/request   server ${r.serverReqPerSec.toFixed(0).padStart(6)} req/s`,
      )
    }
  }
  const microOff = median(results.off.map((r) => r.microNsPerRequest))
  const microOn = median(results.on.map((r) => r.microNsPerRequest))
  const srvOff = median(results.off.map((r) => r.serverReqPerSec))
  const srvOn = median(results.on.map((r) => r.serverReqPerSec))
  console.log(
    `\nmicro (${AWAITS} awaits per request, ${CONCURRENCY} in flight, ${MICRO_REQUESTS} requests), median:`,
  )
  console.log(
    `  off ${microOff.toFixed(0)} ns/request, on ${microOn.toFixed(0)} ns/request, on/off ${(microOn / microOff).toFixed(2)}x (+${(microOn - microOff).toFixed(0)} ns/request)`,
  )
  console.log(
    `server (127.0.0.1, keep-alive, ${CONCURRENCY} concurrent, ${SERVER_REQUESTS} requests), median:`,
  )
  console.log(
    `  off ${srvOff.toFixed(0)} req/s, on ${srvOn.toFixed(0)} req/s, on/off ${(srvOn / srvOff).toFixed(3)} (${(((srvOn - srvOff) / srvOff) * 100).toFixed(1)}%)`,
  )
}

if (process.argv[2] === 'child') await child(process.argv[3] === 'on' ? 'on' : 'off')
else await parent()
if (sink === -1) console.log('')
