/**
 * End to end with the real @azure/identity and @azure/monitor-ingestion clients over HTTPS
 * (client-behaviour.md §1, §6): events built by @watchpost/core, projected, uploaded, stored.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { IncomingMessage } from 'node:http'
import { get } from 'node:https'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { AuthenticationRequiredError, ManagedIdentityCredential } from '@azure/identity'
import { createWatchpost, type SecurityEvent } from '@watchpost/core'
import { ASIM_PROJECTIONS, CUSTOM_STREAM, CUSTOM_TABLE, projectToAsim } from '@watchpost/core/sdk'
import type { Emulator } from '../src/index.js'
import { credential, ingestClient, raw, start, uploadFailure } from './support/helpers.js'

function buildEvents(): SecurityEvent[] {
  const wp = createWatchpost({ config: false, sinks: [], app: { name: 'shop', environment: 'test' } })
  const events = [
    wp.record('authn_login_fail', { userId: 'bob', reason: 'bad_password' }),
    wp.record('malicious_excess_404', { count: 25, samplePaths: ['/.env', '/wp-admin'], riskLevel: 60 }),
    wp.record('user_created', { userId: 'admin', newUserId: 'carol' }),
    wp.record('sys_startup', {}),
  ]
  return events.map((e) => {
    assert.ok(e !== undefined, 'core built the event')
    return e
  })
}

describe('real clients against the emulator', () => {
  let em: Emulator
  before(async () => {
    em = await start()
  })
  after(() => em.close())

  test('ClientSecretCredential + LogsIngestionClient: ASIM rows per input stream land in their tables', async () => {
    const events = buildEvents()
    const byStream = new Map<string, Record<string, unknown>[]>()
    for (const event of events) {
      const { projection, row } = projectToAsim(event)
      byStream.set(projection.inputStream, [...(byStream.get(projection.inputStream) ?? []), row])
    }
    assert.equal(byStream.size, 4, 'one event per ASIM schema')
    const client = ingestClient(em)
    for (const [stream, rows] of byStream) await client.upload(em.dcrImmutableId, stream, rows)

    const counts = em.store.counts()
    for (const projection of Object.values(ASIM_PROJECTIONS))
      assert.equal(counts[projection.table], 1, projection.table)
    for (const event of events) {
      const rows = em.store.rows({ eventUid: event.EventUid })
      assert.equal(rows.length, 1, `one row for ${event.EventOriginalType}`)
      const row = rows[0]!
      const { projection, row: sent } = projectToAsim(event)
      assert.equal(row._Table, projection.table)
      assert.equal(row._Stream, projection.inputStream)
      assert.equal(row.EventOriginalUid, event.EventUid)
      assert.equal(row.TimeGenerated, event.TimeGenerated)
      // Every column sent is stored with its value (dynamic columns as JSON values).
      assert.deepEqual(
        Object.fromEntries(Object.keys(sent).map((k) => [k, row[k]])),
        JSON.parse(JSON.stringify(sent)),
      )
    }
    const requests = em.requests()
    assert.equal(requests.length, 4)
    assert.ok(requests.every((r) => r.status === 204))
  })

  test('the custom stream goes to WatchpostSecurityEvents_CL with EventUid', async () => {
    const [event] = buildEvents()
    const client = ingestClient(em)
    await client.upload(em.dcrImmutableId, CUSTOM_STREAM, [JSON.parse(JSON.stringify(event))])
    const rows = em.store.rows({ table: CUSTOM_TABLE, eventUid: event!.EventUid })
    assert.equal(rows.length, 1)
    assert.equal(rows[0]!.EventUid, event!.EventUid)
    assert.equal(rows[0]!.EventOriginalType, 'authn_login_fail')
  })

  test('through a TCP forwarder on another port: discovery names that address; a ClientSecretCredential gets a token and an upload lands', async () => {
    const forwarder = await forward(em.port)
    try {
      const url = `https://127.0.0.1:${forwarder.port}`
      const via = { ...em, url } as Emulator
      const discovery = await raw(via, 'GET', `/${em.tenantId}/v2.0/.well-known/openid-configuration`)
      assert.equal(discovery.json.issuer, `${url}/${em.tenantId}/v2.0`)
      assert.equal(discovery.json.token_endpoint, `${url}/${em.tenantId}/oauth2/v2.0/token`)
      const client = ingestClient(via, { retryOptions: { maxRetries: 0 } })
      await client.upload(em.dcrImmutableId, 'Custom-WatchpostWebSession', [
        { TimeGenerated: new Date().toISOString(), EventOriginalUid: 'through-a-forwarder' },
      ])
      assert.equal(em.store.rows({ eventUid: 'through-a-forwarder' }).length, 1)
      assert.ok(forwarder.connections() >= 2, 'the token and the upload both went through the forwarder')
    } finally {
      await forwarder.close()
    }
  })

  test('a malformed Host header is not echoed: discovery falls back to the listener address', async () => {
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      get(
        `${em.url}/${em.tenantId}/v2.0/.well-known/openid-configuration`,
        { ca: em.caPem, servername: 'localhost', headers: { host: 'evil.example/"><x' } },
        resolve,
      ).on('error', reject),
    )
    const chunks: Buffer[] = []
    for await (const chunk of res) chunks.push(chunk as Buffer)
    const discovery = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { issuer: string }
    assert.equal(discovery.issuer, `${em.url}/${em.tenantId}/v2.0`)
  })

  test('a wrong client secret fails in the credential with the AADSTS code', async () => {
    const cred = credential(em, {}, 'not-the-secret')
    await assert.rejects(cred.getToken('https://monitor.azure.com/.default'), (err: Error) => {
      assert.ok(err instanceof AuthenticationRequiredError, err.name)
      assert.match(err.message, /invalid_client/)
      assert.match(err.message, /7000215/)
      return true
    })
  })

  test('a token for another audience is refused by the ingestion endpoint: 401 InvalidAudience', async () => {
    const client = ingestClient(em, {
      audience: 'https://management.azure.com',
      retryOptions: { maxRetries: 0 },
    })
    const { cause, failed } = await uploadFailure(
      client.upload(em.dcrImmutableId, 'Custom-WatchpostWebSession', [
        { TimeGenerated: new Date().toISOString() },
      ]),
    )
    assert.equal(cause.statusCode, 401)
    assert.equal(cause.code, 'InvalidAudience')
    assert.equal(failed, 1)
  })

  test('a single record over 1 MB is sent alone by the client and refused: 413 ContentLengthLimitExceeded', async () => {
    const client = ingestClient(em, { retryOptions: { maxRetries: 0 } })
    const big = {
      TimeGenerated: new Date().toISOString(),
      EventOriginalUid: 'huge',
      Url: 'z'.repeat(1_100_000),
    }
    const { cause } = await uploadFailure(
      client.upload(em.dcrImmutableId, 'Custom-WatchpostWebSession', [big]),
    )
    assert.equal(cause.statusCode, 413)
    assert.equal(cause.code, 'ContentLengthLimitExceeded')
    assert.equal(em.store.rows({ eventUid: 'huge' }).length, 0)
  })

  test('ManagedIdentityCredential through IDENTITY_ENDPOINT/IDENTITY_HEADER (App Service 2019-08-01)', async () => {
    const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER }
    process.env.IDENTITY_ENDPOINT = em.env.IDENTITY_ENDPOINT
    process.env.IDENTITY_HEADER = em.env.IDENTITY_HEADER
    try {
      const mi = new ManagedIdentityCredential()
      const token = await mi.getToken('https://monitor.azure.com/.default')
      assert.ok(token.expiresOnTimestamp > Date.now() + 3_000_000, 'expires_on honoured (about an hour)')
      const client = ingestClient(em, {}, mi as never)
      await client.upload(em.dcrImmutableId, 'Custom-WatchpostWebSession', [
        { TimeGenerated: new Date().toISOString(), EventOriginalUid: 'from-managed-identity' },
      ])
      assert.equal(em.store.rows({ eventUid: 'from-managed-identity' }).length, 1)
    } finally {
      if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT
      else process.env.IDENTITY_ENDPOINT = saved.endpoint
      if (saved.header === undefined) delete process.env.IDENTITY_HEADER
      else process.env.IDENTITY_HEADER = saved.header
    }
  })
})

/** A port-forward: each connection to a new loopback port is piped to `port` (as kubectl or ssh -L do). */
async function forward(port: number) {
  const sockets = new Set<Socket>()
  let connections = 0
  const server: Server = createServer((inbound) => {
    connections++
    const outbound = connect(port, '127.0.0.1')
    for (const s of [inbound, outbound]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {})
    }
    inbound.pipe(outbound).pipe(inbound)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address !== 'object') throw new Error('forwarder has no port')
  return {
    port: address.port,
    connections: () => connections,
    close() {
      for (const s of sockets) s.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
