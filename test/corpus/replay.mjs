// Replays the hostile-input corpus (attacks.jsonl, benign.jsonl) against a small Fastify app and a
// small Express app with Watchpost registered, over real HTTP on 127.0.0.1, and reports per category
// how many attacks produced an attack event and which benign requests did (false positives).
//
//   node test/corpus/replay.mjs [--framework fastify|express|both] [--json FILE] [--status 200|404]
//
// Build the packages first (`npx turbo run build --output-logs=errors-only`). A report, not a test:
// it exits 0 whatever the rates.
//
// The apps answer every GET/POST/… with 200 (`--status 404`: with 404, as an app without such a
// route would), except NOT_FOUND_PATHS, which always answer 404. Each request carries its own
// `x-request-id` (Watchpost takes it as the event's CorrelationId: docs/configuration.md,
// `correlation.requestIdHeaders`) and its own client address in `X-Forwarded-For` (`trustProxy:
// 'loopback'`), so that the detectors' per-address windows never fold one request's finding into
// another's. Entries marked `raw` are written as bytes on a socket; a request Node's parser refuses
// has no request id, so the events that appear while it is replayed (one request at a time) are
// attributed to it.
import { readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import watchpostExpress from '@watchpost/express'
import watchpostFastify from '@watchpost/fastify'
import express from 'express'
import fastify from 'fastify'

const here = dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const framework = opt('--framework', 'both')
const jsonOut = opt('--json', undefined)
const defaultStatus = Number(opt('--status', '200'))
if (!['fastify', 'express', 'both'].includes(framework) || ![200, 404].includes(defaultStatus)) {
  console.error(
    'usage: node test/corpus/replay.mjs [--framework fastify|express|both] [--json FILE] [--status 200|404]',
  )
  process.exit(2)
}

/**
 * The detection rule. An event counts as an attack finding when its type is one of the vocabulary's
 * `malicious_*` events (SQLi, traversal, attack tool, protocol violation, …; `malicious_excess_404`
 * included, though with one address per request it does not fire), an `mcp_*` event, an
 * `input_validation_*` event (a body the parser refused, a failed validation), or an
 * `access_not_found` that the not-found detector marked as a scanner probe. Authentication,
 * session and system events are not findings. An attack entry is detected when at least one of its
 * events is a finding; a benign entry with a finding is a false positive.
 */
function isFinding(event) {
  const type = event.EventOriginalType
  if (type.startsWith('malicious_') || type.startsWith('mcp_') || type.startsWith('input_validation_'))
    return true
  return type === 'access_not_found' && event.AdditionalFields?.ScannerProbe === true
}

// Benign paths that answer 404 whatever --status says: a missing favicon is not a probe.
const NOT_FOUND_PATHS = new Set([
  '/favicon.ico',
  '/apple-touch-icon.png',
  '/.well-known/security.txt',
  '/.well-known/assetlinks.json',
])

function load(file) {
  return readFileSync(join(here, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
}

function memorySink() {
  const events = []
  return { name: 'memory', events, send: async (batch) => void events.push(...batch), close: async () => {} }
}

const watchpostOptions = { config: false, app: { name: 'corpus-replay' }, trustProxy: 'loopback', sinks: [] }

function statusFor(url) {
  const path = url.split('?')[0]
  return NOT_FOUND_PATHS.has(path) ? 404 : defaultStatus
}

async function startFastify() {
  const sink = memorySink()
  const app = fastify({ trustProxy: 'loopback' })
  await app.register(watchpostFastify, { ...watchpostOptions, runtime: { sinks: [sink] } })
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body))),
  )
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '*',
    handler: async (request, reply) => reply.code(statusFor(request.url)).send({ ok: true }),
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    sink,
    port: app.server.address().port,
    flush: () => app.watchpost.flush(),
    close: () => app.close(),
  }
}

async function startExpress() {
  const sink = memorySink()
  const wp = watchpostExpress(watchpostOptions, { sinks: [sink] })
  const app = express()
  app.set('trust proxy', 'loopback')
  app.set('env', 'production')
  app.use(wp)
  app.use(express.json())
  app.use(express.urlencoded({ extended: false }))
  app.use((req, res) => res.status(statusFor(req.url)).json({ ok: true }))
  app.use(wp.errors())
  app.use((err, _req, res, _next) => res.status(err.status ?? 500).json({ error: 'bad request' }))
  const server = http.createServer(app)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  wp.observe(server)
  return {
    sink,
    port: server.address().port,
    flush: () => wp.instance.flush(),
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await wp.close()
    },
  }
}

/** A client address of its own for request `n`: 198.18.0.0/15, the benchmarking range (RFC 2544). */
function addressFor(n) {
  return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })

/** Sends one entry over HTTP; resolves to `{ status }` or `{ error }`. */
function send(port, entry, requestId, address) {
  return new Promise((resolve) => {
    const headers = { ...entry.headers, 'x-request-id': requestId }
    headers['x-forwarded-for'] = entry.headers['x-forwarded-for']
      ? `${entry.headers['x-forwarded-for']}, ${address}`
      : address
    let body
    if (entry.body !== null) {
      body = Buffer.from(entry.body, 'utf8')
      if (entry.contentType && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['content-type'] = entry.contentType
      headers['content-length'] = String(body.length)
    }
    let req
    try {
      req = http.request(
        { host: '127.0.0.1', port, method: entry.method, path: entry.path, headers, agent },
        (res) => {
          res.resume()
          res.on('end', () => resolve({ status: res.statusCode }))
          res.on('error', (err) => resolve({ error: err.code ?? err.message }))
        },
      )
    } catch (err) {
      resolve({ error: `client refused: ${err.code ?? err.message}` })
      return
    }
    req.on('error', (err) => resolve({ error: err.code ?? err.message }))
    req.end(body)
  })
}

/** Writes a raw entry's bytes (one character per byte) with the request id and address added. */
function sendRaw(port, entry, requestId, address) {
  const text = entry.rawRequest
  const eol = text.indexOf('\r\n')
  const extra = `X-Request-Id: ${requestId}\r\nX-Forwarded-For: ${address}\r\nConnection: close\r\n`
  const bytes = Buffer.from(text.slice(0, eol + 2) + extra + text.slice(eol + 2), 'latin1')
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes))
    let data = ''
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1')
    })
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data)
      resolve(m ? { status: Number(m[1]) } : { error: 'no response' })
    })
    socket.on('error', (err) => resolve({ error: err.code ?? err.message }))
    socket.setTimeout(3000, () => socket.destroy())
  })
}

