/**
 * The rules across three app instances that share one Redis, end to end: a real redis-server
 * (packages/redis's test helper: loopback, no persistence), and in this process two Fastify 5 apps
 * and one Express 5 app on three ports, each with its own ioredis client and its own
 * `createRedisStateStore({ client, prefix })` on one prefix, in `protect` mode behind a loopback
 * proxy (a request's source is its X-Forwarded-For). The shipped rules run, credential stuffing
 * given a 60 s block of its source and brute force left as shipped (10 failures for one account in
 * 10 minutes, no response). Each test starts its own redis-server and apps, and ends them whatever
 * happened; every request gives up after 2 s, so nothing can hang the file.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { describe, type TestContext, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type {
  CreateRuntime,
  RuleConfig,
  RuleFiring,
  RuleHook,
  SecurityEvent,
  Watchpost,
  WatchpostOptions,
} from '@watchpost/core'
import watchpostExpress from '@watchpost/express'
import watchpostFastify from '@watchpost/fastify'
import { createRedisStateStore, type RedisStateStore } from '@watchpost/redis'
import express from 'express'
import fastify from 'fastify'
import { Redis } from 'ioredis'
import { type RedisServer, startRedisServer } from '../packages/redis/test/support/redis-server.js'

const BRUTE_FORCE = 'watchpost.brute-force'
const STUFFING = 'watchpost.credential-stuffing'
/** What the apps' login route answers to a wrong password (a 401 from anywhere else would differ). */
const DENIED = JSON.stringify({ error: 'invalid credentials' })
const HELLO = JSON.stringify({ hello: 'world' })
/** The bound on any answer, outage or not. */
const ANSWER_MS = 1000

interface Instance {
  readonly name: string
  readonly url: string
  readonly watchpost: Watchpost
  readonly store: RedisStateStore
  /** The app's own ioredis client, which its store uses. */
  readonly redis: Redis
  /** What the app's in-memory sink received. */
  readonly events: SecurityEvent[]
}

interface Cluster {
  readonly server: RedisServer
  readonly apps: readonly Instance[]
  /** The test's own connection, to look into Redis. */
  readonly admin: Redis
  readonly prefix: string
  /** The instances whose store answered a call from local memory since the cluster was up. */
  fellBack(): string[]
}

/** Runs the functions given, last first, after the test, each one whatever the others did. */
function cleanup(t: TestContext): (fn: () => unknown) => void {
  const stack: Array<() => unknown> = []
  t.after(async () => {
    const errors: unknown[] = []
    for (const fn of stack.reverse()) {
      try {
        await fn()
      } catch (error) {
        errors.push(error)
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'cleaning up failed')
  })
  return (fn) => void stack.push(fn)
}

/** Connected; after a loss it reconnects every 50 ms, not with ioredis's growing back-off. */
async function connectRedis(port: number): Promise<Redis> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => 50 })
  client.on('error', () => {}) // losing the server is what the outage test does
  await client.connect()
  return client
}

type AppStart = (
  options: WatchpostOptions,
  runtime: CreateRuntime,
) => Promise<{ url: string; watchpost: Watchpost; close(): Promise<void> }>

/** The login route records the failure and answers 401; /hello answers 200. */
const startFastify: AppStart = async (options, runtime) => {
  const app = fastify()
  await app.register(watchpostFastify, { ...options, runtime })
  app.post('/login', async (request, reply) => {
    const { username } = (request.body ?? {}) as { username?: string }
    request.watchpost.authn.loginFail({ userId: String(username), reason: 'bad_password' })
    return reply.code(401).type('application/json').send(DENIED)
  })
  app.get('/hello', async (_request, reply) => reply.type('application/json').send(HELLO))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, watchpost: app.watchpost, close: () => app.close() }
}

const startExpress: AppStart = async (options, runtime) => {
  const wp = watchpostExpress(options, runtime)
  const app = express()
  app.use(wp)
  app.post('/login', express.json(), (req, res) => {
    req.watchpost.authn.loginFail({ userId: String(req.body?.username), reason: 'bad_password' })
    res.status(401).type('application/json').send(DENIED)
  })
  app.get('/hello', (_req, res) => {
    res.type('application/json').send(HELLO)
  })
  app.use(wp.errors())
  const server = http.createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  wp.observe(server)
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    watchpost: wp.instance,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await wp.close()
    },
  }
}

let clusters = 0

/**
 * A redis-server and the three instances on it, their stores' subscriptions in place; all ended
 * after the test. `extra` adds rules of the app's own and the hooks they call.
 */
