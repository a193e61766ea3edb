import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, get as httpsGet } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { WebhookSinkConfig } from '../src/config/types.js'
import { validateOptions } from '../src/config/validate.js'
import type { WebhookSinkOptions } from '../src/config/webhook-options.js'
import { webhookSinkSchema } from '../src/config/webhook-schema.js'
import { batchOf, DeliveryError, type Destination } from '../src/delivery/types.js'
import { WatchpostError } from '../src/errors.js'
import { createWebhookDestination } from '../src/sinks/webhook.js'
import { verifyWebhookSignature } from '../src/sinks/webhook-signature.js'

const SECRET = 'a-secret-of-32-characters-000000'
const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version

interface Received {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage['headers']
  readonly body: Buffer
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void

interface TestServer {
  readonly url: string
  readonly received: Received[]
  /** TCP connections accepted so far. */
  connections(): number
  close(): Promise<void>
}

async function listen(handler: Handler, tls?: { key: string; cert: string }): Promise<TestServer> {
  const received: Received[] = []
  let connections = 0
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      handler(req, res, body)
    })
  }
  const server: Server = tls === undefined ? createServer(onRequest) : createHttpsServer(tls, onRequest)
  server.on('connection', () => {
    connections++
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    received,
    connections: () => connections,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

const ok: Handler = (_req, res) => res.writeHead(200).end('{"ok":true}')

const rows = [
  { EventUid: '1', EventMessage: 'login failed for "zoë" ✓', EventSeverity: 'Low' },
  { EventUid: '2', EventMessage: 'line\nbreak', SrcIpAddr: '203.0.113.7' },
]
const body = JSON.stringify(rows)

function webhook(url: string, extra: Partial<WebhookSinkOptions> = {}): Destination {
  return createWebhookDestination({ type: 'webhook', url, ...extra })
}

async function rejection(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise
  } catch (err) {
    assert.ok(err instanceof DeliveryError, `expected a DeliveryError, got ${String(err)}`)
    return err
  }
  assert.fail('expected the request to fail')
}

function invalidConfig(fn: () => unknown): WatchpostError {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof WatchpostError, `expected a WatchpostError, got ${String(err)}`)
    assert.equal(err.code, 'ERR_WATCHPOST_SINK_INVALID')
    return err
  }
  assert.fail('expected the configuration to be refused')
}

const never = () => new AbortController().signal

