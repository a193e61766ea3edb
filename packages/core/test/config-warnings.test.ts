import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { CONFIG_WARNINGS, loadConfig, type WatchpostOptions } from '../src/config/index.js'
import { dirWith, noEnv } from './config-fixtures.js'

/** Loads twice and returns the codes of the warnings emitted (warnings are delivered on nextTick). */
async function warningsOf(options: WatchpostOptions): Promise<{ code: string; message: string }[]> {
  const seen: { code: string; message: string }[] = []
  const listener = (warning: Error & { code?: string }) => {
    if (warning.name === 'WatchpostWarning') seen.push({ code: warning.code ?? '', message: warning.message })
  }
  process.on('warning', listener)
  try {
    loadConfig({ ...options, config: false }, { cwd: dirWith(), env: noEnv })
    loadConfig({ ...options, config: false }, { cwd: dirWith(), env: noEnv })
    await new Promise((resolve) => setImmediate(resolve))
  } finally {
    process.off('warning', listener)
  }
  return seen
}

// Each warning fires once per process, so each test triggers a different one.
describe('suspicious settings warn once, with a code', () => {
  it('codes are unique', () => {
    const codes = CONFIG_WARNINGS.map((w) => w.code)
    assert.equal(new Set(codes).size, codes.length)
  })

  it('W001: trustProxy: true', async () => {
    const seen = await warningsOf({ trustProxy: true })
    assert.deepEqual(
      seen.map((w) => w.code),
      ['WATCHPOST_W001'],
    )
    assert.match(seen[0]?.message ?? '', /spoof/)
  })

  it('W002: hashing without a hashKey; not with one', async () => {
    assert.deepEqual(await warningsOf({ privacy: { hashIps: true, hashKey: 'k'.repeat(32) } }), [])
    const seen = await warningsOf({ privacy: { hashUserIds: true } })
    assert.deepEqual(
      seen.map((w) => w.code),
      ['WATCHPOST_W002'],
    )
    assert.match(seen[0]?.message ?? '', /restart/)
  })

  it('W003: protect mode without a rule that responds', async () => {
    const seen = await warningsOf({ mode: 'protect' })
    assert.deepEqual(
      seen.map((w) => w.code),
      ['WATCHPOST_W003'],
    )
    // Once per process: whether it applies, asked of the check itself.
    const w003 = CONFIG_WARNINGS.find((w) => w.code === 'WATCHPOST_W003')
    const applies = (options: WatchpostOptions) =>
      w003?.check(loadConfig({ ...options, config: false }, { cwd: dirWith(), env: noEnv })) !== false
    const block = { id: 'watchpost.credential-stuffing', response: { action: 'block' } } as const
    assert.equal(applies({ mode: 'protect', rules: [block] }), false)
    assert.equal(applies({ mode: 'protect', rules: [{ ...block, enabled: false }] }), true)
  })

  it('W004: rule responses in monitor mode', async () => {
    const rule = {
      id: 'stuffing',
      events: ['authn_login_fail'],
      groupBy: ['SrcIpAddr'],
      threshold: 5,
      windowSeconds: 60,
    } as const
    assert.deepEqual(await warningsOf({ rules: [rule] }), [])
    const seen = await warningsOf({ rules: [{ ...rule, response: { action: 'block' } }] })
    assert.deepEqual(
      seen.map((w) => w.code),
      ['WATCHPOST_W004'],
    )
    assert.match(seen[0]?.message ?? '', /"stuffing"/)
  })

  it('defaults warn about nothing', async () => {
    assert.deepEqual(await warningsOf({}), [])
  })
})