async function startCluster(
  t: TestContext,
  extra: { rules?: RuleConfig[]; hooks?: Record<string, RuleHook> } = {},
): Promise<Cluster> {
  const defer = cleanup(t)
  const server = await startRedisServer()
  defer(() => server.stop())
  const admin = await connectRedis(server.port)
  defer(() => admin.disconnect())
  const prefix = `e2e${++clusters}:`
  const options: WatchpostOptions = {
    config: false,
    sinks: [],
    mode: 'protect',
    trustProxy: 'loopback',
    rules: [{ id: STUFFING, response: { action: 'block', durationSeconds: 60 } }, ...(extra.rules ?? [])],
  }
  const apps: Instance[] = []
  for (const [name, start] of [
    ['fastify A', startFastify],
    ['fastify B', startFastify],
    ['express C', startExpress],
  ] as const) {
    const redis = await connectRedis(server.port)
    defer(() => redis.disconnect()) // after the app: the store never closes the app's client
    const store = createRedisStateStore({ client: redis, prefix })
    const events: SecurityEvent[] = []
    const sink = { name: 'memory', send: async (batch: SecurityEvent[]) => void events.push(...batch) }
    const app = await start(options, {
      state: store,
      sinks: [{ ...sink, close: async () => {} }],
      ...(extra.hooks === undefined ? {} : { hooks: extra.hooks }),
    })
    defer(() => app.close()) // closes the Watchpost instance, and so its store
    apps.push({ name, url: app.url, watchpost: app.watchpost, store, redis, events })
  }
  // Each engine watches blocks from its start; from here on, no notice can miss a subscription.
  await Promise.all(apps.map((app) => app.store.settleWatchers()))
  // An engine's first store call (listing the blocks) is made while its app is still starting: a
  // start-up that holds the event loop past commandTimeoutMs (the first app in this process does,
  // on a busy machine) makes it time out although Redis answered, and the store is degraded until
  // its next probe (1 s). The attacks start on stores that answer from Redis.
  await until(
    'every store ok',
    () => apps.every((app) => app.store.health().state === 'ok'),
    () => apps.map((app) => app.store.health()),
    5000,
  )
  const fallbacks = apps.map((app) => app.store.health().fallbacks)
  const degraded = apps.filter((_, i) => fallbacks[i]! > 0).map((app) => app.name)
  if (degraded.length > 0)
    t.diagnostic(`degraded at start, ok again before the attack: ${degraded.join(', ')}`)
  const fellBack = () =>
    apps.filter((app, i) => app.store.health().fallbacks !== fallbacks[i]).map((a) => a.name)
  return { server, apps, admin, prefix, fellBack }
}

interface Answer {
  readonly status: number
  readonly retryAfter: string | null
  readonly body: string
  /** From sending the request to the end of the answer's body. */
  readonly ms: number
}

async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const start = performance.now()
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) })
  const body = await res.text()
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body,
    ms: performance.now() - start,
  }
}

const login = (app: Instance, user: string, source: string) =>
  send(`${app.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': source },
    body: JSON.stringify({ username: user }),
  })

const hello = (app: Instance, source: string) =>
  send(`${app.url}/hello`, { headers: { 'x-forwarded-for': source } })

function assertDenied(answer: Answer, what: string): void {
  assert.equal(answer.status, 401, `${what}: status`)
  assert.equal(answer.body, DENIED, `${what}: the app's own answer`)
  assert.ok(answer.ms < ANSWER_MS, `${what} took ${answer.ms.toFixed(0)} ms`)
}

function assertRefused(answer: Answer, what: string): void {
  assert.equal(answer.status, 429, `${what}: status`)
  const seconds = Number(answer.retryAfter)
  // The block lasts 60 s from the firing: whole seconds, rounded up, of what is left of it.
  assert.ok(
    Number.isInteger(seconds) && seconds >= 55 && seconds <= 60,
    `${what}: Retry-After ${answer.retryAfter}`,
  )
}

/**
 * Waits until every instance has done what the requests so far set off in its rules engine, while
 * Redis is up. A rule's work is a chain of commands on the app's own connection (the add; then, at
 * the threshold, the claim; then the block), each sent once the one before has answered. A PING
 * on that connection is answered after every command sent on it before, and the event loop's turn
 * after it lets the engine send the next one; six rounds outlast the longest chain (NOSCRIPT
 * retries after a restart included). Then the sinks are flushed.
 */
