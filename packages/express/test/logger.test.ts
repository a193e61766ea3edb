/**
 * Runtime diagnostics in the app's own log: `watchpost(options, { logger })` writes them as
 * `logger.warn({ code, … }, message)`, one line per code per interval and then one with the count
 * left out. Express 4 and 5.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import cors from 'cors'
import { start, VERSIONS } from './support/app.js'

/** A pino-style logger that keeps its lines. */
function capturingLogger() {
  const lines: Array<{ fields: Record<string, unknown>; message: string }> = []
  return {
    lines,
    warn(fields: Record<string, unknown>, message: string) {
      lines.push({ fields, message })
    },
    info() {},
    error() {},
  }
}

for (const [name, express] of VERSIONS) {
  describe(`${name}: diagnostics to the app's logger`, () => {
    test('an origin function that throws: one line per interval with its code, then the count left out', async () => {
      const logger = capturingLogger()
      const app = await start(
        express,
        {},
        (a, wp) => {
          a.use(
            cors(
              wp!.cors((origin) => {
                if (origin.endsWith('.invalid')) throw new Error('origin list unavailable')
                return origin === 'https://shop.example'
              }),
            ),
          )
          a.get('/api', (_req, res) => {
            res.json({ ok: true })
          })
        },
        // An interval no test outlasts: the count left out is written by close() (core's own test
        // covers an interval's end).
        { runtime: { logger, logIntervalMs: 60_000 } },
      )
      const statuses: number[] = []
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${app.url}/api`, { headers: { origin: `https://a${i}.invalid` } })
        await res.arrayBuffer()
        statuses.push(res.status)
        assert.equal(res.headers.get('access-control-allow-origin'), null, 'refused, as documented')
      }
      assert.deepEqual(statuses, [200, 200, 200], 'the app answers as it would')
      const diagnostics = () => logger.lines.filter((l) => l.fields.code === 'WATCHPOST_W302')
      assert.equal(diagnostics().length, 1, 'three failures, one line')
      assert.deepEqual(diagnostics()[0]!.fields, {
        code: 'WATCHPOST_W302',
        error: 'origin list unavailable',
      })
      assert.match(diagnostics()[0]!.message, /^@watchpost\/express: the wp.cors\(\) origin function threw/)
      // The refusals are still recorded, without the origin in any log line.
      assert.equal((await app.of('malicious_cors')).length, 3)
      await app.close()
      assert.equal(diagnostics().length, 2, 'close writes the count left out')
      assert.equal(diagnostics()[1]!.fields.suppressed, 2)
      assert.ok(!JSON.stringify(logger.lines).includes('.invalid'), 'the request’s origin is not logged')
    })

    test('a logger that throws breaks neither the request nor the recording', async () => {
      let calls = 0
      const logger = {
        warn() {
          calls++
          throw new Error('logger down')
        },
      }
      const app = await start(
        express,
        {},
        (a, wp) => {
          a.use(
            cors(
              wp!.cors(() => {
                throw new Error('origin list unavailable')
              }),
            ),
          )
          a.get('/api', (_req, res) => {
            res.json({ ok: true })
          })
        },
        { runtime: { logger } },
      )
      const res = await fetch(`${app.url}/api`, { headers: { origin: 'https://evil.example' } })
      assert.equal(res.status, 200)
      assert.deepEqual(await res.json(), { ok: true })
      assert.equal((await app.of('malicious_cors')).length, 1)
      assert.equal(calls, 1)
      await app.close()
    })
  })
}
