/**
 * `createUndiciHttpClient` as the Azure pipeline sees it: request bodies of every pipeline type,
 * decoded and streamed responses, aborts and timeouts, and network errors carrying the codes the
 * retry policy retries (`isSystemError` in ts-http-runtime's exponential retry strategy). Then end to
 * end against the emulator: connection resets are retried until the rows arrive, and a response
 * slower than `headersTimeoutMs` is a counted failure.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { after, before, beforeEach, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { createHttpHeaders, createPipelineRequest, type PipelineRequest } from '@azure/core-rest-pipeline'
import { createWatchpost, type SecurityEvent } from '@watchpost/core'
import { createDeliverySink, MemoryStore } from '@watchpost/core/testing'
import type { Emulator } from '@watchpost/emulator'
import { createSentinelDestination, createUndiciHttpClient } from '../src/index.js'
import { sentinelConfig, start } from './support/helpers.js'
import { tempDelivery } from './support/options.js'

const app = { name: 'shop', version: '1.0.0', environment: 'test', host: 'web-01' }

describe('undici http client, against a plain local server', () => {
  let server: Server
  let base: string
  const client = createUndiciHttpClient({ headersTimeoutMs: 2_000 })
  before(async () => {
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const body = Buffer.concat(chunks)
      if (req.url === '/gzip') {
        res.writeHead(200, { 'content-encoding': 'gzip', 'x-twice': ['a', 'b'] })
        res.end(gzipSync('{"ok":true}'))
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 1_000).unref()
      } else {
        res.writeHead(201, { 'x-length': String(req.headers['content-length'] ?? 'chunked') })
        res.end(body)
      }
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    await client.close()
    server.closeAllConnections()
    server.close()
  })

  const req = (path: string, extra: Partial<PipelineRequest> = {}) =>
    Object.assign(
      createPipelineRequest({ url: `${base}${path}`, method: 'POST', allowInsecureConnection: true }),
      extra,
    )

  test('every pipeline body type is sent as is; status and headers come back', async () => {
    const bodies: NonNullable<PipelineRequest['body']>[] = [
      'text body',
      Buffer.from('buffer body'),
      new Uint8Array(Buffer.from('bytes body')),
      () => Readable.from([Buffer.from('stream '), Buffer.from('factory')]),
      Readable.from([Buffer.from('node stream')]),
      () => new Blob(['web stream']).stream(),
      new Blob(['blob body']),
    ]
    const texts = [
      'text body',
      'buffer body',
      'bytes body',
      'stream factory',
      'node stream',
      'web stream',
      'blob body',
    ]
    for (const [i, body] of bodies.entries()) {
      const res = await client.sendRequest(req('/echo', { body }))
      assert.equal(res.status, 201)
      assert.equal(res.bodyAsText, texts[i])
      assert.ok(res.headers.get('x-length'))
    }
  })

  test('gzip is decoded when the request accepted it; a repeated header keeps its first value', async () => {
    const headers = createHttpHeaders({ 'accept-encoding': 'gzip,deflate' })
    const res = await client.sendRequest(req('/gzip', { method: 'GET', headers }))
    assert.equal(res.bodyAsText, '{"ok":true}')
    assert.equal(res.headers.get('x-twice'), 'a')
  })

  test('streamResponseStatusCodes gives a readable stream instead of text', async () => {
    const res = await client.sendRequest(
      req('/echo', { body: 'streamed', streamResponseStatusCodes: new Set([201]) }),
    )
    assert.equal(res.bodyAsText, undefined)
    const chunks: Buffer[] = []
    for await (const chunk of res.readableStreamBody as NodeJS.ReadableStream) chunks.push(chunk as Buffer)
    assert.equal(Buffer.concat(chunks).toString(), 'streamed')
  })

  test('request.timeout is ETIMEDOUT (retried); the caller’s abort is an AbortError (not retried)', async () => {
    await assert.rejects(client.sendRequest(req('/slow', { timeout: 100 })), {
      name: 'RestError',
      code: 'ETIMEDOUT',
    })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    await assert.rejects(client.sendRequest(req('/slow', { abortSignal: controller.signal })), {
      name: 'AbortError',
    })
  })

  test('headersTimeoutMs: a response slower than it is a RestError ETIMEDOUT', async () => {
    const quick = createUndiciHttpClient({ headersTimeoutMs: 100 })
    try {
      await assert.rejects(quick.sendRequest(req('/slow')), { name: 'RestError', code: 'ETIMEDOUT' })
    } finally {
      await quick.close()
    }
  })

  test('a refused connection is a RestError ECONNREFUSED, as with the SDK’s client', async () => {
    const closed = createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const { port } = closed.address() as AddressInfo
    closed.close()
    await once(closed, 'close')
    const url = `http://127.0.0.1:${port}/`
    await assert.rejects(client.sendRequest(createPipelineRequest({ url, allowInsecureConnection: true })), {
      name: 'RestError',
      code: 'ECONNREFUSED',
    })
  })

  test('plain http: is refused unless the request allows it; options are checked', async () => {
    await assert.rejects(
      client.sendRequest(createPipelineRequest({ url: `${base}/echo` })),
      /allowInsecureConnection/,
    )
    assert.throws(() => createUndiciHttpClient({ headersTimeoutMs: 0 }), TypeError)
  })
})

describe('undici http client, end to end with the emulator', () => {
  let em: Emulator
  before(async () => {
    em = await start()
  })
  after(() => em.close())
  beforeEach(async () => {
    await em.clearFaults()
    em.store.clear()
    em.clearRequests()
  })

  test('connection resets (share 0.5, seeded) are retried by the delivery loop until every row arrives', async () => {
    const tmp = tempDelivery()
    try {
      const config = { ...sentinelConfig(em), tables: 'asim' as const, http: 'undici' as const }
      const wp = createWatchpost({ config: false, app, ...tmp.options, sinks: [config] })
      wp.record('authz_fail', { userId: 'warm-up', resource: '/' })
      await wp.flush()
      await em.setFaults({ seed: 11, reset: { share: 0.5 } })
      const events: SecurityEvent[] = []
      for (let i = 0; i < 8; i++) {
        const event = wp.record('authz_fail', { userId: `user-${i}`, resource: '/admin' })
        assert.ok(event !== undefined)
        events.push(event)
        await wp.flush()
      }
      // Wait for the acknowledgements, not the rows: a reset after the store leaves a row stored
      // whose request is still being retried.
      const end = Date.now() + 10_000
      while ((wp.health().sinks[0]?.sent ?? 0) < 9 && Date.now() < end)
        await new Promise((r) => setTimeout(r, 20))
      await wp.close()
      const resets = em.requests().filter((r) => r.status === 'reset').length
      const health = wp.health().sinks[0]
      assert.ok(resets >= 2, `the seeded fault reset some requests (${resets})`)
      assert.equal(health?.sent, 9)
      assert.ok((health?.retried ?? 0) >= resets)
      for (const event of events) assert.ok(em.store.rows({ eventUid: event.EventUid }).length >= 1)
    } finally {
      tmp.remove()
    }
  })

  test('a response slower than headersTimeoutMs fails fast and is retried, not a hang', async () => {
    const config = { ...sentinelConfig(em), tables: 'asim' as const, http: 'undici' as const }
    const httpClient = createUndiciHttpClient({ ca: em.caPem, headersTimeoutMs: 200 })
    const destination = createSentinelDestination(config, { clientOptions: { httpClient } })
    const sink = createDeliverySink(destination, new MemoryStore({ maxBytes: 1 << 20 }), {
      concurrency: 1,
      timeoutMs: 30_000,
      backoff: { baseMs: 10, maxDelayMs: 50 },
      maxBatchRecords: 100,
      lingerMs: 0,
      requestsPerMinute: 12_000,
      bytesPerMinute: 2 ** 31,
      failingAfterMs: 60_000,
      durable: false,
      deadLetter: undefined,
    })
    const wp = createWatchpost(
      { config: false, app, queue: { flushIntervalMs: 10 }, sinks: [] },
      { sinks: [sink] },
    )
    wp.record('authz_fail', { userId: 'warm-up', resource: '/' })
    await wp.flush()
    await em.setFaults({ slow: { delayMs: 3_000 } })
    const event = wp.record('authz_fail', { userId: 'mallory', resource: '/admin' })
    const started = Date.now()
    while (sink.health().retried < 2) await new Promise((r) => setTimeout(r, 10))
    // Two attempts cut at 200 ms each: well before the 3 s the emulator waits to answer the first.
    assert.ok(Date.now() - started < 2_900, `two attempts took ${Date.now() - started} ms`)
    assert.match(sink.health().lastError ?? '', /UND_ERR_HEADERS_TIMEOUT|timeout/i)
    await em.clearFaults()
    // Acknowledged (a timed-out attempt may have been stored too: at least once, not exactly once).
    while (sink.health().sent < 2) await new Promise((r) => setTimeout(r, 20))
    await wp.close()
    await httpClient.close()
    assert.equal(sink.health().queued, 0)
    assert.ok(em.store.rows({ eventUid: event?.EventUid ?? '' }).length >= 1)
  })
})