describe('webhook destination: what is sent', () => {
  let server: TestServer
  before(async () => {
    server = await listen(ok)
  })
  after(() => server.close())

  test('POSTs the body byte-identical with content type, user agent, timestamp and batch id', async (t) => {
    const dest = webhook(`${server.url}/hooks/in?token=abc`, {
      secret: SECRET,
      headers: [{ name: 'X-Api-Key', value: 'k-123' }],
    })
    t.after(() => dest.close())
    const before = Math.floor(Date.now() / 1000)
    await dest.send(batchOf('default', rows), never())
    const got = server.received.at(-1)!
    assert.equal(got.method, 'POST')
    assert.equal(got.url, '/hooks/in?token=abc')
    assert.ok(got.body.equals(Buffer.from(body, 'utf8')))
    assert.equal(got.headers['content-type'], 'application/json')
    assert.equal(got.headers['content-length'], String(Buffer.byteLength(body)))
    assert.equal(got.headers['user-agent'], `watchpost/${VERSION}`)
    assert.equal(got.headers['x-api-key'], 'k-123')
    const ts = Number(got.headers['x-watchpost-timestamp'])
    assert.ok(Number.isInteger(ts) && ts >= before && ts <= Math.ceil(Date.now() / 1000), String(ts))
    const id = createHash('sha256').update(body).digest('hex').slice(0, 32)
    assert.equal(got.headers['idempotency-key'], id)
    assert.equal(got.headers['x-watchpost-batch-id'], id)
  })

  test('the batch id is the same for a re-send and differs for another batch', async (t) => {
    const dest = webhook(server.url)
    t.after(() => dest.close())
    await dest.send(batchOf('default', rows), never())
    await dest.send(batchOf('default', rows), never())
    await dest.send(batchOf('default', rows.slice(1)), never())
    const [a, b, c] = server.received.slice(-3).map((r) => r.headers['x-watchpost-batch-id'])
    assert.match(a as string, /^[0-9a-f]{32}$/)
    assert.equal(a, b)
    assert.notEqual(a, c)
  })

  test('the signature verifies with the helper', async (t) => {
    const dest = webhook(server.url, { secret: SECRET })
    t.after(() => dest.close())
    await dest.send(batchOf('default', rows), never())
    const got = server.received.at(-1)!
    const signature = got.headers['x-watchpost-signature'] as string
    assert.match(signature, /^sha256=[0-9a-f]{64}$/)
    const timestamp = got.headers['x-watchpost-timestamp'] as string
    assert.equal(verifyWebhookSignature({ secret: SECRET, timestamp, body: got.body, signature }), true)
    assert.equal(
      verifyWebhookSignature({ secret: SECRET, timestamp, body: got.body.toString('utf8'), signature }),
      true,
    )
  })

  test('no secret, no signature header', async (t) => {
    const dest = webhook(server.url)
    t.after(() => dest.close())
    await dest.send(batchOf('default', rows), never())
    const got = server.received.at(-1)!
    assert.equal(got.headers['x-watchpost-signature'], undefined)
    assert.ok(got.headers['x-watchpost-timestamp'])
  })

  test('format ndjson sends one event per line, signed as sent', async (t) => {
    const dest = webhook(server.url, { secret: SECRET, format: 'ndjson' })
    t.after(() => dest.close())
    await dest.send(batchOf('default', rows), never())
    const got = server.received.at(-1)!
    const text = got.body.toString('utf8')
    assert.equal(text, `${JSON.stringify(rows[0])}\n${JSON.stringify(rows[1])}\n`)
    assert.deepEqual(
      text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
      rows,
    )
    assert.equal(got.headers['content-type'], 'application/x-ndjson')
    assert.ok(Buffer.byteLength(text) <= Buffer.byteLength(body))
    assert.equal(
      verifyWebhookSignature({
        secret: SECRET,
        timestamp: got.headers['x-watchpost-timestamp'] as string,
        body: got.body,
        signature: got.headers['x-watchpost-signature'] as string,
      }),
      true,
    )
  })

  test('prepare keeps the event as is in one partition; maxRequestBytes is the option', () => {
    const dest = webhook(server.url, { maxRequestBytes: 2048 })
    const event = { EventUid: 'x', Nested: { a: 1 } }
    const prepared = dest.prepare(event)
    assert.equal(prepared.partition, 'default')
    assert.equal(prepared.row, event)
    assert.equal(dest.maxRequestBytes, 2048)
    assert.equal(webhook(server.url).maxRequestBytes, 1_000_000)
  })
})

