/**
 * `startEmulator()`: one HTTPS listener for the Logs Ingestion endpoint, Entra ID, managed identity and
 * the admin API. Options are normalised once; the listener can be taken down and reopened on the same
 * port by the `down` fault.
 */
import type { ServerResponse } from 'node:http'
import { createServer } from 'node:https'
import type { Socket } from 'node:net'
import { WatchpostTypeError } from '@watchpost/core'
import { createAdminHandler } from './admin.js'
import { compileDcr, defaultDcr } from './dcr.js'
import { createEntraHandler } from './entra.js'
import { EmulatorError } from './errors.js'
import { FaultState } from './faults.js'
import { sendAzureError } from './http.js'
import { createIngestHandler, INGEST_ROUTE } from './ingest.js'
import { openStore } from './store.js'
import { ensureTls } from './tls.js'
import { createTokenIssuer } from './tokens.js'
import type { Emulator, EmulatorOptions, FaultConfig, RequestRecord, ValidationMode } from './types.js'

/**
 * Well-known local values, like Azurite's account key: an app's env file keeps working across restarts.
 * None of them is a real Azure identifier.
 */
export const DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  mode: 'strict' as ValidationMode,
  tenantId: '00000000-0000-4000-8000-00000000a11d',
  clientId: '00000000-0000-4000-8000-00000000c11e',
  clientSecret: 'watchpost-emulator-client-secret',
  objectId: '00000000-0000-4000-8000-0000000000b1',
  managedIdentityClientId: '00000000-0000-4000-8000-0000000000e1',
  identityHeader: 'watchpost-emulator-identity-header',
  dcrImmutableId: 'dcr-00000000000000000000000000000000',
  requireTimeGenerated: true,
  // Service limits per DCR (logs-ingestion-api.md §2).
  requestsPerMinute: 12_000,
  bytesPerMinute: 2 * 1024 ** 3,
  tokenLifetimeSeconds: 3599,
})

const MAX_REQUEST_LOG = 10_000

function text(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || value === '') {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_EMULATOR_OPTIONS_INVALID',
      `${name} must be a non-empty string`,
    )
  }
  return value
}

function positive(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_EMULATOR_OPTIONS_INVALID',
      `${name} must be a positive number`,
    )
  }
  return value
}

function normalise(options: EmulatorOptions) {
  const port = options.port ?? DEFAULTS.port
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_EMULATOR_OPTIONS_INVALID',
      'port must be an integer from 0 to 65535',
    )
  }
  const mode = options.mode ?? DEFAULTS.mode
  if (mode !== 'strict' && mode !== 'lenient') {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_EMULATOR_OPTIONS_INVALID',
      'mode must be "strict" or "lenient"',
    )
  }
  const dcrImmutableId = text(
    options.dcrImmutableId ?? dcrIdOf(options),
    'dcrImmutableId',
    DEFAULTS.dcrImmutableId,
  )
  if (!/^dcr-[0-9a-f]{32}$/.test(dcrImmutableId)) {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_EMULATOR_OPTIONS_INVALID',
      'dcrImmutableId must be "dcr-" and 32 lowercase hex digits',
    )
  }
  const tokenLifetimeSeconds = positive(
    options.tokenLifetimeSeconds,
    'tokenLifetimeSeconds',
    DEFAULTS.tokenLifetimeSeconds,
  )
  if (options.allowedPrincipals !== undefined && !Array.isArray(options.allowedPrincipals)) {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_EMULATOR_OPTIONS_INVALID',
      'allowedPrincipals must be an array of app or object ids',
    )
  }
  return {
    host: text(options.host, 'host', DEFAULTS.host),
    port,
    mode,
    dcrImmutableId,
    tenantId: text(options.tenantId, 'tenantId', DEFAULTS.tenantId),
    clientId: text(options.clientId, 'clientId', DEFAULTS.clientId),
    clientSecret: text(options.clientSecret, 'clientSecret', DEFAULTS.clientSecret),
    identityHeader: text(options.identityHeader, 'identityHeader', DEFAULTS.identityHeader),
    requireTimeGenerated: options.requireTimeGenerated ?? DEFAULTS.requireTimeGenerated,
    requestsPerMinute: positive(
      options.limits?.requestsPerMinute,
      'limits.requestsPerMinute',
      DEFAULTS.requestsPerMinute,
    ),
    bytesPerMinute: positive(
      options.limits?.bytesPerMinute,
      'limits.bytesPerMinute',
      DEFAULTS.bytesPerMinute,
    ),
    tokenLifetimeSeconds,
    allowedPrincipals:
      options.allowedPrincipals === undefined ? undefined : new Set(options.allowedPrincipals),
  }
}

