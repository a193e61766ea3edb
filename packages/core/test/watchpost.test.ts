import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ConfigError, createWatchpost, type RequestContext } from '../src/index.js'
import { type ContextStore, createAdapterCore, kContext } from '../src/sdk.js'
import { memorySink } from './support/sinks.js'

async function withServer(handler: http.RequestListener, fn: (url: string) => Promise<void>): Promise<void> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

const quiet = { config: false as const, sinks: [] }

describe('createWatchpost', () => {
  test("an adapter's contextStore keeps contexts where it says; instances share it", async () => {
    const kept = new Map<unknown, RequestContext>()
    const store: ContextStore = { get: (req) => kept.get(req), set: (req, ctx) => kept.set(req, ctx) }
    const first = createAdapterCore(quiet, {}, { name: 'test', contextStore: store })
    const second = createAdapterCore(quiet, {}, { name: 'test', contextStore: store })
    await withServer(
      (req, res) => {
        const before = Reflect.ownKeys(req)
        const ctx = first.open(req, res)
        assert.deepEqual(
          Reflect.ownKeys(req).filter((k) => !before.includes(k)),
          [],
          'nothing added to the request',
        )
        assert.equal(first.stored(req), ctx)
        assert.equal(first.watchpost.context(req), ctx, 'opened once')
        assert.equal(second.stored(req), ctx, 'another instance with the store finds it')
        assert.equal(kept.get(req), ctx, 'in the store')
        kept.delete(req)
        res.end()
      },
      async (url) => {
        assert.equal((await fetch(url)).status, 200)
      },
    )
    await first.watchpost.close()
    await second.watchpost.close()
  })

  test('a request over real HTTP: context, correlation echo, redaction, delivery', async () => {
    const sink = memorySink()
    const { watchpost: wp } = createAdapterCore(
      {
        ...quiet,
        app: { name: 'shop', environment: 'test' },
        correlation: { responseHeader: 'x-request-id' },
      },
      { sinks: [sink] },
      { name: 'test', routeOf: (req) => (req.url?.startsWith('/login?') ? '/login' : undefined) },
    )
    await withServer(
      (req, res) => {
        const ctx = wp.context(req, res)
        wp.request(req).setUser('alice')
        assert.equal(ctx.route, '/login', "asked of the adapter's routeOf")
        assert.equal(
          (req as unknown as Record<symbol, unknown>)[kContext],
          ctx,
          'kept on the request under the symbol',
        )
        assert.equal(wp.context(req), ctx)
        wp.request(req).authn.loginFail({ userId: 'bob', reason: 'bad_password' }, { statusCode: 401 })
        res.statusCode = 401
        res.end()
      },
      async (url) => {
        const res = await fetch(`${url}/login?password=hunter2&next=/`, {
          headers: { 'x-request-id': 'req-123' },
        })
        assert.equal(res.status, 401)
        assert.equal(res.headers.get('x-request-id'), 'req-123', 'the correlation id is echoed')
      },
    )
    await wp.close()
    assert.equal(sink.events.length, 1)
    const [event] = sink.events
    assert.equal(event?.CorrelationId, 'req-123')
    assert.equal(event?.SrcIpAddr, '127.0.0.1')
    assert.equal(event?.HttpRoute, '/login')
    assert.equal(event?.ActorUsername, 'alice')
    assert.equal(event?.TargetUsername, 'bob')
    assert.equal(event?.AppName, 'shop')
    assert.equal(event?.Url, '/login?password=[REDACTED]&next=/')
    assert.ok(!JSON.stringify(event).includes('hunter2'))
    assert.deepEqual(wp.stats().sinks.memory, { delivered: 1, failed: 0, lastError: undefined })
  })

  test('X-Forwarded-For is ignored unless trustProxy says so', async () => {
    const sink = memorySink()
    const untrusted = createWatchpost(quiet, { sinks: [sink] })
    const trusted = createWatchpost({ ...quiet, trustProxy: 'loopback' }, { sinks: [sink] })
    await withServer(
      (req, res) => {
        untrusted.request(req).authz.fail({})
        res.end()
      },
      async (url) => {
        await fetch(url, { headers: { 'x-forwarded-for': '198.51.100.9' } })
      },
    )
    await withServer(
      (req, res) => {
        trusted.request(req).authz.fail({})
        res.end()
      },
      async (url) => {
        await fetch(url, { headers: { 'x-forwarded-for': '198.51.100.9' } })
      },
    )
    await untrusted.close()
    await trusted.close()
    assert.deepEqual(
      sink.events.map((e) => e.SrcIpAddr),
      ['127.0.0.1', '198.51.100.9'],
    )
    assert.equal(sink.events[0]?.HttpRequestXff, '198.51.100.9', 'recorded, not trusted')
  })

  test('with asyncContext on, code without the request records with its context', async () => {
    const sink = memorySink()
    const core = createAdapterCore({ ...quiet, correlation: { asyncContext: true } }, { sinks: [sink] })
    const wp = core.watchpost
    const deepInTheApp = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      wp.events.sensitive.read({ object: 'customers.csv' })
    }
    await withServer(
      (req, res) => {
        const ctx = core.open(req, res)
        core.runInContext(ctx, async () => {
          await deepInTheApp()
          res.end()
        })
      },
      async (url) => {
        await Promise.all([
          fetch(url, { headers: { 'x-request-id': 'first' } }),
          fetch(url, { headers: { 'x-request-id': 'second' } }),
        ])
      },
    )
    wp.events.sys.startup()
    await wp.close()
    assert.deepEqual(sink.events.map((e) => e.CorrelationId).sort(), ['first', 'second', undefined].sort())
    const outside = sink.events.find((e) => e.EventOriginalType === 'sys_startup')
    assert.equal(outside?.CorrelationId, undefined)
  })

  test("runtime.destinations: an app's own destination is delivered like a configured remote sink", async () => {
    const rows: Record<string, unknown>[] = []
    let attempts = 0
    const destination = {
      name: 'collector:test',
      maxRequestBytes: 1_000_000,
      prepare: (event: Record<string, unknown>) => ({ partition: 'all', row: event }),
      async send(batch: { rows(): Record<string, unknown>[] }) {
        attempts++
        // The first request fails as a retryable error: the loop must retry it, not drop it.
        if (attempts === 1) throw new Error('collector restarting')
        rows.push(...batch.rows())
      },
      async close() {},
    }
    const wp = createWatchpost(
      { ...quiet, spool: { enabled: false }, delivery: { retryBaseMs: 10, retryMaxDelayMs: 100 } },
      { destinations: [destination] },
    )
    wp.record('authz_fail', { userId: 'u1', resource: '/admin' })
    const deadline = Date.now() + 10_000
    while (rows.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    assert.deepEqual(
      rows.map((r) => r.EventOriginalType),
      ['authz_fail'],
    )
    assert.ok(attempts >= 2, 'retried after the first failure')
    assert.deepEqual(
      wp.health().sinks.map((h) => h.sink),
      ['collector:test'],
    )
    await wp.close()
  })

  test('record() by name; unknown names and hostile params never throw', async () => {
    const sink = memorySink()
    const wp = createWatchpost(quiet, { sinks: [sink] })
    const event = wp.record('authn_jwt_fail', { reason: 'expired' })
    assert.equal(event?.EventResultDetails, 'Session expired')
    const warnings: string[] = []
    const onWarning = (w: Error & { code?: string }) => warnings.push(String(w.code))
    process.on('warning', onWarning)
    // biome-ignore lint/suspicious/noExplicitAny: deliberately untyped call, as from plain JavaScript
    assert.equal(wp.record('no_such_event' as any), undefined)
    // biome-ignore lint/suspicious/noExplicitAny: as from plain JavaScript
    const hostile = (wp.events.authn.loginFail as any)(
      Object.create(null, {
        userId: {
          get: () => {
            throw new Error('x')
          },
        },
      }),
    )
    await new Promise((resolve) => setImmediate(resolve))
    process.off('warning', onWarning)
    assert.equal(hostile, undefined, 'a throwing getter is reported, not thrown')
    assert.deepEqual(warnings.sort(), ['WATCHPOST_W102', 'WATCHPOST_W103'])
    assert.equal(wp.stats().buildErrors, 1)
    await wp.close()
    assert.equal(sink.events.length, 1)
  })

  test('the console sink by default, the file sink from the config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watchpost-wp-'))
    writeFileSync(
      join(dir, 'watchpost.config.yaml'),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${EVENTS_FILE} is the config file's env syntax
      'app:\n  name: from-file\nsinks:\n  - type: file\n    path: ${EVENTS_FILE}\n',
    )
    const wp = createWatchpost(undefined, {
      cwd: dir,
      env: { EVENTS_FILE: join(dir, 'out', 'events.jsonl') },
    })
    assert.equal(wp.config.source.file, join(dir, 'watchpost.config.yaml'))
    wp.events.sys.startup()
    await wp.close()
    const line = JSON.parse(readFileSync(join(dir, 'out', 'events.jsonl'), 'utf8'))
    assert.equal(line.AppName, 'from-file')
    assert.equal(line.EventOriginalType, 'sys_startup')

    const defaults = createWatchpost({ config: false }, { cwd: dir })
    assert.deepEqual(
      defaults.config.sinks.map((s) => s.type),
      ['console'],
    )
    await defaults.close()
  })

  test('an invalid configuration fails at start-up with the path and the reason', () => {
    assert.throws(
      // biome-ignore lint/suspicious/noExplicitAny: invalid on purpose
      () => createWatchpost({ config: false, detectors: { notFound: { threshold: 'ten' as any } } }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.code === 'ERR_WATCHPOST_CONFIG_INVALID' &&
        err.issues.some((i) => i.path === 'detectors.notFound.threshold'),
    )
  })

  test('queued events are flushed when the process runs out of work, without close()', () => {
    const dir = mkdtempSync(join(tmpdir(), 'watchpost-exit-'))
    const file = join(dir, 'events.jsonl')
    const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url))
    const script = `
      import { createWatchpost } from ${JSON.stringify(entry)}
      const wp = createWatchpost({ config: false, queue: { flushIntervalMs: 60000 }, sinks: [{ type: 'file', path: ${JSON.stringify(file)} }] })
      for (let i = 0; i < 3; i++) wp.events.sys.startup()
    `
    const started = Date.now()
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      timeout: 30_000,
    })
    assert.ok(Date.now() - started < 30_000, 'the unref timer did not hold the process for a minute')
    assert.equal(readFileSync(file, 'utf8').trimEnd().split('\n').length, 3)
  })
})

