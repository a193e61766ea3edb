import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { InputKind } from '../src/inspection/inputs.js'
import { prototypePollution } from '../src/inspection/rules/prototype-pollution.js'
import { corpusSuite, expectFinding, matchRaw } from './support/rule-suite.js'

corpusSuite(prototypePollution, 'prototype_pollution', { everyFragmentFromInput: true })

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
      expectFinding(prototypePollution, raw, kind, rule, { startsWith: fragment })
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
    test(`benign: ${raw} (${kind})`, () => assert.equal(matchRaw(prototypePollution, raw, kind), undefined))
})

describe('prototype pollution cost', () => {
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
