// One server of the wall-clock bench per process:
//   node server.cjs <fastify|express> <variant> [redis port]
// the variant being bare, bare2 (a second bare process: the A/A control), one of Watchpost's —
// watchpost-nodetectors, watchpost-noinjection, watchpost-norules, watchpost, watchpost-protect,
// watchpost-redis (options: bench-app.cjs; the last with its rules' state in the Redis on
// 127.0.0.1:<redis port>, which the bench started) — aikido or datadog. Started by frameworks.bench.mjs with an IPC channel: it sends `{ ready: <port> }` once it
// listens, answers 'stats' with `{ stats }` (Watchpost's counters with its rules' figures and its
// store's health, null in the other variants) so the bench can check what was recorded, 'close' with
// `{ closed }` (the same after Watchpost's close(), which also closes the store), and exits when the
// channel closes. CommonJS on purpose: Aikido Zen and dd-trace patch modules through require hooks
// and must load first; each variant gets its own process.
'use strict'
const [framework, variant, redisPort] = process.argv.slice(2)

if (variant === 'aikido') {
  process.env.AIKIDO_BLOCK = 'true'
  require('@aikidosec/firewall')
}
if (variant === 'datadog') {
  // Traces go to a closed loopback port and are dropped; the WAF still runs.
  process.env.DD_TRACE_AGENT_URL = 'http://127.0.0.1:9'
  require('dd-trace').init({ appsec: true, startupLogs: false })
}

const bench = require('./bench-app.cjs')
const options = bench.variantWatchpostOptions[variant]
const record = options !== undefined
let redis

/** The rules' state: the memory store (undefined: Watchpost's default), or Redis for watchpost-redis. */
async function stateStore() {
  if (variant !== 'watchpost-redis') return undefined
  if (redisPort === undefined) throw new Error('watchpost-redis needs the port of a Redis server')
  const { Redis } = require('ioredis')
  redis = new Redis({ host: '127.0.0.1', port: Number(redisPort), lazyConnect: true })
  await redis.connect()
  return require('@watchpost/redis').createRedisStateStore({ client: redis })
}

async function fastifyApp() {
  const app = require('fastify')(bench.mixFastifyOptions)
  if (variant === 'aikido') require('@aikidosec/firewall').addFastifyHook(app)
  if (record) {
    const state = await stateStore()
    await app.register(
      require('@watchpost/fastify').default,
      state ? { ...options, runtime: { state } } : options,
    )
  }
  const instance = record ? app.watchpost : undefined
  bench.addRoutes(app, record)
  bench.addMixRoutes(app, bench.jwtVerifier(instance))
  await settle()
  spinOn(app.server)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { port: app.server.address().port, instance }
}

async function expressApp() {
  const state = record ? await stateStore() : undefined
  const wp = record
    ? require('@watchpost/express').default(options, state ? { state } : undefined)
    : undefined
  const app = bench.expressApp(require('express'), wp, { verify: bench.jwtVerifier(wp?.instance) })
  if (variant === 'aikido') require('@aikidosec/firewall').addExpressMiddleware(app)
  await settle()
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  wp?.observe(server)
  spinOn(server)
  return { port: server.address().port, instance: wp?.instance }
}

/**
 * `bare-spin`: the bare app, each request first held by a busy-wait of BENCH_SPIN_NS nanoseconds
 * (3,000 by default) on the server's own thread, before the framework sees it — a known, fixed cost
 * per request, to read what this harness makes of one: how much CPU per request and req/s a few
 * microseconds of work cost here (docs/performance.md).
 */
function spinOn(server) {
  if (variant !== 'bare-spin') return
  const ns = BigInt(process.env.BENCH_SPIN_NS ?? 3000)
  server.prependListener('request', () => {
    const end = process.hrtime.bigint() + ns
    while (process.hrtime.bigint() < end) {}
  })
}

/**
 * Every variant's process starts from the same V8 state. Node's `process.nextTick` builds each tick
 * object from a literal with computed keys, whose inline cache V8 keeps either monomorphic or, for
 * good, megamorphic: it turns megamorphic at the first tick after a full GC collected the tick
 * objects' hidden classes (no tick queued at that moment), and from then on every tick takes three
 * runtime calls — about 15 per request, measured here as several µs of CPU per request. Whether that
 * happens to a server depends on whether its start-up work triggered a full GC after the first ticks:
 * a bare hello-world app stays lucky, an app that loads more code (any real one, or one with
 * Watchpost) usually does not. So every server queues a few ticks and runs a full GC before it
 * listens, and all variants are measured in the state a long-running app is in
 * (docs/performance.md#v8-state). `BENCH_SETTLE=0` leaves each process as its start-up left it.
 */
async function settle() {
  if (process.env.BENCH_SETTLE === '0') return
  if (typeof global.gc !== 'function') throw new Error('server.cjs needs --expose-gc (or BENCH_SETTLE=0)')
  for (let i = 0; i < 200; i++) process.nextTick(() => {})
  await new Promise((resolve) => setImmediate(resolve))
  global.gc()
}

;(framework === 'fastify' ? fastifyApp() : expressApp()).then(({ port, instance }) => {
  // Watchpost's counters, its rules' (firings, blocked and delayed requests, store errors) and its
  // store's health (a Redis store that fell back to local memory says so).
  const stats = () =>
    instance ? { ...instance.stats(), rules: instance.rules.stats(), store: instance.rules.health() } : null
  process.on('message', async (message) => {
    if (message === 'stats') process.send({ stats: stats() })
    // close() reports the detectors' open windows as events, then flushes and closes the store: the
    // run's final count. The Redis client is the app's own, quit after.
    if (message === 'close') {
      await instance?.close()
      await redis?.quit()
      process.send({ closed: stats() })
    }
  })
  process.on('disconnect', () => process.exit(0))
  storeSettled(instance).then(() => process.send({ ready: port }))
})

/**
 * Resolves once the rules' Redis store answers from Redis (at once without Redis), or after 10 s.
 * The rules' first store call (listing the blocks in force) is made while the process is still busy
 * starting (loading code and, unless BENCH_SETTLE=0, `settle`'s full GC): it often outlasts the
 * store's 100-ms timeout, which fires once the event loop runs timers again — after `listen` — and
 * the store answers from local memory until its next probe (≤ 1 s). So: past that timeout first,
 * then while degraded. The bench measures a server once ready; its stats() still count that call.
 */
async function storeSettled(instance) {
  if (redis === undefined) return
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
  await sleep(150)
  const deadline = Date.now() + 10_000
  while (instance.rules.health().state === 'degraded' && Date.now() < deadline) await sleep(50)
}
