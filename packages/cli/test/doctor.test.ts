/**
 * `watchpost doctor` end to end: the real bin in a child process, the real @azure/identity and
 * @azure/monitor-ingestion clients inside it, the emulator over HTTPS playing Entra and the Logs
 * Ingestion API, one injected fault per test — each asserting the step that fails and the cause it
 * names. The child trusts the emulator's CA through the sink's `tls.ca`, as an app would.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, before, describe, test } from 'node:test'
import {
  type DcrDefinition,
  defaultDcr,
  type Emulator,
  sentinelSinkFor,
  startEmulator,
} from '@watchpost/emulator'
import type { StepResult } from '../src/doctor/types.js'
import { classifyUpload } from '../src/doctor/upload-failure.js'
import { settleNotFound } from '../src/doctor/uploads.js'
import { run } from './support/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'watchpost-doctor-'))
const TLS_DIR = join(dir, 'tls')

interface Run {
  readonly code: number
  readonly report: { ok: boolean; steps: StepResult[] }
  readonly stderr: string
}

/** The child's environment: nothing of the test runner's Azure or CA settings leaks in. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(AZURE_|NODE_EXTRA_CA_CERTS|WATCHPOST_|IDENTITY_|MSI_|HTTPS?_PROXY)/i.test(k)) env[k] = v
  }
  return { ...env, NO_PROXY: 'localhost,127.0.0.1', ...extra }
}

let configs = 0
/** Runs `watchpost --json doctor` on `config` (written as a file) and parses its report. */
async function doctor(config: unknown, args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  const file = join(dir, `config-${++configs}.json`)
  writeFileSync(file, JSON.stringify(config))
  // Asynchronous on purpose: the emulator answers from this very process.
  const { code, stdout, stderr } = await run(
    ['--json', 'doctor', '--config', file, '--timeout', '10000', ...args],
    { env: childEnv(env), cwd: dir, timeoutMs: 120_000 },
  )
  try {
    return { code: code ?? -1, report: JSON.parse(stdout), stderr }
  } catch {
    throw new Error(`no JSON report (exit ${code}): ${stdout}\n${stderr}`)
  }
}

type Sink = ReturnType<typeof sentinelSinkFor>

function configWith(em: Emulator, change: (sink: Sink) => Record<string, unknown> = (s) => s) {
  return { app: { name: 'doctor-test' }, sinks: [change(sentinelSinkFor(em))] }
}

/** The last step, which a failing run stops at, and its named cause. */
function failure(run: Run): StepResult {
  assert.equal(run.code, 1, `exit 1 for a failed step (stderr: ${run.stderr})`)
  assert.equal(run.report.ok, false)
  const failedSteps = run.report.steps.filter((s) => !s.ok)
  assert.ok(failedSteps.length > 0, 'a step failed')
  return failedSteps[0]!
}

