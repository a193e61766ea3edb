/**
 * The ingestion contract over raw HTTPS, for what the SDK will not send (logs-ingestion-api.md §1–§3):
 * tokens, sizes, types, undeclared columns, routes, api-version.
 */
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { SignJWT } from 'jose'
import type { Emulator } from '../src/index.js'
import { ingestPath, postRows, raw, start, WEB, webRow } from './support/helpers.js'

/** ~1.1 MB of rows: over the 1,048,576-byte limit as JSON; gzip compresses it far below. */
function bigRows(): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = []
  for (let i = 0; i < 1100; i++) rows.push(webRow(`big-${i}`, { Url: `/p/${i}/${'x'.repeat(960)}` }))
  return rows
}

function assertAzureError(
  res: { status: number; headers: Record<string, unknown>; json: { error?: { code?: string } } },
  status: number,
  code: string,
) {
  assert.equal(res.status, status, JSON.stringify(res.json))
  assert.equal(res.json.error?.code, code)
  assert.equal(res.headers['x-ms-error-code'], code)
}

describe('ingestion contract (strict mode)', () => {
  let em: Emulator
  before(async () => {
    em = await start()
  })
  after(() => em.close())

  test('204 with an empty body on success; api%2Dversion is decoded', async () => {
    const token = await em.issueToken()
    const res = await raw(
      em,
      'POST',
      ingestPath(em, WEB, 'api%2Dversion=2023-01-01'),
      JSON.stringify([webRow('ok-1')]),
      { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    )
    assert.equal(res.status, 204)
    assert.equal(res.body, '')
    assert.equal(em.store.rows({ eventUid: 'ok-1' }).length, 1)
  })

  test('missing token → 401 InvalidToken', async () => {
    assertAzureError(await postRows(em, WEB, [webRow('t')], { token: null }), 401, 'InvalidToken')
  })

  test('expired token → 401 InvalidToken', async () => {
    const token = await em.issueToken({ expiresInSeconds: -120 })
    const res = await postRows(em, WEB, [webRow('t')], { token })
    assertAzureError(res, 401, 'InvalidToken')
    assert.match(res.json.error?.message ?? '', /expired/)
  })

  test('token not yet valid (nbf in the future) → 401 InvalidToken', async () => {
    const token = await em.issueToken({ notBeforeSeconds: 600 })
    assertAzureError(await postRows(em, WEB, [webRow('t')], { token }), 401, 'InvalidToken')
  })

  test('bad signature (signed by another key) → 401 InvalidToken', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const now = Math.floor(Date.now() / 1000)
    const forged = await new SignJWT({ appid: em.clientId, tid: em.tenantId })
      .setProtectedHeader({ alg: 'RS256' })
      .setAudience('https://monitor.azure.com')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey)
    const res = await postRows(em, WEB, [webRow('t')], { token: forged })
    assertAzureError(res, 401, 'InvalidToken')
    assert.match(res.json.error?.message ?? '', /signature/)
  })

  test('garbage token → 401 InvalidToken', async () => {
    assertAzureError(await postRows(em, WEB, [webRow('t')], { token: 'not-a-jwt' }), 401, 'InvalidToken')
  })

  test('wrong audience → 401 InvalidAudience; trailing slash accepted', async () => {
    const wrong = await em.issueToken({ audience: 'https://management.azure.com' })
    assertAzureError(await postRows(em, WEB, [webRow('t')], { token: wrong }), 401, 'InvalidAudience')
    const slash = await em.issueToken({ audience: 'https://monitor.azure.com/' })
    assert.equal((await postRows(em, WEB, [webRow('slash')], { token: slash })).status, 204)
  })

  test('no rows stored by refused requests', () => {
    assert.equal(em.store.rows({ eventUid: 't' }).length, 0)
  })

  test('1.1 MB plain JSON → 413 ContentLengthLimitExceeded with the service text', async () => {
    const rows = bigRows()
    const size = Buffer.byteLength(JSON.stringify(rows))
    assert.ok(size > 1_100_000 && size < 1_200_000, `body is ${size} bytes`)
    const res = await postRows(em, WEB, rows, { gzip: false })
    assertAzureError(res, 413, 'ContentLengthLimitExceeded')
    assert.equal(
      res.json.error?.message,
      `Maximum allowed content length: 1048576 bytes (1 MB). Provided content length: ${size} bytes.`,
    )
  })

  test('1.1 MB JSON gzipped (small on the wire) → 413 on the decompressed size', async () => {
    const rows = bigRows()
    const json = Buffer.from(JSON.stringify(rows))
    const gz = gzipSync(json)
    assert.ok(gz.length < 1_048_576)
    const res = await postRows(em, WEB, rows, { body: gz })
    assertAzureError(res, 413, 'ContentLengthLimitExceeded')
    assert.match(res.json.error?.message ?? '', new RegExp(`Provided content length: ${json.length} bytes`))
  })

  test('over 1 MB compressed on the wire → 413', async () => {
    const noise = Buffer.alloc(1_100_000)
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + (i >> 3) * 104729) & 0xff
    const res = await postRows(em, WEB, [], { body: noise })
    assertAzureError(res, 413, 'ContentLengthLimitExceeded')
    assert.match(res.json.error?.message ?? '', /Provided content length: 1100000 bytes/)
  })

  test('exactly at the limit is accepted', async () => {
    const row = webRow('at-limit', { Url: '' })
    const base = Buffer.byteLength(JSON.stringify([row]))
    row.Url = 'y'.repeat(1_048_576 - base)
    assert.equal(Buffer.byteLength(JSON.stringify([row])), 1_048_576)
    assert.equal((await postRows(em, WEB, [row], { gzip: false })).status, 204)
  })

  test('a wrong type → 400 InvalidColumnType naming the row and column', async () => {
    const res = await postRows(em, WEB, [webRow('a'), webRow('b', { EventCount: 'three' })])
    assertAzureError(res, 400, 'InvalidColumnType')
    assert.match(res.json.error?.message ?? '', /Row 1: column 'EventCount' is declared int/)
    assert.equal(em.store.rows({ eventUid: 'a' }).length, 0, 'the whole request is refused')
  })

  test('int range, datetime format, boolean, dynamic', async () => {
    assertAzureError(
      await postRows(em, WEB, [webRow('r', { EventCount: 2 ** 31 })]),
      400,
      'InvalidColumnType',
    )
    assertAzureError(
      await postRows(em, WEB, [webRow('r', { EventStartTime: 'yesterday' })]),
      400,
      'InvalidColumnType',
    )
    assertAzureError(await postRows(em, WEB, [webRow('r', { EventCount: 1.5 })]), 400, 'InvalidColumnType')
    const ok = await postRows(em, WEB, [
      webRow('typed', { EventCount: 3, AdditionalFields: { a: [1, 'b'] } }),
    ])
    assert.equal(ok.status, 204)
    const [row] = em.store.rows({ eventUid: 'typed' })
    assert.equal(row?.EventCount, 3)
    assert.deepEqual(row?.AdditionalFields, { a: [1, 'b'] })
  })

  test('an undeclared column → 400 UndeclaredColumn in strict mode', async () => {
    const res = await postRows(em, WEB, [webRow('u', { NotAColumn: 'x' })])
    assertAzureError(res, 400, 'UndeclaredColumn')
    assert.match(
      res.json.error?.message ?? '',
      /Row 0: column 'NotAColumn' is not declared in stream 'Custom-WatchpostWebSession'/,
    )
  })

  test('missing TimeGenerated → 400 MissingTimeGenerated', async () => {
    assertAzureError(await postRows(em, WEB, [{ EventOriginalUid: 'x' }]), 400, 'MissingTimeGenerated')
  })

  test('not an array → 400 InvalidPayload; not JSON → 400 InvalidJson', async () => {
    assertAzureError(await postRows(em, WEB, { rows: [] }), 400, 'InvalidPayload')
    assertAzureError(await postRows(em, WEB, [], { body: gzipSync('{nope') }), 400, 'InvalidJson')
  })

  test('unknown DCR or stream → 404; unknown api-version → 400', async () => {
    const token = await em.issueToken()
    const headers = { authorization: `Bearer ${token}` }
    const otherDcr = `/dataCollectionRules/dcr-${'f'.repeat(32)}/streams/${WEB}?api-version=2023-01-01`
    assertAzureError(await raw(em, 'POST', otherDcr, '[]', headers), 404, 'DataCollectionRuleNotFound')
    assertAzureError(
      await raw(em, 'POST', ingestPath(em, 'Custom-Nope'), '[]', headers),
      404,
      'StreamNotFound',
    )
    assertAzureError(
      await raw(em, 'POST', ingestPath(em, WEB, 'api-version=2020-01-01'), '[]', headers),
      400,
      'InvalidApiVersion',
    )
  })

  test('strings over 64 KB are truncated, not refused', async () => {
    const res = await postRows(em, WEB, [webRow('long', { Url: 'é'.repeat(40_000) })])
    assert.equal(res.status, 204)
    const url = String(em.store.rows({ eventUid: 'long' })[0]?.Url)
    assert.ok(
      Buffer.byteLength(url) <= 65_536 && Buffer.byteLength(url) > 65_000,
      `${Buffer.byteLength(url)} bytes`,
    )
    assert.ok(url.startsWith('éé') && !url.includes('\uFFFD'))
  })
})

