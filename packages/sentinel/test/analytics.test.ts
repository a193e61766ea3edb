/**
 * Sentinel analytics content compiled from Watchpost's rules: every generated rule and hunting
 * query meets the published constraints (spec/azure/sentinel-rules.md) in both table modes, its
 * KQL binds without error against the workspace's table schemas (Microsoft's Kusto language
 * service), its ids are stable and distinct, and its query counts what the in-process engine
 * counts.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CATALOGUE } from '@watchpost/core'
import { DEFAULT_RULES, type ResolvedRule, type Rule, resolveRules } from '@watchpost/core/sdk'
import { parse } from 'yaml'
import { uuidV5 } from '../src/content/analytics/content-id.js'
import { DELAY_MINUTES } from '../src/content/analytics/schedule.js'
import {
  type AnalyticsRule,
  analyticsRuleYaml,
  analyticsTemplate,
  CONTENT_NAMESPACE,
  checkAnalyticsRule,
  checkContent,
  compileAnalyticsRule,
  compileAnalyticsRules,
  EVENT_ATTACK,
  huntingQueries,
  huntingQueryYaml,
  scheduleFor,
  sentinelRuleNames,
  type TableMode,
  tacticsOf,
} from '../src/content/index.js'
import { kqlDiagnostics, kqlErrors } from './support/kql.js'

const MODES: readonly TableMode[] = ['asim', 'custom']

/** A rule of the app's own: distinct count, a where filter, working hours in a time zone. */
const USER_RULES: readonly Rule[] = [
  { id: 'watchpost.admin-off-hours', enabled: true },
  {
    id: 'orders.route-probing',
    enabled: true,
    title: 'Many routes refused to one source',
    events: ['authn_unauthorized'],
    where: [{ field: 'EventOriginalResultDetails', in: ["it's 'quoted'", 'no_token'] }],
    groupBy: ['SrcIpAddr'],
    distinct: 'HttpRoute',
    threshold: 8,
    windowSeconds: 90,
    outsideHours: { from: '22:00', to: '06:00', timezone: 'Europe/Paris', days: ['sat', 'sun'] },
    severity: 'Low',
  },
]
const RULES = resolveRules({ defaultRules: true, rules: USER_RULES })

function compiled(mode: TableMode) {
  const result = compileAnalyticsRules(RULES, mode)
  assert.deepEqual(result.notCompilable, [])
  return result.rules
}

function ruleOf(mode: TableMode, id: string): AnalyticsRule {
  const found = compiled(mode).find((r) => r.ruleId === id)
  assert.ok(found, `no analytics rule for ${id}`)
  return found.analytics
}

