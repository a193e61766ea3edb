import { strict as assert } from 'node:assert'
import { once } from 'node:events'
import { createServer, type IncomingMessage, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createAsyncContext, currentContext } from '../src/context/async-context.js'
import { createContextFactory } from '../src/context/request-context.js'
import type { RequestContext } from '../src/context/types.js'

const factory = createContextFactory({
  trustProxy: false,
  traceparent: true,
  requestIdHeaders: ['x-request-id'],
  responseHeader: false,
  maxLength: 128,
})

/** Code far from the request: it has no `req`, only `currentContext()`. */
async function repositoryCall(): Promise<string | undefined> {
  await sleep(Math.floor(Math.random() * 5))
  await Promise.resolve()
  return currentContext()?.correlationId
}

describe('async context', () => {
  it('returns undefined outside a request', () => {
    createAsyncContext()
    assert.equal(currentContext(), undefined)
  })

  it('propagates across awaits, timers, immediates and event emitters; isolates concurrent requests', async () => {
    const als = createAsyncContext()
    const results: Array<{ id: string; seen: Array<string | undefined> }> = []
    const server = createServer((req, res) => {
      const ctx = factory.open(req, res)
      als.run(ctx, async () => {
        const seen: Array<string | undefined> = []
        seen.push(als.current()?.correlationId)
        await sleep(Math.floor(Math.random() * 10))
        seen.push(currentContext()?.correlationId)
        seen.push(await repositoryCall())
        seen.push(
          await new Promise<string | undefined>((resolve) =>
            setTimeout(() => resolve(currentContext()?.correlationId), 1),
          ),
        )
        seen.push(
          await new Promise<string | undefined>((resolve) =>
            setImmediate(() => resolve(currentContext()?.correlationId)),
          ),
        )
        req.resume()
        await once(req, 'end')
        seen.push(currentContext()?.correlationId)
        results.push({ id: ctx.correlationId, seen })
        res.end(ctx.correlationId)
      })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as AddressInfo
    try {
      const ids = Array.from({ length: 40 }, (_, i) => `req-${i}`)
      const bodies = await Promise.all(
        ids.map(async (id) => {
          const req = request({ host: '127.0.0.1', port, method: 'POST', headers: { 'x-request-id': id } })
          req.end('body')
          const [res] = (await once(req, 'response')) as [IncomingMessage]
          let body = ''
          for await (const chunk of res) body += chunk
          return body
        }),
      )
      assert.deepEqual(bodies, ids)
      assert.equal(results.length, ids.length)
      for (const { id, seen } of results) assert.deepEqual(seen, Array(6).fill(id))
    } finally {
      server.close()
    }
  })

  it('run returns the callback value; enter sets the context for the rest of the execution', async () => {
    const als = createAsyncContext()
    const ctx = { correlationId: 'entered' } as RequestContext
    assert.equal(
      als.run(ctx, () => 42),
      42,
    )
    const seen = await new Promise<Array<RequestContext | undefined>>((resolve, reject) => {
      // A fresh async resource, so enterWith does not leak into the test runner's own frame.
      setImmediate(() => {
        als.enter(ctx)
        const now = currentContext()
        sleep(1).then(() => resolve([now, als.current()]), reject)
      })
    })
    assert.deepEqual(seen, [ctx, ctx])
    assert.equal(currentContext(), undefined)
  })

  it('nested run restores the outer context', async () => {
    const als = createAsyncContext()
    const outer = { correlationId: 'outer' } as RequestContext
    const inner = { correlationId: 'inner' } as RequestContext
    await als.run(outer, async () => {
      await als.run(inner, async () => {
        await sleep(1)
        assert.equal(currentContext(), inner)
      })
      assert.equal(currentContext(), outer)
    })
  })
})
