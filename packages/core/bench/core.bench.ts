/**
 * Cost of recording one typical event on the request path: build + redact + `emit` (queue push),
 * i.e. `req.watchpost.authn.loginFail({ userId, reason }, { statusCode: 401 })`. Figures are
 * printed, never asserted (target: median ≤ 2 µs on the 2-core CI machine; docs/performance.md).
 *
 *   npm run bench:core        (this file, then context.bench.ts for context creation)
 *
 * Contexts are opened on real `http.IncomingMessage` objects outside the timed section. Each round
 * times one hrtime pair around BATCH calls; median and p99 are over rounds, GC included. The queue
 * is drained (untimed) between rounds so it never fills: a full queue would measure the drop path.
 */
import { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { RequestContext, Sink } from '../src/index.js'
import { type AdapterCore, createAdapterCore } from '../src/sdk.js'

const BATCH = 64
const WARMUP_ROUNDS = 200
const ROUNDS = 1500

const discard: Sink = { name: 'discard', send: async () => {}, close: async () => {} }

function request(i: number): IncomingMessage {
  const req = new IncomingMessage({
    remoteAddress: '203.0.113.7',
    remotePort: 40000 + (i % 1000),
  } as unknown as Socket)
  req.method = 'POST'
  req.url = '/login?next=%2Faccount'
  req.httpVersion = '1.1'
  req.rawHeaders = [
    'Host',
    'shop.example.com',
    'User-Agent',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    'Content-Type',
    'application/json',
    'traceparent',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  ]
  void req.headers
  return req
}

interface Case {
  readonly name: string
  readonly wp: AdapterCore
  readonly record: (wp: AdapterCore, ctx: RequestContext, i: number) => unknown
  readonly prepare?: (wp: AdapterCore, ctx: RequestContext) => void
}

const make = (privacy = {}, defaultRules = true) =>
  createAdapterCore(
    {
      config: false,
      sinks: [],
      privacy,
      defaultRules,
      queue: { maxEvents: 1_000_000, maxBytes: 2 ** 31, flushIntervalMs: 60_000, batchSize: 10_000 },
    },
    { sinks: [discard] },
  )

const cases: Case[] = [
  {
    name: 'authn.loginFail, typical request',
    wp: make(),
    record: (wp, ctx, i) =>
      wp
        .requestApi(ctx)
        .authn.loginFail({ userId: `user${i & 255}`, reason: 'bad_password' }, { statusCode: 401 }),
  },
  {
    name: 'the same, no rules (defaultRules: false)',
    wp: make({}, false),
    record: (wp, ctx, i) =>
      wp
        .requestApi(ctx)
        .authn.loginFail({ userId: `user${i & 255}`, reason: 'bad_password' }, { statusCode: 401 }),
  },
  {
    name: '+ session id, hashUserIds (HMAC)',
    wp: make({ hashUserIds: true, hashKey: 'bench-key-0123456789abcdef' }),
    prepare: (wp, ctx) => {
      wp.requestApi(ctx).setSession('sess_8f14e45fceea167a5a36dedd4bea2543')
    },
    record: (wp, ctx, i) =>
      wp
        .requestApi(ctx)
        .authn.loginFail({ userId: `user${i & 255}`, reason: 'bad_password' }, { statusCode: 401 }),
  },
  {
    name: 'authz.fail with details object',
    wp: make(),
    record: (wp, ctx) =>
      wp
        .requestApi(ctx)
        .authz.fail({ resource: 'orders' }, { statusCode: 403, details: { orderId: 42, role: 'customer' } }),
  },
  {
    name: 'sys.startup, no request context',
    wp: make(),
    record: (wp) => wp.watchpost.events.sys.startup(),
  },
]

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!
}

async function measure(c: Case): Promise<number[]> {
  const perCall: number[] = []
  const contexts: RequestContext[] = []
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    contexts.length = 0
    for (let i = 0; i < BATCH; i++) {
      const ctx = c.wp.open(request(i))
      c.prepare?.(c.wp, ctx)
      contexts.push(ctx)
    }
    const start = process.hrtime.bigint()
    for (let i = 0; i < BATCH; i++) c.record(c.wp, contexts[i]!, i)
    const ns = Number(process.hrtime.bigint() - start) / BATCH
    if (round >= WARMUP_ROUNDS) perCall.push(ns)
    if (round % 50 === 49) await c.wp.watchpost.flush()
  }
  return perCall.sort((a, b) => a - b)
}

console.log(
  `Watchpost core: cost per recorded event (Node ${process.version}, ${BATCH} calls × ${ROUNDS} rounds)`,
)
console.log('case'.padEnd(40), 'median ns'.padStart(10), 'p99 ns'.padStart(10))
for (const c of cases) {
  const sorted = await measure(c)
  console.log(
    c.name.padEnd(40),
    percentile(sorted, 50).toFixed(0).padStart(10),
    percentile(sorted, 99).toFixed(0).padStart(10),
  )
  const stats = c.wp.watchpost.stats()
  if (stats.buildErrors > 0 || stats.dropped.queue_full > 0)
    console.log('  (!) build errors or drops:', stats)
  await c.wp.watchpost.close()
}
