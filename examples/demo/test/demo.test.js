// The demo is what `npm run demo` shows a new user: run it for real and check what it prints.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('..', import.meta.url))

test('the attacked shop records redacted events and they land in the ASIM tables of the emulator', () => {
  // A scratch directory: the emulator's CA and the config live there, nothing is left in the repo.
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-demo-'))
  copyFileSync(join(here, 'watchpost.config.yaml'), join(dir, 'watchpost.config.yaml'))
  const out = execFileSync(process.execPath, [join(here, 'demo.js')], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  })
  for (const name of [
    'authn_login_fail',
    'authn_login_lock',
    'authn_login_successafterfail',
    'access_not_found',
    'malicious_excess_404',
    'authz_fail',
    'input_validation_malformed_body',
    'malicious_cors',
    'malicious_unexpected_method',
    'sensitive_read',
    'malicious_sqli',
    'malicious_xss',
    'malicious_path_traversal',
    'malicious_jndi_injection',
    'malicious_attack_tool',
  ]) {
    assert.match(out, new RegExp(` ${name} `), `${name} printed`)
  }
  const guessing = out.slice(out.indexOf('— credential guessing'), out.indexOf('— a scanner'))
  assert.equal(guessing.match(/ authn_login_fail .*\(bad_password\)/g)?.length, 3, 'three wrong passwords')
  assert.match(
    guessing,
    /\(bad_password\).* authn_login_lock Account alice locked.* authn_login_fail .*\(locked\).* after 3 failed attempts/s,
    'the third locks alice, her right password is refused while locked, and accepted once unlocked',
  )
  assert.match(out, /corr=4bf92f3577b34da6a3ce929d0e0e4736/, 'the traceparent trace-id is the correlation id')
  assert.match(out, /corr=req-7f3a/, 'an incoming x-request-id is the correlation id')
  assert.match(out, /access_token=\[REDACTED\]/)
  for (const secret of ['correct horse', 'eyJhbGciOiJIUzI1NiJ9', 'guess0'])
    assert.ok(!out.includes(secret), `${secret} leaked`)
  const stuffing = out.slice(out.indexOf('— credential stuffing'))
  assert.match(stuffing, /answers: (401 ){10}429 429\n/, 'ten failures, then the source is refused')
  assert.match(stuffing, / rule_threshold_authn Rule Credential stuffing from one source: 10 within 300 s /)
  assert.match(
    out,
    /Rules: 1 fired; 1 source\(s\) blocked \(203\.0\.113\.66 by watchpost\.credential-stuffing\), 2 request\(s\) refused\./,
  )
  assert.ok(!/excess_rate_limit_exceeded/.test(stuffing), 'the block’s own 429s are not the app’s rate limit')
  const summary = out.match(
    /(\d+) events recorded; (\d+) delivered to the Logs Ingestion API, (\d+) left in the spool \(dropped: 0\)/,
  )
  assert.ok(summary, 'summary line printed')
  assert.equal(summary[2], summary[1], 'every event was delivered')
  assert.equal(summary[3], '0')
  const rows = [...out.matchAll(/^ {2}(ASim\w+)\s+(\d+)$/gm)]
  assert.deepEqual(rows.map((m) => m[1]).sort(), [
    'ASimAuditEventLogs',
    'ASimAuthenticationEventLogs',
    'ASimUserManagementActivityLogs',
    'ASimWebSessionLogs',
  ])
  assert.equal(
    rows.reduce((n, m) => n + Number(m[2]), 0),
    Number(summary[1]),
    'every event is one row in its ASIM table',
  )
  assert.match(out, /EventOriginalType\s+"malicious_excess_404"/)
  const sentinel = out.slice(out.indexOf('Sentinel analytics rules whose conditions these events meet:'))
  assert.match(sentinel, /^ {2}Watchpost: Credential stuffing from one source {3}\(Watchpost's/m)
  assert.doesNotMatch(sentinel, /Watchpost: Brute force/, 'no account had ten failures')
  for (const builtIn of [
    'Known malicious user agent detected (ASIM Web Session)',
    'Detect threat information in web requests (ASIM Web Session)',
    'Detect Local File Inclusion(LFI) in web requests (ASIM Web Session)',
  ])
    assert.ok(sentinel.includes(`  ${builtIn}   (Microsoft's, built in: `), `${builtIn} named`)
})