describe('verifyWebhookSignature', () => {
  const now = 1_750_000_000_000
  const timestamp = String(now / 1000)
  let signature: string
  before(async () => {
    // Signed by a real send, so the helper is checked against what the sink does, not against itself.
    const server = await listen(ok)
    const dest = webhook(server.url, { secret: SECRET })
    const realNow = Date.now
    Date.now = () => now
    try {
      await dest.send(batchOf('default', rows), never())
    } finally {
      Date.now = realNow
      await dest.close()
      await server.close()
    }
    const got = server.received[0]!
    assert.equal(got.headers['x-watchpost-timestamp'], timestamp)
    signature = got.headers['x-watchpost-signature'] as string
  })
  const check = (o: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
    verifyWebhookSignature({ secret: SECRET, timestamp, body, signature, now, ...o })

  test('accepts the genuine request, up to the tolerance either way', () => {
    assert.equal(check({}), true)
    assert.equal(check({ now: now + 300_000 }), true)
    assert.equal(check({ now: now - 300_000 }), true)
    assert.equal(check({ timestamp: Number(timestamp) }), true)
  })
  test('refuses a wrong secret', () => {
    assert.equal(check({ secret: `${SECRET}x` }), false)
  })
  test('refuses a tampered body', () => {
    assert.equal(check({ body: body.replace('203.0.113.7', '203.0.113.8') }), false)
    assert.equal(check({ body: JSON.stringify(JSON.parse(body), null, 1) }), false)
  })
  test('refuses an old (replayed) or future timestamp, and a re-dated signature', () => {
    assert.equal(check({ now: now + 301_000 }), false)
    assert.equal(check({ now: now - 301_000 }), false)
    assert.equal(check({ now: now + 60_000, toleranceSec: 30 }), false)
    assert.equal(check({ timestamp: String(Number(timestamp) + 1) }), false)
  })
  test('refuses missing or malformed headers without throwing', () => {
    assert.equal(check({ signature: undefined }), false)
    assert.equal(check({ signature: signature.slice('sha256='.length) }), false)
    assert.equal(check({ signature: `${signature}00` }), false)
    assert.equal(check({ signature: 'sha256=zz' }), false)
    assert.equal(check({ timestamp: undefined }), false)
    assert.equal(check({ timestamp: '1e9' }), false)
    assert.equal(check({ secret: '' }), false)
  })
})

describe('webhook destination: responses', () => {
  let server: TestServer
  before(async () => {
    server = await listen((req, res) => {
      const status = Number(/\/status\/(\d+)/.exec(req.url ?? '')?.[1] ?? 200)
      if (status === 429) res.setHeader('retry-after', '2')
      if (status === 204) return res.writeHead(204).end()
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(`{"error":"status ${status}"}`)
    })
  })
  after(() => server.close())

  for (const status of [200, 201, 202, 204]) {
    test(`${status} resolves`, async (t) => {
      const dest = webhook(`${server.url}/status/${status}`)
      t.after(() => dest.close())
      await dest.send(batchOf('default', rows), never())
      assert.equal(server.received.at(-1)?.url, `/status/${status}`)
    })
  }

  const failures = [
    [400, 'rejected'],
    [422, 'rejected'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not_found'],
    [413, 'too_large'],
    [408, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [301, 'not_found'],
  ] as const
  for (const [status, kind] of failures) {
    test(`${status} → ${kind}, with the status and the response body in the message`, async (t) => {
      const dest = webhook(`${server.url}/status/${status}`)
      t.after(() => dest.close())
      const err = await rejection(dest.send(batchOf('default', rows), never()))
      assert.equal(err.kind, kind)
      assert.equal(err.status, status)
      assert.equal(err.retryAfterMs, undefined)
      assert.match(err.message, new RegExp(`\\b${status}\\b`))
      assert.match(err.message, new RegExp(`status ${status}`))
    })
  }

  test('429 with Retry-After: 2 → retry after 2000 ms', async (t) => {
    const dest = webhook(`${server.url}/status/429`)
    t.after(() => dest.close())
    const err = await rejection(dest.send(batchOf('default', rows), never()))
    assert.equal(err.kind, 'retry')
    assert.equal(err.status, 429)
    assert.equal(err.retryAfterMs, 2000)
  })
})

describe('webhook destination: connections', () => {
  test('the error message holds at most ~300 sanitised characters of the body', async (t) => {
    const server = await listen((_req, res) =>
      res.writeHead(400).end(`bad\r\nrecord\u0000\u001b[31m at row 2\t${'x'.repeat(5000)}`),
    )
    const dest = webhook(server.url)
    t.after(async () => {
      await dest.close()
      await server.close()
    })
    const err = await rejection(dest.send(batchOf('default', rows), never()))
    assert.equal(err.kind, 'rejected')
    assert.match(err.message, /^HTTP 400: bad record \[31m at row 2 x+…$/)
    assert.doesNotMatch(err.message, /[\u0000-\u001f\u007f]/)
    assert.ok(err.message.length <= 320, String(err.message.length))
  })

  test('response bodies are drained: one socket serves successes and failures alike', {
    timeout: 10_000,
  }, async (t) => {
    let n = 0
    // Larger than what undici buffers on its own (~64 KiB): an unread body would hold the socket.
    const server = await listen((_req, res) => {
      n++
      res.writeHead(n % 2 === 0 ? 400 : 200).end('y'.repeat(200_000))
    })
    const dest = webhook(server.url)
    t.after(async () => {
      // Server first: should a body be left unread, its socket is cut and the pool can close.
      await server.close()
      await dest.close()
    })
    for (let i = 0; i < 6; i++) {
      await dest.send(batchOf('default', rows), never()).catch(() => {})
      // The pool marks a connection free a tick after its response ended.
      await new Promise((resolve) => setImmediate(resolve))
    }
    assert.equal(server.received.length, 6)
    assert.equal(server.connections(), 1)
  })

  test('connection refused → retry', async (t) => {
    const closed = await listen(ok)
    const url = closed.url
    await closed.close()
    const dest = webhook(url)
    t.after(() => dest.close())
    const err = await rejection(dest.send(batchOf('default', rows), never()))
    assert.equal(err.kind, 'retry')
    assert.equal(err.status, undefined)
    assert.match(err.message, /ECONNREFUSED/)
  })

  test('a server that never answers → retry within timeoutMs', async (t) => {
    const server = await listen(() => {})
    const dest = webhook(server.url, { timeoutMs: 300 })
    t.after(async () => {
      await dest.close()
      await server.close()
    })
    const start = performance.now()
    const err = await rejection(dest.send(batchOf('default', rows), never()))
    const elapsed = performance.now() - start
    assert.equal(err.kind, 'retry')
    assert.match(err.message, /300 ms/)
    assert.ok(elapsed >= 250 && elapsed < 2000, `${elapsed} ms`)
  })

  test('the signal aborts a request in flight', async (t) => {
    const server = await listen(() => {})
    const dest = webhook(server.url)
    t.after(async () => {
      await dest.close()
      await server.close()
    })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const start = performance.now()
    const err = await rejection(dest.send(batchOf('default', rows), controller.signal))
    assert.equal(err.kind, 'retry')
    assert.match(err.message, /aborted/)
    assert.ok(performance.now() - start < 2000)
    assert.equal(server.received.length, 1)
  })

  test('an already aborted signal sends nothing', async (t) => {
    const server = await listen(ok)
    const dest = webhook(server.url)
    t.after(async () => {
      await dest.close()
      await server.close()
    })
    const err = await rejection(dest.send(batchOf('default', rows), AbortSignal.abort()))
    assert.equal(err.kind, 'retry')
    assert.equal(server.received.length, 0)
    assert.equal(server.connections(), 0)
  })

  test('after close, send fails as retry and nothing is sent', async () => {
    const server = await listen(ok)
    const dest = webhook(server.url)
    await dest.close()
    const err = await rejection(dest.send(batchOf('default', rows), never()))
    assert.equal(err.kind, 'retry')
    assert.equal(server.received.length, 0)
    await server.close()
  })
})

describe('webhook destination: TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-webhook-'))
  // Two self-signed certificates for 127.0.0.1: one trusted through `tls.ca`, one never.
  const makeCert = (name: string) => {
    const key = join(dir, `${name}.key`)
    const cert = join(dir, `${name}.pem`)
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        `/CN=${name}`,
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    )
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8'), certPath: cert }
  }
  const trusted = makeCert('trusted')
  const untrusted = makeCert('untrusted')
  let good: TestServer
  let bad: TestServer
  before(async () => {
    good = await listen(ok, trusted)
    bad = await listen(ok, untrusted)
  })
  after(async () => {
    await good.close()
    await bad.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('https with tls.ca as PEM text: delivered byte-identical and signed', async (t) => {
    const dest = webhook(`${good.url}/in`, { secret: SECRET, tls: { ca: trusted.cert } })
    t.after(() => dest.close())
    await dest.send(batchOf('default', rows), never())
    const got = good.received.at(-1)!
    assert.ok(got.body.equals(Buffer.from(body)))
    const signature = got.headers['x-watchpost-signature'] as string
    const timestamp = got.headers['x-watchpost-timestamp'] as string
    assert.equal(verifyWebhookSignature({ secret: SECRET, timestamp, body: got.body, signature }), true)
  })

  test('https with tls.ca as a file path', async (t) => {
    const dest = webhook(good.url, { tls: { ca: trusted.certPath } })
    t.after(() => dest.close())
    const count = good.received.length
    await dest.send(batchOf('default', rows), never())
    assert.equal(good.received.length, count + 1)
  })

  test('an untrusted certificate fails as retry, and the message says certificate', async (t) => {
    const plain = webhook(good.url)
    const otherCa = webhook(bad.url, { tls: { ca: trusted.cert } })
    t.after(async () => {
      await plain.close()
      await otherCa.close()
    })
    for (const dest of [plain, otherCa]) {
      const err = await rejection(dest.send(batchOf('default', rows), never()))
      assert.equal(err.kind, 'retry')
      assert.match(err.message, /certificate/i)
    }
    assert.equal(bad.received.length, 0)
  })

  test('tls.ca is this destination’s only: other HTTPS clients in the process do not trust it', async (t) => {
    const dest = webhook(good.url, { tls: { ca: trusted.cert } })
    t.after(() => dest.close())
    await dest.send(batchOf('default', rows), never())
    const err = await new Promise<Error | undefined>((resolve) => {
      httpsGet(good.url, (res) => {
        res.resume()
        resolve(undefined)
      }).on('error', resolve)
    })
    assert.ok(err !== undefined)
    assert.match(err.message, /certificate/)
  })

  test('an unreadable or invalid tls.ca is refused at creation', () => {
    const missing = invalidConfig(() => webhook(good.url, { tls: { ca: join(dir, 'nope.pem') } }))
    assert.match(missing.message, /tls\.ca .*cannot be read/)
    const garbage = invalidConfig(() =>
      webhook(good.url, {
        tls: { ca: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n' },
      }),
    )
    assert.match(garbage.message, /tls\.ca/)
  })
})

describe('webhook destination: options', () => {
  test('https:// is required, except http:// to a loopback host', () => {
    for (const url of [
      'http://localhost:8080/in',
      'http://127.0.0.1/in',
      'http://[::1]:9000/',
      'https://x.example/',
    ])
      assert.doesNotThrow(() => webhook(url).close(), url)
    for (const url of [
      'http://soar.example.com/in',
      'http://10.0.0.5/in',
      'http://127.0.0.2/',
      'http://localhost.evil.example/',
    ]) {
      const err = invalidConfig(() => webhook(url))
      assert.match(err.message, /must use https:\/\//, url)
    }
    assert.match(invalidConfig(() => webhook('ftp://x.example/in')).message, /must use https:\/\//)
    assert.match(invalidConfig(() => webhook('not a url')).message, /not a valid absolute URL/)
  })

  test('credentials in the url are refused and not echoed', () => {
    const err = invalidConfig(() => webhook('https://user:hunter2hunter2@x.example/in'))
    assert.match(err.message, /credentials/)
    assert.doesNotMatch(err.message, /hunter2/)
  })

  test('the name and messages never contain the path or the query string (secrets live there)', () => {
    const slack = webhook('https://hooks.example/services/T0/B0/s3cr3tpath?token=s3cr3t#frag').name
    assert.match(slack, /^webhook:https:\/\/hooks\.example#[0-9a-f]{8}$/)
    assert.notEqual(webhook('https://hooks.example/services/T0/B0/other').name, slack)
    assert.equal(webhook('http://127.0.0.1:8080?sig=s3cr3t').name.includes('s3cr3t'), false)
    assert.equal(webhook('http://127.0.0.1:8080/').name, 'webhook:http://127.0.0.1:8080')
    const err = invalidConfig(() => webhook('http://soar.example/in?token=s3cr3t'))
    assert.doesNotMatch(err.message, /s3cr3t/)
  })

  test('secret shorter than 16 characters is refused without echoing it', () => {
    const err = invalidConfig(() => webhook('https://x.example/', { secret: 'short-secret' }))
    assert.match(err.message, /secret must be a string of at least 16 characters/)
    assert.doesNotMatch(err.message, /short-secret/)
    assert.doesNotThrow(() => webhook('https://x.example/', { secret: '0123456789abcdef' }))
  })

  test('headers: Watchpost’s own and connection headers cannot be overridden, names once, values one line', () => {
    const withHeader =
      (name: string, value = 'v') =>
      () =>
        webhook('https://x.example/', { headers: [{ name, value }] })
    for (const name of [
      'content-type',
      'Content-Length',
      'x-watchpost-signature',
      'X-Watchpost-Timestamp',
      'x-watchpost-batch-id',
      'idempotency-key',
      'user-agent',
      'host',
      'transfer-encoding',
    ]) {
      const err = invalidConfig(withHeader(name))
      assert.match(err.message, /set by Watchpost and cannot be overridden/, name)
    }
    assert.match(invalidConfig(withHeader('bad name')).message, /must be a header name/)
    const crlf = invalidConfig(withHeader('x-api-key', 'k-123\r\nx-evil: 1'))
    assert.match(crlf.message, /without line breaks/)
    assert.doesNotMatch(crlf.message, /k-123/)
    const twice = invalidConfig(() =>
      webhook('https://x.example/', {
        headers: [
          { name: 'X-Api-Key', value: 'a' },
          { name: 'x-api-key', value: 'b' },
        ],
      }),
    )
    assert.match(twice.message, /given twice/)
    assert.doesNotThrow(withHeader('authorization', 'Bearer abc'))
  })

  test('maxRequestBytes and timeoutMs outside their range are refused', () => {
    const url = 'https://x.example/'
    assert.match(invalidConfig(() => webhook(url, { maxRequestBytes: 1023 })).message, /maxRequestBytes/)
    assert.match(
      invalidConfig(() => webhook(url, { maxRequestBytes: 10 * 1024 * 1024 + 1 })).message,
      /maxRequestBytes/,
    )
    assert.match(invalidConfig(() => webhook(url, { timeoutMs: 0 })).message, /timeoutMs/)
    assert.match(invalidConfig(() => webhook(url, { timeoutMs: 1.5 })).message, /timeoutMs/)
  })
})

describe('webhookSinkSchema', () => {
  /** One webhook sink validated as part of a configuration; paths relative to it. */
  const walkSink = (sink: unknown) => {
    const { value, issues } = validateOptions({ sinks: [sink] })
    const prefix = /^sinks\[0\]\./
    const relative = issues.map((issue) => ({ ...issue, path: issue.path.replace(prefix, '') }))
    return { value: (value as { sinks: unknown[] }).sinks[0], issues: relative }
  }

  test('applies the defaults', () => {
    const { value, issues } = walkSink({ type: 'webhook', url: 'https://x.example/in' })
    assert.deepEqual(issues, [])
    assert.deepEqual(value, {
      type: 'webhook',
      url: 'https://x.example/in',
      maxRequestBytes: 1_000_000,
      timeoutMs: 10_000,
      format: 'array',
    })
  })

  test('the validated configuration is what the factory takes', async () => {
    const { value } = walkSink({ type: 'webhook', url: 'https://x.example/in?k=1' })
    // Type-checked too: the resolved (deeply readonly) config must be accepted as it is.
    const config: WebhookSinkConfig = value as WebhookSinkConfig
    const dest = createWebhookDestination(config)
    assert.match(dest.name, /^webhook:https:\/\/x\.example#[0-9a-f]{8}$/)
    assert.equal(dest.maxRequestBytes, 1_000_000)
    await dest.close()
  })

  test('refuses what it can express', () => {
    const { issues } = walkSink({
      type: 'webhook',
      url: 'ftp://x.example/in',
      secret: 'too-short',
      headers: [{ name: 'bad name', value: 'v' }],
      maxRequestBytes: 100,
      timeoutMs: 10,
      format: 'xml',
      tls: { ca: '' },
    })
    assert.deepEqual(issues.map((i) => i.path).sort(), [
      'format',
      'headers[0].name',
      'maxRequestBytes',
      'secret',
      'timeoutMs',
      'tls.ca',
      'url',
    ])
    assert.doesNotMatch(JSON.stringify(issues), /too-short/)
  })

  test('every option has a description (they are rendered into docs/configuration.md)', () => {
    const missing: string[] = []
    const visit = (
      node: { description?: string; properties?: Record<string, unknown>; items?: unknown },
      at: string,
    ) => {
      if (typeof node.description !== 'string' || node.description === '') missing.push(at)
      for (const [key, child] of Object.entries(node.properties ?? {}))
        visit(child as typeof node, `${at}.${key}`)
      if (node.items !== undefined) visit(node.items as typeof node, `${at}[]`)
    }
    visit(webhookSinkSchema, 'webhook')
    assert.deepEqual(missing, [])
  })
})