describe('generated content meets the published constraints', () => {
  for (const mode of MODES)
    test(`${mode}: every rule of the shipped and a user's configuration, and every hunting query`, () => {
      const rules = compiled(mode)
      assert.equal(rules.length, RULES.length)
      assert.deepEqual(
        checkContent(
          rules.map((r) => r.analytics),
          huntingQueries(mode),
        ),
        [],
      )
    })

  test('the checks find a broken constraint of each kind', () => {
    const good = ruleOf('asim', 'watchpost.brute-force')
    const broken: AnalyticsRule = {
      ...good,
      id: 'not-a-guid',
      name: 'x'.repeat(257),
      queryFrequency: '3m',
      queryPeriod: '2d',
      triggerOperator: 'above' as never,
      triggerThreshold: 10_001,
      tactics: ['Impact', 'Hacking'],
      relevantTechniques: ['T1110', 'T99'],
      entityMappings: [
        { entityType: 'IP', fieldMappings: [{ identifier: 'Name', columnName: 'SrcIpAddr' }] },
        { entityType: 'Account', fieldMappings: [{ identifier: 'Name', columnName: 'Target Username' }] },
      ],
      customDetails: { ThisKeyIsFarTooLongForSentinel: 'Count', '9lives': 'Count' },
      requiredDataConnectors: [{ connectorId: '', dataTypes: [] }],
      alertDetailsOverride: {
        alertDisplayNameFormat: '{{A}} {{B}} {{C}} {{D}}',
        alertSeverityColumnName: 'a b',
      },
      eventGroupingSettings: { aggregationKind: 'PerGroup' as never },
      version: '1',
    }
    const fields = checkAnalyticsRule(broken).map((p) => p.field)
    for (const field of [
      'id',
      'name',
      'queryFrequency',
      'triggerOperator',
      'triggerThreshold',
      'tactics[1]',
      'relevantTechniques[0]',
      'relevantTechniques[1]',
      'entityMappings[0].fieldMappings[0].identifier',
      'entityMappings[0].fieldMappings',
      'entityMappings[1].fieldMappings[0].columnName',
      'customDetails.ThisKeyIsFarTooLongForSentinel',
      'customDetails.9lives',
      'alertDetailsOverride.alertDisplayNameFormat',
      'alertDetailsOverride.alertSeverityColumnName',
      'requiredDataConnectors[0]',
      'eventGroupingSettings.aggregationKind',
      'version',
    ])
      assert.ok(fields.includes(field), `no problem reported for ${field}: ${fields.join(', ')}`)
    // Frequency under 5 minutes, and a 2-day period with a frequency under an hour: two problems.
    assert.equal(fields.filter((f) => f === 'queryFrequency').length, 2)
    const period = checkAnalyticsRule({ ...good, queryFrequency: '1h', queryPeriod: '30m' })
    assert.deepEqual(
      period.map((p) => p.field),
      ['queryPeriod'],
    )
  })

  test('an id used twice is a problem', () => {
    const rule = ruleOf('asim', 'watchpost.scanning')
    const problems = checkContent([rule, { ...rule, name: 'Copy' }])
    assert.deepEqual(
      problems.map((p) => [p.field, p.message]),
      [['id', `is also the id of ${rule.name}`]],
    )
  })

  test('every technique of the event mapping belongs to the tactic it is listed under, for events that exist', () => {
    const names = new Set(
      Object.values(CATALOGUE).flatMap((ns) => Object.values(ns).map((e) => (e as { name: string }).name)),
    )
    for (const [event, uses] of Object.entries(EVENT_ATTACK)) {
      assert.ok(names.has(event), `${event} is not in the catalogue`)
      for (const [technique, tactic] of uses)
        assert.ok(
          tacticsOf(technique).includes(tactic),
          `${event}: ${technique} is not a ${tactic} technique`,
        )
    }
  })

  test('every window a rule may have gets a schedule within the limits', () => {
    const base = ruleOf('asim', 'watchpost.brute-force')
    for (const windowSeconds of [1, 59, 60, 299, 300, 301, 599, 3600, 3601, 7200, 43_200, 86_399, 86_400]) {
      const rule: ResolvedRule = { ...(RULES[0] as ResolvedRule), windowSeconds }
      const result = compileAnalyticsRule(rule, 'asim')
      assert.ok(result.ok)
      const { analytics } = result.rule
      assert.deepEqual(checkAnalyticsRule({ ...base, ...pick(analytics) }), [], `window ${windowSeconds}s`)
      const { frequencyMinutes, periodMinutes } = scheduleFor(windowSeconds)
      // The period holds a whole window before every window end the run looks at, delivered up to
      // the delay late.
      assert.ok(periodMinutes * 60 >= windowSeconds + (frequencyMinutes + DELAY_MINUTES) * 60)
    }
  })
})

/** A rule of the app's own, built in code: 3 events in 5 minutes. */
function ownRule(id: string, events: ResolvedRule['events'], groupBy: ResolvedRule['groupBy']): ResolvedRule {
  return { id, enabled: true, events, groupBy, threshold: 3, windowSeconds: 300 }
}

function pick(rule: AnalyticsRule) {
  return { queryFrequency: rule.queryFrequency, queryPeriod: rule.queryPeriod, query: rule.query }
}

