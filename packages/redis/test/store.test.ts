/**
 * What the store writes to Redis and how it treats the app's client: keys and the channel under
 * the prefix, PTTLs, windows forgotten, weights kept in Redis, scripts reloaded after SCRIPT FLUSH,
 * the app's connection neither closed nor subscribed, and misuse refused.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createRedisStateStore, type RedisStateStore, type RedisStateStoreOptions } from '../src/index.js'
import { CLIENT_KINDS, openClient, type TestClient } from './support/clients.js'
import { type RedisServer, startRedisServer } from './support/redis-server.js'

const T0 = 1_700_000_000_000

/** Every key in the server, by SCAN. */
async function keys(client: TestClient): Promise<string[]> {
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = (await client.command('SCAN', cursor, 'COUNT', '1000')) as [string, string[]]
    found.push(...batch)
    cursor = next
  } while (cursor !== '0')
  return found.sort()
}

/** The connections the server has, by name of their last command (CLIENT LIST). */
async function connections(client: TestClient): Promise<string[]> {
  const list = String(await client.command('CLIENT', 'LIST'))
  return list
    .trim()
    .split('\n')
    .map((line) => /\bcmd=(\S+)/.exec(line)?.[1] ?? '?')
}

for (const kind of CLIENT_KINDS) {
  describe(`the store in Redis, via ${kind}`, () => {
    let server: RedisServer | undefined
    let app: TestClient | undefined
    const stores: RedisStateStore[] = []

    before(async () => {
      server = await startRedisServer()
      app = await openClient(kind, server.port)
    })
    after(async () => {
      for (const store of stores) await store.close()
      await app?.close()
      await server?.stop()
    })

    function make(options: Omit<RedisStateStoreOptions, 'client'> = {}): RedisStateStore {
      const store = createRedisStateStore({ client: app!.client, ...options })
      stores.push(store)
      return store
    }

    it('writes every key, and publishes, under its prefix; windows and claims have a PTTL', async () => {
      await app!.command('FLUSHALL')
      const store = make({ prefix: 'tenant-a:' })
      store.watchBlocks(() => {})
      await store.settleWatchers()
      await store.add('login:203.0.113.9', { member: 'e1', at: T0, weight: 2 }, 60_000, 100)
      await store.claim('rule-1:203.0.113.9', T0, 30_000)
      await store.setBlock({ kind: 'source', value: '203.0.113.9', until: T0 + 60_000, rule: 'r' })
      assert.deepEqual(await keys(app!), [
        'tenant-a:blocks',
        'tenant-a:claim:rule-1:203.0.113.9',
        'tenant-a:weights:login:203.0.113.9',
        'tenant-a:window:login:203.0.113.9',
      ])
      assert.deepEqual(await app!.command('PUBSUB', 'CHANNELS'), ['tenant-a:blocks'])
      for (const key of ['tenant-a:window:login:203.0.113.9', 'tenant-a:weights:login:203.0.113.9']) {
        const pttl = Number(await app!.command('PTTL', key))
        assert.ok(pttl > 50_000 && pttl <= 60_000, `${key}: PTTL ${pttl}`)
      }
      const claimTtl = Number(await app!.command('PTTL', 'tenant-a:claim:rule-1:203.0.113.9'))
      assert.ok(claimTtl > 20_000 && claimTtl <= 30_000, `claim PTTL ${claimTtl}`)
      assert.equal(await app!.command('GET', 'tenant-a:claim:rule-1:203.0.113.9'), String(T0 + 30_000))
      // The default prefix.
      await make().add('k', { member: 'm', at: T0, weight: 1 }, 1000, 10)
      assert.ok((await keys(app!)).includes('watchpost:window:k'))
    })

    it('keeps weights in Redis: another store reads the same total, and a re-added member counts once', async () => {
      const [one, two] = [make({ prefix: 'weights:' }), make({ prefix: 'weights:' })]
      assert.equal(await one.add('w', { member: 'a', at: T0, weight: 5 }, 60_000, 100), 5)
      assert.equal(await two.add('w', { member: 'b', at: T0 + 1, weight: 3 }, 60_000, 100), 8)
      // The same member again, with another weight: its old weight is replaced, not added to.
      assert.equal(await one.add('w', { member: 'a', at: T0 + 2, weight: 4 }, 60_000, 100), 7)
      assert.equal(await two.add('w', { member: 'a', at: T0 + 3, weight: 4 }, 60_000, 100), 7)
      // The same add twice (a replay of a call that went through late) changes nothing.
      assert.equal(await two.add('w', { member: 'a', at: T0 + 3, weight: 4 }, 60_000, 100), 7)
    })

    it('slides by the newest entry and trims to cap, the oldest first', async () => {
      const store = make({ prefix: 'slide:' })
      const at = [50_000, 55_000, 59_000, 61_000, 65_000, 112_000, 122_000]
      const totals: number[] = []
      for (const [i, t] of at.entries())
        totals.push(await store.add('w', { member: `e${i}`, at: T0 + t, weight: 1 }, 60_000, 100))
      // At 112 s the entries after 52 s count (5); at 122 s those after 62 s (3).
      assert.deepEqual(totals, [1, 2, 3, 4, 5, 5, 3])
      // An entry dated before the newest one keeps its own time: out of the window already, it
      // does not count (the window stays as it was).
      assert.equal(await store.add('w', { member: 'late', at: T0 + 61_000, weight: 1 }, 60_000, 100), 3)
      assert.equal(await store.add('w', { member: 'late2', at: T0 + 100_000, weight: 1 }, 60_000, 100), 4)
      // A member added again with an earlier time keeps the later one (never dated back).
      await store.add('d', { member: 'x', at: T0 + 10, weight: 1 }, 60_000, 100)
      assert.equal(await store.add('d', { member: 'x', at: T0 + 5, weight: 1 }, 60_000, 100), 1)
      assert.equal(Number(await app!.command('ZSCORE', 'slide:window:d', 'x')), T0 + 10)
      for (let i = 0; i < 20; i++) await store.add('c', { member: `c${i}`, at: T0 + i, weight: 2 }, 60_000, 5)
      assert.deepEqual(await app!.command('ZRANGE', 'slide:window:c', '0', '-1'), [
        'c15',
        'c16',
        'c17',
        'c18',
        'c19',
      ])
      assert.equal(await store.add('c', { member: 'c20', at: T0 + 20, weight: 2 }, 60_000, 5), 10)
    })

    it('lets Redis forget a window once it has passed', async () => {
      const store = make({ prefix: 'forget:' })
      await store.add('short', { member: 'a', at: T0, weight: 1 }, 150, 10)
      assert.equal(await app!.command('EXISTS', 'forget:window:short', 'forget:weights:short'), 2)
      await sleep(300)
      assert.equal(await app!.command('EXISTS', 'forget:window:short', 'forget:weights:short'), 0)
    })

    it('loads its scripts again after SCRIPT FLUSH, without falling back', async () => {
      const store = make({ prefix: 'flush:' })
      assert.equal(await store.add('w', { member: 'a', at: T0, weight: 1 }, 60_000, 10), 1)
      await app!.command('SCRIPT', 'FLUSH')
      assert.equal(await store.add('w', { member: 'b', at: T0 + 1, weight: 1 }, 60_000, 10), 2)
      assert.equal(await store.claim('c', T0, 1000), true)
      assert.deepEqual(store.health(), { state: 'ok', fallbacks: 0, pendingReplay: 0, droppedReplay: 0 })
    })

    it("subscribes on a duplicate connection, closed by close(); the app's stays open and unsubscribed", async () => {
      const store = createRedisStateStore({ client: app!.client, prefix: 'dup:' })
      const before = (await connections(app!)).length
      store.watchBlocks(() => {})
      store.watchBlocks(() => {})
      await store.settleWatchers()
      const during = await connections(app!)
      assert.equal(during.length, before + 1, during.join(' '))
      await store.close()
      let after = await connections(app!)
      for (let i = 0; i < 50 && after.length !== before; i++) {
        await sleep(20)
        after = await connections(app!)
      }
      assert.equal(after.length, before, after.join(' '))
      // The app's own connection still takes ordinary commands.
      assert.equal(await app!.command('SET', 'dup:x', '1'), 'OK')
      assert.equal(await app!.command('GET', 'dup:x'), '1')
    })

    it('refuses misuse: a client of neither kind, weights and times outside the contract', async () => {
      assert.throws(() => createRedisStateStore({ client: {} as never }), TypeError)
      assert.throws(() => createRedisStateStore({ client: app!.client, commandTimeoutMs: 0 }), TypeError)
      const store = make({ prefix: 'misuse:' })
      await assert.rejects(() => store.add('w', { member: 'a', at: T0, weight: 0 }, 1000, 10), TypeError)
      await assert.rejects(() => store.add('w', { member: 'a', at: T0, weight: 1.5 }, 1000, 10), TypeError)
      await assert.rejects(() => store.add('w', { member: 'a', at: T0, weight: 1 }, 1000, 0), TypeError)
      await assert.rejects(() => store.claim('c', T0, 0), TypeError)
      await assert.rejects(
        () => store.setBlock({ kind: 'ip' as never, value: 'x', until: T0, rule: 'r' }),
        TypeError,
      )
      assert.equal(store.health().fallbacks, 0)
    })
  })
}
