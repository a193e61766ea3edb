/**
 * `watchpost rules` end to end: the real bin (bin/watchpost.js → dist/main.js, so the package is
 * built first) run in a scratch directory, its files read back, its exit codes and `--json`.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DEFAULT_RULES } from '@watchpost/core/sdk'
import { parse } from 'yaml'
import { run } from './support/cli.js'

/** No WATCHPOST_CONFIG: only the files the test writes. */
const watchpost = (args: readonly string[], cwd: string) => run(args, { cwd, timeoutMs: 60_000 })

const SHIPPED_ON = DEFAULT_RULES.filter((r) => r.enabled).map((r) => r.id)
const HUNTING = ['blocked-requests', 'failures-then-success', 'rule-firings', 'top-sources']

let dir: string
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'watchpost-rules-'))
})
after(() => {
  rmSync(dir, { recursive: true, force: true })
})

function scratch(name: string): string {
  const path = join(dir, name)
  mkdirSync(path, { recursive: true })
  return path
}

describe('watchpost rules', () => {
  test('without a configuration: the shipped rules, the hunting queries and the ARM template', async () => {
    const cwd = scratch('no-config')
    const run = await watchpost(['rules', '--out', 'sentinel'], cwd)
    assert.equal(run.code, 0, run.stderr)
    assert.match(
      run.stdout,
      /8 analytics rules and 4 hunting queries for the asim tables, from the shipped rules/,
    )
    assert.match(run.stdout, /Watchpost: Brute force on one account/)
    const out = join(cwd, 'sentinel')
    assert.deepEqual(readdirSync(join(out, 'analytics')).sort(), SHIPPED_ON.map((id) => `${id}.yaml`).sort())
    assert.deepEqual(
      readdirSync(join(out, 'hunting')).sort(),
      HUNTING.map((s) => `${s}.yaml`),
    )
    const brute = parse(readFileSync(join(out, 'analytics', 'watchpost.brute-force.yaml'), 'utf8'))
    assert.equal(brute.name, 'Watchpost: Brute force on one account')
    assert.equal(brute.kind, 'Scheduled')
    assert.match(brute.query, /^let counted = ASimAuthenticationEventLogs$/m)
    assert.match(brute.query, /^let threshold = 10;$/m)
    const template = JSON.parse(readFileSync(join(out, 'analytics-rules.json'), 'utf8'))
    const types = template.resources.map((r: { type: string }) => r.type)
    assert.equal(
      types.filter((t: string) => t === 'Microsoft.SecurityInsights/alertRules').length,
      SHIPPED_ON.length,
    )
    assert.equal(
      types.filter((t: string) => t === 'Microsoft.OperationalInsights/workspaces/savedSearches').length,
      HUNTING.length,
    )
    assert.ok(template.resources.some((r: { name: string }) => r.name === brute.id))
  })

  test('--json lists the files and the rules; --tables custom reads the custom table', async () => {
    const cwd = scratch('json')
    const run = await watchpost(['--json', 'rules', '--out', 'out', '--tables', 'custom'], cwd)
    assert.equal(run.code, 0, run.stderr)
    const result = JSON.parse(run.stdout)
    assert.equal(result.ok, true)
    assert.equal(result.tables, 'custom')
    assert.equal(result.config, null)
    assert.deepEqual(
      result.rules.map((r: { ruleId: string }) => r.ruleId),
      SHIPPED_ON,
    )
    for (const r of [...result.rules, ...result.hunting]) assert.ok(existsSync(r.file), r.file)
    assert.ok(existsSync(result.template))
    assert.deepEqual(result.notCompilable, [])
    const stuffing = result.rules.find(
      (r: { ruleId: string }) => r.ruleId === 'watchpost.credential-stuffing',
    )
    assert.deepEqual(
      {
        severity: stuffing.severity,
        queryFrequency: stuffing.queryFrequency,
        queryPeriod: stuffing.queryPeriod,
      },
      { severity: 'High', queryFrequency: '5m', queryPeriod: '20m' },
    )
    const query = parse(readFileSync(stuffing.file, 'utf8')).query
    assert.match(query, /^let counted = WatchpostSecurityEvents_CL$/m)
  })

  test("a configuration with a rule of the app's own, a shipped rule switched off, and the sink's table mode", async () => {
    const cwd = scratch('with-config')
    writeFileSync(
      join(cwd, 'watchpost.config.yaml'),
      [
        'sinks:',
        '  - type: sentinel',
        '    endpoint: https://dcr.example.ingest.monitor.azure.com',
        '    dcrImmutableId: dcr-00000000000000000000000000000000',
        '    tables: custom',
        'rules:',
        '  - id: orders.refund-burst',
        '    title: Refund burst by one admin',
        '    events: [authz_admin]',
        '    groupBy: [ActorUsername]',
        '    threshold: 3',
        '    windowSeconds: 120',
        '  - id: watchpost.scanning',
        '    enabled: false',
        '',
      ].join('\n'),
    )
    // A stale file of a rule no longer in effect is removed.
    mkdirSync(join(cwd, 'out', 'analytics'), { recursive: true })
    writeFileSync(join(cwd, 'out', 'analytics', 'watchpost.scanning.yaml'), 'id: stale\n')
    const run = await watchpost(['--json', 'rules', '--out', 'out'], cwd)
    assert.equal(run.code, 0, run.stderr)
    const result = JSON.parse(run.stdout)
    assert.equal(result.tables, 'custom')
    assert.equal(result.config, join(cwd, 'watchpost.config.yaml'))
    const ids = result.rules.map((r: { ruleId: string }) => r.ruleId)
    assert.ok(ids.includes('orders.refund-burst'))
    assert.ok(!ids.includes('watchpost.scanning'))
    assert.deepEqual(result.removed, [join(cwd, 'out', 'analytics', 'watchpost.scanning.yaml')])
    assert.ok(!existsSync(join(cwd, 'out', 'analytics', 'watchpost.scanning.yaml')))
    const own = parse(readFileSync(join(cwd, 'out', 'analytics', 'orders.refund-burst.yaml'), 'utf8'))
    assert.equal(own.name, 'Watchpost: Refund burst by one admin')
    assert.match(own.query, /^let window = 120s;$/m)
    assert.match(own.query, /^let threshold = 3;$/m)
    assert.match(own.query, /EventOriginalType in \('authz_admin'\)/)
    assert.equal(own.queryFrequency, '5m')
    assert.equal(own.queryPeriod, '17m')

    // --config names the file; --tables overrides the sink's mode.
    const other = scratch('elsewhere')
    const again = await watchpost(
      ['--json', 'rules', '--out', 'out', '--config', join(cwd, 'watchpost.config.yaml'), '--tables', 'asim'],
      other,
    )
    assert.equal(again.code, 0, again.stderr)
    assert.equal(JSON.parse(again.stdout).tables, 'asim')
    assert.match(
      parse(readFileSync(join(other, 'out', 'analytics', 'orders.refund-burst.yaml'), 'utf8')).query,
      /^let counted = ASimAuditEventLogs$/m,
    )
  })

  test('a rule with no Sentinel counterpart is reported, with exit 1, and the others are written', async () => {
    const cwd = scratch('not-compilable')
    // Valid configuration, but the app's rules engine never counts its own refusals.
    writeFileSync(
      join(cwd, 'watchpost.config.yaml'),
      'rules:\n  - id: ops.blocked-again\n    events: [access_blocked]\n    groupBy: [SrcIpAddr]\n    threshold: 5\n    windowSeconds: 600\n',
    )
    const run = await watchpost(['rules', '--out', 'out'], cwd)
    assert.equal(run.code, 1)
    assert.match(
      run.stderr,
      /Rules with no Sentinel counterpart:\n {2}ops\.blocked-again: counts only access_blocked/,
    )
    assert.deepEqual(
      readdirSync(join(cwd, 'out', 'analytics')).sort(),
      SHIPPED_ON.map((id) => `${id}.yaml`).sort(),
    )
    const json = await watchpost(['--json', 'rules', '--out', 'out'], cwd)
    assert.equal(json.code, 1)
    const result = JSON.parse(json.stdout)
    assert.equal(result.ok, false)
    assert.deepEqual(
      result.notCompilable.map((n: { ruleId: string }) => n.ruleId),
      ['ops.blocked-again'],
    )
    assert.equal(result.rules.length, SHIPPED_ON.length)
  })

  test('an invalid configuration: exit 1 with the path and the reason, nothing written', async () => {
    const cwd = scratch('bad-config')
    writeFileSync(join(cwd, 'watchpost.config.yaml'), 'rules:\n  - id: Not-Valid\n')
    const run = await watchpost(['rules', '--out', 'out'], cwd)
    assert.equal(run.code, 1)
    assert.match(run.stderr, /rules\[0\]\.id/)
    assert.ok(!existsSync(join(cwd, 'out')))
    const json = await watchpost(['--json', 'rules', '--out', 'out'], cwd)
    assert.equal(json.code, 1)
    const result = JSON.parse(json.stdout)
    assert.equal(result.ok, false)
    assert.equal(result.detail.code, 'ERR_WATCHPOST_CONFIG_INVALID')
  })

  test('wrong usage: exit 2', async () => {
    const cwd = scratch('usage')
    assert.equal((await watchpost(['rules', '--out', 'out', '--tables', 'both'], cwd)).code, 2)
    assert.equal((await watchpost(['rules'], cwd)).code, 2)
    assert.ok(!existsSync(join(cwd, 'out')))
  })
})