describe('ids', () => {
  test("are UUIDs v5 of the rule id under Watchpost's namespace (RFC 9562 test vector)", () => {
    assert.equal(ruleOf('asim', 'watchpost.scanning').id, uuidV5('watchpost.scanning', CONTENT_NAMESPACE))
    assert.equal(
      uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'),
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    )
  })

  test('are the same on every run and in both modes, and distinct across rules and hunting queries', () => {
    const first = compiled('asim').map((r) => r.analytics.id)
    const again = compileAnalyticsRules(
      resolveRules({ defaultRules: true, rules: USER_RULES }),
      'asim',
    ).rules.map((r) => r.analytics.id)
    assert.deepEqual(again, first)
    assert.deepEqual(
      compiled('custom').map((r) => r.analytics.id),
      first,
    )
    const hunting = huntingQueries('asim').map((q) => q.id)
    assert.deepEqual(
      huntingQueries('custom').map((q) => q.id),
      hunting,
    )
    const all = [...first, ...hunting]
    assert.equal(new Set(all).size, all.length)
  })

  test('do not depend on anything but the rule id', () => {
    const rule = RULES[0] as ResolvedRule
    const changed = compileAnalyticsRule({ ...rule, threshold: rule.threshold + 1, title: 'Renamed' }, 'asim')
    const original = compileAnalyticsRule(rule, 'asim')
    assert.ok(changed.ok && original.ok)
    assert.equal(changed.rule.analytics.id, original.rule.analytics.id)
    assert.notEqual(changed.rule.analytics.query, original.rule.analytics.query)
  })
})

