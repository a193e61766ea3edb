/**
 * The attack-tool and scanner-probe detectors through a real Fastify app (5 and 4): a scanner's
 * User-Agent or callback host and a request for a path only scanners ask for are recorded whatever
 * the app answered, with the status; a probe answered 404 is recorded once.
 */
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { describe, test } from 'node:test'
import type { SecurityEvent, Sink } from '@watchpost/core'
import fastify5 from 'fastify'
import fastify4 from 'fastify4'
import watchpost from '../src/index.js'

async function start(fastify: typeof fastify5) {
  const events: SecurityEvent[] = []
  const memory: Sink = { name: 'memory', send: async (b) => void events.push(...b), close: async () => {} }
  const app = fastify()
  await app.register(watchpost, {
    config: false,
    sinks: [],
    runtime: { sinks: [memory] },
  } as never)
  // Every path answers the status its query asks for: a catch-all, as many apps have.
  app.get('*', async (request, reply) => {
    const status = Number(new URL(request.url, 'http://x').searchParams.get('status') ?? 200)
    return reply.code(status).send({ ok: status < 400 })
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  return {
    url,
    async of(name: string) {
      await app.watchpost.flush()
      return events.filter((e) => e.EventOriginalType === name)
    },
    close: () => app.close(),
  }
}

for (const [name, fastify] of [
  ['fastify 5', fastify5],
  ['fastify 4', fastify4 as unknown as typeof fastify5],
] as const) {
  describe(`${name}: attack tools and scanner probes`, () => {
    test('an attack tool is recorded with the status, from its User-Agent or a callback host', async (c) => {
      const t = await start(fastify)
      c.after(() => t.close())
      await fetch(`${t.url}/products?status=200`, {
        headers: { 'user-agent': 'sqlmap/1.8.2#stable (https://sqlmap.org)' },
      })
      await fetch(`${t.url}/?status=404`, { headers: { 'x-forwarded-host': 'c8x1q2w3.oast.fun' } })
      await fetch(`${t.url}/?status=200`, { headers: { 'user-agent': 'curl/8.5.0' } })
      const tools = await t.of('malicious_attack_tool')
      assert.deepEqual(
        tools.map((e) => [e.ThreatName, e.AdditionalFields?.MatchedIn, e.HttpStatusCode]),
        [
          ['sqlmap', 'user-agent', 200],
          ['interactsh', 'header:x-forwarded-host', 404],
        ],
      )
    })

    test('a scanner path answered 200 is a served probe; answered 404, one access_not_found', async (c) => {
      const t = await start(fastify)
      c.after(() => t.close())
      await fetch(`${t.url}/.env?status=200`)
      await fetch(`${t.url}/actuator/env?status=401`)
      await fetch(`${t.url}/.git/config?status=404`)
      await fetch(`${t.url}/files/archive.tar.gz?status=200`)
      const probes = await t.of('malicious_scanner_probe')
      assert.deepEqual(
        probes.map((e) => [e.AdditionalFields?.Path, e.HttpStatusCode, e.EventResult, e.EventSeverity]),
        [
          ['/.env', 200, 'Success', 'High'],
          ['/actuator/env', 401, 'Failure', 'Medium'],
        ],
      )
      const misses = await t.of('access_not_found')
      assert.deepEqual(
        misses.map((e) => [e.AdditionalFields?.Path, e.AdditionalFields?.ScannerProbe]),
        [['/.git/config', true]],
      )
    })
  })
}
