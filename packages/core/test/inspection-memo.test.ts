import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type PassedOver, Prefilter, walkDecoded } from '../src/inspection/decoded.js'
import { DEFAULT_LIMITS, type RequestInputs, walkInputs } from '../src/inspection/inputs.js'
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

describe('the walk with the prefilter as its screen', () => {
  /** Every input the walk hands over, as [kind, raw, name]. */
  const handed = (inputs: RequestInputs, screen?: Prefilter) => {
    const out: [string, string, string][] = []
    walkInputs(
      inputs,
      HEADERS,
      DEFAULT_LIMITS,
      (kind, raw, name) => {
        out.push([kind, raw, typeof name === 'string' ? name : name.join('.')])
        return false
      },
      screen,
    )
    return out
  }

  it('hands over exactly the inputs the prefilter does not call clean, named as without it', () => {
    // Objects of an array with the same keys, one of them swapped for a suspect one at the same
    // place, and a suspect key repeated: the walk remembers clean keys by position.
    const body = {
      items: [
        { sku: 'A-1', name: 'Lamp', qty: 1 },
        { sku: 'A-2', $where: 'sleep(1)', qty: 2 },
        { sku: 'A-3', $where: 'sleep(2)', qty: 3 },
        { sku: "A-4' or 1=1", name: 'Lamp', qty: 4 },
      ],
      note: { sku: 'x', constructor: { prototype: 1 } },
    }
    const samples: RequestInputs[] = [{ url: '/orders?x=1', cookie: undefined, headers: [], body }]
    for (const entry of [...corpus('attacks'), ...corpus('benign')]) {
      const inputs = inputsOf(entry, HEADERS)
      if (inputs !== undefined) samples.push(inputs)
    }
    const plain = new Prefilter()
    const remembering = new Prefilter(new BoundedMemo(4096))
    for (const inputs of samples) {
      const expected = handed(inputs).filter(([kind, raw]) => !plain.clean(raw, kind === 'path'))
      assert.deepEqual(handed(inputs, remembering), expected)
    }
    assert.deepEqual(
      handed(samples[0] as RequestInputs, remembering).filter(([kind]) => kind === 'body_key'),
      [
        ['body_key', '$where', 'items.1.$where'],
        ['body_key', '$where', 'items.2.$where'],
        ['body_key', 'constructor', 'note.constructor'],
        ['body_key', 'prototype', 'note.constructor.prototype'],
      ],
    )
  })
})
