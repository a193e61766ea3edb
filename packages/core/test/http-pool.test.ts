/**
 * `createHttpPool`, the connections of the webhook sink and of @watchpost/sentinel's HTTP client:
 * undici is loaded with the first request only, one keep-alive pool per origin, timeouts, close.
 * Its TLS side (a CA for one pool only) is tested through both users: webhook.test.ts and the
 * Sentinel package's sentinel-tls tests.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createHttpPool, type HttpPool } from '../src/delivery/http-pool.js'

const testDir = fileURLToPath(new URL('.', import.meta.url))

const options = { connectTimeoutMs: 2_000, headersTimeoutMs: 2_000, bodyTimeoutMs: 2_000, connections: 4 }

interface Counted {
  readonly server: Server
  readonly origin: string
  /** TCP connections accepted so far. */
  connections(): number
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<Counted> {
  const server = createServer(handler)
  let connections = 0
  server.on('connection', () => connections++)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return { server, origin: `http://127.0.0.1:${port}`, connections: () => connections }
}

function stop(s: Counted): Promise<void> {
  s.server.closeAllConnections()
  return new Promise((resolve) => s.server.close(() => resolve()))
}

describe('http pool', () => {
  let a: Counted
  let b: Counted
  before(async () => {
    a = await listen((_req, res) => res.end('a'))
    b = await listen((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('late'), 3_000).unref()
      else res.end('b')
    })
  })
  after(async () => {
    await stop(a)
    await stop(b)
  })

  test('core loads undici with the first request, not at import nor when a pool is made', async () => {
    const probe = join(testDir, `.undici-probe-${process.pid}.ts`)
    writeFileSync(
      probe,
      `import { createRequire } from 'node:module'
       const { _cache } = createRequire(import.meta.url)('node:module')
       const loaded = () => Object.keys(_cache).some((k) => k.includes('/node_modules/undici/'))
       await import('../src/index.js')
       const { createHttpPool } = await import('../src/sdk.js')
       const { createWebhookDestination } = await import('../src/sinks/webhook.js')
       const pool = createHttpPool(${JSON.stringify(options)})
       const webhook = createWebhookDestination({ url: '${a.origin}/in' })
       const before = loaded()
       const res = await pool.request({ origin: '${a.origin}', path: '/', method: 'GET' })
       await res.body.text()
       await pool.close()
       await webhook.close()
       console.log(JSON.stringify([before, loaded()]))`,
    )
    try {
      // Not execFileSync: this process's server must stay free to answer the child.
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', probe], {
        timeout: 30_000,
      })
      assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''), [false, true])
    } finally {
      rmSync(probe, { force: true })
    }
  })

  test('one keep-alive pool per origin: sequential requests reuse one socket each', async (t) => {
    const pool = createHttpPool(options)
    t.after(() => pool.close())
    const before = [a.connections(), b.connections()]
    const bodies: string[] = []
    for (let i = 0; i < 3; i++) {
      for (const s of [a, b]) {
        const res = await pool.request({ origin: s.origin, path: '/', method: 'GET' })
        bodies.push(await res.body.text())
        // The pool marks a connection free a tick after its response ended.
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    assert.deepEqual(bodies, ['a', 'b', 'a', 'b', 'a', 'b'])
    assert.deepEqual([a.connections() - before[0]!, b.connections() - before[1]!], [1, 1])
  })

  test('headersTimeoutMs bounds the wait for a response', async (t) => {
    const pool = createHttpPool({ ...options, headersTimeoutMs: 100 })
    t.after(() => pool.close())
    const started = performance.now()
    await assert.rejects(pool.request({ origin: b.origin, path: '/slow', method: 'GET' }), {
      code: 'UND_ERR_HEADERS_TIMEOUT',
    })
    // undici checks its timeouts about once a second: well before the 3 s the server takes.
    assert.ok(performance.now() - started < 2_500)
  })

  test('after close a request fails as on a closed undici dispatcher, and nothing is sent', async () => {
    for (const used of [false, true]) {
      const pool: HttpPool = createHttpPool(options)
      if (used) await (await pool.request({ origin: a.origin, path: '/', method: 'GET' })).body.text()
      await pool.close()
      const before = a.connections()
      await assert.rejects(pool.request({ origin: a.origin, path: '/', method: 'GET' }), {
        code: 'UND_ERR_CLOSED',
      })
      assert.equal(a.connections(), before)
    }
  })
})