function stepNames(run: Run): string[] {
  return run.report.steps.map((s) => s.name)
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const UPLOADS = [
  'upload Custom-WatchpostWebSession',
  'upload Custom-WatchpostAuthentication',
  'upload Custom-WatchpostAuditEvent',
  'upload Custom-WatchpostUserManagement',
]

describe('watchpost doctor against the emulator', () => {
  let em: Emulator
  before(async () => {
    em = await startEmulator({ tlsDir: TLS_DIR })
  })
  afterEach(async () => {
    await em.clearFaults()
    em.store.clear()
  })
  after(async () => {
    await em.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('all good: every step passes, exit 0, one flagged test event lands in each ASIM table', async () => {
    const run = await doctor(configWith(em))
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.report.ok, true)
    assert.deepEqual(stepNames(run), ['config', 'credential', 'token', 'endpoint', ...UPLOADS])
    assert.ok(run.report.steps.every((s) => s.ok && s.hint === null && s.cause === undefined))
    const counts = em.store.counts()
    for (const table of [
      'ASimWebSessionLogs',
      'ASimAuthenticationEventLogs',
      'ASimAuditEventLogs',
      'ASimUserManagementActivityLogs',
    ]) {
      assert.equal(counts[table], 1, table)
      const [row] = em.store.rows({ table })
      assert.equal(row?.EventOriginalType, 'sys_monitor_enabled')
      assert.deepEqual((row?.AdditionalFields as { Details?: unknown } | undefined)?.Details, {
        WatchpostDoctorTest: true,
      })
    }
  })

  test('custom tables: one stream, one row in WatchpostSecurityEvents_CL', async () => {
    const run = await doctor(configWith(em, (s) => ({ ...s, tables: 'custom' })))
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(stepNames(run).slice(4), ['upload Custom-WatchpostSecurityEvents'])
    assert.equal(em.store.rows({ table: 'WatchpostSecurityEvents_CL' }).length, 1)
  })

  test('managed identity (App Service endpoint from the environment): named in the credential step, all good', async () => {
    const run = await doctor(
      configWith(em, (s) => ({ ...s, credential: { type: 'managedIdentity' } })),
      [],
      {
        IDENTITY_ENDPOINT: `${em.url}/msi/token`,
        IDENTITY_HEADER: em.identityHeader,
      },
    )
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.report.steps[1]?.detail ?? '', /system-assigned managed identity through App Service/)
  })

  test('wrong tenant: the token step names an unknown tenant', async () => {
    const run = await doctor(
      configWith(em, (s) => ({
        ...s,
        credential: { ...s.credential, tenantId: '11111111-1111-4111-8111-111111111111' },
      })),
    )
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['token', 'unknown-tenant'])
    assert.match(step.detail, /AADSTS90002/)
    assert.deepEqual(stepNames(run), ['config', 'credential', 'token'], 'stops at the token')
  })

  test('unknown client id: the token step names it (AADSTS700016)', async () => {
    const run = await doctor(
      configWith(em, (s) => ({
        ...s,
        credential: { ...s.credential, clientId: '22222222-2222-4222-8222-222222222222' },
      })),
    )
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['token', 'unknown-client'])
    assert.match(step.detail, /AADSTS700016/)
  })

  test('wrong secret: the token step names it (AADSTS7000215)', async () => {
    const run = await doctor(
      configWith(em, (s) => ({ ...s, credential: { ...s.credential, clientSecret: 'not-it' } })),
    )
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['token', 'wrong-secret'])
    assert.match(step.detail, /AADSTS7000215/)
  })

  test('expired secret: the token step says EXPIRED (AADSTS7000222)', async () => {
    await em.setFaults({ secretExpired: true })
    const run = await doctor(configWith(em))
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['token', 'secret-expired'])
    assert.match(step.detail, /EXPIRED \(AADSTS7000222\)/)
  })

  test('self-signed CA not trusted: the token step names TLS trust and NODE_EXTRA_CA_CERTS / tls.ca', async () => {
    const run = await doctor(
      configWith(em, ({ tls: _tls, ...s }) => s),
      [],
    )
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['token', 'tls-untrusted'])
    assert.match(step.hint ?? '', /NODE_EXTRA_CA_CERTS/)
    assert.match(step.hint ?? '', /tls\.ca/)
  })

  test('Entra unreachable (a closed loopback port as the authority): the token step says so', async () => {
    const port = await closedPort()
    const run = await doctor(
      configWith(em, (s) => ({
        ...s,
        credential: { ...s.credential, authorityHost: `https://127.0.0.1:${port}` },
      })),
    )
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['token', 'unreachable'])
    assert.match(step.detail, /Microsoft Entra ID at 127\.0\.0\.1:\d+ is unreachable.*ECONNREFUSED/)
  })

  test('Entra not answering: the token step times out within --timeout, and the process does not linger', async () => {
    await em.setFaults({ token: { mode: 'hang' } })
    const started = Date.now()
    const run = await doctor(configWith(em), ['--timeout', '1500'])
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['token', 'timeout'])
    // Bounded by --timeout (token, then the discovery probe), not by the HTTP client's 30-s default.
    assert.ok(Date.now() - started < 25_000, `finished in ${Date.now() - started} ms`)
  })

  test('endpoint unreachable (a closed loopback port): the endpoint step fails, nothing is uploaded', async () => {
    const port = await closedPort()
    const run = await doctor(configWith(em, (s) => ({ ...s, endpoint: `https://127.0.0.1:${port}` })))
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['endpoint', 'unreachable'])
    assert.match(step.detail, /ECONNREFUSED/)
    assert.deepEqual(stepNames(run), ['config', 'credential', 'token', 'endpoint'])
  })

  test('a DCR immutable id that does not exist: every upload says so', async () => {
    const run = await doctor(configWith(em, (s) => ({ ...s, dcrImmutableId: `dcr-${'ab'.repeat(16)}` })))
    failure(run)
    const uploads = run.report.steps.slice(4)
    assert.deepEqual(
      uploads.map((s) => [s.name, s.cause]),
      UPLOADS.map((name) => [name, 'dcr-not-found']),
    )
  })

  test('a stream name with a typo: that stream fails as not declared, the others pass', async () => {
    const run = await doctor(
      configWith(em, (s) => ({ ...s, streams: { WebSession: 'Custom-WatchpostWebSesion' } })),
    )
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['upload Custom-WatchpostWebSesion', 'stream-not-found'])
    assert.deepEqual(
      run.report.steps.slice(5).map((s) => s.ok),
      [true, true, true],
    )
  })

  test('principal without the role: 403, named as the missing Monitoring Metrics Publisher role (or too recent)', async () => {
    await em.setFaults({ roleMissing: true })
    const run = await doctor(configWith(em))
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['upload Custom-WatchpostWebSession', 'role-missing'])
    assert.match(step.detail, /Monitoring Metrics Publisher/)
    assert.match(step.detail, /30 minutes/)
    assert.equal(run.report.steps.length, 5, 'the other streams would answer the same: not tried')
  })

  test('a token for another audience: the upload is refused with 401, named as the audience', async () => {
    const run = await doctor(configWith(em, (s) => ({ ...s, audience: 'https://monitor.azure.us' })))
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['upload Custom-WatchpostWebSession', 'token-rejected'])
    assert.match(step.detail, /InvalidAudience/)
  })

  test('service busy (429): not a configuration problem', async () => {
    await em.setFaults({ throttle: { retryAfterSeconds: 1 } })
    const run = await doctor(configWith(em))
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['upload Custom-WatchpostWebSession', 'service-busy'])
    assert.match(step.detail, /not a configuration problem/)
  })

  test('no sentinel sink in the configuration: the config step fails', async () => {
    const run = await doctor({ sinks: [{ type: 'console' }] })
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['config', 'no-sentinel-sink'])
  })

  test('--sink picks one sentinel sink by its DCR id; an unknown one fails the config step', async () => {
    const good = sentinelSinkFor(em)
    const config = { sinks: [{ ...good, dcrImmutableId: `dcr-${'cd'.repeat(16)}` }, good] }
    const picked = await doctor(config, ['--sink', em.dcrImmutableId])
    assert.equal(picked.code, 0, picked.stderr)
    assert.match(picked.report.steps[0]?.detail ?? '', /sinks\[1\]/)
    const missing = await doctor(config, ['--sink', 'sinks[7]'])
    assert.equal(failure(missing).cause, 'sink-not-found')
  })

  test('wrong usage exits 2', async () => {
    const usage = await run(['doctor', '--timeout', 'soon'], { env: childEnv() })
    assert.equal(usage.code, 2)
  })
})

