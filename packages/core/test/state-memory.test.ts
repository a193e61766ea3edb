import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { MemoryStateStore } from '../src/state/memory.js'
import { stateStoreContract } from './support/state-store-contract.js'

stateStoreContract('memory', { make: () => new MemoryStateStore() })

describe('memory store bounds', () => {
  it('drops the least recently used window past maxKeys', () => {
    const store = new MemoryStateStore({ maxKeys: 3 })
    const add = (key: string, member: string) => store.add(key, { member, at: 1000, weight: 1 }, 60_000, 10)
    add('a', '1')
    add('b', '1')
    add('c', '1')
    add('a', '2') // a is now the most recent
    add('d', '1') // b goes
    assert.equal(add('a', '3'), 3)
    assert.equal(add('b', '2'), 1)
  })

  it('never evicts a window in use, though it moves it only now and then', () => {
    const store = new MemoryStateStore({ maxKeys: 100 })
    const add = (key: string, member: string) =>
      store.add(key, { member, at: 1000, weight: 1 }, 60_000, 10_000)
    let hot = 0
    // One window used every other add among 5,000 new ones: 50 times more windows than are kept.
    for (let i = 0; i < 5000; i++) {
      hot = add('hot', `m${i}`)
      add(`cold${i}`, 'x')
    }
    assert.equal(hot, 5000, 'the hot window kept every entry')
    assert.equal(add('cold0', 'y'), 1, 'the oldest cold window was evicted')
  })

  it('keeps a window right through long runs of re-added members and expiries', () => {
    const store = new MemoryStateStore()
    const add = (member: string, at: number, weight = 1) => store.add('w', { member, at, weight }, 1000, 100)
    // One member re-added 5,000 times: counted once, with its latest weight.
    for (let i = 0; i < 5000; i++) assert.equal(add('same', i / 10, 1 + (i % 3)), 1 + (i % 3))
    // 5,000 distinct members over time: at most the cap, and only those inside the window.
    let total = 0
    for (let i = 0; i < 5000; i++) total = add(`m${i}`, 1000 + i * 20)
    assert.equal(total, 50, 'a 1000-ms window over entries 20 ms apart holds 50')
    // A member seen again moves to the back: it outlives those added before it.
    for (let i = 0; i < 100; i++) add(`k${i}`, 200_000 + i)
    add('k0', 200_500)
    assert.equal(add('late', 201_100), 2, 'only k0 (at 200,500) and late remain')
  })

  it('holds a window in bounded memory while one entry stays at its front and others are re-added', () => {
    // The queue keeps a replaced entry until it is rebuilt; nothing expires behind a live front
    // entry, so only the rebuild bounds it. A million re-adds kept a slot each without one.
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const store = new MemoryStateStore()
    const add = (member: string) => store.add('w', { member, at: 1000, weight: 1 }, 60_000, 100)
    add('front')
    gc()
    const before = process.memoryUsage().heapUsed
    let total = 0
    for (let i = 0; i < 1_000_000; i++) total = add(`m${i % 10}`)
    gc()
    const grown = process.memoryUsage().heapUsed - before
    assert.equal(total, 11, 'the front entry and the ten re-added members')
    assert.ok(grown < 16 * 1024 * 1024, `the heap grew by ${(grown / 1024 / 1024).toFixed(1)} MB`)
  })

  it('answers synchronously', () => {
    const store = new MemoryStateStore()
    assert.equal(typeof store.add('k', { member: 'm', at: 1, weight: 1 }, 1000, 10), 'number')
    assert.equal(typeof store.claim('k', 1, 1000), 'boolean')
  })
})
