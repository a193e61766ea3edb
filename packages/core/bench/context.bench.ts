/**
 * Cost of `ContextFactory.open()` per request. Figures are printed, never asserted.
 *
 *   node --import tsx packages/core/bench/context.bench.ts
 *
 * Requests are real `http.IncomingMessage` objects (the class Node's parser creates, with the same
 * prototype, lazy `headers` getter and hidden class) built over a fake socket carrying
 * `remoteAddress`/`remotePort`; `rawHeaders` is filled as the parser would and `headers` is read
 * once, as every framework does before its hooks run. A loopback server would add socket, parser
 * and scheduling noise two orders of magnitude larger than the thing measured.
 *
 * `open()` is idempotent, so each timed call needs a fresh request: every round builds a pool of
 * BATCH requests (untimed), then times one `process.hrtime.bigint()` pair around BATCH calls. The
 * figures are per-call means of each batch; median and p99 are over batches, GC pauses included
 * (forcing a GC before each batch was tried: it left caches cold and read ~200 ns higher for every
 * case, so it measured the harness, not open()). Cases are interleaved
 * over PASSES passes so machine noise (other jobs on the 2 cores) spreads over all of them.
 */
import { randomUUID } from 'node:crypto'
import { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { type ContextFactory, createContextFactory } from '../src/context/request-context.js'
import { generateCorrelationId } from '../src/context/request-id.js'
import type { RequestContext } from '../src/context/types.js'

const BATCH = 64
const WARMUP_ROUNDS = 300
const ROUNDS = 1000
const PASSES = 3

const BASE_HEADERS = [
  'Host',
  'api.example.com',
  'User-Agent',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Accept',
  'application/json',
  'Accept-Encoding',
  'gzip, deflate, br',
  'Connection',
  'keep-alive',
]

function makeRequest(peer: string, extraHeaders: readonly string[]): IncomingMessage {
  const socket = { remoteAddress: peer, remotePort: 51234 } as unknown as Socket
  const req = new IncomingMessage(socket)
  req.method = 'GET'
  req.url = '/api/users/42?expand=roles'
  req.httpVersionMajor = 1
  req.httpVersionMinor = 1
  req.httpVersion = '1.1'
  req.rawHeaders = [...BASE_HEADERS, ...extraHeaders]
  // Frameworks read `req.headers` before any hook runs; materialise it outside the timed section.
  void req.headers
  return req
}

interface Case {
  readonly name: string
  readonly factory: ContextFactory
  readonly peer: string
  readonly headers: readonly string[]
  readonly withResponse: boolean
  /** What is read after `open()`: the correlation id (an event), the client address, or nothing (most requests). */
  readonly read: 'correlationId' | 'clientIp' | 'nothing'
}

const options = {
  trustProxy: false,
  traceparent: true,
  requestIdHeaders: ['x-request-id', 'x-correlation-id'],
  responseHeader: false,
  maxLength: 128,
} as const
const plain = createContextFactory(options)
const echo = createContextFactory({ ...options, responseHeader: 'x-request-id' })
const behindProxy = createContextFactory({ ...options, trustProxy: 'loopback, uniquelocal' })

const TRACEPARENT = ['traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']
const REQUEST_ID = ['X-Request-Id', 'f47ac10b-58cc-4372-a567-0e02b2c3d479']
const XFF = ['X-Forwarded-For', '198.51.100.7, 10.0.0.2']

const cases: Case[] = [
  {
    name: '(a) nothing read (no event, no echo)',
    factory: plain,
    peer: '203.0.113.9',
    headers: [],
    withResponse: false,
    read: 'nothing',
  },
  {
    name: '(a) no correlation headers',
    factory: plain,
    peer: '203.0.113.9',
    headers: [],
    withResponse: false,
    read: 'correlationId',
  },
  {
    name: '(b) valid traceparent',
    factory: plain,
    peer: '203.0.113.9',
    headers: TRACEPARENT,
    withResponse: false,
    read: 'correlationId',
  },
  {
    name: '(c) x-request-id',
    factory: plain,
    peer: '203.0.113.9',
    headers: REQUEST_ID,
    withResponse: false,
    read: 'correlationId',
  },
  {
    name: '(a) + clientIp read, trustProxy false',
    factory: plain,
    peer: '203.0.113.9',
    headers: [],
    withResponse: false,
    read: 'clientIp',
  },
  {
    name: '(b) + clientIp read, trustProxy false',
    factory: plain,
    peer: '203.0.113.9',
    headers: TRACEPARENT,
    withResponse: false,
    read: 'clientIp',
  },
  {
    name: '(c) + clientIp read, trustProxy false',
    factory: plain,
    peer: '203.0.113.9',
    headers: REQUEST_ID,
    withResponse: false,
    read: 'clientIp',
  },
  {
    name: 'XFF + clientIp read, trustProxy CIDR list',
    factory: behindProxy,
    peer: '127.0.0.1',
    headers: XFF,
    withResponse: false,
    read: 'clientIp',
  },
  {
    name: '(a) + echo header on res',
    factory: echo,
    peer: '203.0.113.9',
    headers: [],
    withResponse: true,
    read: 'correlationId',
  },
  {
    name: '(c) + echo header on res',
    factory: echo,
    peer: '203.0.113.9',
    headers: REQUEST_ID,
    withResponse: true,
    read: 'correlationId',
  },
]

let sink = 0

function runCase(c: Case, rounds: number): number[] {
  const samples: number[] = []
  const reqs: IncomingMessage[] = new Array(BATCH)
  const ress: Array<ServerResponse | undefined> = new Array(BATCH)
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < BATCH; i++) {
      const req = makeRequest(c.peer, c.headers)
      reqs[i] = req
      ress[i] = c.withResponse ? new ServerResponse(req) : undefined
    }
    const factory = c.factory
    let ctx: RequestContext
    const start = process.hrtime.bigint()
    if (c.read === 'nothing') {
      for (let i = 0; i < BATCH; i++) {
        ctx = factory.open(reqs[i] as IncomingMessage, ress[i])
        sink += ctx.method.length
      }
    } else if (c.read === 'clientIp') {
      for (let i = 0; i < BATCH; i++) {
        ctx = factory.open(reqs[i] as IncomingMessage, ress[i])
        sink += ctx.clientIp.length
      }
    } else {
      for (let i = 0; i < BATCH; i++) {
        ctx = factory.open(reqs[i] as IncomingMessage, ress[i])
        sink += ctx.correlationId.length
      }
    }
    samples.push(Number(process.hrtime.bigint() - start) / BATCH)
  }
  return samples
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}

