import assert from 'node:assert/strict'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { describe, it } from 'node:test'
import { createWatchpost } from '@watchpost/core'
import { requestJson } from '../src/https-json.js'
import { run, start, tempDir } from './support/cli.js'
import { startEmulatorCli } from './support/emulator.js'

describe('watchpost emulator', () => {
  it('--json: prints where it is and a sink entry that delivers through the real Azure clients; SIGTERM stops it, exit 0', async () => {
    const { dir, remove } = tempDir()
    const emulator = await startEmulatorCli(dir)
    try {
      const { info } = emulator
      assert.match(info.url, /^https:\/\/127\.0\.0\.1:\d+$/)
      assert.equal(info.env.WATCHPOST_INGESTION_ENDPOINT, info.url)
      assert.equal(info.env.NODE_EXTRA_CA_CERTS, info.caPath)
      assert.equal(info.sink.type, 'sentinel')

      // A token from its Entra endpoint, as the client-secret credential asks for one.
      const ca = readFileSync(info.caPath)
      const token = await requestJson(new URL(`/${info.tenantId}/oauth2/v2.0/token`, info.url), {
        method: 'POST',
        ca,
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: info.clientId,
          client_secret: info.clientSecret,
          scope: 'https://monitor.azure.com//.default',
        }).toString(),
      })
      assert.equal(token.status, 200)
      assert.equal(typeof (token.json as { access_token?: unknown }).access_token, 'string')

      // A real delivery: the printed sink entry, as is, in an app's configuration.
      const wp = createWatchpost({
        config: false,
        app: { name: 'shop' },
        sinks: [info.sink],
        spool: { enabled: false },
        delivery: { deadLetter: { path: false } },
      })
      const event = wp.record('authn_login_fail', { userId: 'mallory', reason: 'bad_password' })
      assert.ok(event !== undefined)
      await wp.close()
      const rows = await requestJson(new URL(`/admin/rows?eventUid=${event.EventUid}`, info.url), { ca })
      assert.equal(rows.status, 200)
      const stored = (rows.json as { rows: Array<Record<string, unknown>> }).rows
      assert.equal(stored.length, 1)
      assert.equal(stored[0]?._Table, 'ASimAuthenticationEventLogs')
      assert.equal(stored[0]?.EventOriginalType, 'authn_login_fail')
    } finally {
      const result = await emulator.stop()
      remove()
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stderr, /watchpost emulator stopped/)
    }
  })

  it('text: says where it listens and the env lines; SIGINT stops it, exit 0', async () => {
    const { dir, remove } = tempDir()
    try {
      const child = start(['emulator', '--port', '0', '--tls-dir', 'tls'], { cwd: dir })
      let stdout = ''
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
      })
      while (!stdout.includes('IDENTITY_HEADER=')) await once(child.stdout!, 'data')
      assert.match(
        stdout,
        /^Watchpost emulator listening on https:\/\/127\.0\.0\.1:\d+ \(Ctrl-C stops it\)$/m,
      )
      assert.match(stdout, /^sinks:\n {2}- type: "sentinel"$/m)
      assert.match(stdout, /^WATCHPOST_DCR_IMMUTABLE_ID=dcr-[0-9a-f]{32}$/m)
      child.kill('SIGINT')
      const [code] = (await once(child, 'close')) as [number | null]
      assert.equal(code, 0)
    } finally {
      remove()
    }
  })

  it('a port in use: one clear message, exit 1', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { dir, remove } = tempDir()
    try {
      const { port } = server.address() as AddressInfo
      const result = await run(['emulator', '--port', String(port), '--tls-dir', 'tls'], { cwd: dir })
      assert.equal(result.code, 1)
      assert.equal(
        result.stderr,
        `watchpost: port ${port} is in use; choose another with --port (0: any free one)\n`,
      )
    } finally {
      server.close()
      remove()
    }
  })

  it('a bad --port is a usage error (exit 2), one line', async () => {
    const result = await run(['emulator', '--port', 'eighty'])
    assert.equal(result.code, 2)
    assert.equal(result.stderr, 'watchpost: --port must be an integer from 0 to 65535, got "eighty"\n')
  })
})
