/** The CLI entry, the generated default DCR, a user DCR, and option misuse. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ASIM_PROJECTIONS, CUSTOM_COLUMNS, CUSTOM_STREAM, CUSTOM_TABLE } from '@watchpost/core/sdk'
import { compileDcr, defaultDcr, type EmulatorError } from '../src/index.js'
import { postRows, raw, start, webRow } from './support/helpers.js'
import { TEST_TLS_DIR } from './support/tls-dir.js'

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))

describe('CLI', () => {
  test('watchpost-emulator starts, prints URL, CA, credentials and env lines, and answers', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--port', '0', '--tls-dir', TEST_TLS_DIR, '--mode', 'lenient'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = ''
        const timer = setTimeout(() => reject(new Error(`no env lines in 20 s: ${text}`)), 20_000)
        child.stdout.on('data', (d: Buffer) => {
          text += d.toString()
          if (/^IDENTITY_HEADER=/m.test(text)) {
            clearTimeout(timer)
            resolve(text)
          }
        })
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${text}`)))
      })
      const url = /listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1]
      assert.ok(url, out)
      const env = Object.fromEntries(
        out
          .split('\n')
          .filter((l) => /^[A-Z_]+=/.test(l))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      )
      assert.equal(env.WATCHPOST_INGESTION_ENDPOINT, url)
      assert.equal(env.AZURE_AUTHORITY_HOST, url)
      assert.equal(env.NODE_EXTRA_CA_CERTS, join(TEST_TLS_DIR, 'ca.pem'))
      assert.match(env.WATCHPOST_DCR_IMMUTABLE_ID ?? '', /^dcr-[0-9a-f]{32}$/)
      for (const key of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'IDENTITY_ENDPOINT']) {
        assert.ok(env[key], key)
      }
      assert.match(out, /client secret {4}\S+/)
      assert.match(out, /mode {13}lenient/)
      // It really serves: the OIDC document of its tenant.
      const fake = { url, caPem: readFileSync(env.NODE_EXTRA_CA_CERTS!, 'utf8') }
      const oidc = await raw(
        fake as never,
        'GET',
        `/${env.AZURE_TENANT_ID}/v2.0/.well-known/openid-configuration`,
      )
      assert.equal(oidc.status, 200)
      assert.equal(oidc.json.token_endpoint, `${url}/${env.AZURE_TENANT_ID}/oauth2/v2.0/token`)
    } finally {
      child.kill('SIGTERM')
    }
  })
})

describe('DCR', () => {
  test('the default DCR is generated from @watchpost/core', () => {
    const dcr = defaultDcr()
    const streams = compileDcr(dcr)
    for (const p of Object.values(ASIM_PROJECTIONS)) {
      assert.deepEqual(streams[p.inputStream]?.tables, [p.table])
      assert.deepEqual(
        streams[p.inputStream]?.columns,
        p.columns.map(({ name, type }) => ({ name, type })),
      )
    }
    assert.deepEqual(streams[CUSTOM_STREAM]?.tables, [CUSTOM_TABLE])
    assert.equal(streams[CUSTOM_STREAM]?.columns.length, CUSTOM_COLUMNS.length)
  })

  test('a user DCR (ARM body) replaces it; its id is used', async () => {
    const em = await start({
      dcr: {
        properties: {
          immutableId: `dcr-${'a'.repeat(32)}`,
          streamDeclarations: {
            'Custom-Mine': {
              columns: [
                { name: 'TimeGenerated', type: 'datetime' },
                { name: 'N', type: 'long' },
              ],
            },
          },
          dataFlows: [{ streams: ['Custom-Mine'], outputStream: 'Custom-Mine_CL', transformKql: 'source' }],
        },
      },
    })
    try {
      assert.equal(em.dcrImmutableId, `dcr-${'a'.repeat(32)}`)
      assert.equal(
        (await postRows(em, 'Custom-Mine', [{ TimeGenerated: new Date().toISOString(), N: 5 }])).status,
        204,
      )
      assert.deepEqual(em.store.counts(), { Mine_CL: 1 })
    } finally {
      await em.close()
    }
  })

  test('an unsupported transform or an undeclared stream is refused at start', () => {
    const streamDeclarations = {
      'Custom-A': { columns: [{ name: 'TimeGenerated', type: 'datetime' as const }] },
    }
    assert.throws(
      () =>
        compileDcr({
          streamDeclarations,
          dataFlows: [
            { streams: ['Custom-A'], outputStream: 'Custom-A_CL', transformKql: 'source | extend X = 1' },
          ],
        }),
      (err: EmulatorError) => err.code === 'ERR_WATCHPOST_EMULATOR_DCR_INVALID',
    )
    assert.throws(
      () =>
        compileDcr({
          streamDeclarations,
          dataFlows: [{ streams: ['Custom-B'], outputStream: 'Custom-A_CL' }],
        }),
      (err: EmulatorError) => err.code === 'ERR_WATCHPOST_EMULATOR_DCR_INVALID',
    )
  })

  test('option misuse throws TypeError', async () => {
    await assert.rejects(start({ mode: 'loose' as never }), {
      name: 'WatchpostTypeError',
      code: 'ERR_WATCHPOST_EMULATOR_OPTIONS_INVALID',
    })
    await assert.rejects(start({ dcrImmutableId: 'dcr-xyz' }), {
      name: 'WatchpostTypeError',
      code: 'ERR_WATCHPOST_EMULATOR_OPTIONS_INVALID',
    })
    await assert.rejects(start({ port: -1 }), {
      name: 'WatchpostTypeError',
      code: 'ERR_WATCHPOST_EMULATOR_OPTIONS_INVALID',
    })
  })

  test('a file store keeps rows across restarts; the CA is reused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-emu-db-'))
    const dbPath = join(dir, 'rows.sqlite')
    const first = await start({ dbPath })
    const caPem = first.caPem
    assert.equal((await postRows(first, 'Custom-WatchpostWebSession', [webRow('kept')])).status, 204)
    await first.close()
    const second = await start({ dbPath })
    try {
      assert.equal(second.caPem, caPem)
      assert.equal(second.store.rows({ eventUid: 'kept' }).length, 1)
    } finally {
      await second.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
