import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type PassedOver, Prefilter, walkDecoded } from '../src/inspection/decoded.js'
import { DEFAULT_LIMITS } from '../src/inspection/inputs.js'
import { BoundedMemo } from '../src/memo.js'
import { corpus, inputsOf } from './support/corpus.js'

const HEADERS = ['user-agent', 'referer', 'x-forwarded-for', 'x-forwarded-host']

/** Every input of the corpus the walk hands over decoded, as `id kind raw` lines. */
function decodedInputs(memo?: PassedOver): string[] {
  const out: string[] = []
  for (const entry of [...corpus('attacks'), ...corpus('benign')]) {
    const inputs = inputsOf(entry, HEADERS)
    if (inputs === undefined) continue
    walkDecoded(
      inputs,
      HEADERS,
      DEFAULT_LIMITS,
      (kind, _text, _anomalies, raw) => {
        out.push(`${entry.id} ${kind} ${raw}`)
        return false
      },
      undefined,
      memo === undefined ? undefined : new Prefilter(memo),
    )
  }
  return out
}

describe('the memory of values the prefilter passed over', () => {
  it('hands the rules exactly what the walk without it does, the second time over the corpus too', () => {
    const without = decodedInputs()
    const memo: PassedOver = new BoundedMemo(4096)
    assert.deepEqual(decodedInputs(memo), without)
    assert.deepEqual(decodedInputs(memo), without)
    assert.ok(without.length > 1000, 'the corpus has inputs the rules see')
  })

  it('keeps apart what it passed over as a path and as a value', () => {
    // `/a/b` is nothing as a path (its single slashes are its separators); as a value, a slash may
    // start a traversal, so the prefilter lets it through.
    const memo: PassedOver = new BoundedMemo(16)
    for (let round = 0; round < 2; round++) {
      const seen: string[] = []
      walkDecoded(
        { url: '/a/b?next=/a/b', cookie: undefined, headers: [], body: undefined },
        [],
        DEFAULT_LIMITS,
        (kind, _text, _anomalies, raw) => {
          seen.push(`${kind} ${raw}`)
          return false
        },
        undefined,
        new Prefilter(memo),
      )
      assert.deepEqual(seen, ['query /a/b'], `round ${round}`)
    }
    assert.equal(memo.get('/a/b'), 2, 'remembered as a path only')
  })

  it('starts over when full', () => {
    const memo = new BoundedMemo<string, number>(2)
    memo.set('a', 1)
    memo.set('b', 2)
    memo.set('c', 3)
    assert.deepEqual([memo.get('a'), memo.get('b'), memo.get('c')], [undefined, undefined, 3])
  })
})