describe('watchpost doctor: a DCR that does not match this Watchpost version', () => {
  let em: Emulator
  before(async () => {
    // The web-session stream as an older template declared it: without EventMessage.
    const dcr = defaultDcr()
    const web = dcr.streamDeclarations['Custom-WatchpostWebSession']!
    const older: DcrDefinition = {
      ...dcr,
      streamDeclarations: {
        ...dcr.streamDeclarations,
        'Custom-WatchpostWebSession': { columns: web.columns.filter((c) => c.name !== 'EventMessage') },
      },
    }
    em = await startEmulator({ tlsDir: TLS_DIR, dcr: older })
  })
  after(() => em.close())

  test('a column the stream does not declare: 400, pointing to watchpost templates', async () => {
    const run = await doctor(configWith(em))
    const step = failure(run)
    assert.deepEqual([step.name, step.cause], ['upload Custom-WatchpostWebSession', 'dcr-mismatch'])
    assert.match(step.detail, /EventMessage/)
    assert.match(step.hint ?? '', /watchpost templates/)
    assert.deepEqual(
      run.report.steps.slice(5).map((s) => s.ok),
      [true, true, true],
      'the other streams still pass',
    )
  })
})

describe('what an upload failure means (no emulator answer reaches these)', () => {
  const DCR = `dcr-${'0'.repeat(32)}`
  test('413 ContentLengthLimitExceeded for one small event: something in between limits the size', () => {
    const verdict = classifyUpload(
      {
        statusCode: 413,
        code: 'ContentLengthLimitExceeded',
        message: 'Maximum allowed content length: 1048576 bytes (1 MB).',
      },
      DCR,
      'Custom-WatchpostWebSession',
    )
    assert.equal(verdict.cause, 'too-large')
  })

  test('5xx and 408 are the service being busy; a 404 without a code is left to the other streams', () => {
    for (const statusCode of [408, 500, 503])
      assert.equal(
        classifyUpload({ statusCode, message: 'x' }, DCR, 's').cause,
        'service-busy',
        String(statusCode),
      )
    assert.equal(classifyUpload({ statusCode: 404, message: 'x' }, DCR, 's').cause, 'dcr-or-stream-not-found')
  })

  test('a 404 without a code: another stream reaching the DCR makes it the stream; all four, the DCR; one alone, undecided', () => {
    const notFound = (stream: string) => {
      const v = classifyUpload({ statusCode: 404, message: 'Not Found' }, DCR, stream)
      return { name: `upload ${stream}`, ok: false, detail: v.detail, hint: v.hint, cause: v.cause }
    }
    const accepted = { name: 'upload B', ok: true, detail: '', hint: null }
    assert.deepEqual(
      settleNotFound([notFound('A'), accepted], DCR).map((r) => r.cause),
      ['stream-not-found', undefined],
    )
    assert.deepEqual(
      settleNotFound([notFound('A'), notFound('B')], DCR).map((r) => r.cause),
      ['dcr-not-found', 'dcr-not-found'],
    )
    assert.deepEqual(
      settleNotFound([notFound('A')], DCR).map((r) => r.cause),
      ['dcr-or-stream-not-found'],
    )
  })
})
