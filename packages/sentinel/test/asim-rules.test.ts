/**
 * Which of Microsoft's built-in ASIM analytics rules Watchpost's rows feed (matchBuiltinAsimRules):
 * for each rule, rows that meet its condition and rows that fall just short (one row, one user, one
 * minute too few). The rows are real projected rows (support/asim-rows.ts) placed in time; the last
 * suite drives a Fastify app with real requests and names the rules its rows would fire.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { projectToAsim } from '@watchpost/core/sdk'
import { bruteForce, disabledAccounts, passwordSpray } from '../src/content/builtin/authentication.js'
import { has } from '../src/content/builtin/kql.js'
import {
  clientErrors,
  excessive403,
  fileEnumeration,
  hackingToolUserAgent,
  knownMaliciousUserAgent,
  localFileInclusion,
  manyUserAgents,
  serverErrors,
  threatInfo,
} from '../src/content/builtin/web-session.js'
import {
  BUILTIN_ASIM_RULES,
  type BuiltinAsimRule,
  matchBuiltinAsimRules,
  type ProjectedRow,
  UNUSUAL_USER_AGENTS,
} from '../src/content/index.js'
import { at, burst, rowsOf } from './support/asim-rows.js'
import { startApp, type TestApp } from './support/fastify-app.js'

const T0 = '2026-03-02T10:00:00.000Z' // the start of a 5-minute and of a 1-hour bin
const SECOND = 1000
const MINUTE = 60 * SECOND
const plus = (ms: number) => new Date(Date.parse(T0) + ms).toISOString()

const fires = (rule: BuiltinAsimRule, rows: readonly ProjectedRow[]) =>
  matchBuiltinAsimRules(rows).some((m) => m.rule === rule)
// Messages always given: node's assert builds one from the source otherwise, slowly under tsx.
const yes = (rule: BuiltinAsimRule, rows: readonly ProjectedRow[], why = '') =>
  assert.equal(fires(rule, rows), true, `${rule.name} should fire ${why}`)
const no = (rule: BuiltinAsimRule, rows: readonly ProjectedRow[], why = '') =>
  assert.equal(fires(rule, rows), false, `${rule.name} should not fire ${why}`)

const SQLMAP = 'sqlmap/1.8.2#stable (https://sqlmap.org)'

describe('built-in ASIM rules: meets, and falls just short', () => {
  let rows: Record<string, ProjectedRow>

  before(async () => {
    const [
      forbidden,
      serverError,
      notFound,
      sqlmap,
      lookalike,
      sqli,
      flood,
      traversal,
      traversalRefused,
      loginFail,
      loginSuccess,
      disabled,
    ] = await rowsOf([
      { event: 'authz_fail', params: { userId: 'mallory' }, status: 403, path: '/admin' },
      { event: 'input_validation_fail', params: { fields: ['q'] }, status: 500, path: '/search?q=x' },
      { event: 'access_not_found', params: { path: '/backup.zip' }, status: 404, path: '/backup.zip' },
      {
        event: 'malicious_attack_tool',
        params: { toolName: 'sqlmap', matchedIn: 'user-agent' },
        status: 200,
        path: '/search?q=1',
        headers: { 'user-agent': SQLMAP },
      },
      {
        event: 'access_not_found',
        params: { path: '/robots.txt' },
        status: 404,
        path: '/robots.txt',
        headers: { 'user-agent': 'sqlmapper/2.0 (internal link checker)' },
      },
      {
        event: 'malicious_sqli',
        params: { parameter: 'q', outcome: 'reached' },
        status: 200,
        path: "/search?q=1'%20OR%20'1'='1",
      },
      { event: 'malicious_excess_404', params: { count: 20 }, status: 404, path: '/nope' },
      {
        event: 'malicious_path_traversal',
        params: { parameter: 'file', outcome: 'reached' },
        status: 200,
        path: '/download?file=..%2F..%2Fetc%2Fpasswd',
      },
      {
        event: 'malicious_path_traversal',
        params: { parameter: 'file', outcome: 'refused' },
        status: 403,
        path: '/download?file=..%2F..%2Fetc%2Fpasswd',
      },
      {
        event: 'authn_login_fail',
        params: { userId: 'alice@example.com', reason: 'bad_password' },
        path: '/login',
      },
      { event: 'authn_login_success', params: { userId: 'alice@example.com' }, path: '/login' },
      {
        event: 'authn_login_fail',
        params: { userId: 'old@example.com', reason: 'disabled' },
        path: '/login',
      },
    ])
    rows = {
      forbidden: forbidden!,
      serverError: serverError!,
      notFound: notFound!,
      sqlmap: sqlmap!,
      lookalike: lookalike!,
      sqli: sqli!,
      flood: flood!,
      traversal: traversal!,
      traversalRefused: traversalRefused!,
      loginFail: loginFail!,
      loginSuccess: loginSuccess!,
      disabled: disabled!,
    }
  })

  test('the rows are what the rules read: status as text, source address, method, user agent', () => {
    assert.equal(rows.forbidden!.row.EventResultDetails, '403')
    assert.equal(rows.forbidden!.row.SrcIpAddr, '127.0.0.1')
    assert.equal(rows.notFound!.row.HttpRequestMethod, 'GET')
    assert.equal(rows.sqlmap!.row.HttpUserAgent, SQLMAP)
    assert.equal(rows.sqlmap!.row.EventResult, 'Success', 'the app answered 200')
    assert.equal(rows.sqli!.row.ThreatRiskLevel, 90)
    assert.equal(rows.loginFail!.row.TargetUsername, 'alice@example.com')
    assert.equal(rows.loginFail!.row.TargetUserId, undefined, 'Watchpost has no user id apart from the name')
    assert.equal(rows.disabled!.row.EventResultDetails, 'User disabled')
  })

  test('many 4xx from one source: 101 in a 5-minute bin fire, 100 do not, 101 across two bins do not', () => {
    yes(clientErrors, burst(rows.forbidden!, 101, T0, SECOND))
    no(clientErrors, burst(rows.forbidden!, 100, T0, SECOND))
    no(clientErrors, burst(rows.forbidden!, 101, plus(4 * MINUTE), SECOND), 'split 60 + 41')
    const [hit] = clientErrors.evaluate(burst(rows.forbidden!, 101, T0, SECOND).map((r) => r.row))
    assert.deepEqual(hit?.group, {
      SrcIpAddr: '127.0.0.1',
      SrcUsername: 'mallory',
      SrcHostname: '',
      TimeGenerated: T0,
    })
    assert.equal(hit?.value, 101)
    // Two sources: each counts alone.
    const mixed = burst(rows.forbidden!, 101, T0, SECOND, (i) => ({
      SrcIpAddr: i % 2 ? '198.51.100.1' : '198.51.100.2',
    }))
    no(clientErrors, mixed)
  })

  test('many 5xx from one source: 101 fire, 100 do not; 4xx rows do not count', () => {
    yes(serverErrors, burst(rows.serverError!, 101, T0, SECOND))
    no(serverErrors, burst(rows.serverError!, 100, T0, SECOND))
    no(serverErrors, burst(rows.forbidden!, 500, T0, 100))
  })

  test('file enumeration: 11 GET 404s in an hour fire, 10 do not, 11 POSTs do not', () => {
    yes(fileEnumeration, burst(rows.notFound!, 11, T0, MINUTE))
    no(fileEnumeration, burst(rows.notFound!, 10, T0, MINUTE))
    const posts = burst(rows.notFound!, 11, T0, MINUTE, () => ({ HttpRequestMethod: 'POST' }))
    no(fileEnumeration, posts, 'for POSTs')
    no(fileEnumeration, burst(rows.notFound!, 11, plus(55 * MINUTE), MINUTE), 'split 5 + 6')
  })

  test('excessive 403s: 201 in a day fire, 200 do not, 201 spread over more than a day do not', () => {
    yes(excessive403, burst(rows.forbidden!, 201, T0, 5 * MINUTE))
    no(excessive403, burst(rows.forbidden!, 200, T0, 5 * MINUTE))
    no(excessive403, burst(rows.forbidden!, 201, T0, 7.2 * MINUTE), '201 rows over 24 h')
    const [hit] = excessive403.evaluate(burst(rows.forbidden!, 201, T0, MINUTE).map((r) => r.row))
    assert.deepEqual(hit?.group, { UrlHost: '', SrcIpAddr: '127.0.0.1' }, "Watchpost's Url has no host")
  })

  test("known malicious user agents: sqlmap's fires both rules; a name that only contains it does not", () => {
    assert.equal(UNUSUAL_USER_AGENTS.length, 49, 'the list of spec/azure/asim-analytics.md')
    yes(knownMaliciousUserAgent, [rows.sqlmap!])
    yes(hackingToolUserAgent, [rows.sqlmap!])
    // `has` wants a whole term: "sqlmapper" contains sqlmap but has no term "sqlmap".
    no(knownMaliciousUserAgent, [rows.lookalike!])
    no(hackingToolUserAgent, [rows.lookalike!])
    no(knownMaliciousUserAgent, [rows.notFound!], 'no user agent')
    // Entries with spaces match only with their spaces.
    const zmeu = (agent: string) => at(rows.notFound!, T0, { HttpUserAgent: agent })
    yes(hackingToolUserAgent, [zmeu('Mozilla/5.0 zmeu scanner')])
    no(hackingToolUserAgent, [zmeu('ZmEu')])
    assert.equal(has('Mozilla/5.0 (Windows PowerShell)', 'PowerShell'), true, 'a whole term')
    assert.equal(has('WindowsPowerShell/5.1', 'PowerShell'), false, 'part of a term')
  })

  test('threat info in web requests: risk 90 or High severity fires; risk 89 at Medium does not', () => {
    yes(threatInfo, [rows.sqli!])
    no(threatInfo, [rows.flood!], 'a 404 flood: Medium, risk 40')
    const medium = (risk: number) => at(rows.sqli!, T0, { ThreatRiskLevel: risk, EventSeverity: 'Medium' })
    yes(threatInfo, [medium(90)])
    no(threatInfo, [medium(89)])
    yes(threatInfo, [at(rows.sqli!, T0, { ThreatRiskLevel: 10, EventSeverity: 'High' })])
  })

  test('many user agents from one source: 6 on Success rows in 5 minutes fire, 5 do not, on Failure rows never', () => {
    const agents = (n: number, columns: Record<string, unknown> = {}) =>
      burst(rows.sqlmap!, n, T0, SECOND, (i) => ({ HttpUserAgent: `agent-${i}`, ...columns }))
    yes(manyUserAgents, agents(6))
    no(manyUserAgents, agents(5))
    no(manyUserAgents, agents(12, { EventResult: 'Failure' }))
  })

  test('local file inclusion: a traversal the app answered 200 fires; refused with 403 it does not', () => {
    yes(localFileInclusion, [rows.traversal!])
    assert.equal(rows.traversalRefused!.row.EventResult, 'Failure')
    no(localFileInclusion, [rows.traversalRefused!])
  })

  test('brute force: 10 failures and a success for one user in 20 minutes fire; 9, no success, or 21 minutes do not', () => {
    const attack = (failures: number, stepMs: number) => [
      ...burst(rows.loginFail!, failures, T0, stepMs),
      at(rows.loginSuccess!, plus(failures * stepMs)),
    ]
    yes(bruteForce, attack(10, MINUTE))
    no(bruteForce, attack(9, MINUTE))
    no(bruteForce, burst(rows.loginFail!, 30, T0, SECOND), 'no success')
    no(bruteForce, attack(10, 2.1 * MINUTE), 'spread over 21 minutes')
    const [hit] = bruteForce.evaluate(attack(10, MINUTE).map((r) => r.row))
    assert.deepEqual(hit?.group, {
      TargetUserId: '',
      TargetUsername: 'alice@example.com',
      TargetUserType: '',
    })
  })

  test("password spray: Watchpost's rows never meet it (no TargetUserId); rows carrying one meet it at 16 users, not 15", () => {
    const spray = (users: number, columns: (i: number) => Record<string, unknown>) =>
      burst(rows.loginFail!, users, T0, SECOND, (i) => ({
        TargetUsername: `user${i}@example.com`,
        ...columns(i),
      }))
    no(
      passwordSpray,
      spray(200, () => ({})),
      'dcount(TargetUserId) of "" is 1',
    )
    const withIds = (i: number) => ({ TargetUserId: `id-${i}` })
    yes(passwordSpray, spray(16, withIds))
    no(passwordSpray, spray(15, withIds))
    const locked = burst(rows.loginFail!, 20, T0, SECOND, (i) => ({
      TargetUserId: `id-${i}`,
      EventResultDetails: 'User locked',
    }))
    no(passwordSpray, locked, 'only "No such user or password" and "Incorrect password" count')
  })

  test('disabled accounts: an attempt on a disabled account and a sign-in the same day fire, grouped under an empty SrcDvcIpAddr', () => {
    yes(disabledAccounts, [at(rows.disabled!, T0), at(rows.loginSuccess!, plus(3 * 60 * MINUTE))])
    no(disabledAccounts, [at(rows.disabled!, T0), at(rows.disabled!, plus(MINUTE))], 'without a sign-in')
    const nextDay = [at(rows.disabled!, T0), at(rows.loginSuccess!, plus(25 * 60 * MINUTE))]
    no(disabledAccounts, nextDay, 'with the sign-in 25 hours later')
    const [hit] = disabledAccounts.evaluate(
      [at(rows.disabled!, T0), at(rows.loginSuccess!, plus(MINUTE))].map((r) => r.row),
    )
    assert.deepEqual(hit?.group, { SrcDvcIpAddr: '' })
  })

  test('a rule reads only its own schema; the list names each rule once', () => {
    const asWeb = burst(rows.loginFail!, 30, T0, SECOND).map(({ row }) => ({
      projection: { schema: 'WebSession' as const },
      row: { ...row, EventResultDetails: '401' },
    }))
    assert.deepEqual(
      matchBuiltinAsimRules(asWeb).map((m) => m.rule.name),
      [],
    )
    assert.equal(new Set(BUILTIN_ASIM_RULES.map((r) => r.id)).size, BUILTIN_ASIM_RULES.length)
  })
})

describe('built-in ASIM rules fed by a Fastify app under attack', () => {
  let app: TestApp
  before(async () => {
    app = await startApp()
  })
  after(() => app.close())

  test('sqlmap probing, then a brute-forced login: the names of the rules that would fire', async () => {
    await app.get("/search?q=1'%20OR%20'1'%3D'1", { 'user-agent': SQLMAP })
    for (let i = 0; i < 10; i++)
      await app.post('/login', JSON.stringify({ username: 'alice', password: `guess-${i}` }))
    await app.post('/login', JSON.stringify({ username: 'alice', password: 'right' }))
    await app.flush()
    const names = matchBuiltinAsimRules(app.events.map(projectToAsim)).map((m) => m.rule.name)
    assert.deepEqual(names, [
      knownMaliciousUserAgent.name,
      hackingToolUserAgent.name,
      threatInfo.name,
      bruteForce.name,
    ])
  })
})

describe('built-in ASIM rules and Watchpost aggregating a 404 scan', () => {
  const scan = async (options: Record<string, unknown>) => {
    const app = await startApp(options)
    try {
      for (let i = 0; i < 30; i++) await app.get(`/products/item-${i}`)
      await app.flush()
      return app.events.map(projectToAsim)
    } finally {
      await app.close()
    }
  }

  test('30 misses: one flood row by default, so no file enumeration; with reportEach, 10 single rows and the flood row fire it', async () => {
    const quiet = await scan({})
    assert.deepEqual(
      quiet.map((r) => r.row.EventOriginalType),
      ['malicious_excess_404'],
      'the threshold crossing; the rest of the window is reported when it closes',
    )
    no(fileEnumeration, quiet, 'on one aggregated row')
    const each = await scan({ detectors: { notFound: { reportEach: true } } })
    assert.equal(each.length, 11, '10 access_not_found (the cap) + the crossing')
    yes(fileEnumeration, each, 'on 11 GET 404 rows')
    no(clientErrors, each, 'far from 100 rows')
  })
})

test('each rule cites a rule file named in spec/azure/asim-analytics.md', () => {
  const spec = readFileSync(
    fileURLToPath(new URL('../../../spec/azure/asim-analytics.md', import.meta.url)),
    'utf8',
  )
  for (const rule of BUILTIN_ASIM_RULES) {
    const file = rule.file.split('/').pop()!
    assert.ok(spec.includes(file), `${file} in the spec`)
    assert.ok(spec.includes(rule.name), `${rule.name} in the spec`)
  }
})
