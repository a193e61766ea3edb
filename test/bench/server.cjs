// One benchmark server per process: `node server.cjs <fastify|express> <bare|watchpost|aikido|datadog>`.
// CommonJS on purpose: Aikido Zen and dd-trace patch modules through require hooks and must load
// first; each variant gets a fresh process. Prints "ready <port>".
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

const { addRoutes, expressApp: buildExpressApp, watchpostOptions } = require('./bench-app.cjs')
const record = variant === 'watchpost'

async function fastifyApp() {
  const app = require('fastify')()
  if (variant === 'aikido') require('@aikidosec/firewall').addFastifyHook(app)
  if (record) await app.register(require('@watchpost/fastify').default, watchpostOptions)
  addRoutes(app, record)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return app.server.address().port
}

async function expressApp() {
  const wp = record ? require('@watchpost/express').default(watchpostOptions) : undefined
  const app = buildExpressApp(require('express'), wp)
  if (variant === 'aikido') require('@aikidosec/firewall').addExpressMiddleware(app)
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  return server.address().port
}

;(framework === 'fastify' ? fastifyApp() : expressApp()).then((port) =>
  process.stdout.write(`ready ${port}\n`),
)
