import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { DEFAULT_LIMITS, type InputKind, walkInputs } from '../src/inspection/inputs.js'
import { normalise } from '../src/inspection/normalise.js'
import { prototypePollution } from '../src/inspection/rules/prototype-pollution.js'
import { corpus, inputsOf, score } from './support/corpus.js'

const HEADERS = ['user-agent', 'referer', 'x-forwarded-for', 'x-forwarded-host']

function check(raw: string, kind: InputKind) {
  const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
  return prototypePollution.match(text, kind, anomalies)
}

describe('prototype pollution on the corpus', () => {
  const s = score(prototypePollution, 'prototype_pollution')

  test('detects at least 95 % of the prototype-pollution entries', () => {
    const missed = s.misses.map((e) => e.id)
    assert.ok(s.rate >= 0.95, `rate ${s.rate.toFixed(3)} (${s.detected}/${s.total}); missed: ${missed}`)
  })

  test('no benign request matches', () => {
    assert.deepEqual(
      s.falsePositives.map((e) => e.id),
      [],
    )
  })
})

describe('prototype pollution rules', () => {
  const cases: [string, InputKind, string, string][] = [
    ['__proto__[isAdmin]', 'query_key', 'prototype_pollution.proto', '__proto__[isadmin]'],
    ['__proto__', 'body_key', 'prototype_pollution.proto', '__proto__'],
    ['a.__proto__.polluted', 'query', 'prototype_pollution.proto', '__proto__.polluted'],
    ['j:{"__proto__":{"isAdmin":true}}', 'cookie', 'prototype_pollution.proto', '__proto__'],
    ['{"__proto__": {"isAdmin": true}}', 'body', 'prototype_pollution.proto', '__proto__'],
    [
      'a[constructor][prototype][admin]',
      'query_key',
      'prototype_pollution.constructor',
      'constructor][prototype]',
    ],
    ['constructor.prototype.isAdmin', 'body', 'prototype_pollution.constructor', 'constructor.prototype'],
    [
      '{"a":{"constructor":{"prototype":{"x":1}}}}',
      'body',
      'prototype_pollution.constructor',
      'constructor":{"prototype',
    ],
    ['prototype', 'body_key', 'prototype_pollution.prototype-key', 'prototype'],
  ]
  for (const [raw, kind, rule, fragment] of cases)
    test(`${raw} (${kind}) → ${rule}`, () => {
      const found = check(raw, kind)
      assert.equal(found?.rule, rule)
      assert.ok(found.fragment.startsWith(fragment), found.fragment)
    })

  const benign: [string, InputKind][] = [
    ['prototype', 'query_key'],
    ['prototype', 'cookie'],
    ['prototype', 'body'],
    ['constructor', 'body_key'],
    ['Never extend `Object.prototype`; the constructor is not the prototype.', 'body'],
    ['{"constructor": "Ferrari", "prototype": false}', 'body'],
    ['The __proto__ accessor is deprecated', 'body'],
    ['/en-US/docs/Web/JavaScript/Reference/Global_Objects/Object/prototype', 'path'],
    ['__proto__', 'header'],
  ]
  for (const [raw, kind] of benign)
    test(`benign: ${raw} (${kind})`, () => assert.equal(check(raw, kind), undefined))
})

describe('prototype pollution fragments and cost', () => {
  test('a finding in a long input is a part of it, at most 64 characters', () => {
    let seen = 0
    for (const entry of [...corpus('attacks'), ...corpus('benign')]) {
      const inputs = inputsOf(entry)
      if (inputs === undefined) continue
      walkInputs(inputs, HEADERS, DEFAULT_LIMITS, (kind, raw) => {
        const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
        const found = prototypePollution.match(text, kind, anomalies)
        if (found !== undefined) {
          seen++
          assert.ok(found.fragment.length <= 64 && text.includes(found.fragment), found.fragment)
          if (text.length > 64) assert.notEqual(found.fragment, text)
        }
        return false
      })
    }
    assert.ok(seen > 30)
  })

  test('hostile shapes stay linear', () => {
    for (const text of [
      'constructor'.repeat(740),
      `${'constructor'.repeat(740)}prototype`,
      'constructor prototype'.repeat(390),
      '__proto'.repeat(1170),
    ]) {
      const start = performance.now()
      prototypePollution.match(text, 'body', 0)
      assert.ok(performance.now() - start < 50, text.slice(0, 16))
    }
  })
})
