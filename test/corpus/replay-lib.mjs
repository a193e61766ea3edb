// The corpus replay's machinery, shared by the report (replay.mjs) and the acceptance test
// (test/corpus.test.ts): a Fastify and an Express app with Watchpost, each entry sent over real HTTP
// on 127.0.0.1 (raw entries over a socket), events attributed by correlation id.
//
// Each request carries its own `x-request-id` (Watchpost takes it as the event's CorrelationId:
// docs/configuration.md, `correlation.requestIdHeaders`) and its own client address in
// `X-Forwarded-For` (`trustProxy: 'loopback'`), so that the detectors' per-address windows never fold
// one request's finding into another's. A request Node's parser refuses has no request id, so the
// events that appear while it is replayed (one request at a time) are attributed to it.
import { readFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import formbody from '@fastify/formbody'
import watchpostExpress from '@watchpost/express'
import watchpostFastify from '@watchpost/fastify'
import express from 'express'
import fastify from 'fastify'

const here = dirname(fileURLToPath(import.meta.url))

/**
 * The detection rule. An event counts as an attack finding when its type is one of the vocabulary's
 * `malicious_*` events (SQLi, traversal, attack tool, protocol violation, …; `malicious_excess_404`
 * included, though with one address per request it does not fire), an `mcp_*` event, an
 * `input_validation_*` event (a body the parser refused, a failed validation), or an
 * `access_not_found` that the not-found detector marked as a scanner probe. Authentication,
 * session and system events are not findings. An attack entry is detected when at least one of its
 * events is a finding; a benign entry with a finding is a false positive.
 */
export function isFinding(event) {
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

/** The entries of `attacks.jsonl` or `benign.jsonl`. */
export function load(file) {
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

/** The answer the apps give to `url`: `status`, except for NOT_FOUND_PATHS (404). */
export function statusFor(url, status = 200) {
  const path = url.split('?')[0]
  return NOT_FOUND_PATHS.has(path) ? 404 : status
}

/** A Fastify app with Watchpost answering every request with `status` (statusFor). */
export async function startFastify(status = 200) {
  const sink = memorySink()
  const app = fastify({ trustProxy: 'loopback' })
  await app.register(watchpostFastify, { ...watchpostOptions, runtime: { sinks: [sink] } })
  // Forms as Fastify apps parse them: @fastify/formbody (fast-querystring).
  await app.register(formbody)
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '*',
    handler: async (request, reply) => reply.code(statusFor(request.url, status)).send({ ok: true }),
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    sink,
    port: app.server.address().port,
    flush: () => app.watchpost.flush(),
    close: () => app.close(),
  }
}

/** The same app on Express. */
export async function startExpress(status = 200) {
  const sink = memorySink()
  const wp = watchpostExpress(watchpostOptions, { sinks: [sink] })
  const app = express()
  app.set('trust proxy', 'loopback')
  app.set('env', 'production')
  app.use(wp)
  app.use(express.json())
  app.use(express.urlencoded({ extended: false }))
  app.use((req, res) => res.status(statusFor(req.url, status)).json({ ok: true }))
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

/** Closes the keep-alive connection the replay uses (call once done). */
export function closeAgent() {
  agent.destroy()
}

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

/**
 * Replays `entries` one at a time against the app `start()` gives, and attributes the events to
 * them: `{ results: [{ id, category, kind, field, status | error, events, detected }], unattributed }`.
 */
export async function replay(name, start, entries, status = 200) {
  const app = await start(status)
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
      expected: statusFor(entry.path, status),
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
    if (result)
      result.events.push({
        type: event.EventOriginalType,
        finding: isFinding(event),
        category: categoryOf(event),
        field: event.ThreatField,
      })
    else if (event.EventOriginalType !== 'sys_startup') unattributed.push(event.EventOriginalType)
  }
  await app.close()
  for (const r of results) {
    r.detected = r.events.some((e) => e.finding)
    // Found as what it is: an event of the entry's category, naming the input where the payload sits.
    r.classified = r.events.some((e) => e.category === r.category)
    r.located = r.events.some((e) => e.category === r.category && sameInput(e.field, r.field))
  }
  return { results, unattributed }
}

/** The corpus category an event's finding belongs to: its threat class, by event type. */
const CATEGORY = {
  malicious_sqli: 'sqli',
  malicious_xss: 'xss',
  malicious_path_traversal: 'path_traversal',
  malicious_command_injection: 'command_injection',
  malicious_jndi_injection: 'jndi',
  malicious_template_injection: 'template_injection',
  malicious_prototype_pollution: 'prototype_pollution',
  malicious_nosql_injection: 'nosql_injection',
  malicious_ssrf: 'ssrf',
  malicious_attack_tool: 'attack_tool',
  malicious_scanner_probe: 'scanner_path',
  malicious_protocol_violation: 'protocol',
  malicious_unexpected_method: 'protocol',
}

export function categoryOf(event) {
  const type = event.EventOriginalType
  if (type === 'access_not_found')
    return event.AdditionalFields?.ScannerProbe === true ? 'scanner_path' : undefined
  return CATEGORY[type]
}

/**
 * Whether an event's ThreatField (`query:q`, `body:a.b`, `header:user-agent`, `path`) names the kind
 * of input of a corpus entry's `field` (`query`, `body`, `header:user-agent`, `path`, …).
 */
export function sameInput(threatField, field) {
  if (typeof threatField !== 'string') return false
  if (field.startsWith('header:')) return threatField === field
  // A key and a value of the same query or body are the same input: `{"user": {"$ne": 1}}` sits in
  // the body whether the corpus names the key or its value.
  const family = (kind) => kind.replace(/_key$/, '')
  return family(threatField.split(':')[0]) === family(field)
}
