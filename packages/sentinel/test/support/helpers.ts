/** Shared test helpers: an emulator on the test CA, a sentinel sink config for it, real requests. */
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { after, before, beforeEach } from 'node:test'
import { type Emulator, type EmulatorOptions, startEmulator } from '@watchpost/emulator'
import { TEST_TLS_DIR } from './tls-dir.js'

/** The real clients trust the emulator only through NODE_EXTRA_CA_CERTS, set by run-tests.ts. */
export function start(options: EmulatorOptions = {}): Promise<Emulator> {
  if (process.env.NODE_EXTRA_CA_CERTS !== join(TEST_TLS_DIR, 'ca.pem'))
    throw new Error('run these tests with `npm test` (test/support/run-tests.ts sets NODE_EXTRA_CA_CERTS)')
  return startEmulator({ tlsDir: TEST_TLS_DIR, ...options })
}

/**
 * An emulator for the enclosing `describe`: started before its tests, closed after them, its faults,
 * rows and request log cleared before each. Returns a getter (the emulator exists once `before` ran).
 */
export function emulatorPerSuite(options: EmulatorOptions = {}): () => Emulator {
  let em: Emulator | undefined
  before(async () => {
    em = await start(options)
  })
  after(() => em?.close())
  beforeEach(async () => {
    await em!.clearFaults()
    em!.store.clear()
    em!.clearRequests()
  })
  return () => em!
}

/** Polls `check` until it holds; after `ms` throws, with `state()` in the message when given. */
export async function until(check: () => boolean, ms = 10_000, state?: () => unknown): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end)
      throw new Error(`timed out${state === undefined ? '' : `: ${JSON.stringify(state())}`}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The `sinks` entry a user writes for the emulator (file or code), client-secret credential. */
export function sentinelConfig(em: Emulator, extra: { tables?: 'asim' | 'custom' } = {}) {
  return {
    type: 'sentinel' as const,
    endpoint: em.url,
    dcrImmutableId: em.dcrImmutableId,
    ...extra,
    credential: {
      type: 'clientSecret' as const,
      tenantId: em.tenantId,
      clientId: em.clientId,
      clientSecret: em.clientSecret,
      authorityHost: em.url,
    },
  }
}

/**
 * Serves `handler` on a real listening server and sends one GET per header set; resolves when every
 * response has arrived. The handler opens the request context itself, as an adapter would.
 */
export async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  requests: ReadonlyArray<Record<string, string>>,
  path = '/account/export',
): Promise<void> {
  const server = createServer((req, res) => {
    handler(req, res)
    if (!res.writableEnded) res.end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  try {
    for (const headers of requests) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers })
      await response.arrayBuffer()
    }
  } finally {
    server.close()
  }
}

/** The stored row without the emulator's own bookkeeping columns (`_Table`, `_Stream`, …). */
export function columnsOf(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([key]) => !key.startsWith('_')))
}
