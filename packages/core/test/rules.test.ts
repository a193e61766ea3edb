import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { DEFAULT_RULES } from '../src/config/default-rules.js'
import { type ResolvedRule, resolveRules } from '../src/config/rules.js'
import { ConfigError, createWatchpost, type SecurityEvent, type Sink } from '../src/index.js'
import { createRuleEngine, MAX_DELAYED, type RuleEngineDeps, type RuleFiring } from '../src/rules/engine.js'
import { MemoryStateStore } from '../src/state/memory.js'

const T0 = Date.UTC(2026, 11, 7, 10, 0, 0) // a Monday, 10:00 UTC

function ruleOf(id: string, changes: Partial<ResolvedRule> = {}): ResolvedRule {
  const rule = DEFAULT_RULES.find((r) => r.id === id)
  assert.ok(rule, id)
  return { ...rule, ...changes } as ResolvedRule
}

let uid = 0
function event(name: string, fields: Partial<SecurityEvent> = {}): SecurityEvent {
  return {
    EventOriginalType: name,
    EventUid: `uid-${++uid}`,
    EventSeverity: 'Medium',
    ...fields,
  } as SecurityEvent
}

function engine(rules: ResolvedRule[], options: Partial<RuleEngineDeps> = {}) {
  let clock = T0
  const recorded: { name: string; params: Record<string, unknown>; options: Record<string, unknown> }[] = []
  const e = createRuleEngine({
    rules,
    mode: 'monitor',
    store: new MemoryStateStore(),
    hooks: {},
    now: () => clock,
    record: (name, params, opts) => recorded.push({ name, params, options: opts as Record<string, unknown> }),
    eventIp: (ip) => ip,
    onHookError: () => {},
    onStoreError: (err) => {
      throw err
    },
    ...options,
  })
  return {
    e,
    recorded,
    fired: () => recorded.filter((r) => r.name.startsWith('rule_threshold_')),
    advance: (ms: number) => {
      clock += ms
    },
  }
}

const fail = (user: string, ip = '203.0.113.9') =>
  event('authn_login_fail', { TargetUsername: user, SrcIpAddr: ip, EventSchema: 'Authentication' } as never)

