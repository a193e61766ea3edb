/**
 * The published constraints on analytics rules and hunting queries (spec/azure/sentinel-rules.md
 * §1, the Azure-Sentinel repository's validation), checked in code: the CLI refuses to write
 * content that breaks one, and the tests run every generated rule through them.
 */
import { TACTICS, tacticsOf } from './attack.js'
import { parseYamlDuration } from './schedule.js'
import type { AnalyticsRule, ContentProblem, EntityType, HuntingQuery } from './types.js'

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const TECHNIQUE = /^T\d{4}(\.\d{3})?$/
const COLUMN = /^[a-zA-Z_]+\w*$/
const DETAIL_KEY = /^[a-zA-Z]+\w*$/
const VERSION = /^\d+\.\d+\.\d+$/
const PLACEHOLDER = /\{\{[^{}]*\}\}/g

const SEVERITIES = new Set(['Informational', 'Low', 'Medium', 'High'])
const OPERATORS = new Set(['gt', 'lt', 'eq', 'ne'])
const KINDS = new Set(['Scheduled', 'NRT'])
const AGGREGATION = new Set(['SingleAlert', 'AlertPerResult'])
const MINUTES = { min: 5, max: 14 * 1440, twoDays: 2 * 1440, hour: 60 }

/** Per entity type: the identifiers it may have, and those of which a mapping needs one. */
const ENTITIES: Readonly<
  Record<EntityType, { readonly required: readonly string[]; readonly optional: readonly string[] }>
> = {
  Account: {
    required: ['FullName', 'Name', 'Sid', 'AadUserId', 'PUID', 'ObjectGuid'],
    optional: ['UPNSuffix', 'NTDomain', 'DisplayName'],
  },
  IP: { required: ['Address'], optional: [] },
  URL: { required: ['Url'], optional: [] },
  Host: { required: ['FullName', 'HostName', 'NetBiosName', 'AzureID', 'OMSAgentID'], optional: [] },
  CloudApplication: { required: ['AppId', 'Name'], optional: [] },
  DNS: { required: ['DomainName'], optional: [] },
  File: { required: ['Name'], optional: [] },
}

type Report = (field: string, message: string) => void

function length(report: Report, field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'string') report(field, 'is missing')
  else if (value.length < min || value.length > max)
    report(field, `has ${value.length} characters; ${min} .. ${max} allowed`)
}

function attack(report: Report, tactics: readonly string[], techniques: readonly string[]): void {
  const known = new Set<string>(TACTICS)
  tactics.forEach((t, i) => {
    if (!known.has(t)) report(`tactics[${i}]`, `${t} is not a tactic Sentinel knows`)
  })
  techniques.forEach((t, i) => {
    const field = `relevantTechniques[${i}]`
    const of = tacticsOf(t)
    if (!TECHNIQUE.test(t)) report(field, `${t} is not T#### or T####.###`)
    else if (of.length === 0) report(field, `${t} is not in Watchpost's ATT&CK table (spec/mitre-attack.md)`)
    else if (!of.some((tactic) => tactics.includes(tactic)))
      report(field, `${t} belongs to ${of.join(', ')}, none of which the rule lists`)
  })
}

function schedule(report: Report, rule: AnalyticsRule): void {
  const frequency = parseYamlDuration(rule.queryFrequency)
  const period = parseYamlDuration(rule.queryPeriod)
  if (frequency === undefined) report('queryFrequency', `${rule.queryFrequency} is not <int>m|h|d`)
  if (period === undefined) report('queryPeriod', `${rule.queryPeriod} is not <int>m|h|d`)
  for (const [field, value] of [
    ['queryFrequency', frequency],
    ['queryPeriod', period],
  ] as const)
    if (value !== undefined && (value < MINUTES.min || value > MINUTES.max))
      report(field, `is ${value} minutes; 5 minutes .. 14 days allowed`)
  if (frequency === undefined || period === undefined) return
  if (period < frequency)
    report('queryPeriod', `${rule.queryPeriod} is shorter than queryFrequency ${rule.queryFrequency}`)
  if (period >= MINUTES.twoDays && frequency < MINUTES.hour)
    report(
      'queryFrequency',
      `a queryPeriod of 2 days or more (${rule.queryPeriod}) needs a queryFrequency of 1 hour or more`,
    )
}

function entities(report: Report, rule: AnalyticsRule): void {
  const mappings = rule.entityMappings
  if (mappings.length < 1 || mappings.length > 10)
    report('entityMappings', `has ${mappings.length} mappings; 1 .. 10 allowed`)
  mappings.forEach((mapping, i) => {
    const at = `entityMappings[${i}]`
    const spec = ENTITIES[mapping.entityType]
    if (spec === undefined) {
      report(`${at}.entityType`, `${mapping.entityType} is not an entity type`)
      return
    }
    const fields = mapping.fieldMappings
    if (fields.length < 1 || fields.length > 3)
      report(`${at}.fieldMappings`, `has ${fields.length} field mappings; 1 .. 3 allowed`)
    fields.forEach((f, j) => {
      if (![...spec.required, ...spec.optional].includes(f.identifier))
        report(
          `${at}.fieldMappings[${j}].identifier`,
          `${f.identifier} is not an identifier of ${mapping.entityType}`,
        )
      if (!COLUMN.test(f.columnName))
        report(`${at}.fieldMappings[${j}].columnName`, `${JSON.stringify(f.columnName)} is not a column name`)
    })
    if (!fields.some((f) => spec.required.includes(f.identifier)))
      report(
        `${at}.fieldMappings`,
        `a ${mapping.entityType} mapping needs one of ${spec.required.join(', ')}`,
      )
  })
}

