/**
 * The emulator's key material, generated once and kept in a directory so that a client process can
 * be started with `NODE_EXTRA_CA_CERTS=<dir>/ca.pem` before the emulator runs (Node reads it only at
 * start-up, client-behaviour.md §5): a CA, a server certificate it signs for localhost, 127.0.0.1 and
 * ::1, and the RS256 key that signs access tokens (kept so tokens cached by a client survive a restart).
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { generate } from 'selfsigned'
import { EmulatorError } from './errors.js'

export interface TlsMaterial {
  readonly dir: string
  readonly caPath: string
  readonly caPem: string
  readonly certPem: string
  readonly keyPem: string
  /** PKCS#8 PEM of the token signing key. */
  readonly signingKeyPem: string
}

const FILES = {
  ca: 'ca.pem',
  caKey: 'ca-key.pem',
  cert: 'cert.pem',
  key: 'key.pem',
  signingKey: 'token-signing-key.pem',
} as const

/** Regenerate the server certificate when it has less than this left. */
const RENEW_BEFORE_MS = 7 * 86_400_000
const DAY_MS = 86_400_000

export const DEFAULT_TLS_DIR = join('.watchpost', 'emulator', 'tls')

/** Loads the material in `dir`, creating or renewing it when missing or about to expire. */
export async function ensureTls(dirOption: string | undefined): Promise<TlsMaterial> {
  const dir = resolve(dirOption ?? DEFAULT_TLS_DIR)
  const existing = load(dir)
  if (existing !== undefined) return existing
  try {
    await create(dir)
  } catch (cause) {
    throw new EmulatorError('ERR_WATCHPOST_EMULATOR_TLS_FAILED', `cannot create TLS material in ${dir}`, {
      cause,
    })
  }
  const created = load(dir)
  if (created === undefined) {
    throw new EmulatorError('ERR_WATCHPOST_EMULATOR_TLS_FAILED', `TLS material in ${dir} is unusable`)
  }
  return created
}

function load(dir: string): TlsMaterial | undefined {
  const paths = Object.values(FILES).map((file) => join(dir, file))
  if (!paths.every((path) => existsSync(path))) return undefined
  const read = (file: string): string => readFileSync(join(dir, file), 'utf8')
  const caPem = read(FILES.ca)
  const certPem = read(FILES.cert)
  try {
    const ca = new X509Certificate(caPem)
    const cert = new X509Certificate(certPem)
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return undefined
    if (Date.parse(cert.validTo) - Date.now() < RENEW_BEFORE_MS) return undefined
    if (Date.parse(ca.validTo) - Date.now() < RENEW_BEFORE_MS) return undefined
  } catch {
    return undefined
  }
  return {
    dir,
    caPath: join(dir, FILES.ca),
    caPem,
    certPem,
    keyPem: read(FILES.key),
    signingKeyPem: read(FILES.signingKey),
  }
}

/**
 * Writes everything into a sibling temporary directory, then renames it into place: two processes
 * starting at once (parallel test files) never see a CA from one and a certificate from the other.
 */
async function create(dir: string): Promise<void> {
  const now = Date.now()
  const ca = await generate([{ name: 'commonName', value: 'Watchpost Emulator Local CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - DAY_MS),
    notAfterDate: new Date(now + 3650 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  })
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - DAY_MS),
    // 397 days: the longest validity browsers and TLS stacks accept for a server certificate.
    notAfterDate: new Date(now + 397 * DAY_MS),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  })
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const signingPem = signing.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string

  if (load(dir) !== undefined) return // another process finished first
  mkdirSync(dirname(dir), { recursive: true })
  const tmp = `${dir}.tmp-${process.pid}-${now}`
  mkdirSync(tmp, { recursive: true })
  const secret = { mode: 0o600 }
  writeFileSync(join(tmp, FILES.ca), ca.cert)
  writeFileSync(join(tmp, FILES.caKey), ca.private, secret)
  writeFileSync(join(tmp, FILES.cert), server.cert)
  writeFileSync(join(tmp, FILES.key), server.private, secret)
  writeFileSync(join(tmp, FILES.signingKey), signingPem, secret)
  if (existsSync(dir)) {
    // Stale or partial material: move it aside (rename onto a non-empty directory fails).
    const old = `${dir}.old-${process.pid}-${now}`
    try {
      renameSync(dir, old)
      rmSync(old, { recursive: true, force: true })
    } catch {
      // Another process moved it first.
    }
  }
  try {
    renameSync(tmp, dir)
  } catch {
    // Another process won the race; use its material.
    rmSync(tmp, { recursive: true, force: true })
  }
}
