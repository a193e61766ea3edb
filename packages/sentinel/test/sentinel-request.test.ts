/**
 * The request the sentinel destination sends, against the emulator with the real clients: it is the
 * request `LogsIngestionClient.upload()` makes of the same rows (URL, headers, gzip body), built from
 * the stored JSON without parsing a row, and each refusal comes back classified as the delivery
 * loop needs it (kind, status, Retry-After).
 */
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { createDefaultHttpClient, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline'
import { ClientSecretCredential } from '@azure/identity'
import { LogsIngestionClient } from '@azure/monitor-ingestion'
import { batchOf, CUSTOM_STREAM, CUSTOM_TABLE, type OutgoingBatch } from '@watchpost/core/sdk'
import type { Emulator } from '@watchpost/emulator'
import { createSentinelDestination } from '../src/index.js'
import { ingestUrl } from '../src/ingest-request.js'
import { emulatorPerSuite, sentinelConfig } from './support/helpers.js'

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
}

/** The SDK's Node client, noting every ingestion request as it leaves the pipeline (gzip undone). */
function recording(): { readonly httpClient: HttpClient; readonly seen: Seen[] } {
  const inner = createDefaultHttpClient()
  const seen: Seen[] = []
  return {
    seen,
    httpClient: {
      sendRequest(request: PipelineRequest) {
        if (request.url.includes('/dataCollectionRules/'))
          seen.push({
            method: request.method,
            url: request.url,
            headers: request.headers.toJSON(),
            body: gunzipSync(request.body as Buffer).toString('utf8'),
          })
        return inner.sendRequest(request)
      },
    },
  }
}

function row(uid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    TimeGenerated: new Date().toISOString(),
    EventUid: uid,
    EventType: 'Logon',
    EventSeverity: 'Low',
    ...extra,
  }
}

/** A batch that can only be sent as its ready-made bytes: neither rows nor a string body. */
function bodyOnly(batch: OutgoingBatch): OutgoingBatch {
  return {
    partition: batch.partition,
    count: batch.count,
    bytes: batch.bytes,
    bodyBytes: () => batch.bodyBytes(),
    body: () => assert.fail('the destination made a string of the body instead of sending its bytes'),
    rows: () => assert.fail('the destination parsed the rows instead of sending the stored JSON'),
  }
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise
  } catch (err) {
    assert.equal((err as Error).name, 'DeliveryError', String(err))
    return err as Error & { kind: string; status?: number; retryAfterMs?: number }
  }
  assert.fail('the send succeeded')
}

