/**
 * Fault injection, observed through the real LogsIngestionClient (its retry policy is
 * client-behaviour.md §3) and through the emulator's request log.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import type { Emulator } from '../src/index.js'
import {
  credential,
  ingestClient,
  postRows,
  raw,
  start,
  uploadFailure,
  WEB,
  webRow,
} from './support/helpers.js'

describe('faults with the real client', () => {
  let em: Emulator
  before(async () => {
    em = await start()
  })
  beforeEach(async () => {
    await em.clearFaults()
    em.clearRequests()
    em.store.clear()
  })
  after(() => em.close())

  /** A client whose token is already cached, so fault windows start at the ingestion request. */
  async function warmClient(options: Parameters<typeof ingestClient>[1] = {}) {
    const c = credential(em)
    // The bearer policy asks for CAE tokens, which MSAL caches apart from plain ones (client-behaviour.md §1).
    await c.getToken('https://monitor.azure.com/.default', { enableCae: true })
    return ingestClient(em, options, c)
  }

  test('429 with Retry-After: the client waits that long and retries, then succeeds', async () => {
    const client = await warmClient()
    await em.setFaults({ throttle: { retryAfterSeconds: 1, seconds: 1 } })
    const t0 = Date.now()
    await client.upload(em.dcrImmutableId, WEB, [webRow('t429')])
    const elapsed = Date.now() - t0
    const seen = em.requests()
    assert.deepEqual(
      seen.map((r) => r.status),
      [429, 204],
    )
    assert.equal(seen[0]?.clientRequestId, seen[1]?.clientRequestId, 'a retry keeps x-ms-client-request-id')
    assert.ok(elapsed >= 1000, `waited ${elapsed} ms`)
    assert.equal(em.store.rows({ eventUid: 't429' }).length, 1)
  })

  test('429 without Retry-After: one attempt, then the upload fails with 429', async () => {
    const client = await warmClient()
    await em.setFaults({ throttle: { retryAfterSeconds: null } })
    const { cause } = await uploadFailure(client.upload(em.dcrImmutableId, WEB, [webRow('n429')]))
    assert.equal(cause.statusCode, 429)
    assert.equal(cause.code, 'TooManyRequests')
    assert.deepEqual(
      em.requests().map((r) => r.status),
      [429],
    )
  })

  test('serverErrors share 1: 503 retried maxRetries times, then RestError ServiceUnavailable', async () => {
    const client = await warmClient({
      retryOptions: { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
    })
    await em.setFaults({ serverErrors: { status: 503 } })
    const { cause } = await uploadFailure(client.upload(em.dcrImmutableId, WEB, [webRow('e503')]))
    assert.equal(cause.statusCode, 503)
    assert.equal(cause.code, 'ServiceUnavailable')
    assert.deepEqual(
      em.requests().map((r) => r.status),
      [503, 503, 503],
    )
    assert.equal(em.store.rows({ eventUid: 'e503' }).length, 0)
  })

  test('serverErrors 500 with a share and a seed: repeatable, and the client recovers', async () => {
    const statuses = async () => {
      await em.setFaults({ seed: 42, serverErrors: { share: 0.5, status: 500 } })
      const out: number[] = []
      for (let i = 0; i < 20; i++) out.push((await postRows(em, WEB, [webRow(`s${i}`)])).status)
      return out
    }
    const first = await statuses()
    const second = await statuses()
    assert.deepEqual(first, second, 'same seed, same sequence')
    const errors = first.filter((s) => s === 500).length
    assert.ok(errors >= 4 && errors <= 16, `${errors} of 20 were 500`)
    assert.ok(first.every((s) => s === 500 || s === 204))

    const client = await warmClient({
      retryOptions: { maxRetries: 10, retryDelayInMs: 5, maxRetryDelayInMs: 10 },
    })
    await client.upload(em.dcrImmutableId, WEB, [webRow('recovered')])
    assert.equal(em.store.rows({ eventUid: 'recovered' }).length, 1)
  })

  test('slow: responses are delayed by delayMs', async () => {
    const client = await warmClient()
    await em.setFaults({ slow: { delayMs: 400 } })
    const t0 = Date.now()
    await client.upload(em.dcrImmutableId, WEB, [webRow('slow')])
    assert.ok(Date.now() - t0 >= 400)
    assert.equal(em.store.rows({ eventUid: 'slow' }).length, 1)
  })

  test('reset: the socket is destroyed; the client retries ECONNRESET and fails after maxRetries', async () => {
    const client = await warmClient({
      retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
    })
    await em.setFaults({ reset: {} })
    const { cause } = await uploadFailure(client.upload(em.dcrImmutableId, WEB, [webRow('reset')]))
    assert.equal(cause.code, 'ECONNRESET')
    assert.deepEqual(
      em.requests().map((r) => r.status),
      ['reset', 'reset'],
    )
    assert.equal(em.store.rows({ eventUid: 'reset' }).length, 0)
  })

  test('reset afterStore: the rows are stored, the client sees a failure and its retry duplicates them', async () => {
    const client = await warmClient({
      retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
    })
    await em.setFaults({ reset: { afterStore: true } })
    await uploadFailure(client.upload(em.dcrImmutableId, WEB, [webRow('dup')]))
    assert.equal(em.store.rows({ eventUid: 'dup' }).length, 2, 'stored by both attempts, never de-duplicated')
  })

  test('down until cleared: connection refused, then the same port again', async () => {
    const client = await warmClient({ retryOptions: { maxRetries: 0 } })
    await em.setFaults({ down: true })
    const { cause } = await uploadFailure(client.upload(em.dcrImmutableId, WEB, [webRow('down')]))
    assert.equal(cause.code, 'ECONNREFUSED')
    await assert.rejects(raw(em, 'GET', '/admin/counts'), { code: 'ECONNREFUSED' })
    await em.clearFaults()
    await client.upload(em.dcrImmutableId, WEB, [webRow('up')])
    assert.equal(em.store.rows({ eventUid: 'up' }).length, 1)
  })

  test('down for N seconds: the client retries ECONNREFUSED and gets through after the listener reopens', async () => {
    const client = await warmClient({
      retryOptions: { maxRetries: 5, retryDelayInMs: 400, maxRetryDelayInMs: 800 },
    })
    await em.setFaults({ down: { seconds: 1 } })
    const t0 = Date.now()
    await client.upload(em.dcrImmutableId, WEB, [webRow('back')])
    assert.ok(Date.now() - t0 >= 900, 'not before the listener reopened')
    assert.equal(em.store.rows({ eventUid: 'back' }).length, 1)
  })

  test('reject by column value (config) → 400 RowRejected, other rows pass', async () => {
    const client = await warmClient()
    await em.setFaults({ reject: { column: 'EventOriginalUid', equals: 'poison' } })
    const { cause, failed } = await uploadFailure(
      client.upload(em.dcrImmutableId, WEB, [webRow('fine'), webRow('poison')]),
    )
    assert.equal(cause.statusCode, 400)
    assert.equal(cause.code, 'RowRejected')
    assert.match(String(cause.message), /Row 1/)
    assert.equal(failed, 2, 'the whole chunk fails')
    await client.upload(em.dcrImmutableId, WEB, [webRow('fine')])
    assert.equal(em.store.rows({ eventUid: 'fine' }).length, 1)
  })

  test('reject by a function (code) and by a pattern', async () => {
    await em.setFaults({ reject: (row) => row.EventCount === 13 })
    assert.equal((await postRows(em, WEB, [webRow('f1', { EventCount: 13 })])).status, 400)
    assert.equal((await postRows(em, WEB, [webRow('f2', { EventCount: 12 })])).status, 204)
    await em.setFaults({ reject: { column: 'Url', pattern: '^/admin' } })
    assert.equal((await postRows(em, WEB, [webRow('p1', { Url: '/admin/x' })])).status, 400)
    assert.equal((await postRows(em, WEB, [webRow('p2', { Url: '/shop' })])).status, 204)
  })

  test('faults from the start options', async () => {
    const other = await start({ faults: { throttle: { retryAfterSeconds: 7 } } })
    try {
      const res = await postRows(other, WEB, [webRow('x')])
      assert.equal(res.status, 429)
      assert.equal(res.headers['retry-after'], '7')
    } finally {
      await other.close()
    }
  })

  test('invalid faults are refused with a TypeError', async () => {
    for (const bad of [
      { throttle: { share: 2 } },
      { nope: true },
      { token: { mode: 'slow' } },
      { secretExpired: { seconds: -1 } },
      { roleMissing: 'yes' },
    ]) {
      await assert.rejects(em.setFaults(bad as never), {
        name: 'WatchpostTypeError',
        code: 'ERR_WATCHPOST_EMULATOR_FAULTS_INVALID',
      })
    }
  })

  const MONITOR = 'https://monitor.azure.com/.default'
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
  const tokenForm = (secret: string) =>
    new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: em.clientId,
      client_secret: secret,
      scope: MONITOR,
    }).toString()
  /** Without the credential pipeline's own retries: one token request per `getToken`. */
  const once = () => credential(em, { retryOptions: { maxRetries: 0 } })

  test('token unavailable: credentials fail with 503 while ingestion with a cached token goes on', async () => {
    const client = await warmClient()
    await em.setFaults({ token: { mode: 'unavailable' } })
    const discovery = await raw(em, 'GET', `/${em.tenantId}/v2.0/.well-known/openid-configuration`)
    assert.equal(discovery.status, 503)
    assert.equal(discovery.json.error, 'temporarily_unavailable')
    // MSAL reads the discovery document first; its failure is what the credential reports.
    await assert.rejects(once().getToken(MONITOR), { name: 'CredentialUnavailableError' })
    await client.upload(em.dcrImmutableId, WEB, [webRow('token-down')])
    assert.equal(em.store.rows({ eventUid: 'token-down' }).length, 1)
    await em.clearFaults()
    assert.ok((await once().getToken(MONITOR)).token.length > 0)
  })

  test('token reset: the connection is destroyed, for discovery and the token endpoint alike', async () => {
    await em.setFaults({ token: { mode: 'reset' } })
    const discovery = raw(em, 'GET', `/${em.tenantId}/v2.0/.well-known/openid-configuration`)
    await assert.rejects(discovery, /ECONNRESET|socket hang up/)
    await assert.rejects(once().getToken(MONITOR))
  })

  test('secretExpired: the right secret gets 401 invalid_client AADSTS7000222, a wrong one still AADSTS7000215', async () => {
    await em.setFaults({ secretExpired: true })
    const token = await raw(em, 'POST', `/${em.tenantId}/oauth2/v2.0/token`, tokenForm(em.clientSecret), FORM)
    assert.equal(token.status, 401)
    assert.equal(token.json.error, 'invalid_client')
    assert.deepEqual(token.json.error_codes, [7000222])
    // MSAL puts the OAuth error first and the AADSTS codes after "Error(s): " (identity-token-acquisition.md).
    await assert.rejects(once().getToken(MONITOR), {
      name: 'AuthenticationRequiredError',
      message: /^invalid_client: Error\(s\): 7000222 /,
    })
    await assert.rejects(credential(em, { retryOptions: { maxRetries: 0 } }, 'wrong').getToken(MONITOR), {
      message: /^invalid_client: Error\(s\): 7000215 /,
    })
    await em.clearFaults()
    assert.ok((await once().getToken(MONITOR)).token.length > 0, 'the secret works again once cleared')
  })

  test('roleMissing: 403 OperationFailed for a valid token, as for a principal outside allowedPrincipals', async () => {
    const client = await warmClient()
    await em.setFaults({ roleMissing: true })
    const { cause } = await uploadFailure(client.upload(em.dcrImmutableId, WEB, [webRow('no-role')]))
    assert.equal(cause.statusCode, 403)
    assert.equal(cause.code, 'OperationFailed')
    assert.match(String(cause.message), /does not have access to ingest data/)
    assert.equal(em.store.rows({ eventUid: 'no-role' }).length, 0)
    // An unknown stream is still a 404: the role is checked on an existing DCR and stream.
    assert.equal((await postRows(em, 'Custom-Nope', [webRow('x')])).status, 404)
    await em.clearFaults()
    await client.upload(em.dcrImmutableId, WEB, [webRow('no-role')])
    assert.equal(em.store.rows({ eventUid: 'no-role' }).length, 1)
  })

  test('token hang: no answer until the faults change, then the connection is reset', async () => {
    await em.setFaults({ token: { mode: 'hang' } })
    let settled = false
    const pending = once()
      .getToken(MONITOR)
      .finally(() => {
        settled = true
      })
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.equal(settled, false, 'still waiting for the token endpoint')
    await em.clearFaults()
    await assert.rejects(pending)
    assert.ok((await once().getToken(MONITOR)).token.length > 0, 'answered again once cleared')
  })
})

