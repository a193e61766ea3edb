// The demo is what `npm run demo` shows a new user: run it for real and check what it prints.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('..', import.meta.url))

test('the demo records the attack as redacted events on the console and in events.jsonl', () => {
  // Run in a scratch copy so the test never depends on (or leaves) an events.jsonl in the repo.
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-demo-'))
  copyFileSync(join(here, 'watchpost.config.yaml'), join(dir, 'watchpost.config.yaml'))
  const out = execFileSync(process.execPath, [join(here, 'demo.js')], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  })
  for (const name of [
    'authn_login_fail',
    'authn_login_lock',
    'authn_login_successafterfail',
    'input_validation_malformed_body',
    'authz_fail',
    'sensitive_export',
  ]) {
    assert.match(out, new RegExp(` ${name} `), `${name} printed`)
  }
  assert.match(out, /corr=4bf92f3577b34da6a3ce929d0e0e4736/, 'the traceparent trace-id is the correlation id')
  assert.match(out, /corr=req-7f3a/, 'an incoming x-request-id is the correlation id')
  assert.match(out, /access_token=\[REDACTED\]/)
  for (const secret of ['correct horse', 'eyJhbGciOiJIUzI1NiJ9', 'guess0'])
    assert.ok(!out.includes(secret), `${secret} leaked`)
  const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').trimEnd().split('\n')
  const summary = out.match(
    /(\d+) events recorded, (\d+) written to the console and (\d+) to \.\/events\.jsonl \(dropped: 0\)/,
  )
  assert.ok(summary, 'summary line printed')
  assert.equal(Number(summary[1]), lines.length)
  assert.equal(Number(summary[2]), lines.length)
  assert.equal(lines.length, 10)
  for (const line of lines) assert.equal(JSON.parse(line).AppName, 'demo-shop')
})
