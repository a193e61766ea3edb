import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BoundedMemo } from '../src/memo.js'

describe('BoundedMemo', () => {
  it('remembers up to its size, then starts over', () => {
    const memo = new BoundedMemo<string, number>(3)
    for (const [i, key] of ['a', 'b', 'c'].entries()) memo.set(key, i)
    assert.deepEqual(
      ['a', 'b', 'c'].map((k) => memo.get(k)),
      [0, 1, 2],
    )
    memo.set('d', 3)
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((k) => memo.get(k)),
      [undefined, undefined, undefined, 3],
    )
  })

  it('neither remembers nor looks up a string key longer than longestKey', () => {
    const memo = new BoundedMemo<string, boolean>(8, 4)
    memo.set('abcd', true)
    memo.set('abcde', true)
    assert.equal(memo.get('abcd'), true)
    assert.equal(memo.get('abcde'), undefined)
    // A long key does not count against the size either: the short ones stay.
    for (let i = 0; i < 100; i++) memo.set(`long-key-${i}`, false)
    assert.equal(memo.get('abcd'), true)
  })
})
