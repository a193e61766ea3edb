import { strict as assert } from 'node:assert'
import { once } from 'node:events'
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { type ContextFactoryOptions, createContextFactory } from '../src/context/request-context.js'
import { kContext } from '../src/context/state.js'
import type { RequestContext } from '../src/context/types.js'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`

const DEFAULTS: ContextFactoryOptions = {
  trustProxy: false,
  traceparent: true,
  requestIdHeaders: ['x-request-id', 'x-correlation-id'],
  responseHeader: 'x-request-id',
  maxLength: 128,
}

interface Observed {
  ctx: RequestContext
  again: RequestContext
  stored: unknown
  got: RequestContext | undefined
  json: Record<string, unknown>
}

/** A real `node:http` server on 127.0.0.1 whose handler opens the context like an adapter would. */
async function listen(
  options: ContextFactoryOptions,
  handler?: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; port: number; seen: Observed[] }> {
  const factory = createContextFactory(options)
  const seen: Observed[] = []
  const server = createServer((req, res) => {
    if (handler !== undefined) return handler(req, res)
    const ctx = factory.open(req, res)
    const again = factory.open(req, res)
    seen.push({
      ctx,
      again,
      stored: (req as unknown as Record<symbol, unknown>)[kContext],
      got: factory.get(req),
      json: JSON.parse(JSON.stringify(ctx)),
    })
    res.end('ok')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, port: (server.address() as AddressInfo).port, seen }
}

async function send(
  port: number,
  headers: Record<string, string | string[]> = {},
  path = '/users/42?q=1',
): Promise<{ status: number; headers: IncomingMessage['headers'] }> {
  const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers, agent: false })
  req.end()
  const [res] = (await once(req, 'response')) as [IncomingMessage]
  res.resume()
  await once(res, 'end')
  return { status: res.statusCode ?? 0, headers: res.headers }
}

describe('createContextFactory: open() through a real server', () => {
  let server: Server
  let port: number
  let seen: Observed[]
  before(async () => {
    ;({ server, port, seen } = await listen(DEFAULTS))
  })
  after(() => server.close())

  const last = (): Observed => {
    const observed = seen.at(-1)
    if (observed === undefined) throw new Error('the server saw no request')
    return observed
  }

  it('takes the correlation id from a valid traceparent and echoes it', async () => {
    const res = await send(port, { traceparent: TRACEPARENT, 'x-request-id': 'req-1' })
    const { ctx } = last()
    assert.equal(ctx.correlationId, TRACE_ID)
    assert.equal(ctx.correlationSource, 'traceparent')
    assert.equal(ctx.traceId, TRACE_ID)
    assert.equal(ctx.parentSpanId, '00f067aa0ba902b7')
    assert.equal(ctx.requestId, 'req-1')
    assert.equal(res.headers['x-request-id'], TRACE_ID)
  })

  it('falls back to the first valid request-id header', async () => {
    await send(port, {
      traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      'x-correlation-id': 'corr-2',
    })
    let { ctx } = last()
    assert.equal(ctx.correlationId, 'corr-2')
    assert.equal(ctx.correlationSource, 'header')
    assert.equal(ctx.traceId, undefined)

    // x-request-id wins over x-correlation-id; an invalid one is skipped.
    await send(port, { 'x-request-id': 'first', 'x-correlation-id': 'second' })
    assert.equal(last().ctx.correlationId, 'first')
    await send(port, { 'x-request-id': 'bad value', 'x-correlation-id': 'second' })
    ;({ ctx } = last())
    assert.equal(ctx.correlationId, 'second')
    assert.equal(ctx.requestId, 'second')
  })

  it('generates an id when nothing valid arrives, also for a duplicated request-id header', async () => {
    const res = await send(port, { 'x-request-id': ['a', 'b'] })
    const { ctx } = last()
    assert.equal(ctx.correlationSource, 'generated')
    assert.match(ctx.correlationId, /^[0-9a-f]{32}$/)
    assert.equal(ctx.requestId, undefined)
    assert.equal(res.headers['x-request-id'], ctx.correlationId)
  })

  it('is idempotent and stores the context on req[kContext]', async () => {
    await send(port)
    const observed = last()
    assert.equal(observed.again, observed.ctx)
    assert.equal(observed.stored, observed.ctx)
    assert.equal(observed.got, observed.ctx)
  })

  it('records the request fields and the socket peer, ignoring a spoofed X-Forwarded-For', async () => {
    await send(port, {
      'x-forwarded-for': '6.6.6.6',
      'user-agent': 'test-agent',
      referer: 'http://r.example/',
    })
    const { ctx, json } = last()
    assert.equal(ctx.clientIp, '127.0.0.1')
    assert.equal(typeof ctx.clientPort, 'number')
    assert.equal(ctx.forwardedFor, '6.6.6.6')
    assert.equal(ctx.method, 'POST')
    assert.equal(ctx.url, '/users/42?q=1')
    assert.equal(ctx.host, `127.0.0.1:${port}`)
    assert.equal(ctx.userAgent, 'test-agent')
    assert.equal(ctx.referer, 'http://r.example/')
    assert.equal(ctx.httpVersion, '1.1')
    assert.ok(Math.abs(Date.now() - ctx.startTime) < 5000)
    assert.equal(ctx.route, undefined)
    assert.equal(ctx.headers['user-agent'], 'test-agent', 'the request headers, kept for the detectors')
    // toJSON: plain data, lazy fields resolved, no request and no headers (they carry credentials).
    assert.equal(json.clientIp, '127.0.0.1')
    assert.equal(json.correlationId, ctx.correlationId)
    assert.equal('request' in json, false)
    assert.equal('headers' in json, false)
  })

  it('reads the socket peer when the context is opened: an event after the client left keeps it', async () => {
    const factory = createContextFactory(DEFAULTS)
    const address = new Promise<[string, number | undefined]>((resolve) => {
      const server = createServer((req) => {
        const ctx = factory.open(req)
        req.socket.destroy()
        req.socket.once('close', () => {
          resolve([ctx.clientIp, ctx.clientPort])
          server.close()
        })
      })
      server.listen(0, '127.0.0.1', () => {
        const port = (server.address() as AddressInfo).port
        request({ host: '127.0.0.1', port, agent: false })
          .on('error', () => {})
          .end()
      })
    })
    const [ip, port] = await address
    assert.equal(ip, '127.0.0.1')
    assert.equal(typeof port, 'number', 'the port too, from the peer Node kept')

    // Read once, at open, for every request (what Node then keeps on the socket: docs/performance.md).
    let reads = 0
    const socket = {
      get remoteAddress() {
        reads++
        return '192.0.2.7'
      },
      remotePort: 40000,
    }
    const ctx = factory.create({ headers: {}, method: 'GET', url: '/', socket } as unknown as IncomingMessage)
    assert.equal(reads, 1)
    assert.equal(ctx.clientIp, '192.0.2.7')
    assert.equal(reads, 1)
  })

  it("keeps Watchpost's own state behind symbols, out of the public shape", async () => {
    await send(port)
    const { ctx } = last()
    const named = Reflect.ownKeys(ctx).filter((k) => typeof k === 'string')
    for (const internal of ['flags', 'detection', 'owner', 'routeLookup'])
      assert.equal(named.includes(internal), false, `${internal} is not a public field`)
    assert.deepEqual(
      Reflect.ownKeys(ctx)
        .filter((k) => typeof k === 'symbol')
        .map(String)
        .sort(),
      [
        'Symbol(watchpost.flags)',
        'Symbol(watchpost.headerValues)',
        'Symbol(watchpost.owner)',
        'Symbol(watchpost.scope)',
      ],
    )
  })

  it('gives every context the same shape', async () => {
    await send(port, { traceparent: TRACEPARENT })
    await send(port, { 'x-request-id': 'abc' })
    await send(port)
    const keys = seen.slice(-3).map((o) => Reflect.ownKeys(o.ctx).map(String).join(','))
    assert.equal(new Set(keys).size, 1)
  })
})

describe('createContextFactory: options', () => {
  it('trusts X-Forwarded-For from a loopback proxy when trustProxy says so', async () => {
    const { server, port, seen } = await listen({ ...DEFAULTS, trustProxy: 'loopback' })
    try {
      await send(port, { 'x-forwarded-for': '198.51.100.7, 127.0.0.1' })
      assert.equal(seen[0]?.ctx.clientIp, '198.51.100.7')
      assert.equal(seen[0]?.ctx.clientPort, undefined)
    } finally {
      server.close()
    }
  })

  it('does not echo when responseHeader is false; uses a custom header name otherwise', async () => {
    const off = await listen({ ...DEFAULTS, responseHeader: false })
    const custom = await listen({ ...DEFAULTS, responseHeader: 'X-Correlation-Id' })
    try {
      const a = await send(off.port, { 'x-request-id': 'abc' })
      assert.equal(a.headers['x-request-id'], undefined)
      const b = await send(custom.port, { 'x-request-id': 'abc' })
      assert.equal(b.headers['x-correlation-id'], 'abc')
    } finally {
      off.server.close()
      custom.server.close()
    }
  })

  it('works the correlation out from the headers as received, once, whenever it is first read', async () => {
    const factory = createContextFactory({ ...DEFAULTS, responseHeader: false })
    const read: Array<[string, string, string | undefined]> = []
    const server = createServer((req, res) => {
      const ctx = factory.open(req, res)
      // Changed after the context was opened (as a framework may): the context keeps what arrived.
      req.headers['x-request-id'] = 'changed-later'
      delete req.headers.traceparent
      read.push(
        [ctx.correlationId, ctx.correlationSource, ctx.traceId],
        [ctx.correlationId, ctx.correlationSource, ctx.requestId],
      )
      res.end()
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const port = (server.address() as AddressInfo).port
      await send(port, { traceparent: TRACEPARENT, 'x-request-id': 'req-1' })
      await send(port)
      assert.deepEqual(read[0], [TRACE_ID, 'traceparent', TRACE_ID])
      assert.deepEqual(read[1], [TRACE_ID, 'traceparent', 'req-1'])
      const [generated, source] = read[2] as [string, string, unknown]
      assert.equal(source, 'generated')
      assert.match(generated, /^[0-9a-f]{32}$/)
      assert.equal(read[3]?.[0], generated, 'a generated id is generated once')
    } finally {
      server.close()
    }
  })

  it('ignores traceparent when traceparent is false', async () => {
    const { server, port, seen } = await listen({ ...DEFAULTS, traceparent: false })
    try {
      await send(port, { traceparent: TRACEPARENT })
      assert.equal(seen[0]?.ctx.correlationSource, 'generated')
      assert.equal(seen[0]?.ctx.traceId, undefined)
    } finally {
      server.close()
    }
  })

  it('honours custom request-id headers (case-insensitive) and maxLength', async () => {
    const { server, port, seen } = await listen({
      ...DEFAULTS,
      requestIdHeaders: ['X-Amzn-Trace-Id'],
      maxLength: 8,
    })
    try {
      await send(port, { 'x-amzn-trace-id': 'Root=1-a', 'x-request-id': 'ignored' })
      assert.equal(seen[0]?.ctx.correlationId, 'Root=1-a')
      await send(port, { 'x-amzn-trace-id': 'Root=1-ab' })
      assert.equal(seen[1]?.ctx.correlationSource, 'generated')
    } finally {
      server.close()
    }
  })

  it('never throws when the headers are already sent', async () => {
    const factory = createContextFactory(DEFAULTS)
    let ctx: RequestContext | undefined
    const { server, port } = await listen(DEFAULTS, (req, res) => {
      res.writeHead(204)
      res.flushHeaders()
      ctx = factory.open(req, res)
      res.end()
    })
    try {
      const res = await send(port, { 'x-request-id': 'late' })
      assert.equal(res.status, 204)
      assert.equal(ctx?.correlationId, 'late')
      assert.equal(res.headers['x-request-id'], undefined)
    } finally {
      server.close()
    }
  })

  it('never throws when setHeader throws', () => {
    const factory = createContextFactory(DEFAULTS)
    const req = { headers: { 'x-request-id': 'abc' }, socket: {} } as unknown as IncomingMessage
    const res = {
      headersSent: false,
      setHeader() {
        throw new Error('ERR_HTTP_HEADERS_SENT')
      },
    } as unknown as ServerResponse
    assert.equal(factory.open(req, res).correlationId, 'abc')
  })

  it('returns undefined from get() before open()', () => {
    const factory = createContextFactory(DEFAULTS)
    const req = { headers: {} } as IncomingMessage
    assert.equal(factory.get(req), undefined)
  })

  it('rejects invalid options with a TypeError', () => {
    const bad: Array<Partial<ContextFactoryOptions>> = [
      { trustProxy: 'nope' },
      { requestIdHeaders: ['bad header'] },
      { responseHeader: 'x-id\r\n' },
      { maxLength: 0 },
      { maxLength: Number.NaN },
    ]
    for (const patch of bad) {
      assert.throws(
        () => createContextFactory({ ...DEFAULTS, ...patch }),
        (err: unknown) => err instanceof TypeError && err.message.startsWith('@watchpost/core: '),
      )
    }
  })
})
