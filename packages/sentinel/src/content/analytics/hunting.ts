/**
 * Hunting queries: what an analyst looks at rather than what pages someone — Watchpost's own rule
 * firings and blocks, the sources behind the most findings, accounts whose failed logins ended in
 * a success. Same tables and same restriction to Watchpost's rows as the analytics rules (rows.ts).
 */

import { WatchpostError } from '@watchpost/core'
import { type AsimSchema, FIRING_EVENTS } from '@watchpost/core/sdk'
import { huntingQueryId } from './content-id.js'
import { EVENT_FACTS } from './events.js'
import { type TableSelection, watchpostRows } from './rows.js'
import type { HuntingQuery, TableMode } from './types.js'

/** How far back a hunting query looks unless the analyst changes it. */
const LOOKBACK = '7d'
/** Failed logins before a success that make an account worth a look (the brute-force rule's 10, halved). */
const FAILURES_BEFORE_SUCCESS = 5

interface Definition {
  readonly slug: string
  readonly name: string
  readonly description: string
  readonly tactics: readonly string[]
  readonly relevantTechniques: readonly string[]
  /** Event types read (`undefined`: every Watchpost event) and the fields they need. */
  readonly events: readonly string[] | undefined
  readonly fields: readonly string[]
  /** The query after `let rows = …;`. */
  readonly body: string
}

const LOGIN_EVENTS = ['authn_login_fail', 'authn_login_success', 'authn_login_successafterfail']
const WEIGHT = 'iff(EventCount > 1, toint(EventCount), 1)'

const DEFINITIONS: readonly Definition[] = [
  {
    slug: 'rule-firings',
    name: 'Watchpost: rule firings by rule',
    description:
      'How often each Watchpost rule fired in the app (its rule_threshold_* events), for which groups, with which response, on which hosts. A rule that fires every day may need a higher threshold; one that never fires may be switched off or mis-set.',
    tactics: [],
    relevantTechniques: [],
    events: FIRING_EVENTS,
    fields: ['TimeGenerated', 'RuleName', 'DvcHostname', 'AdditionalFields'],
    body: [
      'rows',
      '| extend RuleGroup = tostring(AdditionalFields.RuleGroup), Response = tostring(AdditionalFields.Response)',
      '| summarize Firings = count(), FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated), Groups = make_set(RuleGroup, 20), Responses = make_set(Response), Hosts = make_set(DvcHostname, 10) by RuleName',
      '| order by Firings desc',
    ].join('\n'),
  },
  {
    slug: 'blocked-requests',
    name: 'Watchpost: requests blocked, by rule and source',
    description:
      'Requests Watchpost refused in protect mode (access_blocked), per rule and client address: how many, when, and until when the block ran. A source blocked again and again is still trying.',
    tactics: [],
    relevantTechniques: [],
    events: ['access_blocked'],
    fields: ['TimeGenerated', 'EventCount', 'RuleName', 'SrcIpAddr', 'DvcHostname', 'AdditionalFields'],
    body: [
      'rows',
      `| extend Weight = ${WEIGHT}, BlockedUntil = todatetime(AdditionalFields.BlockedUntil)`,
      '| summarize Refused = sum(Weight), FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated), LastBlockUntil = max(BlockedUntil), Hosts = make_set(DvcHostname, 10) by RuleName, SrcIpAddr',
      '| order by Refused desc',
    ].join('\n'),
  },
  {
    slug: 'top-sources',
    name: 'Watchpost: sources with the most findings',
    description:
      'Client addresses behind the most Watchpost findings above Informational, across every table: how many, of which kinds, the highest severity, and over what time. The top of this list is where an attack comes from, or a misbehaving client.',
    tactics: ['Reconnaissance', 'InitialAccess'],
    relevantTechniques: ['T1595', 'T1190'],
    events: undefined,
    fields: ['TimeGenerated', 'EventCount', 'EventSeverity', 'SrcIpAddr', 'DvcHostname'],
    body: [
      'rows',
      "| where isnotempty(SrcIpAddr) and EventSeverity != 'Informational'",
      `| extend Weight = ${WEIGHT}, SeverityRank = case(EventSeverity == 'High', 3, EventSeverity == 'Medium', 2, 1)`,
      '| summarize Findings = sum(Weight), EventTypes = make_set(EventOriginalType, 20), HighestRank = max(SeverityRank), FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated), Hosts = make_set(DvcHostname, 10) by SrcIpAddr',
      "| extend HighestSeverity = case(HighestRank == 3, 'High', HighestRank == 2, 'Medium', 'Low')",
      '| project-away HighestRank',
      '| top 50 by Findings desc',
    ].join('\n'),
  },
  {
    slug: 'failures-then-success',
    name: 'Watchpost: accounts with failed logins, then a success',
    description: `Accounts with ${FAILURES_BEFORE_SUCCESS} or more failed logins followed by a successful one: a guessed password, or a user who finally remembered it. The sources of the failures and of the success tell which.`,
    tactics: ['CredentialAccess', 'InitialAccess'],
    relevantTechniques: ['T1110', 'T1078'],
    events: LOGIN_EVENTS,
    fields: ['TimeGenerated', 'EventCount', 'TargetUsername', 'SrcIpAddr'],
    body: [
      'rows',
      '| where isnotempty(TargetUsername)',
      `| extend Weight = ${WEIGHT}, Failed = EventOriginalType == 'authn_login_fail'`,
      '| summarize Failures = sumif(Weight, Failed), FirstFailure = minif(TimeGenerated, Failed), LastSuccess = maxif(TimeGenerated, not(Failed)), FailureSources = make_set_if(SrcIpAddr, Failed, 10), SuccessSources = make_set_if(SrcIpAddr, not(Failed), 10) by TargetUsername',
      `| where Failures >= ${FAILURES_BEFORE_SUCCESS} and LastSuccess > FirstFailure`,
      '| order by Failures desc',
    ].join('\n'),
  },
]

/** The tables (and, per table, the event types) a definition reads in a mode. */
function selection(events: readonly string[] | undefined, tables: TableMode): TableSelection {
  if (tables === 'custom') return new Map([['custom', events]])
  const bySchema = new Map<AsimSchema, string[] | undefined>()
  if (events === undefined) {
    for (const facts of EVENT_FACTS.values()) bySchema.set(facts.schema, undefined)
    return bySchema
  }
  for (const name of events) {
    const schema = EVENT_FACTS.get(name)?.schema
    if (schema !== undefined) bySchema.set(schema, [...(bySchema.get(schema) ?? []), name])
  }
  return bySchema
}

/** The hunting queries for `tables` mode. */
export function huntingQueries(tables: TableMode): HuntingQuery[] {
  return DEFINITIONS.map((d) => {
    const rows = watchpostRows(selection(d.events, tables), ['EventOriginalType', ...d.fields], 'lookback')
    // Every field a definition reads is one the tables keep (a test compiles all of them).
    if (!rows.ok)
      throw new WatchpostError(
        'ERR_WATCHPOST_SENTINEL_CONTENT_INVALID',
        `hunting query ${d.slug}: ${rows.reason}`,
      )
    return {
      id: huntingQueryId(d.slug),
      slug: d.slug,
      name: d.name,
      description: d.description,
      requiredDataConnectors: [],
      tactics: d.tactics,
      relevantTechniques: d.relevantTechniques,
      query: [`// ${d.name}`, `let lookback = ${LOOKBACK};`, `let rows = ${rows.text};`, d.body].join('\n'),
      version: '1.0.0',
    }
  })
}
