/**
 * The attack-tool and scanner-probe detectors through a real Express app (5 and 4): a scanner's
 * User-Agent, headers or callback host and a request for a path only scanners ask for are recorded
 * whatever the app answered, with the status; a probe answered 404 is recorded once.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Express } from 'express'
import { start, VERSIONS } from './support/app.js'

/** Every path answers the status its query asks for: a catch-all, as many apps have. */
const catchAll = (app: Express) => {
  app.use((req, res) => {
    const status = Number(new URL(req.url, 'http://x').searchParams.get('status') ?? 200)
    res.status(status).json({ ok: status < 400 })
  })
}

for (const [name, express] of VERSIONS) {
  describe(`${name}: attack tools and scanner probes`, () => {
    test('an attack tool is recorded with the status, from its User-Agent or its headers', async () => {
      const app = await start(express, {}, catchAll)
      await fetch(`${app.url}/search?q=1&status=200`, {
        headers: { 'user-agent': 'Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)' },
      })
      await fetch(`${app.url}/?status=403`, { headers: { 'acunetix-product': 'WVS/14.0' } })
      await fetch(`${app.url}/?status=200`, { headers: { 'user-agent': 'python-requests/2.31.0' } })
      const tools = await app.of('malicious_attack_tool')
      assert.deepEqual(
        tools.map((e) => [e.ThreatName, e.AdditionalFields?.MatchedIn, e.HttpStatusCode]),
        [
          ['Nikto', 'user-agent', 200],
          ['Acunetix', 'header:acunetix-product', 403],
        ],
      )
      await app.close()
    })

    test('a scanner path answered 200 is a served probe; answered 404, one access_not_found', async () => {
      const app = await start(express, {}, catchAll)
      await fetch(`${app.url}/.env?status=200`)
      await fetch(`${app.url}/_cat/indices?v&status=500`)
      await fetch(`${app.url}/.git/config?status=404`)
      await fetch(`${app.url}/downloads/app.zip?status=200`)
      const probes = await app.of('malicious_scanner_probe')
      assert.deepEqual(
        probes.map((e) => [e.AdditionalFields?.Path, e.HttpStatusCode, e.EventResult, e.EventSeverity]),
        [
          ['/.env', 200, 'Success', 'High'],
          ['/_cat/indices', 500, 'Failure', 'Medium'],
        ],
      )
      const misses = await app.of('access_not_found')
      assert.deepEqual(
        misses.map((e) => [e.AdditionalFields?.Path, e.AdditionalFields?.ScannerProbe]),
        [['/.git/config', true]],
      )
      await app.close()
    })
  })
}