async function settle(apps: readonly Instance[]): Promise<void> {
  for (let round = 0; round < 6; round++) {
    await Promise.all(apps.map((app) => app.redis.ping()))
    await new Promise((resolve) => setImmediate(resolve))
  }
  await Promise.all(apps.map((app) => app.watchpost.flush()))
}

/** The firings of `rule` recorded so far, with the index of the instance that recorded each. */
function firings(apps: readonly Instance[], rule: string, group: Partial<SecurityEvent>) {
  return apps.flatMap((app, index) =>
    app.events
      .filter(
        (e) =>
          e.EventOriginalType === 'rule_threshold_authn' &&
          e.RuleName === rule &&
          Object.entries(group).every(([k, v]) => (e as Record<string, unknown>)[k] === v),
      )
      .map((event) => ({ index, event })),
  )
}

/** Polls `check` every 20 ms until it holds, failing after `ms` with what `state()` gives. */
async function until(what: string, check: () => boolean, state: () => unknown, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`${what} not within ${ms} ms: ${JSON.stringify(state())}`)
    await sleep(20)
  }
}

describe('rules across three app instances sharing Redis', () => {
  /**
   * Twelve failed logins for `user`, the n-th (from 1) to the next of `targets` in turn, from
   * 198.18.`net`.n, each settled before the next: the number of the failure after which the rule's
   * firing was first recorded (0 when it never was).
   */
  async function bruteForce(
    apps: readonly Instance[],
    targets: readonly Instance[],
    user: string,
    net: number,
  ) {
    let firedAt = 0
    for (let n = 1; n <= 12; n++) {
      const answer = await login(targets[(n - 1) % targets.length]!, user, `198.18.${net}.${n}`)
      assertDenied(answer, `${user}'s failure ${n}`)
      await settle(apps)
      if (firedAt === 0 && firings(apps, BRUTE_FORCE, { TargetUsername: user }).length > 0) firedAt = n
    }
    return firedAt
  }

  test('a brute force spread round-robin over the three instances fires once, at the 10th failure, as on one instance alone', async (t) => {
    const { apps, fellBack } = await startCluster(t)

    const spread = await bruteForce(apps, apps, 'alice', 1)
    assert.deepEqual(fellBack(), [], 'every count was Redis’s: no store call answered from local memory')
    assert.equal(spread, 10, 'recorded after the 10th failure, none after the 9th')
    const [first, ...more] = firings(apps, BRUTE_FORCE, { TargetUsername: 'alice' })
    assert.equal(more.length, 0, 'exactly one firing over the three sinks, none for the 11th and 12th')
    assert.equal(first?.index, 9 % 3, 'recorded by the instance that counted the 10th failure')
    assert.equal(first.event.EventCount, 10)
    assert.equal(first.event.AdditionalFields?.Response, 'none', 'brute force as shipped: no response')

    // The same attack on one instance alone trips at the same count.
    const alone = await bruteForce(apps, [apps[1]!], 'bob', 2)
    assert.equal(alone, spread)
    const single = firings(apps, BRUTE_FORCE, { TargetUsername: 'bob' })
    assert.deepEqual(
      single.map(({ index, event }) => [index, event.EventCount]),
      [[1, 10]],
    )

    // Every failure came from its own address: no source reached credential stuffing's threshold.
    assert.equal(firings(apps, STUFFING, {}).length, 0)
    for (const app of apps) assert.equal(app.watchpost.rules.stats().storeErrors, 0, app.name)
  })

  test('credential stuffing from one source, spread over the three instances, is refused on every one within one request', async (t) => {
    const { apps, fellBack } = await startCluster(t)
    const source = '203.0.113.7'
    for (let n = 0; n < 10; n++) assertDenied(await login(apps[n % 3]!, `victim${n}`, source), `account ${n}`)

    // "Within one request", precisely. The 10th distinct account (on fastify A) fills the window to
    // the threshold, but the rule fires only after its answer has gone: the engine's add and claim
    // are Redis round trips that follow the request and never hold it. It fires on the instance
    // whose claim reaches Redis first: fastify A, or one whose add of a later account also found
    // the window at the threshold (a window keeps at most `threshold` entries, so every later add
    // totals 10 and claims too); runs here have seen A and B. That instance blocks the source in its
    // own map when it fires; the others learn of the block from its notice on Redis pub/sub. So a
    // request sent as soon as the 10th answer is in may find an instance that has not heard yet.
    // Asserted: after the client holds the 10th answer, each instance lets through at most ONE
    // request from the source (a "slip", answered as usual); its next request, and every one after
    // it, is refused with 429 and Retry-After. Three rounds over the instances, B, C, A in turn,
    // sent back to back with no wait.
    const slips = [0, 0, 0]
    const refused = [false, false, false]
    for (let n = 10; n < 19; n++) {
      const i = n % 3
      const app = apps[i]!
      const answer = await login(app, `victim${n}`, source)
      if (answer.status === 429) {
        assertRefused(answer, `${app.name}, account ${n}`)
        refused[i] = true
      } else {
        assertDenied(answer, `${app.name}, account ${n}`)
        assert.ok(!refused[i], `${app.name} let account ${n} through after it had refused the source`)
        slips[i]!++
      }
    }
    assert.deepEqual(
      fellBack(),
      [],
      'every count and block was Redis’s: no store call answered from local memory',
    )
    t.diagnostic(
      `requests let through after the firing, before the block reached the instance: ${apps
        .map((app, i) => `${app.name} ${slips[i]}`)
        .join(', ')}`,
    )
    for (const [i, app] of apps.entries()) {
      assert.ok(slips[i]! <= 1, `${app.name} let ${slips[i]} requests through after the firing`)
      assert.ok(refused[i], `${app.name} never refused the source`)
    }

    await Promise.all(apps.map((app) => app.store.settleWatchers()))
    for (const app of apps) {
      assert.equal(app.watchpost.rules.blocked({ source })?.rule, STUFFING, `${app.name} knows the block`)
      assertRefused(await hello(app, source), `${app.name}, /hello from the blocked source`)
      assertDenied(await login(app, 'victim0', '198.51.100.2'), `${app.name}, another source`)
      assert.equal((await hello(app, '198.51.100.2')).body, HELLO, `${app.name}, /hello from another source`)
      assert.equal(app.watchpost.rules.blocked({ source: '198.51.100.2' }), undefined)
    }

    await settle(apps)
    const fired = firings(apps, STUFFING, { SrcIpAddr: source })
    assert.deepEqual(
      fired.map(({ event }) => [event.EventCount, event.AdditionalFields?.Response]),
      [[10, 'block']],
      'one firing over the three sinks',
    )
    t.diagnostic(`the firing was recorded by ${apps[fired[0]!.index]!.name}`)
    for (const app of apps) {
      const [blocked, ...again] = app.events.filter((e) => e.EventOriginalType === 'access_blocked')
      assert.equal(again.length, 0, `${app.name}: the first refusal recorded at once, the rest per minute`)
      assert.equal(blocked?.SrcIpAddr, source, app.name)
      assert.equal(blocked.HttpStatusCode, 429, app.name)
    }
  })

  /**
   * A brute force on one account over the three instances: 4 failures, then redis-server SIGKILLed
   * between two requests, 3 failures while it is down (one on each instance), then redis-server
   * started again on the same port and the attack going on. packages/redis/README.md ("Behaviour
   * when Redis is down"): no call throws or waits past commandTimeoutMs; health is `degraded` from
   * the first call Redis did not answer; the adds made meanwhile are kept and replayed once a PING
   * answers, then health is `ok`; "a count that started before an outage and went on through it is
   * whole again after it ... as long as Redis kept its data: a server restarted without persistence
   * comes back empty and then holds only what the instances replayed"; and "nothing counts twice"
   * (an add that timed out may still reach Redis from the client's offline queue, and its replay
   * counts once).
   *
   * So three outages. Kept data: the server restarted with an RDB snapshot written just before the
   * kill, which the new process loads, as persistence would keep it. Empty: the helper's server,
   * which has no persistence. Short: restarted at once, so the ioredis clients still hold the adds
   * of the outage in their offline queues and send them to the new server too. Long: restarted
   * only once every client has given them up (ioredis flushes its queue with an error at the 21st
   * reconnection, maxRetriesPerRequest being 20), so that the store's replay alone brings them back.
   */
  const OUTAGES = [
    { keepsData: true, long: false, name: 'Redis killed mid-attack, restarted at once with its data' },
    {
      keepsData: true,
      long: true,
      name: 'Redis killed mid-attack, restarted with its data after a long outage',
    },
    { keepsData: false, long: true, name: 'Redis killed mid-attack, restarted empty after a long outage' },
  ] as const
  for (const [round, { keepsData, long, name }] of OUTAGES.entries()) {
    test(`${name}: every answer in time, degraded then ok, the count ${keepsData ? 'whole again' : 'what was replayed'}`, async (t) => {
      const { server, apps, admin, prefix } = await startCluster(t)
      const user = `carol${round}`
      const windowKey = `${prefix}weights:rule:${BRUTE_FORCE}:${user}`
      const answers: Answer[] = []
      let sent = 0
      const fail = async () => {
        sent++
        const answer = await login(apps[(sent - 1) % 3]!, user, `198.18.3.${sent}`)
        answers.push(answer)
        assertDenied(answer, `failure ${sent}`)
      }
      const reconnections = apps.map(() => 0)
      for (const [i, app] of apps.entries()) app.redis.on('reconnecting', () => reconnections[i]!++)

      for (let n = 0; n < 4; n++) await fail()
      await settle(apps)
      assert.equal(await admin.hget(windowKey, 'total'), '4')
      if (keepsData) await admin.save()
      await server.kill()

      for (let n = 0; n < 3; n++) await fail() // answered at once: the adds wait on Redis, not the requests
      // Degraded from the first add Redis did not answer; each of the request's three adds (brute
      // force, credential stuffing and password spray count failed logins) is kept for Redis once
      // its own call has timed out, which on a busy machine may come a little later.
      await until(
        'every instance degraded, its three adds of the outage kept',
        () =>
          apps.every(
            (app) =>
              app.watchpost.rules.health().state === 'degraded' && app.store.health().pendingReplay === 3,
          ),
        () => apps.map((app) => [app.watchpost.rules.health(), app.store.health()]),
        2000,
      )
      for (const app of apps) {
        const health = app.store.health()
        assert.equal(health.pendingReplay, 3, app.name)
        assert.equal(typeof health.lastError, 'string', app.name)
      }
      await Promise.all(apps.map((app) => app.watchpost.flush()))
      assert.equal(firings(apps, BRUTE_FORCE, { TargetUsername: user }).length, 0, 'no firing so far')
      if (long)
        await until(
          'every client past its 21st reconnection',
          () => reconnections.every((n) => n > 21),
          () => reconnections,
          15_000,
        )

      await server.restart()
      await until(
        'every instance ok, its replay done',
        () =>
          apps.every((app) => app.store.health().state === 'ok' && app.store.health().pendingReplay === 0),
        () => apps.map((app) => app.store.health()),
        10_000,
      )
      for (const app of apps) {
        const health = app.store.health()
        assert.equal(health.droppedReplay, 0, app.name)
        assert.equal(health.lastError, undefined, app.name)
        assert.equal(app.watchpost.rules.stats().storeErrors, 0, `${app.name}: no store call failed`)
      }
      // Kept: the 4 from before the outage and the 3 of it, each once. Empty: the 3 replayed alone.
      await settle(apps) // a late add from an offline queue, should one still be on its way
      assert.equal(await admin.hget(windowKey, 'total'), keepsData ? '7' : '3')

      let firedAt = 0
      while (firedAt === 0 && sent < 20) {
        await fail()
        await settle(apps)
        if (firings(apps, BRUTE_FORCE, { TargetUsername: user }).length > 0) firedAt = sent
      }
      // Kept: at the 10th failure of the whole attack (4 before, 3 during, 3 after). Empty: once the
      // 3 replayed and those after reach 10, at the 14th (the 4 from before are gone).
      assert.equal(firedAt, keepsData ? 10 : 14)
      const fired = firings(apps, BRUTE_FORCE, { TargetUsername: user })
      assert.equal(fired.length, 1)
      assert.equal(fired[0]?.event.EventCount, 10)
      assert.equal(answers.length, sent)
      t.diagnostic(
        `outage of ${Math.min(...reconnections)}+ reconnections; slowest answer ${Math.max(...answers.map((a) => a.ms)).toFixed(0)} ms over ${sent} failures`,
      )
    })
  }

  test('a rule hook that throws, or rejects, never breaks the request that tripped it', async (t) => {
    const calls: RuleFiring[] = []
    const hooks: Record<string, RuleHook> = {
      throws(firing) {
        calls.push(firing)
        throw new Error('the hook threw')
      },
      async rejects(firing) {
        calls.push(firing)
        throw new Error('the hook rejected')
      },
    }
    const rule = (id: string, hook: string): RuleConfig => ({
      id,
      enabled: true,
      events: ['authn_login_fail'],
      groupBy: ['TargetUsername'],
      threshold: 3,
      windowSeconds: 600,
      response: { action: 'hook', hook, target: 'source', durationSeconds: 900, status: 429, delayMs: 2000 },
    })
    const escaped: unknown[] = []
    const warnings: string[] = []
    const onEscape = (error: unknown) => void escaped.push(error)
    const onWarning = (warning: Error & { code?: string }) => void warnings.push(String(warning.code))
    process.on('unhandledRejection', onEscape)
    process.on('uncaughtException', onEscape)
    process.on('warning', onWarning)
    t.after(() => {
      process.off('unhandledRejection', onEscape)
      process.off('uncaughtException', onEscape)
      process.off('warning', onWarning)
    })
    const { apps, fellBack } = await startCluster(t, {
      rules: [rule('e2e.hook-throws', 'throws'), rule('e2e.hook-rejects', 'rejects')],
      hooks,
    })

    // The 3rd failure, on express C, trips both rules there (their hooks run once its add and claim
    // have answered: after its answer has gone, as every firing on a Redis store).
    for (let n = 0; n < 3; n++) {
      assertDenied(await login(apps[n]!, 'erin', `198.18.4.${n}`), `${apps[n]!.name}, failure ${n + 1}`)
      await settle(apps)
    }
    assert.deepEqual(fellBack(), [], 'every count was Redis’s: no store call answered from local memory')
    assert.deepEqual(
      calls.map((c) => [c.rule, c.group, c.count]).sort(),
      [
        ['e2e.hook-rejects', { TargetUsername: 'erin' }, 3],
        ['e2e.hook-throws', { TargetUsername: 'erin' }, 3],
      ],
      'each hook called once, over the three instances',
    )
    assert.deepEqual(
      apps.map((app) => app.watchpost.rules.stats().hookErrors),
      [0, 0, 2],
    )
    assert.deepEqual(
      warnings.filter((code) => code === 'WATCHPOST_W109'),
      ['WATCHPOST_W109', 'WATCHPOST_W109'],
    )
    for (const id of ['e2e.hook-throws', 'e2e.hook-rejects'])
      assert.deepEqual(
        firings(apps, id, { TargetUsername: 'erin' }).map(({ index, event }) => [
          index,
          event.AdditionalFields?.Response,
        ]),
        [[2, 'hook']],
      )
    // The instance goes on: the same account again, and another route.
    assertDenied(await login(apps[2]!, 'erin', '198.18.4.9'), `${apps[2]!.name}, after the hooks`)
    assert.equal((await hello(apps[2]!, '198.18.4.9')).body, HELLO)
    assert.deepEqual(escaped, [], 'nothing escaped to the process')
  })
})

