// The demo: a small shop on plain node:http (the Fastify and Express adapters build on the same
// core), recording the security events only the app can know through the typed event API, then
// attacked by its own client so you can watch the events appear. `--serve` keeps it running.
import http from 'node:http'
import { createWatchpost } from '@watchpost/core'

const wp = createWatchpost() // reads ./watchpost.config.yaml
const users = new Map([
  ['alice', { password: 'correct horse battery staple', role: 'customer', failures: 0 }],
])
const MAX_FAILURES = 3

function readJson(req) {
  return new Promise((resolve) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      try {
        resolve(JSON.parse(body))
      } catch {
        resolve(undefined)
      }
    })
  })
}

const server = http.createServer(async (req, res) => {
  const ctx = wp.openContext(req, res) // correlation id, client address, echo header
  const events = wp.forRequest(req)
  const url = new URL(req.url ?? '/', 'http://localhost')
  const send = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }

  if (req.method === 'POST' && url.pathname === '/login') {
    ctx.route = '/login'
    const body = await readJson(req)
    if (body === undefined) {
      events.inputValidation.malformedBody({
        reason: 'invalid_json',
        contentType: req.headers['content-type'],
      })
      return send(400, { error: 'invalid JSON' })
    }
    const user = users.get(body.username)
    if (user === undefined) {
      events.authn.loginFail({ userId: String(body.username), reason: 'unknown_user' }, { statusCode: 401 })
      return send(401, { error: 'invalid credentials' })
    }
    if (user.failures >= MAX_FAILURES) {
      events.authn.loginFail({ userId: body.username, reason: 'locked' }, { statusCode: 423 })
      return send(423, { error: 'locked' })
    }
    if (body.password !== user.password) {
      user.failures++
      events.authn.loginFail({ userId: body.username, reason: 'bad_password' }, { statusCode: 401 })
      if (user.failures === MAX_FAILURES)
        events.authn.loginLock({ userId: body.username, reason: 'maxretries' })
      return send(401, { error: 'invalid credentials' })
    }
    const retries = user.failures
    user.failures = 0
    ctx.userId = body.username
    if (retries > 0) events.authn.loginSuccessAfterFail({ userId: body.username, retries })
    else events.authn.loginSuccess({ userId: body.username })
    return send(200, { ok: true })
  }

  if (url.pathname.startsWith('/admin')) {
    ctx.route = '/admin/*'
    ctx.userId = req.headers['x-demo-user'] ?? undefined
    events.authz.fail({ resource: url.pathname, reason: 'role customer' }, { statusCode: 403 })
    return send(403, { error: 'forbidden' })
  }

  if (url.pathname === '/export') {
    ctx.route = '/export'
    ctx.userId = 'alice'
    events.sensitive.export({ object: 'orders', records: 1250, format: 'csv' })
    return send(200, { ok: true })
  }

  send(404, { error: 'not found' })
})

async function attack(base) {
  const step = async (title) => {
    await wp.flush() // only so the events print under their step; an app never needs this
    console.log(`\n— ${title} —`)
  }
  const post = (path, body, headers = {}) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  await step('four wrong passwords for alice (the third locks the account), then the right one')
  for (let i = 0; i < 4; i++)
    await post('/login', JSON.stringify({ username: 'alice', password: `guess${i}` }))
  users.get('alice').failures = 1 // an admin unlocked it after one more failure, for the demo
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
  await post('/login', JSON.stringify({ username: 'alice', password: 'correct horse battery staple' }), {
    traceparent,
  })
  await step('a login for an account that does not exist, and a body that is not JSON')
  await post('/login', JSON.stringify({ username: 'mallory', password: 'x' }), { 'x-request-id': 'req-7f3a' })
  await post('/login', '{"username": "alice", ')
  await step('a customer tries the admin area, with a token in the query string (it is redacted)')
  await fetch(`${base}/admin/users?access_token=eyJhbGciOiJIUzI1NiJ9.secret&page=2`, {
    headers: { 'x-demo-user': 'alice' },
  })
  await step('a bulk export of sensitive data')
  await fetch(`${base}/export`)
}

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', async () => {
  const { port } = server.address()
  const base = `http://127.0.0.1:${port}`
  if (process.argv.includes('--serve')) {
    console.log(
      `demo shop on ${base} — try: curl -XPOST ${base}/login -d '{"username":"alice","password":"x"}'`,
    )
    process.once('SIGINT', () => server.close(() => wp.close()))
    return
  }
  await attack(base)
  server.close()
  await wp.close()
  const stats = wp.stats()
  console.log(
    `\n${stats.emitted} events recorded, ${stats.sinks.console?.delivered} written to the console and ` +
      `${Object.entries(stats.sinks).find(([n]) => n.startsWith('file:'))?.[1].delivered} to ./events.jsonl ` +
      `(dropped: ${Object.values(stats.dropped).reduce((a, b) => a + b, 0)}).`,
  )
})
