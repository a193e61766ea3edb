// One server of the wall-clock bench per process: `node server.cjs <fastify|express> <variant>`, the
// variant being bare, bare2 (a second bare process: the A/A control), watchpost, aikido or datadog.
// Started by frameworks.bench.mjs with an IPC channel: it sends `{ ready: <port> }` once it listens,
// answers 'stats' with `{ stats }` (Watchpost's counters, null in the other variants) so the bench can
// check what was recorded, 'close' with `{ closed }` (the counters after Watchpost's close()), and
// exits when the channel closes. CommonJS on purpose: Aikido Zen and
// dd-trace patch modules through require hooks and must load first; each variant gets its own process.
'use strict'
const [framework, variant] = process.argv.slice(2)

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
const record = variant === 'watchpost'

async function fastifyApp() {
  const app = require('fastify')(bench.mixFastifyOptions)
  if (variant === 'aikido') require('@aikidosec/firewall').addFastifyHook(app)
  if (record) await app.register(require('@watchpost/fastify').default, bench.mixWatchpostOptions)
  const instance = record ? app.watchpost : undefined
  bench.addRoutes(app, record)
  bench.addMixRoutes(app, bench.jwtVerifier(instance))
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { port: app.server.address().port, instance }
}

async function expressApp() {
  const wp = record ? require('@watchpost/express').default(bench.mixWatchpostOptions) : undefined
  const app = bench.expressApp(require('express'), wp, { verify: bench.jwtVerifier(wp?.instance) })
  if (variant === 'aikido') require('@aikidosec/firewall').addExpressMiddleware(app)
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  wp?.observe(server)
  return { port: server.address().port, instance: wp?.instance }
}

;(framework === 'fastify' ? fastifyApp() : expressApp()).then(({ port, instance }) => {
  process.on('message', async (message) => {
    if (message === 'stats') process.send({ stats: instance ? instance.stats() : null })
    // close() reports the detectors' open windows as events, then flushes: the run's final count.
    if (message === 'close') {
      await instance?.close()
      process.send({ closed: instance ? instance.stats() : null })
    }
  })
  process.on('disconnect', () => process.exit(0))
  process.send({ ready: port })
})
