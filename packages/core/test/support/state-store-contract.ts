/**
 * What every StateStore must do (src/state/types.ts), as one suite: the memory store runs it here
 * (state-memory.test.ts), `@watchpost/redis` runs it against a real redis-server. `make` gives a
 * fresh, empty store; `settle` waits until block changes reached the store's watchers (a shared store
 * hears of them through its server).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { BlockChange, StateStore } from '../../src/state/types.js'

export interface ContractOptions {
  readonly make: () => Promise<StateStore> | StateStore
  readonly settle?: () => Promise<void>
}

const T0 = 1_700_000_000_000
const entry = (member: string, at: number, weight = 1) => ({ member, at, weight })

export function stateStoreContract(name: string, { make, settle = async () => {} }: ContractOptions): void {
  async function withStore(fn: (store: StateStore) => Promise<void>): Promise<void> {
    const store = await make()
    try {
      await fn(store)
    } finally {
      await store.close()
    }
  }

  describe(`${name}: the StateStore contract`, () => {
    it('counts the entries inside the window, each new one included', () =>
      withStore(async (store) => {
        const totals: number[] = []
        for (let i = 0; i < 5; i++)
          totals.push(await store.add('w', entry(`e${i}`, T0 + i * 1000), 60_000, 100))
        assert.deepEqual(totals, [1, 2, 3, 4, 5])
      }))

    it('slides: entries older than the window no longer count', () =>
      withStore(async (store) => {
        // Three entries late in one minute, three early in the next: never more than the ones
        // within 60 s of the newest.
        const at = [50_000, 55_000, 59_000, 61_000, 65_000, 121_000]
        const totals: number[] = []
        for (const [i, t] of at.entries())
          totals.push(await store.add('w', entry(`e${i}`, T0 + t), 60_000, 100))
        assert.deepEqual(totals, [1, 2, 3, 4, 5, 2])
      }))

    it('an entry exactly one window old is out', () =>
      withStore(async (store) => {
        await store.add('w', entry('a', T0), 10_000, 100)
        assert.equal(await store.add('w', entry('b', T0 + 10_000), 10_000, 100), 1)
      }))

    it('sums weights (an aggregated event counts as many)', () =>
      withStore(async (store) => {
        assert.equal(await store.add('w', entry('a', T0, 7), 60_000, 100), 7)
        assert.equal(await store.add('w', entry('b', T0 + 1, 3), 60_000, 100), 10)
      }))

    it('counts a member once: a distinct count', () =>
      withStore(async (store) => {
        const totals: number[] = []
        for (const [i, user] of ['alice', 'bob', 'alice', 'carol', 'bob'].entries())
          totals.push(await store.add('d', entry(user, T0 + i), 60_000, 100))
        assert.deepEqual(totals, [1, 2, 2, 3, 3])
      }))

    it('a member added again is dated anew', () =>
      withStore(async (store) => {
        await store.add('d', entry('alice', T0), 10_000, 100)
        await store.add('d', entry('bob', T0 + 1000), 10_000, 100)
        await store.add('d', entry('alice', T0 + 9000), 10_000, 100)
        // At T0 + 10,500 the first alice would have expired; the second keeps her in.
        assert.equal(await store.add('d', entry('carol', T0 + 10_500), 10_000, 100), 3)
      }))

    it('keeps at most `cap` entries, the newest', () =>
      withStore(async (store) => {
        let total = 0
        for (let i = 0; i < 50; i++) total = await store.add('w', entry(`e${i}`, T0 + i), 60_000, 10)
        assert.equal(total, 10)
      }))

    it('counts entries said to be unique (a plain count) as it counts the others', () =>
      withStore(async (store) => {
        const unique = (member: string, at: number, weight = 1) => ({ member, at, weight, unique: true })
        const totals: number[] = []
        // Weights sum, the window slides, the cap keeps the newest; beside a distinct member.
        totals.push(await store.add('u', unique('e0', T0, 3), 10_000, 4))
        totals.push(await store.add('u', entry('alice', T0 + 1000), 10_000, 4))
        totals.push(await store.add('u', unique('e1', T0 + 2000), 10_000, 4))
        totals.push(await store.add('u', entry('alice', T0 + 3000), 10_000, 4))
        totals.push(await store.add('u', unique('e2', T0 + 10_500), 10_000, 4))
        for (let i = 3; i < 9; i++)
          totals.push(await store.add('u', unique(`e${i}`, T0 + 11_000 + i), 10_000, 4))
        assert.deepEqual(totals, [3, 4, 5, 5, 3, 4, 4, 4, 4, 4, 4])
      }))

    it('keeps windows apart by key', () =>
      withStore(async (store) => {
        await store.add('a', entry('x', T0), 60_000, 100)
        await store.add('a', entry('y', T0), 60_000, 100)
        assert.equal(await store.add('b', entry('x', T0), 60_000, 100), 1)
      }))

    it('claims: one taker per key until the claim expires', () =>
      withStore(async (store) => {
        assert.equal(await store.claim('c', T0, 10_000), true)
        assert.equal(await store.claim('c', T0 + 5000, 10_000), false)
        assert.equal(await store.claim('other', T0 + 5000, 10_000), true)
        assert.equal(await store.claim('c', T0 + 10_000, 10_000), true)
      }))

    it('sets, lists, extends and lifts blocks', () =>
      withStore(async (store) => {
        await store.setBlock({ kind: 'source', value: '203.0.113.9', until: T0 + 60_000, rule: 'r1' })
        await store.setBlock({ kind: 'user', value: 'alice', until: T0 + 30_000, rule: 'r2' })
        const list = async (now: number) =>
          [...(await store.listBlocks(now))].map((b) => `${b.kind}:${b.value}:${b.until}:${b.rule}`).sort()
        assert.deepEqual(await list(T0), [
          `source:203.0.113.9:${T0 + 60_000}:r1`,
          `user:alice:${T0 + 30_000}:r2`,
        ])
        assert.deepEqual(await list(T0 + 40_000), [`source:203.0.113.9:${T0 + 60_000}:r1`])
        await store.setBlock({ kind: 'source', value: '203.0.113.9', until: T0 + 90_000, rule: 'manual' })
        assert.deepEqual(await list(T0 + 70_000), [`source:203.0.113.9:${T0 + 90_000}:manual`])
        assert.equal(await store.liftBlock({ kind: 'source', value: '203.0.113.9' }), true)
        assert.equal(await store.liftBlock({ kind: 'source', value: '203.0.113.9' }), false)
        assert.deepEqual(await list(T0), [])
      }))

    it('tells its watchers of blocks set and lifted', () =>
      withStore(async (store) => {
        const seen: string[] = []
        const stop = store.watchBlocks((c: BlockChange) =>
          seen.push(`${c.lifted ? 'lift' : 'set'} ${c.block.value}`),
        )
        await settle()
        await store.setBlock({ kind: 'source', value: '198.51.100.7', until: T0 + 60_000, rule: 'r' })
        await store.liftBlock({ kind: 'source', value: '198.51.100.7' })
        await settle()
        stop()
        await store.setBlock({ kind: 'source', value: '198.51.100.8', until: T0 + 60_000, rule: 'r' })
        await settle()
        assert.deepEqual(seen, ['set 198.51.100.7', 'lift 198.51.100.7'])
      }))

    it('reports itself healthy when its server is there', () =>
      withStore(async (store) => {
        assert.equal(store.health().state, 'ok')
      }))
  })
}
