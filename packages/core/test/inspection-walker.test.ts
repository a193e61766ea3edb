import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodedWalker, walkDecoded } from '../src/inspection/decoded.js'
import { DEFAULT_LIMITS, InputWalker, type InspectionLimits } from '../src/inspection/inputs.js'
import { corpus, inputsOf } from './support/corpus.js'

const HEADERS = ['user-agent', 'referer', 'x-forwarded-for']

describe('a walker kept from request to request', () => {
  it('hands over what a new walk of each request does, over the whole corpus', () => {
    const fresh: string[] = []
    const reused: string[] = []
    const walker = decodedWalker(HEADERS, DEFAULT_LIMITS, (kind, text, anomalies, _raw, name) => {
      reused.push(`${kind} ${String(name)} ${anomalies} ${text}`)
      return false
    })
    for (const entry of [...corpus('attacks'), ...corpus('benign')]) {
      const inputs = inputsOf(entry, HEADERS)
      if (inputs === undefined) continue
      const a = walkDecoded(inputs, HEADERS, DEFAULT_LIMITS, (kind, text, anomalies, _raw, name) => {
        fresh.push(`${kind} ${String(name)} ${anomalies} ${text}`)
        return false
      })
      const b = walker.walk(inputs)
      assert.deepEqual(b, a, entry.id)
    }
    assert.deepEqual(reused, fresh)
    assert.ok(fresh.length > 1000, 'the corpus has inputs the rules see')
  })

  it('starts each request with its bounds whole and its key stack empty, even after a visitor threw', () => {
    const limits: InspectionLimits = { ...DEFAULT_LIMITS, maxValues: 4 }
    const seen: string[] = []
    let fail = true
    const walker = new InputWalker([], limits, (kind, raw, name) => {
      if (fail && raw === 'boom') throw new Error('visitor bug')
      seen.push(`${kind} ${typeof name === 'string' ? name : name.join('.')} ${raw}`)
      return false
    })
    const body = { a: { b: 'boom' } }
    assert.throws(() => walker.walk({ url: '/x', cookie: undefined, headers: [], body }), /visitor bug/)
    assert.equal(walker.busy, false)
    fail = false
    seen.length = 0
    const result = walker.walk({ url: '/y', cookie: undefined, headers: [], body })
    assert.deepEqual(seen, ['path  /y', 'body_key a a', 'body_key a.b b', 'body a.b boom'])
    assert.deepEqual(result, { truncated: false, stopped: false })
  })

  it('says it is busy while its visitor runs', () => {
    let busy: boolean | undefined
    const walker: InputWalker = new InputWalker([], DEFAULT_LIMITS, () => {
      busy = walker.busy
      return true
    })
    walker.walk({ url: '/', cookie: undefined, headers: [], body: undefined })
    assert.equal(busy, true)
    assert.equal(walker.busy, false)
  })
})