function details(report: Report, rule: AnalyticsRule): void {
  const pairs = Object.entries(rule.customDetails)
  if (pairs.length > 20) report('customDetails', `has ${pairs.length} pairs; 20 allowed`)
  for (const [key, column] of pairs) {
    if (!DETAIL_KEY.test(key) || key.length > 20)
      report(`customDetails.${key}`, 'a key is letters, then letters, digits or _, at most 20 characters')
    if (!COLUMN.test(column)) report(`customDetails.${key}`, `${JSON.stringify(column)} is not a column name`)
  }
  const override = rule.alertDetailsOverride
  for (const field of ['alertSeverityColumnName', 'alertTacticsColumnName'] as const) {
    const column = override[field]
    if (column !== undefined && !COLUMN.test(column))
      report(`alertDetailsOverride.${field}`, `${JSON.stringify(column)} is not a column name`)
  }
  for (const [field, max] of [
    ['alertDisplayNameFormat', 256],
    ['alertDescriptionFormat', 5000],
  ] as const) {
    const text = override[field]
    if (text === undefined) continue
    length(report, `alertDetailsOverride.${field}`, text, 1, max)
    const placeholders = text.match(PLACEHOLDER)?.length ?? 0
    if (placeholders > 3)
      report(`alertDetailsOverride.${field}`, `has ${placeholders} {{Column}} placeholders; 3 allowed`)
  }
}

/** Problems of one analytics rule, on its own (ids across rules: `checkContent`). */
export function checkAnalyticsRule(rule: AnalyticsRule): ContentProblem[] {
  const problems: ContentProblem[] = []
  const report: Report = (field, message) =>
    problems.push({ subject: `${rule.id} (${rule.name})`, field, message })
  if (!GUID.test(rule.id)) report('id', `${JSON.stringify(rule.id)} is not a GUID`)
  if (!KINDS.has(rule.kind)) report('kind', `${rule.kind} is not Scheduled or NRT`)
  length(report, 'name', rule.name, 1, 256)
  length(report, 'description', rule.description, 1, 5000)
  if (!SEVERITIES.has(rule.severity)) report('severity', `${rule.severity} is not a severity`)
  if (!Array.isArray(rule.requiredDataConnectors)) report('requiredDataConnectors', 'is not a list')
  else
    rule.requiredDataConnectors.forEach((c, i) => {
      if (typeof c.connectorId !== 'string' || c.connectorId === '' || !Array.isArray(c.dataTypes))
        report(`requiredDataConnectors[${i}]`, 'is not {connectorId, dataTypes}')
    })
  schedule(report, rule)
  if (!OPERATORS.has(rule.triggerOperator))
    report('triggerOperator', `${rule.triggerOperator} is not gt, lt, eq or ne`)
  if (!Number.isInteger(rule.triggerThreshold) || rule.triggerThreshold < 0 || rule.triggerThreshold > 10_000)
    report('triggerThreshold', `${rule.triggerThreshold} is not an integer 0 .. 10000`)
  length(report, 'query', rule.query, 1, 10_000)
  attack(report, rule.tactics, rule.relevantTechniques)
  entities(report, rule)
  details(report, rule)
  if (!AGGREGATION.has(rule.eventGroupingSettings.aggregationKind))
    report(
      'eventGroupingSettings.aggregationKind',
      `${rule.eventGroupingSettings.aggregationKind} is not SingleAlert or AlertPerResult`,
    )
  if (!VERSION.test(rule.version)) report('version', `${rule.version} is not X.Y.Z`)
  return problems
}

/** Problems of one hunting query. */
export function checkHuntingQuery(query: HuntingQuery): ContentProblem[] {
  const problems: ContentProblem[] = []
  const report: Report = (field, message) =>
    problems.push({ subject: `${query.id} (${query.name})`, field, message })
  if (!GUID.test(query.id)) report('id', `${JSON.stringify(query.id)} is not a GUID`)
  length(report, 'name', query.name, 1, 256)
  length(report, 'description', query.description, 1, 5000)
  length(report, 'query', query.query, 1, 10_000)
  attack(report, query.tactics, query.relevantTechniques)
  return problems
}

/** Problems of a set of content: each item's, and ids that are not unique across all of it. */
export function checkContent(
  rules: readonly AnalyticsRule[],
  hunting: readonly HuntingQuery[] = [],
): ContentProblem[] {
  const problems = [...rules.flatMap(checkAnalyticsRule), ...hunting.flatMap(checkHuntingQuery)]
  const seen = new Map<string, string>()
  for (const item of [...rules, ...hunting]) {
    const id = item.id.toLowerCase()
    const first = seen.get(id)
    if (first !== undefined)
      problems.push({
        subject: `${item.id} (${item.name})`,
        field: 'id',
        message: `is also the id of ${first}`,
      })
    else seen.set(id, item.name)
  }
  return problems
}