describe('rules: counting and firing', () => {
  it('fires at exactly the threshold, not below, once per window', () => {
    const { e, fired } = engine([ruleOf('watchpost.brute-force')])
    for (let i = 0; i < 9; i++) e.observe(fail('alice', `198.51.100.${i}`))
    assert.equal(fired().length, 0)
    e.observe(fail('alice'))
    assert.equal(fired().length, 1)
    const [f] = fired()
    assert.equal(f?.name, 'rule_threshold_authn')
    assert.equal(f?.options.count, 10)
    assert.equal(f?.options.ruleName, 'watchpost.brute-force')
    assert.equal(f?.params.targetUser, 'alice')
    assert.equal(f?.params.group, 'TargetUsername=alice')
    assert.equal(f?.params.response, 'none')
    for (let i = 0; i < 20; i++) e.observe(fail('alice'))
    assert.equal(fired().length, 1, 'once per window')
    assert.equal(e.stats().firings, 1)
  })

  it('past the threshold asks the store to claim once per window, while the claim is its own', () => {
    const store = new MemoryStateStore()
    const claims: string[] = []
    const claim = store.claim.bind(store)
    store.claim = (key, now, ttl) => {
      claims.push(key)
      return claim(key, now, ttl)
    }
    const { e, fired, advance } = engine([ruleOf('watchpost.brute-force')], { store })
    for (let i = 0; i < 30; i++) e.observe(fail('alice'))
    assert.deepEqual(claims, ['fired:rule:watchpost.brute-force:alice'])
    // Another instance's claim (the same store): this one asks at every event, and fires no more.
    store.claim('fired:rule:watchpost.brute-force:bob', T0, 600_000)
    for (let i = 0; i < 12; i++) e.observe(fail('bob'))
    assert.equal(
      claims.filter((k) => k.endsWith(':bob')).length,
      4,
      'the 10th to the 12th event, and the test’s own',
    )
    // A window later, the next burst claims (and fires) again.
    advance(600_000)
    for (let i = 0; i < 10; i++) e.observe(fail('alice'))
    assert.equal(claims.filter((k) => k.endsWith(':alice')).length, 2)
    assert.deepEqual(
      fired().map((f) => f.params.targetUser),
      ['alice', 'alice'],
    )
  })

  it('slides: a burst split across the window edge does not fire, the same burst inside it does', () => {
    const { e, fired, advance } = engine([
      ruleOf('watchpost.brute-force', { threshold: 4, windowSeconds: 60 }),
    ])
    e.observe(fail('bob'))
    e.observe(fail('bob'))
    advance(59_000)
    e.observe(fail('bob'))
    advance(2000) // the first two are now out of the window
    e.observe(fail('bob'))
    assert.equal(fired().length, 0)
    advance(10_000)
    e.observe(fail('bob'))
    e.observe(fail('bob'))
    assert.equal(fired().length, 1)
    assert.equal(fired()[0]?.options.count, 4)
  })

  it('counts distinct values: many accounts from one source', () => {
    const { e, fired } = engine([ruleOf('watchpost.credential-stuffing')])
    for (let i = 0; i < 30; i++) e.observe(fail(`user${i % 9}`))
    assert.equal(fired().length, 0, 'nine accounts, however often')
    e.observe(fail('user9'))
    assert.equal(fired().length, 1)
    assert.equal(fired()[0]?.params.srcIp, '203.0.113.9')
    assert.equal(fired()[0]?.params.distinct, 'TargetUsername')
  })

  it('an aggregated event counts as its EventCount', () => {
    const { e, fired } = engine([ruleOf('watchpost.scanning')])
    e.observe(event('malicious_excess_404', { SrcIpAddr: '192.0.2.1', EventCount: 20 }))
    assert.equal(fired().length, 0)
    e.observe(event('malicious_excess_404', { SrcIpAddr: '192.0.2.1', EventCount: 10 }))
    assert.equal(fired()[0]?.name, 'rule_threshold_web')
    assert.equal(fired()[0]?.options.count, 30)
  })

  it('counts only events that meet `where`, and never its own events', () => {
    const { e, fired } = engine([ruleOf('watchpost.jwt-forgery')])
    const jwt = (reason: string) =>
      event('authn_jwt_fail', { SrcIpAddr: '192.0.2.7', EventOriginalResultDetails: reason } as never)
    for (let i = 0; i < 10; i++) e.observe(jwt('expired'))
    assert.equal(fired().length, 0)
    for (let i = 0; i < 5; i++) e.observe(jwt('bad_signature'))
    assert.equal(fired().length, 1)
    e.observe(event('rule_threshold_authn', { SrcIpAddr: '192.0.2.7' }))
    assert.equal(fired().length, 1)
  })

  it('outside hours: an admin action on a Monday at 10:00 UTC counts only where that is outside the hours', () => {
    const admin = () => event('authz_admin', { ActorUsername: 'root' })
    const rule = ruleOf('watchpost.admin-off-hours', { enabled: true })
    const inside = engine([rule])
    inside.e.observe(admin())
    assert.equal(inside.fired().length, 0)
    const paris = engine([{ ...rule, outsideHours: { ...rule.outsideHours!, from: '12:00', to: '18:00' } }])
    paris.e.observe(admin())
    assert.equal(paris.fired().length, 1)
    const sunday = engine([{ ...rule, outsideHours: { ...rule.outsideHours!, days: ['sun'] } }])
    sunday.e.observe(admin())
    assert.equal(sunday.fired().length, 1)
  })
})