function dcrIdOf(options: EmulatorOptions): string | undefined {
  const dcr = options.dcr
  if (dcr === undefined) return undefined
  return 'properties' in dcr ? dcr.properties.immutableId : dcr.immutableId
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const o = normalise(options)
  const tls = await ensureTls(options.tlsDir)
  const issuer = await createTokenIssuer(tls.signingKeyPem)
  const streams = compileDcr(options.dcr ?? defaultDcr())
  const store = openStore(streams, options.dbPath)
  const faults = new FaultState()
  if (options.faults !== undefined) faults.set(options.faults)
  let requestLog: RequestRecord[] = []
  let url = ''
  let port = o.port

  const entra = createEntraHandler({
    url: () => url,
    tenantId: o.tenantId,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    objectId: DEFAULTS.objectId,
    identityHeader: o.identityHeader,
    managedIdentityClientId: DEFAULTS.managedIdentityClientId,
    tokenLifetimeSeconds: o.tokenLifetimeSeconds,
    issuer,
    fault: () => faults.tokenFault(),
    secretExpired: () => faults.secretExpired(),
    hold(res) {
      held.add(res)
      res.on('close', () => held.delete(res))
    },
  })
  const ingest = createIngestHandler({
    dcrImmutableId: o.dcrImmutableId,
    streams,
    mode: o.mode,
    requireTimeGenerated: o.requireTimeGenerated,
    allowedPrincipals: o.allowedPrincipals,
    requestsPerMinute: o.requestsPerMinute,
    bytesPerMinute: o.bytesPerMinute,
    issuer,
    store,
    faults,
    record(entry) {
      if (requestLog.length >= MAX_REQUEST_LOG) requestLog.shift()
      requestLog.push(entry)
    },
  })
  let emulator: Emulator | undefined
  /** Token requests the `hang` fault holds; their connections are reset when the faults change. */
  const held = new Set<ServerResponse>()
  function releaseHeld(): void {
    for (const res of held) res.destroy()
    held.clear()
  }
  const admin = createAdminHandler(() => emulator as Emulator)

  const sockets = new Set<Socket>()
  const server = createServer({ key: tls.keyPem, cert: tls.certPem, minVersion: 'TLSv1.2' }, (req, res) => {
    const reqUrl = new URL(req.url ?? '/', 'https://emulator.invalid')
    const handled = (async () => {
      const match = INGEST_ROUTE.exec(reqUrl.pathname)
      if (match !== null && req.method === 'POST') return ingest(req, res, reqUrl, match)
      if (await entra(req, res, reqUrl)) return
      if (await admin(req, res, reqUrl)) return
      sendAzureError(res, 404, 'NotFound', `No route for ${req.method} ${reqUrl.pathname}.`)
    })()
    handled.catch((err: unknown) => {
      if (!res.headersSent)
        sendAzureError(res, 500, 'InternalServerError', `Emulator error: ${(err as Error).message}`)
      else res.destroy()
    })
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('tlsClientError', () => {}) // a client that distrusts the CA; nothing to report here

  let listening = false
  let closed = false
  let reopenTimer: NodeJS.Timeout | undefined

  async function listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        server.off('listening', onListening)
        reject(
          new EmulatorError('ERR_WATCHPOST_EMULATOR_LISTEN_FAILED', `cannot listen on ${o.host}:${port}`, {
            cause: err,
          }),
        )
      }
      const onListening = () => {
        server.off('error', onError)
        resolve()
      }
      server.once('error', onError)
      server.once('listening', onListening)
      server.listen(port, o.host)
    })
    listening = true
    const address = server.address()
    if (address !== null && typeof address === 'object') port = address.port
  }

  async function stopListening(): Promise<void> {
    if (!listening) return
    listening = false
    const closedPromise = new Promise<void>((resolve) => server.close(() => resolve()))
    // Open keep-alive connections would let a client through; `down` means connection refused.
    for (const socket of sockets) socket.destroy()
    await closedPromise
  }

  /** Brings the listener in line with the `down` fault. */
  async function applyDown(): Promise<void> {
    if (reopenTimer !== undefined) clearTimeout(reopenTimer)
    reopenTimer = undefined
    if (closed) return
    const downFor = faults.downFor()
    if (downFor > 0) {
      await stopListening()
      if (Number.isFinite(downFor)) {
        reopenTimer = setTimeout(() => {
          reopenTimer = undefined
          if (!closed && !listening) void listen().catch(() => {})
        }, downFor)
        reopenTimer.unref()
      }
    } else if (!listening) await listen()
  }

  await listen()
  url = `https://${urlHost(o.host)}:${port}`
  await applyDown()

  const env: Record<string, string> = {
    WATCHPOST_INGESTION_ENDPOINT: url,
    WATCHPOST_DCR_IMMUTABLE_ID: o.dcrImmutableId,
    AZURE_TENANT_ID: o.tenantId,
    AZURE_CLIENT_ID: o.clientId,
    AZURE_CLIENT_SECRET: o.clientSecret,
    AZURE_AUTHORITY_HOST: url,
    NODE_EXTRA_CA_CERTS: tls.caPath,
    IDENTITY_ENDPOINT: `${url}/msi/token`,
    IDENTITY_HEADER: o.identityHeader,
  }

  emulator = {
    url,
    port,
    caPath: tls.caPath,
    caPem: tls.caPem,
    tenantId: o.tenantId,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    identityHeader: o.identityHeader,
    dcrImmutableId: o.dcrImmutableId,
    mode: o.mode,
    streams,
    env: Object.freeze(env),
    store,
    async setFaults(config: FaultConfig) {
      faults.set(config)
      releaseHeld()
      await applyDown()
    },
    async clearFaults() {
      faults.set({})
      releaseHeld()
      await applyDown()
    },
    faults: () => faults.config,
    requests: () => [...requestLog],
    clearRequests() {
      requestLog = []
    },
    issueToken(claims = {}) {
      return issuer.sign({
        audience: claims.audience ?? 'https://monitor.azure.com',
        tenantId: o.tenantId,
        appId: claims.appId ?? o.clientId,
        objectId: DEFAULTS.objectId,
        expiresIn: claims.expiresInSeconds ?? o.tokenLifetimeSeconds,
        ...(claims.notBeforeSeconds === undefined ? {} : { notBefore: claims.notBeforeSeconds }),
      })
    },
    async close() {
      if (closed) return
      closed = true
      if (reopenTimer !== undefined) clearTimeout(reopenTimer)
      await stopListening()
      store.close()
    },
  }
  return emulator
}