function timerOverhead(): number {
  const samples: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint()
    samples.push(Number(process.hrtime.bigint() - start) / BATCH)
  }
  samples.sort((a, b) => a - b)
  return quantile(samples, 0.5)
}

function idGenerators(): void {
  const N = 500_000
  const candidates: Array<[string, () => string]> = [
    ['generateCorrelationId (pooled randomFillSync)', generateCorrelationId],
    ['randomUUID().replaceAll("-", "")', () => randomUUID().replaceAll('-', '')],
  ]
  for (let round = 0; round < 2; round++) {
    for (const [name, fn] of candidates) {
      for (let i = 0; i < 50_000; i++) sink += fn().length
      const start = process.hrtime.bigint()
      for (let i = 0; i < N; i++) sink += fn().charCodeAt(31)
      if (round === 1)
        console.log(`  ${name.padEnd(46)} ${(Number(process.hrtime.bigint() - start) / N).toFixed(0)} ns/id`)
    }
  }
}

console.log(
  `Node ${process.version}, ${process.platform}/${process.arch}; batch ${BATCH} calls, ${ROUNDS * PASSES} batches per case`,
)
console.log(`timer overhead per call (hrtime pair / ${BATCH}): ${timerOverhead().toFixed(1)} ns\n`)
for (const c of cases) runCase(c, WARMUP_ROUNDS)
const results = cases.map(() => [] as number[])
for (let pass = 0; pass < PASSES; pass++) {
  cases.forEach((c, i) => {
    results[i]?.push(...runCase(c, ROUNDS))
  })
}
console.log(`${'open() per call'.padEnd(44)} ${'median'.padStart(9)} ${'p99'.padStart(9)}`)
cases.forEach((c, i) => {
  const samples = (results[i] ?? []).sort((a, b) => a - b)
  console.log(
    `${c.name.padEnd(44)} ${quantile(samples, 0.5).toFixed(0).padStart(6)} ns ${quantile(samples, 0.99).toFixed(0).padStart(6)} ns`,
  )
})
console.log('\ncorrelation id generation')
idGenerators()
if (sink === 42) console.log('')
