/**
 * `credential.type` → the @azure/identity credential, misconfiguration refused at start-up, and the
 * environment-driven credentials (`default`, `managedIdentity`) end to end against the emulator.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { AuthenticationError, AuthenticationRequiredError, CredentialUnavailableError } from '@azure/identity'
import { createWatchpost, type WatchpostError } from '@watchpost/core'
import type { Emulator } from '@watchpost/emulator'
import { classifyUploadError, createSentinelDestination } from '../src/index.js'
import { start } from './support/helpers.js'

const app = { name: 'shop', version: '1.0.0', environment: 'test', host: 'web-01' }

/**
 * Asserts on `code`, not `instanceof`: under tsx, core's `require('@watchpost/sentinel')` goes through
 * tsx's CommonJS hook and gets its own copy of core; plain Node shares one instance (require(esm)).
 */
function sinkError(fn: () => unknown): Pick<WatchpostError, 'code' | 'message' | 'name'> {
  try {
    fn()
  } catch (err) {
    assert.equal((err as Error).name, 'WatchpostError', String(err))
    return err as WatchpostError
  }
  assert.fail('expected a WatchpostError')
}

describe('credential failures', () => {
  const required = (message: string) =>
    new AuthenticationRequiredError({ scopes: ['https://monitor.azure.com/.default'], message })

  test('Entra refusing the credentials (an RFC 6749 refusal code, a 4xx) is auth', () => {
    for (const err of [
      required(
        'invalid_client: Error(s): 7000215 - Description: AADSTS7000215: Invalid client secret provided.',
      ),
      required('unauthorized_client: Error(s): 700016 - Description: AADSTS700016: Application not found.'),
      new AuthenticationError(400, { error: 'invalid_request', error_description: 'AADSTS90002' }),
    ]) {
      const e = classifyUploadError(err)
      assert.equal(e.kind, 'auth', err.message)
      assert.match(e.message, /^credential refused: /)
    }
  })

  test('Entra unreachable or unavailable is retry, and says that the token is what failed', () => {
    for (const err of [
      required('network_error: See https://aka.ms/msal.js.errors#network_error for details'),
      required('temporarily_unavailable: Error(s): 90033 - Description: AADSTS90033: A transient error'),
      new CredentialUnavailableError('endpoints_resolution_error: See https://aka.ms/msal.js.errors'),
      new AuthenticationError(503, { error: 'temporarily_unavailable', error_description: 'AADSTS90033' }),
    ]) {
      const e = classifyUploadError(err)
      assert.equal(e.kind, 'retry', err.message)
      assert.match(e.message, /^no access token: /)
    }
  })
})

describe('sentinel credentials', () => {
  let em: Emulator
  before(async () => {
    em = await start()
  })
  after(() => em.close())

  const base = () => ({ type: 'sentinel' as const, endpoint: em.url, dcrImmutableId: em.dcrImmutableId })

  test('clientSecret without its ids is refused at start-up, naming what is missing', () => {
    const err = sinkError(() =>
      createWatchpost({
        config: false,
        sinks: [{ ...base(), credential: { type: 'clientSecret', clientId: em.clientId } }],
      }),
    )
    assert.equal(err.code, 'ERR_WATCHPOST_SINK_INVALID')
    assert.match(err.message, /credential\.tenantId, credential\.clientSecret/)
  })

  test('a field the credential type does not use is refused, not ignored', () => {
    const err = sinkError(() =>
      createWatchpost({
        config: false,
        sinks: [{ ...base(), credential: { type: 'managedIdentity', clientSecret: 'oops-a-secret' } }],
      }),
    )
    assert.equal(err.code, 'ERR_WATCHPOST_SINK_INVALID')
    assert.match(err.message, /credential\.clientSecret is not used by credential\.type "managedIdentity"/)
    assert.doesNotMatch(err.message, /oops-a-secret/)
  })

  test('createSentinelDestination names the sink after the DCR and refuses misuse with TypeError', () => {
    const config = {
      ...base(),
      tables: 'asim' as const,
      http: 'undici' as const,
      credential: { type: 'managedIdentity' as const },
    }
    assert.equal(createSentinelDestination(config).name, `sentinel:${em.dcrImmutableId}`)
    assert.throws(() => createSentinelDestination({ ...config, endpoint: 'http://x' }), {
      name: 'WatchpostTypeError',
      code: 'ERR_WATCHPOST_SENTINEL_OPTIONS_INVALID',
    })
    assert.throws(() => createSentinelDestination({ ...config, tables: 'both' as 'asim' }), {
      name: 'WatchpostTypeError',
      code: 'ERR_WATCHPOST_SENTINEL_OPTIONS_INVALID',
    })
    assert.throws(() => createSentinelDestination({ ...config, http: 'fetch' as 'node' }), {
      name: 'WatchpostTypeError',
      code: 'ERR_WATCHPOST_SENTINEL_OPTIONS_INVALID',
    })
  })

  for (const [type, keys] of [
    // DefaultAzureCredential → EnvironmentCredential; instance discovery is turned off because
    // AZURE_AUTHORITY_HOST is not a Microsoft cloud (there is no env variable for it).
    ['default', ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_AUTHORITY_HOST']],
    // App Service managed identity source (IDENTITY_ENDPOINT + IDENTITY_HEADER).
    ['managedIdentity', ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER']],
  ] as const) {
    test(`credential.type ${type} from the environment delivers`, async () => {
      const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]))
      for (const key of keys) process.env[key] = em.env[key]
      try {
        const wp = createWatchpost({
          config: false,
          app,
          // `credential` omitted means `{ type: 'default' }`.
          sinks: [type === 'default' ? base() : { ...base(), credential: { type } }],
        })
        const event = wp.record('authz_fail', { userId: 'mallory', resource: '/admin' })
        await wp.close()
        assert.deepEqual(wp.stats().sinks[`sentinel:${em.dcrImmutableId}`], {
          delivered: 1,
          failed: 0,
          lastError: undefined,
        })
        assert.equal(em.store.rows({ eventUid: event!.EventUid }).length, 1)
      } finally {
        for (const key of keys) {
          if (saved[key] === undefined) delete process.env[key]
          else process.env[key] = saved[key]
        }
      }
    })
  }
})