describe('the query counts what the in-process engine counts', () => {
  for (const mode of MODES) {
    test(`${mode}: events, weights, window and threshold of a counting rule`, () => {
      const rule = ruleOf(mode, 'watchpost.brute-force')
      assert.match(rule.query, /^let window = 600s;$/m)
      assert.match(rule.query, /^let threshold = 10;$/m)
      assert.match(rule.query, /EventProduct == 'Watchpost' and EventOriginalType in \('authn_login_fail'\)/)
      // An aggregated event counts as its EventCount.
      assert.match(rule.query, /Weight = iff\(EventCount > 1, toint\(EventCount\), 1\)/)
      assert.match(rule.query, /Count = sum\(Weight\)/)
      // A re-sent event (same EventUid) counts once, as in the app.
      assert.match(rule.query, /\| summarize arg_min\(IngestionTime, \*\) by EventUid$/m)
      assert.match(
        rule.query,
        mode === 'asim'
          ? /EventUid = EventOriginalUid/
          : /project IngestionTime = ingestion_time\(\), .*\bEventUid\b/,
      )
      // The sliding window: every event of the run's interval ends a window of `window` before it.
      assert.match(rule.query, /TimeGenerated > WindowEnd - window and TimeGenerated <= WindowEnd/)
      assert.match(rule.query, /where Count >= threshold/)
      assert.match(rule.query, /by TargetUsername/)
      // Window ends: the events that arrived since the last run, whenever they happened.
      assert.match(rule.query, /IngestionTime = ingestion_time\(\)/)
      assert.match(rule.query, /where IngestionTime > ago\(frequency\)/)
      assert.equal(rule.queryFrequency, '10m')
      // 10 minutes of window, 10 of run interval, 10 of delivery delay.
      assert.equal(rule.queryPeriod, '30m')
      assert.equal(rule.triggerOperator, 'gt')
      assert.equal(rule.triggerThreshold, 0)
    })

    test(`${mode}: an exact distinct count, never dcount`, () => {
      const rule = ruleOf(mode, 'watchpost.credential-stuffing')
      assert.match(rule.query, /Count = count_distinct\(TargetUsername\)/)
      assert.doesNotMatch(rule.query, /\bdcount\(/)
      assert.doesNotMatch(rule.query, /sum\(Weight\)/)
      assert.match(rule.query, /by SrcIpAddr, WindowEnd/)
    })

    test(`${mode}: where conditions (quoted values escaped) and working hours in the rule's time zone`, () => {
      const jwt = ruleOf(mode, 'watchpost.jwt-forgery')
      assert.match(
        jwt.query,
        /where EventOriginalResultDetails in \('bad_signature', 'alg_not_allowed', 'key_not_found'\)/,
      )
      const user = ruleOf(mode, 'orders.route-probing')
      assert.match(user.query, /EventOriginalResultDetails in \('it\\'s \\'quoted\\'', 'no_token'\)/)
      assert.match(user.query, /datetime_utc_to_local\(TimeGenerated, 'Europe\/Paris'\)/)
      // Saturday and Sunday, 22:00 to 06:00 across midnight: outside is everything else.
      assert.match(
        user.query,
        /where not\(LocalDay in \(6, 0\) and \(LocalMinute >= 1320 or LocalMinute < 360\)\)/,
      )
      const admin = ruleOf(mode, 'watchpost.admin-off-hours')
      assert.match(
        admin.query,
        /where not\(LocalDay in \(1, 2, 3, 4, 5\) and LocalMinute >= 480 and LocalMinute < 1080\)/,
      )
    })
  }

  test('asim: each rule reads the table of its events, custom: WatchpostSecurityEvents_CL', () => {
    assert.match(
      ruleOf('asim', 'watchpost.brute-force').query,
      /^let counted = ASimAuthenticationEventLogs$/m,
    )
    assert.match(ruleOf('asim', 'watchpost.scanning').query, /^let counted = ASimWebSessionLogs$/m)
    assert.match(ruleOf('asim', 'watchpost.admin-off-hours').query, /^let counted = ASimAuditEventLogs$/m)
    for (const r of compiled('custom'))
      assert.match(r.analytics.query, /^let counted = WatchpostSecurityEvents_CL$/m)
  })

  test('a rule counting events of two ASIM tables reads both through a union', () => {
    const rule = ownRule('accounts.changes', ['authz_admin', 'user_created'], ['ActorUsername'])
    const result = compileAnalyticsRule(rule, 'asim')
    assert.ok(result.ok)
    assert.match(
      result.rule.analytics.query,
      /union\n {4}\(ASimAuditEventLogs[\s\S]*\(ASimUserManagementActivityLogs/,
    )
    assert.deepEqual(kqlErrors(result.rule.analytics.query), [])
  })

  test('a field the ASIM table has no column for is read from AdditionalFields', () => {
    // TargetUsername has no column in ASimWebSessionLogs; HttpRoute has none in any ASIM table.
    const rule = ownRule('app.sqli-per-user-route', ['malicious_sqli'], ['TargetUsername', 'HttpRoute'])
    const asim = compileAnalyticsRule(rule, 'asim')
    assert.ok(asim.ok)
    assert.match(
      asim.rule.analytics.query,
      /project .*TargetUsername = tostring\(AdditionalFields\.TargetUsername\), HttpRoute = tostring\(AdditionalFields\.HttpRoute\)/,
    )
    assert.deepEqual(kqlErrors(asim.rule.analytics.query), [])
    const custom = compileAnalyticsRule(rule, 'custom')
    assert.ok(custom.ok)
    assert.match(custom.rule.analytics.query, /project .*TargetUsername, HttpRoute$/m)
    assert.deepEqual(kqlErrors(custom.rule.analytics.query), [])
  })

  test('a field the table does not keep at all makes the rule not compilable, with the reason', () => {
    // The Authentication projection drops Dvc (the ASIM parser implies it); no configuration can
    // name it (the rule schema lists the fields), but a rule built in code can.
    const rule = {
      ...(RULES[0] as ResolvedRule),
      id: 'code.by-device',
      groupBy: ['Dvc'],
    } as unknown as ResolvedRule
    const result = compileAnalyticsRules([rule, RULES[1] as ResolvedRule], 'asim')
    assert.equal(result.rules.length, 1)
    assert.deepEqual(result.notCompilable, [
      {
        ruleId: 'code.by-device',
        reason:
          'ASimAuthenticationEventLogs does not keep Dvc (the ASIM projection drops it, as the table implies it)',
      },
    ])
    assert.equal(sentinelRuleNames([rule], 'asim').size, 0)
  })
})

describe('events the engine never counts', () => {
  test('its own firings and refusals are left out of the query; a rule of nothing else has no counterpart', () => {
    const mixed = compileAnalyticsRule(
      ownRule('app.blocked-and-cors', ['access_blocked', 'malicious_cors'], ['SrcIpAddr']),
      'asim',
    )
    assert.ok(mixed.ok)
    assert.match(mixed.rule.analytics.query, /EventOriginalType in \('malicious_cors'\)/)
    assert.doesNotMatch(mixed.rule.analytics.query, /access_blocked/)
    const only = compileAnalyticsRule(
      ownRule('app.on-firings', ['rule_threshold_web'], ['SrcIpAddr']),
      'custom',
    )
    assert.ok(!only.ok)
    assert.match(only.problem.reason, /rule_threshold_web, which the app's rules engine never counts/)
  })
})

describe('KQL validation with the Kusto language service', () => {
  for (const mode of MODES)
    test(`${mode}: every analytics rule and hunting query binds with no error`, () => {
      const queries = [
        ...compiled(mode).map((r) => [r.ruleId, r.analytics.query] as const),
        ...huntingQueries(mode).map((q) => [q.slug, q.query] as const),
      ]
      for (const [name, query] of queries) assert.deepEqual(kqlErrors(query), [], name)
    })

  test('a wrong column name planted in a query is reported', () => {
    const original = ruleOf('asim', 'watchpost.scanning').query
    const query = original.replace('| where isnotempty(SrcIpAddr)', '| where isnotempty(SrcIpAdress)')
    assert.notEqual(query, original)
    const errors = kqlErrors(query)
    assert.ok(errors.length > 0)
    assert.deepEqual(
      errors.map((e) => [e.code, e.text]),
      [['KS142', 'SrcIpAdress']],
    )
  })

  test('a column of the custom table does not exist in an ASIM table', () => {
    const diagnostics = kqlDiagnostics("ASimWebSessionLogs | where HttpRoute == '/login'")
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 'Error').map((d) => d.text),
      ['HttpRoute'],
    )
  })
})

describe('entities, details and alert overrides', () => {
  test('IP, Account and Host from the query columns; placeholders name returned columns', () => {
    const brute = ruleOf('asim', 'watchpost.brute-force')
    assert.deepEqual(brute.entityMappings, [
      { entityType: 'Account', fieldMappings: [{ identifier: 'Name', columnName: 'TargetUsername' }] },
      { entityType: 'Host', fieldMappings: [{ identifier: 'HostName', columnName: 'DvcHostname' }] },
    ])
    const stuffing = ruleOf('asim', 'watchpost.credential-stuffing')
    assert.deepEqual(stuffing.entityMappings[0], {
      entityType: 'IP',
      fieldMappings: [{ identifier: 'Address', columnName: 'SrcIpAddr' }],
    })
    for (const { analytics } of compiled('asim')) {
      const returned = /\| project (.*)$/.exec(analytics.query)?.[1]?.split(', ') ?? []
      const named = [
        ...analytics.entityMappings.flatMap((m) => m.fieldMappings.map((f) => f.columnName)),
        ...Object.values(analytics.customDetails),
        ...[
          ...`${analytics.alertDetailsOverride.alertDisplayNameFormat}${analytics.alertDetailsOverride.alertDescriptionFormat}`.matchAll(
            /\{\{(\w+)\}\}/g,
          ),
        ].map((m) => m[1] as string),
      ]
      for (const column of named)
        assert.ok(returned.includes(column), `${analytics.name}: ${column} is not returned`)
    }
  })

  test('tactics and techniques follow the events and the way the rule counts', () => {
    assert.deepEqual(ruleOf('asim', 'watchpost.brute-force').relevantTechniques, ['T1110', 'T1110.001'])
    assert.deepEqual(ruleOf('asim', 'watchpost.password-spray').relevantTechniques, ['T1110', 'T1110.003'])
    assert.deepEqual(ruleOf('asim', 'watchpost.scanning').tactics, ['Reconnaissance'])
    assert.deepEqual(ruleOf('asim', 'watchpost.injection-burst').relevantTechniques, ['T1190'])
  })

  test('severity: the rule’s own, else the highest its events can have', () => {
    assert.equal(ruleOf('asim', 'orders.route-probing').severity, 'Low')
    const rule: ResolvedRule = {
      ...(RULES[0] as ResolvedRule),
      id: 'no.severity',
      severity: undefined,
    } as never
    const { severity: _s, ...rest } = rule
    const result = compileAnalyticsRule(
      { ...rest, events: ['authn_login_fail', 'malicious_sqli'] } as ResolvedRule,
      'asim',
    )
    assert.ok(result.ok)
    assert.equal(result.rule.analytics.severity, 'High')
  })
})

describe('YAML and ARM forms', () => {
  test('the YAML form reads back as the rule, the query as a literal block', () => {
    for (const { analytics } of compiled('asim')) {
      const text = analyticsRuleYaml(analytics)
      assert.deepEqual(parse(text), JSON.parse(JSON.stringify(analytics)))
      assert.match(text, /^query: \|-\n {2}\/\/ Watchpost rule /m)
      assert.ok(text.indexOf('id:') < text.indexOf('name:') && text.indexOf('query:') < text.indexOf('kind:'))
    }
    const hunting = huntingQueries('custom')[0]
    assert.ok(hunting)
    const { slug: _slug, ...rest } = hunting
    assert.deepEqual(parse(huntingQueryYaml(hunting)), JSON.parse(JSON.stringify(rest)))
  })

  test('the ARM template deploys every rule as an alertRules extension resource and every hunting query as a saved search', () => {
    const rules = compiled('asim').map((r) => r.analytics)
    const hunting = huntingQueries('asim')
    const template = analyticsTemplate(rules, hunting) as {
      parameters: Record<string, unknown>
      resources: Array<Record<string, unknown> & { properties: Record<string, unknown> }>
    }
    assert.ok('workspace' in template.parameters)
    const alertRules = template.resources.filter((r) => r.type === 'Microsoft.SecurityInsights/alertRules')
    assert.deepEqual(
      alertRules.map((r) => r.name),
      rules.map((r) => r.id),
    )
    for (const resource of alertRules) {
      assert.equal(resource.apiVersion, '2025-09-01')
      assert.equal(
        resource.scope,
        "[format('Microsoft.OperationalInsights/workspaces/{0}', parameters('workspace'))]",
      )
      const p = resource.properties
      assert.equal(p.triggerOperator, 'GreaterThan')
      assert.match(String(p.queryFrequency), /^PT\d+[MH]$|^P\d+D$/)
      assert.ok((p.techniques as string[]).every((t) => !t.includes('.')))
      const incident = p.incidentConfiguration as {
        createIncident: boolean
        groupingConfiguration: { groupByEntities: string[] }
      }
      assert.equal(incident.createIncident, true)
      assert.ok(!incident.groupingConfiguration.groupByEntities.includes('Host'))
      for (const key of ['displayName', 'enabled', 'suppressionDuration', 'suppressionEnabled'])
        assert.ok(key in p, `${key} missing`)
    }
    const brute = alertRules.find((r) => r.name === ruleOf('asim', 'watchpost.brute-force').id)
    assert.deepEqual(brute?.properties.subTechniques, ['T1110.001'])
    assert.equal(brute?.properties.queryPeriod, 'PT30M')
    const searches = template.resources.filter(
      (r) => r.type === 'Microsoft.OperationalInsights/workspaces/savedSearches',
    )
    assert.equal(searches.length, hunting.length)
    for (const s of searches) {
      assert.equal(s.apiVersion, '2025-07-01')
      assert.equal(s.properties.category, 'Hunting Queries')
      assert.equal(s.properties.version, 2)
    }
  })

  test('text of the rule that starts with [ is escaped, not read as a template expression', () => {
    const result = compileAnalyticsRule(
      { ...(RULES[0] as ResolvedRule), title: '[internal] brute force', description: '[x] y' },
      'asim',
    )
    assert.ok(result.ok)
    const template = analyticsTemplate([result.rule.analytics], []) as {
      resources: Array<{ type: string; properties: Record<string, unknown> }>
    }
    const rule = template.resources.find((r) => r.type === 'Microsoft.SecurityInsights/alertRules')
    assert.equal(rule?.properties.description, `[${result.rule.analytics.description}`)
    assert.equal(rule?.properties.displayName, 'Watchpost: [internal] brute force')
  })
})

describe('names for the demo', () => {
  test('the Sentinel display name of each rule in effect', () => {
    const names = sentinelRuleNames(resolveRules({ defaultRules: true, rules: [] }))
    assert.deepEqual(
      [...names.keys()],
      DEFAULT_RULES.filter((r) => r.enabled).map((r) => r.id),
    )
    assert.equal(names.get('watchpost.brute-force'), 'Watchpost: Brute force on one account')
  })
})