describe('the ingestion request', () => {
  const emulator = emulatorPerSuite()
  let em: Emulator
  beforeEach(() => {
    em = emulator()
  })

  const destination = (extra: Record<string, unknown> = {}, httpClient?: HttpClient) =>
    createSentinelDestination(
      { ...sentinelConfig(em, { tables: 'custom' }), ...extra } as Parameters<
        typeof createSentinelDestination
      >[0],
      httpClient === undefined ? {} : { clientOptions: { httpClient } },
    )

  test('is the one upload() sends for the same rows, built from the stored JSON without parsing it', async () => {
    const rows = [row('evt-1'), row('evt-2', { EventResultDetails: 'ünïcode ✓ "quoted"' })]
    const batch = batchOf(CUSTOM_STREAM, rows)

    const ours = recording()
    const dest = destination({}, ours.httpClient)
    await dest.send(bodyOnly(batch), new AbortController().signal)
    await dest.close()

    const theirs = recording()
    const credential = new ClientSecretCredential(em.tenantId, em.clientId, em.clientSecret, {
      authorityHost: em.url,
      disableInstanceDiscovery: true,
    })
    const client = new LogsIngestionClient(em.url, credential, {
      httpClient: theirs.httpClient,
      retryOptions: { maxRetries: 0 },
    })
    await client.upload(em.dcrImmutableId, CUSTOM_STREAM, rows)

    assert.equal(ours.seen.length, 1)
    assert.equal(theirs.seen.length, 1)
    const [a, b] = [ours.seen[0]!, theirs.seen[0]!]
    assert.equal(a.method, b.method)
    assert.equal(a.url, b.url)
    assert.equal(a.body, b.body)
    assert.equal(a.body, batch.body())
    // Per request or per credential: a fresh request id, a token of another credential instance.
    const { 'x-ms-client-request-id': idA, authorization: authA, ...restA } = a.headers
    const { 'x-ms-client-request-id': idB, authorization: authB, ...restB } = b.headers
    assert.deepEqual(restA, restB)
    assert.match(idA ?? '', /^[0-9a-f-]{36}$/)
    assert.match(authA ?? '', /^Bearer ./)
    assert.match(authB ?? '', /^Bearer ./)
    assert.equal(restA['content-encoding'], 'gzip')

    assert.equal(em.store.rows({ table: CUSTOM_TABLE }).length, 4, 'both requests were stored')
    assert.deepEqual(
      em.requests().map((r) => r.status),
      [204, 204],
    )
  })

  test('the URL is the generated template’s, whatever the endpoint’s trailing slashes', () => {
    const expected =
      'https://dce.example/dataCollectionRules/dcr-1/streams/Custom-A%2FB?api%2Dversion=2023-01-01'
    assert.equal(ingestUrl('https://dce.example', 'dcr-1', 'Custom-A/B', '2023-01-01'), expected)
    assert.equal(ingestUrl('https://dce.example/', 'dcr-1', 'Custom-A/B', '2023-01-01'), expected)
    assert.equal(ingestUrl('https://dce.example//', 'dcr-1', 'Custom-A/B', '2023-01-01'), expected)
    assert.equal(
      ingestUrl('https://dce.example/base', 'dcr(1)', 'S', 'v!'),
      'https://dce.example/base/dataCollectionRules/dcr%281%29/streams/S?api%2Dversion=v%21',
    )
  })

  test('400 with a row refused: rejected, with the service’s code and message', async () => {
    await em.setFaults({ reject: { column: 'EventUid', equals: 'poison' } })
    const dest = destination()
    const err = await failure(
      dest.send(batchOf(CUSTOM_STREAM, [row('fine'), row('poison')]), new AbortController().signal),
    )
    await dest.close()
    assert.equal(err.kind, 'rejected')
    assert.equal(err.status, 400)
    assert.match(err.message, /^HTTP 400 RowRejected: /)
  })

  test('413 over 1 MB: too_large; 404 unknown stream: not_found', async () => {
    const dest = destination()
    const big = batchOf(CUSTOM_STREAM, [row('big', { EventMessage: 'x'.repeat(1_100_000) })])
    const tooLarge = await failure(dest.send(big, new AbortController().signal))
    assert.equal(tooLarge.kind, 'too_large')
    assert.equal(tooLarge.status, 413)
    const unknown = await failure(
      dest.send(batchOf('Custom-Nope', [row('lost')]), new AbortController().signal),
    )
    assert.equal(unknown.kind, 'not_found')
    assert.equal(unknown.status, 404)
    await dest.close()
  })

  test('429 and 503: retry, with Retry-After in ms; 429 without it: retry all the same', async () => {
    const dest = destination()
    const send = () => dest.send(batchOf(CUSTOM_STREAM, [row('t')]), new AbortController().signal)
    await em.setFaults({ throttle: { retryAfterSeconds: 3 } })
    const throttled = await failure(send())
    assert.deepEqual([throttled.kind, throttled.status, throttled.retryAfterMs], ['retry', 429, 3000])
    await em.setFaults({ throttle: { retryAfterSeconds: null } })
    const bare = await failure(send())
    assert.deepEqual([bare.kind, bare.status, bare.retryAfterMs], ['retry', 429, undefined])
    await em.setFaults({ serverErrors: { status: 503, retryAfterSeconds: 1 } })
    const unavailable = await failure(send())
    assert.deepEqual([unavailable.kind, unavailable.status, unavailable.retryAfterMs], ['retry', 503, 1000])
    await dest.close()
    // One attempt each: the client's retry policy stays off.
    assert.equal(em.requests().length, 3)
  })

  test('401 (a token for another audience): auth; an aborted request: retry, nothing sent', async () => {
    const dest = destination({ audience: 'https://management.azure.com' })
    const wrongAudience = await failure(
      dest.send(batchOf(CUSTOM_STREAM, [row('a')]), new AbortController().signal),
    )
    assert.equal(wrongAudience.kind, 'auth')
    assert.equal(wrongAudience.status, 401)
    assert.match(wrongAudience.message, /InvalidAudience/)
    await dest.close()

    const aborted = new AbortController()
    aborted.abort(new Error('closing'))
    em.clearRequests()
    const right = destination()
    const err = await failure(right.send(batchOf(CUSTOM_STREAM, [row('b')]), aborted.signal))
    assert.equal(err.kind, 'retry')
    await right.close()
    assert.equal(em.requests().length, 0)
  })
})

describe('the ingestion request without the role on the DCR', () => {
  const emulator = emulatorPerSuite({ allowedPrincipals: ['someone-else'] })

  test('403: auth, with the service’s OperationFailed', async () => {
    const em = emulator()
    const dest = createSentinelDestination({
      ...sentinelConfig(em),
      tables: 'custom',
      http: 'undici',
    })
    const err = await failure(dest.send(batchOf(CUSTOM_STREAM, [row('r')]), new AbortController().signal))
    await dest.close()
    assert.equal(err.kind, 'auth')
    assert.equal(err.status, 403)
    assert.match(err.message, /OperationFailed/)
  })
})
