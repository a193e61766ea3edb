import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { compileEvent, createBuilder } from '../src/events/build.js'
import { CATALOGUE, EVENTS_BY_NAME } from '../src/events/catalogue/index.js'
import type { EventDef, ParamDef } from '../src/events/define.js'
import { compileRedactor } from '../src/redaction/index.js'
import { FIELDS, type FieldName } from '../src/schema/fields.js'
import { ASIM_PROJECTIONS, CUSTOM_COLUMNS, projectToAsim } from '../src/schema/projections.js'
import { fakeContext } from './support/fake-context.js'

const spec = (rel: string) => fileURLToPath(new URL(`../../../spec/${rel}`, import.meta.url))
interface AsimTable {
  EventSchema: string
  columns: Array<{ name: string; dcrType: string; class: string; allowedValues?: string[] }>
  enumerations: Record<string, unknown>
}
const asimSpec = JSON.parse(readFileSync(spec('azure/asim-tables.json'), 'utf8')) as {
  tables: Record<string, AsimTable>
}
const vocabulary = JSON.parse(readFileSync(spec('owasp-vocabulary.json'), 'utf8')) as {
  events: Array<{ name: string; level: string }>
}

const tableBySchema = new Map(Object.values(asimSpec.tables).map((t) => [t.EventSchema, t]))
const allDefs = [...EVENTS_BY_NAME.values()]

function sampleValue(name: string, param: ParamDef, table: AsimTable): unknown {
  // A column with an ASIM enumeration gets one of its values (e.g. HttpRequestMethod, LogonMethod).
  const target = Array.isArray(param.target) ? param.target[0] : param.target
  const allowed = table.columns.find((c) => c.name === target)?.allowedValues
  if (allowed && param.type === 'string') return allowed[0]
  switch (param.type) {
    case 'int':
      return 3
    case 'boolean':
      return true
    case 'strings':
      return ['a', 'b']
    case 'enum':
      return param.values?.[0]
    default:
      return `${name}-value`
  }
}

function sampleParams(def: EventDef, table: AsimTable): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(def.params).map(([name, param]) => [name, sampleValue(name, param, table)]),
  )
}

function typeOk(dcrType: string, value: unknown): boolean {
  switch (dcrType) {
    case 'string':
      return typeof value === 'string'
    case 'int':
    case 'long':
      return Number.isInteger(value)
    case 'real':
      return typeof value === 'number'
    case 'boolean':
      return typeof value === 'boolean'
    case 'datetime':
      return typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value)
    case 'dynamic':
      return typeof value === 'object' && value !== null
    default:
      return false
  }
}

const build = createBuilder({
  identity: { name: 'shop', version: '1.2.3', environment: 'test', host: 'web-1' },
  redactor: compileRedactor({}),
  productVersion: '0.0.0-test',
})