async function replay(name, start, entries) {
  const app = await start()
  const results = []
  const byId = new Map()
  let n = 0
  for (const entry of entries) {
    const requestId = `corpus-${name}-${entry.id}`
    const address = addressFor(n++)
    const result = {
      framework: name,
      id: entry.id,
      category: entry.category,
      kind: entry.kind,
      field: entry.field,
      expected: statusFor(entry.path),
      events: [],
    }
    byId.set(requestId, result)
    results.push(result)
    if (entry.raw) {
      await app.flush()
      const before = app.sink.events.length
      Object.assign(result, await sendRaw(app.port, entry, requestId, address))
      await new Promise((resolve) => setTimeout(resolve, 20))
      await app.flush()
      // Events without a known request id that appeared meanwhile are this request's.
      for (const event of app.sink.events.slice(before))
        if (!byId.has(event.CorrelationId)) {
          event.CorrelationId = requestId
          result.attributedByTime = true
        }
    } else Object.assign(result, await send(app.port, entry, requestId, address))
  }
  await app.flush()
  const unattributed = []
  for (const event of app.sink.events) {
    const result = byId.get(event.CorrelationId)
    if (result) result.events.push({ type: event.EventOriginalType, finding: isFinding(event) })
    else if (event.EventOriginalType !== 'sys_startup') unattributed.push(event.EventOriginalType)
  }
  await app.close()
  for (const r of results) r.detected = r.events.some((e) => e.finding)
  return { results, unattributed }
}

function pct(a, b) {
  return b === 0 ? '-' : `${((100 * a) / b).toFixed(1)} %`
}

function report(name, { results, unattributed }) {
  console.log(`\n== ${name}`)
  const categories = new Map()
  for (const r of results.filter((r) => r.category !== 'benign')) {
    const c = categories.get(r.category) ?? {
      n: 0,
      detected: 0,
      types: new Map(),
      errors: 0,
      statuses: new Map(),
    }
    c.n++
    if (r.detected) c.detected++
    if (r.error) c.errors++
    else c.statuses.set(r.status, (c.statuses.get(r.status) ?? 0) + 1)
    for (const e of r.events) if (e.finding) c.types.set(e.type, (c.types.get(e.type) ?? 0) + 1)
    categories.set(r.category, c)
  }
  console.log(
    'category             entries  detected  rate      finding types (events)                      answers',
  )
  let total = 0
  let totalDetected = 0
  for (const [category, c] of categories) {
    total += c.n
    totalDetected += c.detected
    const types = [...c.types].map(([t, k]) => `${t}×${k}`).join(', ') || '-'
    const statuses =
      [...c.statuses].map(([s, k]) => `${s}×${k}`).join(' ') + (c.errors ? ` error×${c.errors}` : '')
    console.log(
      `${category.padEnd(20)} ${String(c.n).padStart(7)}  ${String(c.detected).padStart(8)}  ${pct(c.detected, c.n).padEnd(8)}  ${types.padEnd(42)}  ${statuses}`,
    )
  }
  console.log(
    `${'all attacks'.padEnd(20)} ${String(total).padStart(7)}  ${String(totalDetected).padStart(8)}  ${pct(totalDetected, total)}`,
  )
  const benign = results.filter((r) => r.category === 'benign')
  const fps = benign.filter((r) => r.detected)
  const benignErrors = benign.filter((r) => r.error || r.status !== r.expected)
  console.log(
    `benign               ${String(benign.length).padStart(7)}  false positives ${fps.length} (${pct(fps.length, benign.length)})`,
  )
  for (const r of fps)
    console.log(
      `  FP ${r.id} [${r.kind}, ${r.field}]: ${r.events
        .filter((e) => e.finding)
        .map((e) => e.type)
        .join(', ')}`,
    )
  for (const r of benignErrors)
    console.log(`  benign answered ${r.error ?? r.status}, not ${r.expected}: ${r.id} [${r.kind}]`)
  const errors = results.filter((r) => r.error && r.category !== 'benign')
  for (const r of errors) console.log(`  no answer: ${r.id} (${r.error})`)
  if (unattributed.length) console.log(`  events attributed to no entry: ${unattributed.join(', ')}`)
}

const entries = [...load('attacks.jsonl'), ...load('benign.jsonl')]
const runs = []
if (framework !== 'express') runs.push(['fastify', startFastify])
if (framework !== 'fastify') runs.push(['express', startExpress])
const all = []
console.log(
  `${entries.length} entries; catch-all answers ${defaultStatus}; detection: malicious_*, mcp_*, input_validation_*, scanner-probe access_not_found`,
)
for (const [name, start] of runs) {
  const outcome = await replay(name, start, entries)
  report(name, outcome)
  all.push(...outcome.results)
}
agent.destroy()
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify(all, null, 1))
  console.log(`\nper-entry results written to ${jsonOut}`)
}