describe('lenient mode and simulated RBAC', () => {
  test('lenient: undeclared columns are dropped and the row is stored', async () => {
    const em = await start({ mode: 'lenient' })
    try {
      const res = await postRows(em, WEB, [webRow('len', { NotAColumn: 'x' })])
      assert.equal(res.status, 204)
      const rows = em.store.rows({ eventUid: 'len' })
      assert.equal(rows.length, 1)
      assert.equal('NotAColumn' in rows[0]!, false)
      // Wrong types are still refused.
      assertAzureError(
        await postRows(em, WEB, [webRow('len2', { EventCount: 'x' })]),
        400,
        'InvalidColumnType',
      )
    } finally {
      await em.close()
    }
  })

  test('allowedPrincipals: another principal gets 403 OperationFailed', async () => {
    const em = await start({ allowedPrincipals: ['someone-else'] })
    try {
      const res = await postRows(em, WEB, [webRow('rbac')])
      assertAzureError(res, 403, 'OperationFailed')
      assert.match(
        res.json.error?.message ?? '',
        /does not have access to ingest data for the data collection rule/,
      )
      const allowed = await postRows(em, WEB, [webRow('rbac')], {
        token: await em.issueToken({ appId: 'someone-else' }),
      })
      assert.equal(allowed.status, 204)
    } finally {
      await em.close()
    }
  })

  test('per-DCR request limit → 429 with Retry-After', async () => {
    const em = await start({ limits: { requestsPerMinute: 2 } })
    try {
      assert.equal((await postRows(em, WEB, [webRow('l1')])).status, 204)
      assert.equal((await postRows(em, WEB, [webRow('l2')])).status, 204)
      const res = await postRows(em, WEB, [webRow('l3')])
      assertAzureError(res, 429, 'TooManyRequests')
      assert.ok(Number(res.headers['retry-after']) >= 1)
    } finally {
      await em.close()
    }
  })
})