describe('rules: responses', () => {
  const stuffingBlock = ruleOf('watchpost.credential-stuffing', {
    response: { action: 'block', target: 'source', durationSeconds: 60, status: 429, delayMs: 2000 },
  })

  it('monitor mode records the firing with its response not applied, and blocks nothing', () => {
    const { e, fired } = engine([stuffingBlock])
    for (let i = 0; i < 10; i++) e.observe(fail(`u${i}`))
    assert.equal(fired()[0]?.params.response, 'not_applied')
    assert.equal(e.gates, false)
    assert.equal(e.gate('203.0.113.9'), undefined)
  })

  it('protect mode blocks the source until the block ends; the refusals are recorded once, then per minute', async () => {
    const { e, recorded, advance } = engine([stuffingBlock], { mode: 'protect' })
    assert.equal(e.gates, true)
    assert.equal(e.quiet(), true, 'nothing blocked yet')
    for (let i = 0; i < 10; i++) e.observe(fail(`u${i}`))
    assert.equal(e.quiet(), false)
    assert.equal(e.gate('198.51.100.1'), undefined, 'another source goes on')
    const gate = e.gate('203.0.113.9')
    assert.deepEqual(gate, {
      action: 'block',
      status: 429,
      retryAfterSeconds: 60,
      rule: 'watchpost.credential-stuffing',
    })
    for (let i = 0; i < 5; i++) e.gate('203.0.113.9')
    assert.equal(e.blocked({ source: '203.0.113.9' })?.rule, 'watchpost.credential-stuffing')
    const blocked = () => recorded.filter((r) => r.name === 'access_blocked')
    assert.equal(blocked().length, 1, 'the first refusal at once')
    await e.close() // flushes the minute's aggregate
    assert.equal(blocked().length, 2)
    assert.equal(blocked()[1]?.options.count, 5)
    advance(60_000)
    assert.equal(e.gate('203.0.113.9'), undefined, 'the block has ended')
    assert.equal(e.stats().blockedRequests, 6)
  })

  it('delays a source; past MAX_DELAYED requests held at once, it answers 429 instead', () => {
    const rule = {
      ...stuffingBlock,
      response: { ...stuffingBlock.response!, action: 'delay' as const, delayMs: 1500 },
    }
    const { e } = engine([rule], { mode: 'protect' })
    for (let i = 0; i < 10; i++) e.observe(fail(`u${i}`))
    assert.deepEqual(e.gate('203.0.113.9'), { action: 'delay', delayMs: 1500, rule: rule.id })
    for (let i = 1; i < MAX_DELAYED; i++) assert.equal(e.gate('203.0.113.9')?.action, 'delay')
    assert.deepEqual(e.gate('203.0.113.9'), {
      action: 'block',
      status: 429,
      retryAfterSeconds: 2,
      rule: rule.id,
    })
    assert.equal(e.stats().delayedRequests, MAX_DELAYED)
  })

  it('calls the hook once per firing; a hook that throws or hangs is reported, never thrown', async () => {
    const calls: RuleFiring[] = []
    const errors: string[] = []
    const rule = ruleOf('watchpost.brute-force', {
      response: {
        action: 'hook',
        hook: 'lock',
        target: 'user',
        durationSeconds: 900,
        status: 429,
        delayMs: 2000,
      },
    })
    const { e } = engine([rule, { ...rule, id: 'throws', response: { ...rule.response!, hook: 'throws' } }], {
      mode: 'protect',
      hooks: {
        lock: (firing) => {
          calls.push(firing)
        },
        throws: () => {
          throw new Error('lock service down')
        },
      },
      onHookError: (hook, ruleId, cause) => errors.push(`${hook} ${ruleId} ${(cause as Error).message}`),
    })
    for (let i = 0; i < 25; i++) e.observe(fail('carol'))
    assert.equal(calls.length, 1)
    assert.equal(calls[0]?.rule, 'watchpost.brute-force')
    assert.deepEqual(calls[0]?.group, { TargetUsername: 'carol' })
    assert.equal(calls[0]?.count, 10)
    assert.deepEqual(errors, ['throws throws lock service down'])
    assert.equal(e.stats().hookErrors, 1)
  })
})

