/**
 * `tls.ca` trusts the emulator for this sink only: a child process started WITHOUT
 * NODE_EXTRA_CA_CERTS (read only at process start, client-behaviour.md §5) delivers with it, for
 * both `http` clients, and without it delivery fails on TLS — retried, reported, never a throw.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, beforeEach, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { DeliveryHealth } from '@watchpost/core'
import type { Emulator } from '@watchpost/emulator'
import { start } from './support/helpers.js'

const run = promisify(execFile)
const fixture = fileURLToPath(new URL('./fixtures/deliver-without-extra-ca.ts', import.meta.url))

interface ChildResult {
  uids: string[]
  sink: DeliveryHealth
  probeCode?: string
}

async function deliverFromChild(em: Emulator, http: 'undici' | 'node', ca: string | undefined) {
  const { NODE_EXTRA_CA_CERTS: _dropped, ...env } = process.env
  const input = {
    url: em.url,
    dcrImmutableId: em.dcrImmutableId,
    tenantId: em.tenantId,
    clientId: em.clientId,
    clientSecret: em.clientSecret,
    http,
    ...(ca === undefined ? {} : { ca }),
    userIds: ['mallory', 'bob', 'eve'],
  }
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture, JSON.stringify(input)], {
    env,
    timeout: 60_000,
  })
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ChildResult
}

describe('sentinel tls.ca without NODE_EXTRA_CA_CERTS', () => {
  let em: Emulator
  before(async () => {
    em = await start()
  })
  after(() => em.close())
  beforeEach(() => em.store.clear())

  for (const http of ['undici', 'node'] as const) {
    test(`http: ${http} with tls.ca = the emulator's caPath delivers every event`, async () => {
      const result = await deliverFromChild(em, http, em.caPath)
      assert.deepEqual({ sent: result.sink.sent, retried: result.sink.retried }, { sent: 3, retried: 0 })
      assert.equal(result.probeCode, undefined)
      for (const uid of result.uids) assert.equal(em.store.rows({ eventUid: uid }).length, 1)
    })

    test(`http: ${http} without tls.ca fails on TLS: retried, counted, not thrown`, async () => {
      const result = await deliverFromChild(em, http, undefined)
      assert.equal(result.sink.sent, 0)
      assert.ok(result.sink.retried >= 2)
      // No spool in the child: what close() could not deliver is counted, not lost silently.
      assert.equal(result.sink.dropped.shutdown, 3)
      // The credential's OIDC request fails first and @azure/identity reports it as
      // endpoints_resolution_error (client-behaviour.md §5); the transport underneath reports the
      // certificate error itself.
      assert.match(result.sink.lastError ?? '', /endpoints_resolution_error/)
      assert.match(result.probeCode ?? '', /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/)
      for (const uid of result.uids) assert.equal(em.store.rows({ eventUid: uid }).length, 0)
    })
  }

  test('tls.ca may be the PEM text itself, e.g. from an environment variable', async () => {
    const result = await deliverFromChild(em, 'undici', em.caPem)
    assert.equal(result.sink.sent, 3)
  })
})