describe('an instance that could not reach Redis as it started', () => {
  test('learns the blocks already in Redis once its store is back', async (t) => {
    const server = await startRedisServer()
    t.after(() => server.stop())
    const options = {
      config: false as const,
      sinks: [],
      mode: 'protect' as const,
      trustProxy: 'loopback' as const,
      rules: [
        { id: 'watchpost.credential-stuffing', response: { action: 'block' as const, durationSeconds: 60 } },
      ],
    }
    const start = async () => {
      const redis = new Redis({ host: '127.0.0.1', port: server.port, retryStrategy: () => 50 })
      redis.on('error', () => {})
      await redis.ping()
      const store = createRedisStateStore({ client: redis, prefix: 'late:' })
      const app = fastify()
      t.after(async () => {
        await app.close()
        redis.disconnect()
      })
      return { store, app }
    }
    const a = await start()
    await a.app.register(watchpostFastify, { ...options, runtime: { state: a.store } } as never)
    await a.app.watchpost.rules.block({ source: '203.0.113.7', seconds: 600 })
    const b = await start()
    server.pause() // Redis hung while B starts: B's first listing of the blocks answers from memory
    await b.app.register(watchpostFastify, { ...options, runtime: { state: b.store } } as never)
    b.app.get('/hello', async () => 'hello')
    await sleep(150)
    server.resume()
    const deadline = Date.now() + 5000
    while (b.app.watchpost.rules.blocked({ source: '203.0.113.7' }) === undefined && Date.now() < deadline)
      await sleep(20)
    assert.equal(b.store.health().state, 'ok')
    assert.equal(
      b.app.watchpost.rules.blocked({ source: '203.0.113.7' })?.rule,
      'manual',
      'B knows the block',
    )
    const res = await b.app.inject({
      url: '/hello',
      headers: { 'x-forwarded-for': '203.0.113.7' },
      remoteAddress: '127.0.0.1',
    })
    assert.equal(res.statusCode, 429)
  })
})
