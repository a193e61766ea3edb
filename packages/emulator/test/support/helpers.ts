/** Shared test helpers: an emulator on the test CA, the real Azure clients pointed at it, raw HTTPS. */
import { request } from 'node:https'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { ClientSecretCredential, type ClientSecretCredentialOptions } from '@azure/identity'
import {
  isAggregateLogsUploadError,
  LogsIngestionClient,
  type LogsIngestionClientOptions,
} from '@azure/monitor-ingestion'
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/index.js'
import { TEST_TLS_DIR } from './tls-dir.js'

/** The real clients trust the emulator only through NODE_EXTRA_CA_CERTS, set by run-tests.ts. */
export function assertTrusted(): void {
  if (process.env.NODE_EXTRA_CA_CERTS !== join(TEST_TLS_DIR, 'ca.pem')) {
    throw new Error('run these tests with `npm test` (test/support/run-tests.ts sets NODE_EXTRA_CA_CERTS)')
  }
}

export function start(options: EmulatorOptions = {}): Promise<Emulator> {
  assertTrusted()
  return startEmulator({ tlsDir: TEST_TLS_DIR, ...options })
}

export function credential(
  em: Emulator,
  options: ClientSecretCredentialOptions = {},
  secret = em.clientSecret,
) {
  return new ClientSecretCredential(em.tenantId, em.clientId, secret, {
    authorityHost: em.url,
    disableInstanceDiscovery: true,
    ...options,
  })
}

export function ingestClient(em: Emulator, options: LogsIngestionClientOptions = {}, cred = credential(em)) {
  return new LogsIngestionClient(em.url, cred, options)
}

/** The first failure of an `upload` that is expected to throw AggregateLogsUploadError. */
export async function uploadFailure(
  promise: Promise<void>,
): Promise<{ cause: Record<string, unknown>; failed: number }> {
  try {
    await promise
  } catch (err) {
    if (!isAggregateLogsUploadError(err)) throw err
    const first = err.errors[0]
    if (first === undefined) throw new Error('AggregateLogsUploadError without errors')
    return { cause: first.cause as unknown as Record<string, unknown>, failed: first.failedLogs.length }
  }
  throw new Error('upload succeeded, a failure was expected')
}

export interface RawResponse {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
  readonly json: { error?: { code?: string; message?: string } } & Record<string, unknown>
}

/** Raw HTTPS for what the SDK will not send (no token, oversized bodies, wrong types). */
export function raw(
  em: Emulator,
  method: string,
  path: string,
  body?: Buffer | string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${em.url}${path}`,
      {
        method,
        ca: em.caPem,
        agent: false,
        headers:
          body === undefined ? headers : { 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json = {}
          try {
            json = text === '' ? {} : JSON.parse(text)
          } catch {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json })
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

export function ingestPath(em: Emulator, stream: string, query = 'api-version=2023-01-01'): string {
  return `/dataCollectionRules/${em.dcrImmutableId}/streams/${stream}?${query}`
}

/** POST rows as the client would (gzip JSON), with a token from the emulator unless one is given. */
export async function postRows(
  em: Emulator,
  stream: string,
  rows: unknown,
  options: { token?: string | null; gzip?: boolean; body?: Buffer } = {},
): Promise<RawResponse> {
  const token = options.token === undefined ? await em.issueToken() : options.token
  const json = Buffer.from(JSON.stringify(rows))
  const gzip = options.gzip ?? true
  const body = options.body ?? (gzip ? gzipSync(json) : json)
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (gzip) headers['content-encoding'] = 'gzip'
  if (token !== null) headers.authorization = `Bearer ${token}`
  return raw(em, 'POST', ingestPath(em, stream), body, headers)
}

export const WEB = 'Custom-WatchpostWebSession'

export function webRow(uid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    TimeGenerated: new Date().toISOString(),
    EventType: 'HTTPsession',
    EventOriginalUid: uid,
    ...extra,
  }
}
