/**
 * Three stores, as three app instances, on three clients (ioredis, node-redis 5, node-redis 4)
 * against one redis-server: they share windows, claims and blocks as one store would.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type BlockChange, MemoryStateStore } from '@watchpost/core/sdk'
import { createRedisStateStore, type RedisStateStore } from '../src/index.js'
import { CLIENT_KINDS, openClient, type TestClient } from './support/clients.js'
import { type RedisServer, startRedisServer } from './support/redis-server.js'

const T0 = 1_700_000_000_000

describe('three instances sharing one Redis', () => {
  let server: RedisServer | undefined
  const clients: TestClient[] = []
  let round = 0

  before(async () => {
    server = await startRedisServer()
    for (const kind of CLIENT_KINDS) clients.push(await openClient(kind, server.port))
  })
  after(async () => {
    for (const client of clients) await client.close()
    await server?.stop()
  })

  /** Three stores on one fresh prefix, one per client; closed after the test. */
  function instances(t: { after(fn: () => Promise<void>): void }): RedisStateStore[] {
    const prefix = `shared${++round}:`
    // What these tests check is atomicity across instances, not the deadline: a generous one keeps
    // a busy machine's slow answers (300 adds at once) from being taken for an outage.
    const stores = clients.map(({ client }) =>
      createRedisStateStore({ client, prefix, commandTimeoutMs: 5000 }),
    )
    t.after(async () => {
      for (const store of stores) await store.close()
    })
    return stores
  }

  it('a window filled from all three totals exactly as one store would', async (t) => {
    const stores = instances(t)
    const one = new MemoryStateStore()
    // In turn: every total is the single store's, weights, repeats (a distinct member) and the
    // window's slide included.
    for (let i = 0; i < 60; i++) {
      const entry = { member: i % 7 === 3 ? 'again' : `e${i}`, at: T0 + i * 1500, weight: 1 + (i % 4) }
      const shared = await stores[i % 3]!.add('w', entry, 30_000, 12)
      assert.equal(shared, one.add('w', entry, 30_000, 12), `add ${i}`)
    }
    // All at once: every add is one step in Redis, so the 300 totals are 1…300, each once.
    const totals = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        stores[i % 3]!.add('burst', { member: `b${i}`, at: T0 + i, weight: 1 }, 60_000, 1000),
      ),
    )
    assert.deepEqual(
      [...totals].sort((a, b) => a - b),
      Array.from({ length: 300 }, (_, i) => i + 1),
    )
    for (const store of stores) assert.equal(store.health().fallbacks, 0)
  })

  it('a claim taken on one is refused on the others', async (t) => {
    const stores = instances(t)
    for (let k = 0; k < 20; k++) {
      const taken = await Promise.all(stores.map((store) => store.claim(`group${k}`, T0, 10_000)))
      assert.equal(taken.filter(Boolean).length, 1, `group${k}: ${taken}`)
    }
    assert.equal(await stores[0]!.claim('c', T0, 10_000), true)
    assert.equal(await stores[1]!.claim('c', T0 + 9_999, 10_000), false)
    assert.equal(await stores[2]!.claim('c', T0 + 5_000, 10_000), false)
    assert.equal(await stores[2]!.claim('c', T0 + 10_000, 10_000), true)
    assert.equal(await stores[0]!.claim('c', T0 + 12_000, 10_000), false)
  })

  it("a block set on one reaches the others' watchers, and its own once", async (t) => {
    const stores = instances(t)
    const seen = stores.map(() => [] as string[])
    stores.forEach((store, i) => {
      store.watchBlocks((c: BlockChange) =>
        seen[i]!.push(`${c.lifted ? 'lift' : 'set'} ${c.block.value} ${c.block.rule}`),
      )
    })
    const settle = () => Promise.all(stores.map((store) => store.settleWatchers()))
    await settle()
    await stores[0]!.setBlock({ kind: 'source', value: '192.0.2.1', until: T0 + 60_000, rule: 'r1' })
    await settle()
    assert.deepEqual(seen, [['set 192.0.2.1 r1'], ['set 192.0.2.1 r1'], ['set 192.0.2.1 r1']])
    assert.equal(await stores[1]!.liftBlock({ kind: 'source', value: '192.0.2.1' }), true)
    await stores[2]!.setBlock({ kind: 'user', value: 'mallory', until: T0 + 60_000, rule: 'r2' })
    await settle()
    for (const lines of seen)
      assert.deepEqual(lines, ['set 192.0.2.1 r1', 'lift 192.0.2.1 r1', 'set mallory r2'])
    for (const store of stores)
      assert.deepEqual(
        (await store.listBlocks(T0)).map((b) => `${b.kind}:${b.value}`),
        ['user:mallory'],
      )
  })
})
