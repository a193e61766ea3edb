import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { InputKind } from '../src/inspection/inputs.js'
import { nosqlInjection } from '../src/inspection/rules/nosql-injection.js'
import { corpusSuite, expectFinding, matchRaw } from './support/rule-suite.js'

corpusSuite(nosqlInjection, 'nosql_injection', { everyFragmentFromInput: true })

describe('nosql injection rules', () => {
  const cases: [string, InputKind, string, string][] = [
    ['password[$ne]', 'query_key', 'nosql_injection.ne', 'password[$ne]'],
    ['$where', 'body_key', 'nosql_injection.where', '$where'],
    ['{"$gt": ""}', 'body', 'nosql_injection.gt', '{"$gt": ""}'],
    ['[$regex]=^adm', 'cookie', 'nosql_injection.regex', '[$regex]=^adm'],
    ['{ $ne: 1 }', 'query', 'nosql_injection.ne', '{ $ne: 1 }'],
    ["', $or: [ {}, {'a':'a", 'body', 'nosql_injection.or', "', $or: [ {}"],
    [
      "' } ], $comment:'successful MongoDB injection'",
      'cookie',
      'nosql_injection.comment',
      "' } ], $comment",
    ],
    ["1, $where: '1 == 1'", 'header', 'nosql_injection.where', "1, $where: '1 == 1'"],
    ["';sleep(5000);", 'query', 'nosql_injection.javascript', "';sleep(5000)"],
    ["' && this.password.match(/.*/)//", 'body', 'nosql_injection.javascript', "' && this.password"],
    ['";return(true);var xyz=\'a', 'query', 'nosql_injection.javascript', '";return(true)'],
    ['|| 1==1', 'body', 'nosql_injection.javascript', '|| 1==1'],
    ['https://www.example.org/0;return true', 'header', 'nosql_injection.javascript', '0;return true'],
    [
      "';it=new Date();do{pt=new Date();}while(pt-it<5000);",
      'body',
      'nosql_injection.javascript',
      "';it=new date",
    ],
    ['db.injection.insert({success:1});', 'query', 'nosql_injection.shell', 'db.injection.insert('],
    ['x=1;db.users.drop()', 'body', 'nosql_injection.shell', ';db.users.drop('],
  ]
  for (const [raw, kind, rule, fragment] of cases)
    test(`${raw} (${kind}) → ${rule}`, () => {
      expectFinding(nosqlInjection, raw, kind, rule, { startsWith: fragment })
    })

  const benign: [string, InputKind][] = [
    ['Query: `db.users.find({ tags: { $in: ["admin"] }, name: { $regex: "^al" } })` -- index?', 'body'],
    ['$comment', 'body_key'],
    ['$schema', 'body_key'],
    ['price[$usd]', 'query_key'],
    ['It costs $5: cheap', 'body'],
    ["import { thing } from '../lib/thing.js'; const x = new Thing()", 'body'],
    ['curl -s http://127.0.0.1:8080/health && echo ok || echo down', 'body'],
    ['He said "no"; return it tomorrow', 'body'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36', 'header'],
    ['Sleep(8 hours) is the best benchmark', 'query'],
    ['{"query": "query GetUser($id: ID!) { user(id: $id) { id } }"}', 'body'],
    ['ne', 'query'],
  ]
  for (const [raw, kind] of benign)
    test(`benign: ${raw} (${kind})`, () => assert.equal(matchRaw(nosqlInjection, raw, kind), undefined))
})

describe('nosql injection cost', () => {
  test('hostile shapes stay linear', () => {
    for (const text of [
      "'".repeat(8192),
      "' && ".repeat(1600),
      "';".repeat(4096),
      '$ne'.repeat(2700),
      'db.'.repeat(2700),
      `'${' '.repeat(8000)}`,
    ]) {
      const start = performance.now()
      nosqlInjection.match(text, 'body', 0)
      assert.ok(performance.now() - start < 50, text.slice(0, 16))
    }
  })
})