describe('request-scoped API', () => {
  test('helpers set the user and session and report to the detectors', async () => {
    const sink = memorySink()
    const wp = createWatchpost(quiet, { sinks: [sink] })
    await withServer(
      (req, res) => {
        const api = wp.request(req)
        api.setUser('carol')
        api.setSession('s-1')
        assert.equal(api.context?.userId, 'carol')
        api.sensitive.read({ object: 'invoices' })
        api.reportRateLimit({ max: 3 })
        api.reportCorsRefusal('https://evil.example')
        api.reportJwtFailure(Object.assign(new Error('x'), { code: 'ERR_JWT_EXPIRED' }))
        res.end()
      },
      async (url) => {
        await fetch(url)
      },
    )
    await wp.close()
    const byName = new Map(sink.events.map((e) => [e.EventOriginalType, e]))
    assert.equal(byName.get('sensitive_read')?.ActorUsername, 'carol')
    assert.match(String(byName.get('sensitive_read')?.ActorSessionId), /^hmac:/)
    assert.deepEqual(byName.get('excess_rate_limit_exceeded')?.AdditionalFields, { Max: 3 })
    assert.equal(byName.get('malicious_cors')?.AdditionalFields?.Origin, 'https://evil.example')
    assert.equal(byName.get('authn_jwt_fail')?.EventOriginalResultDetails, 'expired')
  })
})
