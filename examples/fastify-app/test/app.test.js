// Drives the example shop with real HTTP and checks what Watchpost recorded.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../server.js'

const here = fileURLToPath(new URL('..', import.meta.url))

test('the shop records logins, lockout, JWT failures, admin denial, uploads, CORS and rate limits', async () => {
  const events = []
  const eventsFile = join(mkdtempSync(join(tmpdir(), 'shop-')), 'events.jsonl')
  const app = await buildApp({
    runtime: {
      cwd: here, // reads the example's watchpost.config.yaml
      env: { ...process.env, WATCHPOST_EVENTS_FILE: eventsFile },
      sinks: [{ name: 'memory', send: async (batch) => void events.push(...batch), close: async () => {} }],
    },
    sinks: [{ type: 'file', path: eventsFile }], // code options win over the file: no console noise in tests
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${app.server.address().port}`
  const post = (path, body, headers = {}) =>
    fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })

  for (let i = 0; i < 5; i++)
    assert.equal((await post('/login', { username: 'alice', password: `guess${i}` })).status, 401)
  assert.equal((await post('/login', { username: 'alice', password: 'wonderland' })).status, 423)
  const login = await post(
    '/login',
    { username: 'root', password: 'toor-but-longer' },
    { 'x-request-id': 'login-root' },
  )
  assert.equal(login.headers.get('x-request-id'), 'login-root', 'watchpost.config.yaml turns the echo on')
  const { token: adminToken } = await login.json()
  const customer = await buildToken(base)
  assert.equal(
    (await fetch(`${base}/api/orders`, { headers: { authorization: 'Bearer not.a.jwt' } })).status,
    401,
  )
  assert.equal((await fetch(`${base}/api/orders`)).status, 401)
  assert.equal(
    (await fetch(`${base}/admin/users`, { headers: { authorization: `Bearer ${customer}` } })).status,
    403,
  )
  assert.equal(
    (await fetch(`${base}/admin/users`, { headers: { authorization: `Bearer ${adminToken}` } })).status,
    200,
  )
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const put = (name, body) =>
    fetch(`${base}/files/${name}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/octet-stream' },
      body,
    })
  assert.equal((await put('logo.png', png)).status, 201)
  assert.equal((await put('evil.png', Buffer.from('<?php system($_GET[c]); ?>'))).status, 415)
  await fetch(`${base}/api/orders`, {
    headers: { origin: 'https://evil.example', authorization: `Bearer ${adminToken}` },
  })
  for (let i = 0; i < 5; i++) await post('/login', { username: 'bob', password: 'x' })
  assert.equal((await fetch(`${base}/health`)).status, 200)
  await app.close()

  const names = events.map((e) => e.EventOriginalType)
  const count = (name) => names.filter((n) => n === name).length
  assert.ok(count('authn_login_fail') >= 6)
  assert.equal(count('authn_login_lock'), 1)
  assert.equal(count('authn_login_success'), 1, 'alice is locked; root logs in')
  assert.equal(events.find((e) => e.EventOriginalType === 'authn_login_success')?.CorrelationId, 'login-root')
  assert.deepEqual(
    events.filter((e) => e.EventOriginalType === 'authn_jwt_fail').map((e) => e.EventOriginalResultDetails),
    ['malformed', 'missing'],
  )
  assert.equal(events.find((e) => e.EventOriginalType === 'authz_fail')?.HttpRoute, '/admin/users')
  assert.equal(count('authz_admin'), 1)
  assert.deepEqual(
    events.filter((e) => e.EventOriginalType === 'upload_validation').map((e) => [e.Object, e.EventResult]),
    [
      ['logo.png', 'Success'],
      ['evil.png', 'Failure'],
    ],
  )
  assert.equal(
    events.find((e) => e.EventOriginalType === 'malicious_cors')?.AdditionalFields?.Origin,
    'https://evil.example',
  )
  assert.ok(count('excess_rate_limit_exceeded') >= 1, 'the 11th login in a minute is rate limited')
  assert.equal(count('authn_unauthorized'), 0, 'every 401 was recorded by the app or the JWT verifier')
  assert.ok(!JSON.stringify(events).includes('wonderland'), 'no password in any event')
  assert.ok(!JSON.stringify(events).includes(adminToken.split('.')[2]), 'no token in any event')
  const lines = readFileSync(eventsFile, 'utf8').trimEnd().split('\n')
  assert.equal(lines.length, events.length, 'the JSONL file holds the same events')
})

async function buildToken(base) {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice-does-not-exist', password: 'x' }),
  })
  assert.equal(res.status, 401)
  // A customer token, signed like the app signs them (the login for alice is locked by now).
  const { SignJWT } = await import('jose')
  return new SignJWT({ role: 'customer' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('carol')
    .setAudience('shop-api')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode('example-secret-change-me-0123456789'))
}
