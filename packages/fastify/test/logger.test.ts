/**
 * Runtime diagnostics in the app's own log: the plugin writes them to `fastify.log` (pino) by
 * itself, with the warning code as a field, one line per code per interval and then one with the
 * count left out; `runtime.logger` names another logger. Fastify 4 and 5.
 */
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, test } from 'node:test'
import rateLimit from '@fastify/rate-limit'
import type { CreateRuntime } from '@watchpost/core'
import fastify5, { type FastifyInstance } from 'fastify'
import fastify4 from 'fastify4'
import rateLimit4 from 'fastify4-rate-limit'
import watchpost from '../src/index.js'

/** What pino writes, one JSON object per line. */
function capture(): { stream: Writable; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line))
      done()
    },
  })
  return { stream, lines }
}

const THROWS = () => {
  throw new Error('app hook failed')
}

for (const [name, fastify, rateLimitPlugin] of [
  ['fastify 5', fastify5, rateLimit],
  ['fastify 4', fastify4 as unknown as typeof fastify5, rateLimit4 as unknown as typeof rateLimit],
] as const) {
  /** An app logging to `log`, whose limiter (one request a minute) calls an `onExceeded` of the app's that throws. */
  async function limitedApp(log: ReturnType<typeof capture>, runtime: Omit<CreateRuntime, 'sinks'>) {
    const app = fastify({ logger: { level: 'info', stream: log.stream } })
    await app.register(watchpost, { config: false, sinks: [], runtime })
    app.register(async (scoped: FastifyInstance) => {
      await scoped.register(
        rateLimitPlugin,
        app.watchpost.rateLimitHooks({ max: 1, timeWindow: '1 minute', onExceeded: THROWS }),
      )
      scoped.get('/limited', async () => 'ok')
    })
    await app.ready()
    return app
  }

  describe(`@watchpost/fastify on ${name}: diagnostics to the app's logger`, () => {
    test('fastify.log gets a throwing onExceeded hook once per interval, with its code and the count', async () => {
      const log = capture()
      // An interval no test outlasts: close() writes the count left out (core's own test covers an
      // interval's end).
      const app = await limitedApp(log, { logIntervalMs: 60_000 })
      const statuses: number[] = []
      for (let i = 0; i < 4; i++) statuses.push((await app.inject({ url: '/limited' })).statusCode)
      assert.deepEqual(statuses, [200, 429, 429, 429], 'the limiter answers as it would without the hook')
      const diagnostics = () => log.lines.filter((l) => l.code === 'WATCHPOST_W202')
      assert.equal(diagnostics().length, 1, 'three failures, one line')
      const [first] = diagnostics()
      assert.equal(first?.level, 40, 'a warning')
      assert.equal(first?.hook, 'onExceeded')
      assert.equal(first?.error, 'app hook failed')
      assert.match(String(first?.msg), /^@watchpost\/fastify: the app's onExceeded hook/)
      const recorded = app.watchpost.stats().emitted
      assert.ok(recorded >= 3, 'every refusal was still recorded')
      await app.close()
      assert.equal(diagnostics().length, 2, 'close writes the count left out')
      assert.equal(diagnostics()[1]?.suppressed, 2)
    })

    test('runtime.logger takes the lines instead of fastify.log; a logger that throws breaks nothing', async () => {
      const log = capture()
      const own: Array<Record<string, unknown>> = []
      let throwing = true
      const logger = {
        warn(fields: Record<string, unknown>) {
          if (throwing) throw new Error('logger down')
          own.push(fields)
        },
      }
      const app = await limitedApp(log, { logger })
      assert.equal((await app.inject({ url: '/limited' })).statusCode, 200)
      // The hook throws, then the logger throws on its line: the refusal still goes out.
      assert.equal((await app.inject({ url: '/limited' })).statusCode, 429)
      throwing = false
      assert.equal((await app.inject({ url: '/limited' })).statusCode, 429)
      assert.equal(own.length, 0, 'within the interval of the lost line: counted, not written')
      await app.close()
      assert.deepEqual(
        own.map((f) => [f.code, f.hook, f.suppressed]),
        [['WATCHPOST_W202', 'onExceeded', 1]],
      )
      assert.ok(
        !log.lines.some((l) => typeof l.code === 'string' && l.code.startsWith('WATCHPOST_')),
        'nothing of Watchpost in fastify.log when another logger is given',
      )
    })
  })
}
