import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
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

  it('answers synchronously', () => {
    const store = new MemoryStateStore()
    assert.equal(typeof store.add('k', { member: 'm', at: 1, weight: 1 }, 1000, 10), 'number')
    assert.equal(typeof store.claim('k', 1, 1000), 'boolean')
  })
})
