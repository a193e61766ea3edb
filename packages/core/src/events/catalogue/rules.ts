/**
 * What the rules engine records (docs/rules.md): a rule's firing, in the ASIM schema of the events it
 * counts (so Sentinel finds a brute force among the sign-ins and a scan among the web sessions), and
 * the requests a block refused. Watchpost additions: the OWASP vocabulary has no rule events.
 */
import { defineEvent, p } from '../define.js'

// The group's values come from the counted events, already redacted (a hashed address stays the
// hash the counted rows carry): text parameters, not `user`/`ip` ones, which would redact again.
const firing = {
  origin: 'watchpost',
  level: 'WARN',
  message: 'Rule {title}: {count} within {windowSeconds} s for {group}',
  params: {
    title: p.required(p.string('AdditionalFields.RuleTitle', 'The rule’s title (its id when it has none).')),
    group: p.required(p.string('AdditionalFields.RuleGroup', 'The group, as `Column=value` pairs.')),
    threshold: p.required(p.int('AdditionalFields.Threshold', 'The rule’s threshold.')),
    windowSeconds: p.required(p.int('AdditionalFields.WindowSeconds', 'The rule’s window.')),
    distinct: p.string('AdditionalFields.DistinctOf', 'The column counted distinct, for a distinct count.'),
    response: p.enum(
      ['none', 'block', 'delay', 'hook', 'not_applied'],
      'AdditionalFields.Response',
      'What followed: the response applied (`protect` mode), `not_applied` (a response in `monitor` mode), or `none`.',
    ),
    srcIp: p.string('SrcIpAddr', 'The group’s client address, when the rule groups by it.'),
    targetUser: p.string('TargetUsername', 'The group’s target user, when the rule groups by it.'),
    actorUser: p.string('ActorUsername', 'The group’s acting user, when the rule groups by it.'),
  },
} as const

const description = (what: string) =>
  `A rule counting ${what} reached its threshold within its window (EventCount: how many; EventStartTime/EventEndTime: the window; RuleName: the rule’s id).`

export const rule = {
  authentication: defineEvent({
    ...firing,
    name: 'rule_threshold_authn',
    schema: 'Authentication',
    eventType: 'Logon',
    eventSubType: 'Remote',
    result: 'Failure',
    resultDetails: 'Other',
    description: description('sign-in events'),
  }),
  web: defineEvent({
    ...firing,
    name: 'rule_threshold_web',
    schema: 'WebSession',
    eventType: 'WebServerSession',
    result: 'Failure',
    description: description('web request events'),
  }),
  audit: defineEvent({
    ...firing,
    name: 'rule_threshold_audit',
    schema: 'AuditEvent',
    eventType: 'Other',
    result: 'Success',
    description: description(
      'audit or user management events (administration, permission changes, accounts)',
    ),
    fixed: { Operation: 'Rule threshold', Object: 'rule', ObjectType: 'Other' },
  }),
}

/** Requests a block refused: an `access_*` event. */
export const accessBlocked = {
  blocked: defineEvent({
    origin: 'watchpost',
    level: 'WARN',
    severity: 'Low',
    name: 'access_blocked',
    schema: 'WebSession',
    eventType: 'WebServerSession',
    result: 'Failure',
    message: 'Requests from a source blocked by rule {rule} refused',
    description:
      'Requests refused because a rule blocked their source (`protect` mode): the first one of each block at once, the rest of each minute as one event with EventCount.',
    params: {
      rule: p.required(p.string('RuleName', 'The rule that set the block (its id), or `manual`.')),
      until: p.string('AdditionalFields.BlockedUntil', 'When the block ends (ISO 8601).'),
      srcIp: p.string('SrcIpAddr', 'The blocked address, for the aggregate of a minute.'),
    },
    fixed: { DvcAction: 'Deny' },
  }),
}