describe('admin API', () => {
  let em: Emulator
  before(async () => {
    em = await start()
  })
  after(() => em.close())

  test('POST/GET/DELETE /admin/faults', async () => {
    const set = await raw(em, 'POST', '/admin/faults', JSON.stringify({ serverErrors: { status: 500 } }), {
      'content-type': 'application/json',
    })
    assert.equal(set.status, 200)
    assert.equal((await postRows(em, WEB, [webRow('a')])).status, 500)
    const got = await raw(em, 'GET', '/admin/faults')
    assert.deepEqual(got.json, { serverErrors: { status: 500 } })
    assert.equal(
      (await raw(em, 'POST', '/admin/faults', JSON.stringify({ throttle: { share: 5 } }))).status,
      400,
    )
    assert.equal((await raw(em, 'DELETE', '/admin/faults')).status, 204)
    assert.equal((await postRows(em, WEB, [webRow('a')])).status, 204)
  })

  test('POST /admin/faults roleMissing and secretExpired: 403 OperationFailed, 401 AADSTS7000222', async () => {
    const set = await raw(
      em,
      'POST',
      '/admin/faults',
      JSON.stringify({ roleMissing: true, secretExpired: true }),
    )
    assert.equal(set.status, 200)
    const ingest = await postRows(em, WEB, [webRow('admin-role')])
    assert.equal(ingest.status, 403)
    assert.equal(ingest.headers['x-ms-error-code'], 'OperationFailed')
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: em.clientId,
      client_secret: em.clientSecret,
      scope: 'https://monitor.azure.com/.default',
    })
    const token = await raw(em, 'POST', `/${em.tenantId}/oauth2/v2.0/token`, form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    })
    assert.deepEqual([token.status, token.json.error_codes], [401, [7000222]])
    assert.equal((await raw(em, 'DELETE', '/admin/faults')).status, 204)
    assert.equal((await postRows(em, WEB, [webRow('admin-role')])).status, 204)
  })

  test('POST /admin/faults down for N seconds answers, goes down, comes back', async () => {
    const res = await raw(em, 'POST', '/admin/faults', JSON.stringify({ down: { seconds: 0.5 } }))
    assert.equal(res.status, 200)
    await new Promise((r) => setTimeout(r, 100))
    await assert.rejects(raw(em, 'GET', '/admin/counts'), { code: 'ECONNREFUSED' })
    await new Promise((r) => setTimeout(r, 700))
    assert.equal((await raw(em, 'GET', '/admin/counts')).status, 200)
    await em.clearFaults()
  })

  test('GET /admin/rows, /admin/counts, /admin/requests; DELETE /admin/rows', async () => {
    em.store.clear()
    assert.equal((await postRows(em, WEB, [webRow('q1'), webRow('q2')])).status, 204)
    const counts = await raw(em, 'GET', '/admin/counts')
    assert.equal(counts.json.ASimWebSessionLogs, 2)
    const byUid = await raw(em, 'GET', '/admin/rows?eventUid=q2')
    assert.equal((byUid.json.rows as unknown[]).length, 1)
    const byTable = await raw(em, 'GET', '/admin/rows?table=ASimWebSessionLogs')
    assert.equal((byTable.json.rows as unknown[]).length, 2)
    assert.equal((await raw(em, 'GET', '/admin/rows?table=Nope')).status, 404)
    const requests = await raw(em, 'GET', '/admin/requests')
    assert.ok((requests.json.requests as unknown[]).length >= 1)
    assert.equal((await raw(em, 'DELETE', '/admin/rows')).status, 204)
    assert.equal((await raw(em, 'GET', '/admin/counts')).json.ASimWebSessionLogs, 0)
  })
})