describe('rules: configuration', () => {
  const load = (yaml: string) => {
    const cwd = mkdtempSync(join(tmpdir(), 'watchpost-rules-'))
    writeFileSync(join(cwd, 'watchpost.config.yaml'), yaml)
    return createWatchpost({ sinks: [] }, { cwd, env: {} })
  }
  const problems = (yaml: string): string[] => {
    try {
      load(yaml).close()
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err))
      return err.issues
        .map((i) => `${i.line ?? '?'} ${i.path}: ${i.message}`)
        .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
    }
    return []
  }

  it('ships nine rules, each documented, the off-hours one off until configured', () => {
    assert.equal(DEFAULT_RULES.length, 9)
    for (const rule of DEFAULT_RULES) assert.ok(rule.title && rule.description, rule.id)
    assert.deepEqual(resolveRules({ defaultRules: true, rules: [] }).map((r) => r.id).length, 8)
    assert.deepEqual(resolveRules({ defaultRules: false, rules: [] }), [])
  })

  it('changes a shipped rule by its id and adds the app’s own', () => {
    const rules = resolveRules({
      defaultRules: true,
      rules: [
        { id: 'watchpost.brute-force', enabled: true, threshold: 3 },
        { id: 'watchpost.scanning', enabled: false },
        {
          id: 'app.refunds',
          enabled: true,
          events: ['sensitive_update'],
          groupBy: ['ActorUsername'],
          threshold: 5,
          windowSeconds: 60,
        },
      ],
    })
    assert.equal(rules.find((r) => r.id === 'watchpost.brute-force')?.threshold, 3)
    assert.equal(rules.find((r) => r.id === 'watchpost.brute-force')?.windowSeconds, 600)
    assert.equal(
      rules.some((r) => r.id === 'watchpost.scanning'),
      false,
    )
    assert.equal(rules.at(-1)?.id, 'app.refunds')
  })

  it('refuses what is not a rule, with the line', () => {
    const seen = problems(`rules:
  - id: app.window
    events: [authn_login_fail]
    groupBy: [SrcIpAddr, Nope]
    threshold: many
    windowSeconds: 0
`)
    assert.deepEqual(
      seen.map((p) => p.split(': ').slice(0, 2).join(': ')),
      [
        '4 rules[0].groupBy[1]: rule app.window',
        '5 rules[0].threshold: rule app.window',
        '6 rules[0].windowSeconds: rule app.window',
      ],
    )
  })

  it('refuses rules that cannot run, with the rule id and the line', () => {
    const seen = problems(`rules:
  - id: app.never
    events: [malicious_sqli]
    groupBy: [TargetUsername]
    threshold: 5
    windowSeconds: 60
  - id: app.block
    events: [authn_login_fail]
    groupBy: [TargetUsername]
    threshold: 3
    windowSeconds: 60
    response: { action: block }
  - id: app.never
    events: [authn_login_fail]
    groupBy: [SrcIpAddr]
    threshold: 3
    windowSeconds: 60
  - id: app.incomplete
    events: [authn_login_fail]
  - id: app.hours
    events: [authz_admin]
    groupBy: [ActorUsername]
    threshold: 1
    windowSeconds: 60
    outsideHours: { from: '09:00', to: '09:00', timezone: Mars/Olympus }
`)
    assert.deepEqual(seen, [
      '4 rules[0].groupBy: rule app.never: can never fire: malicious_sqli never carries TargetUsername',
      '12 rules[1].response.target: rule app.block: a block of the source needs the rule to group by SrcIpAddr',
      '13 rules[2].id: rule app.never is already defined by rules[0]',
      "18 rules[3]: rule app.incomplete: groupBy, threshold, windowSeconds missing (a rule of the app's own needs events, groupBy, threshold and windowSeconds)",
      '25 rules[4].outsideHours: rule app.hours: from and to are the same time: no hour is inside',
      '25 rules[4].outsideHours.timezone: rule app.hours: unknown time zone "Mars/Olympus"',
    ])
  })

  it('a rule counting two ASIM schemas, or a hook the code did not give, is refused', () => {
    const mixed = problems(`rules:
  - id: app.mixed
    events: [authn_login_fail, malicious_sqli]
    groupBy: [SrcIpAddr]
    threshold: 3
    windowSeconds: 60
`)
    assert.match(
      mixed.join('\n'),
      /rules\[0\]\.events: rule app\.mixed: counts events of different ASIM schemas/,
    )
    assert.throws(
      () =>
        createWatchpost(
          {
            config: false,
            sinks: [],
            mode: 'protect',
            rules: [{ id: 'watchpost.brute-force', response: { action: 'hook', hook: 'lockAccount' } }],
          },
          {},
        ),
      /ERR_WATCHPOST_RULE_HOOK_MISSING|hook lockAccount/,
    )
  })
})

describe('rules through an instance', () => {
  it('fires on recorded events, blocks in protect mode, and lists and lifts blocks', async () => {
    const events: SecurityEvent[] = []
    const sink: Sink = {
      name: 'memory',
      async send(batch) {
        events.push(...batch)
      },
      async close() {},
    }
    const wp = createWatchpost(
      {
        config: false,
        mode: 'protect',
        sinks: [],
        rules: [{ id: 'watchpost.credential-stuffing', response: { action: 'block', durationSeconds: 120 } }],
      },
      { sinks: [sink] },
    )
    for (let i = 0; i < 10; i++)
      wp.record('authn_login_fail', { userId: `user${i}`, reason: 'bad_password' }, { srcIp: '203.0.113.50' })
    assert.equal(wp.rules.blocked({ source: '203.0.113.50' })?.rule, 'watchpost.credential-stuffing')
    assert.equal(wp.rules.blocked({ source: '203.0.113.51' }), undefined)
    assert.deepEqual(
      (await wp.rules.list()).map((b) => b.value),
      ['203.0.113.50'],
    )
    await wp.rules.block({ user: 'mallory', seconds: 60 })
    assert.equal(wp.rules.blocked({ user: 'mallory' })?.rule, 'manual')
    assert.equal(await wp.rules.lift({ source: '203.0.113.50' }), true)
    assert.equal(wp.rules.blocked({ source: '203.0.113.50' }), undefined)
    await wp.flush()
    const [firing] = events.filter((e) => e.EventOriginalType === 'rule_threshold_authn')
    assert.equal(firing?.RuleName, 'watchpost.credential-stuffing')
    assert.equal(firing?.EventCount, 10)
    assert.equal(firing?.SrcIpAddr, '203.0.113.50')
    assert.equal(firing?.EventSchema ?? 'Authentication', 'Authentication')
    await wp.close()
  })
})