describe('catalogue', () => {
  test('every OWASP vocabulary event is in the catalogue with its level', () => {
    assert.equal(vocabulary.events.length, 57)
    for (const v of vocabulary.events) {
      const def = EVENTS_BY_NAME.get(v.name)
      assert.ok(def, `${v.name} missing from the catalogue`)
      assert.equal(def.origin, 'owasp', v.name)
      // upload_validation is "INFO|CRITICAL": INFO when passed, High when a check failed (byParam).
      assert.equal(def.level, v.level.split('|')[0], v.name)
    }
    const owasp = allDefs.filter((d) => d.origin === 'owasp').map((d) => d.name)
    assert.deepEqual(owasp.sort(), vocabulary.events.map((e) => e.name).sort())
  })

  test('names are unique, snake_case and match their namespace', () => {
    const names = new Set<string>()
    for (const [ns, methods] of Object.entries(CATALOGUE)) {
      for (const def of Object.values(methods as unknown as Record<string, EventDef>)) {
        assert.match(def.name, /^[a-z]+(_[a-z0-9]+)+$/)
        assert.ok(!names.has(def.name), `duplicate ${def.name}`)
        names.add(def.name)
        const prefix = { inputValidation: 'input_validation', sensitive: 'sensitive', sys: 'sys' }[ns] ?? ns
        assert.ok(def.name.startsWith(prefix), `${def.name} is not under ${ns}`)
      }
    }
    assert.equal(names.size, EVENTS_BY_NAME.size)
  })

  test('parameter targets are fields of a compatible type, AdditionalFields keys do not shadow fields', () => {
    for (const def of allDefs) {
      for (const [name, param] of Object.entries(def.params)) {
        const target = param.target
        if (typeof target === 'string' && target.startsWith('AdditionalFields.')) {
          const key = target.slice('AdditionalFields.'.length)
          assert.match(key, /^[A-Z][A-Za-z0-9]*$/, `${def.name}.${name}`)
          assert.ok(!(key in FIELDS), `${def.name}.${name}: AdditionalFields.${key} shadows a field`)
          continue
        }
        for (const field of (Array.isArray(target) ? target : [target]) as FieldName[]) {
          assert.ok(field in FIELDS, `${def.name}.${name} → unknown field ${field}`)
          const expected = param.type === 'int' ? 'int' : param.type === 'boolean' ? 'boolean' : 'string'
          assert.notEqual(param.type, 'strings', `${def.name}.${name}: lists only go to AdditionalFields`)
          assert.equal(FIELDS[field].type, expected, `${def.name}.${name} → ${field}`)
        }
      }
      for (const field of Object.keys(def.fixed ?? {}))
        assert.ok(field in FIELDS, `${def.name} fixes unknown ${field}`)
    }
  })

  for (const def of allDefs) {
    test(`${def.name} maps to valid columns of ${def.schema} and of the custom table`, () => {
      const table = tableBySchema.get(def.schema)
      assert.ok(table, `no ASIM table for ${def.schema}`)
      const columns = new Map(table.columns.map((c) => [c.name, c]))
      const event = build(compileEvent(def), sampleParams(def, table), fakeContext(), { statusCode: 403 })
      const { projection, row } = projectToAsim(event)
      assert.equal(projection.schema, def.schema)

      for (const [name, value] of Object.entries(row)) {
        const column = columns.get(name)
        assert.ok(column, `${def.name}: ${name} is not a column of ${projection.table}`)
        assert.notEqual(column.class, 'System', `${def.name}: ${name} is filled by Log Analytics`)
        assert.ok(
          typeOk(column.dcrType, value),
          `${def.name}: ${name}=${JSON.stringify(value)} is not ${column.dcrType}`,
        )
        if (column.allowedValues)
          assert.ok(column.allowedValues.includes(value as string), `${def.name}: ${name}=${value}`)
      }
      for (const c of table.columns) {
        if (c.class === 'Mandatory') assert.ok(c.name in row, `${def.name}: mandatory ${c.name} missing`)
      }
      const enums = table.enumerations
      const allowed = (key: string): string[] | undefined => {
        const e = enums[key]
        return Array.isArray(e) ? (e as string[]) : (e as { values?: string[] } | undefined)?.values
      }
      assert.ok(
        allowed('EventType')?.includes(row.EventType as string),
        `${def.name}: EventType ${row.EventType}`,
      )
      assert.ok(allowed('EventResult')?.includes(row.EventResult as string), `${def.name}: EventResult`)
      assert.ok(allowed('EventSeverity')?.includes(row.EventSeverity as string), `${def.name}: EventSeverity`)
      const subTypes = allowed('EventSubType')
      if (subTypes && row.EventSubType !== undefined)
        assert.ok(subTypes.includes(row.EventSubType as string), def.name)
      const details = allowed('EventResultDetails')
      if (details && row.EventResultDetails !== undefined) {
        assert.ok(
          details.includes(row.EventResultDetails as string),
          `${def.name}: ${row.EventResultDetails}`,
        )
      }
      if (def.schema === 'WebSession') assert.equal(row.EventResultDetails, '403')
      const objectTypes = allowed('ObjectType')
      if (objectTypes && row.ObjectType !== undefined)
        assert.ok(objectTypes.includes(row.ObjectType as string), def.name)
      assert.equal(row.EventOriginalUid, event.EventUid)
      assert.equal(
        (row.AdditionalFields as Record<string, unknown> | undefined)?.CorrelationId ?? row.CorrelationId,
        event.CorrelationId,
      )

      const custom = new Map(CUSTOM_COLUMNS.map((c) => [c.name as string, c.type as string]))
      for (const [name, value] of Object.entries(event)) {
        const type = custom.get(name)
        assert.ok(type, `${def.name}: ${name} is not a custom-table column`)
        assert.ok(typeOk(type, value), `${def.name}: ${name}=${JSON.stringify(value)} is not ${type}`)
      }
    })
  }

  test('nothing a projection needs is lost: every set field lands in a column or AdditionalFields', () => {
    const def = EVENTS_BY_NAME.get('authn_login_fail')!
    const event = build(compileEvent(def), { userId: 'bob', reason: 'locked' }, fakeContext(), {
      details: { a: 1 },
    })
    for (const projection of Object.values(ASIM_PROJECTIONS)) {
      const moved = { ...event, EventSchema: projection.schema }
      const { row } = projectToAsim(moved)
      const additional = row.AdditionalFields as Record<string, unknown>
      for (const [name, value] of Object.entries(moved)) {
        if (name === 'AdditionalFields') continue
        const placement = projection.placements[name as FieldName]
        if (placement.kind === 'column')
          assert.deepEqual(row[placement.column], value, `${projection.table}.${name}`)
        else if (placement.kind === 'additional')
          assert.deepEqual(additional[name], value, `${projection.table}.${name}`)
      }
      assert.deepEqual(additional.Details, { a: 1 })
    }
  })

  test('a user name brings its type, the app its type, a web session its destination (ASIM Conditional/Mandatory)', () => {
    const ctx = fakeContext({ userId: 'CORP\\alice' })
    const login = build(
      compileEvent(EVENTS_BY_NAME.get('authn_login_fail')!),
      { userId: 'bob@example.com' },
      ctx,
      undefined,
    )
    const auth = projectToAsim(login).row
    assert.deepEqual(
      [auth.TargetUsernameType, auth.ActorUsernameType, auth.TargetAppName, auth.TargetAppType],
      ['UPN', 'Windows', 'shop', 'Service'],
    )
    const web = projectToAsim(
      build(compileEvent(EVENTS_BY_NAME.get('authz_fail')!), { userId: 'carol' }, fakeContext(), undefined),
    ).row
    assert.deepEqual([web.SrcUsername, web.SrcUsernameType, web.DstHostname], ['carol', 'Simple', 'web-1'])
    const dn = fakeContext({ userId: 'CN=Dave,OU=Staff,DC=example,DC=com' })
    const audit = projectToAsim(
      build(compileEvent(EVENTS_BY_NAME.get('sys_startup')!), {}, dn, undefined),
    ).row
    assert.equal(audit.ActorUsernameType, 'DN')
    const anonymous = projectToAsim(
      build(compileEvent(EVENTS_BY_NAME.get('sys_startup')!), {}, undefined, undefined),
    )
    assert.equal(anonymous.row.ActorUsernameType, undefined, 'no name, no type')
    for (const projection of Object.values(ASIM_PROJECTIONS)) {
      const declared = new Set(projection.columns.map((c) => c.name))
      for (const d of projection.derived)
        assert.ok(declared.has(d.column), `${projection.table} declares ${d.column}`)
    }
    assert.deepEqual(
      ASIM_PROJECTIONS.WebSession.derived.map((d) => d.column),
      ['SrcUsernameType', 'DstHostname'],
    )
  })

  test('custom-table column names follow the Log Analytics rules', () => {
    const reserved = new Set([
      '_ResourceId',
      'id',
      '_SubscriptionId',
      'TenantId',
      'Type',
      'UniqueId',
      'Title',
    ])
    for (const c of CUSTOM_COLUMNS) {
      assert.match(c.name, /^[A-Za-z][A-Za-z0-9_]{0,44}$/)
      assert.ok(!reserved.has(c.name), c.name)
    }
    assert.ok(CUSTOM_COLUMNS.some((c) => c.name === 'TimeGenerated' && c.type === 'datetime'))
  })
})
