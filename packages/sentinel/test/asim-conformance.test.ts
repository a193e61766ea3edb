/**
 * Watchpost's rows against Microsoft's ASIM field catalogue (spec/azure/asim-field-catalogue.csv):
 * every column a real column of the native table, every Mandatory field sent or supplied by the
 * table/parser, Conditional fields present with what they qualify, enumerated values allowed, types
 * right. The rows are the ones Watchpost sends: events built by core's event builder inside real
 * requests, and the events a Fastify app's real requests make the detectors record, each projected
 * with projectToAsim as the sentinel sink does.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { CATALOGUE, createWatchpost, type SecurityEvent } from '@watchpost/core'
import { type AsimSchema, projectToAsim } from '@watchpost/core/sdk'
import { conformanceProblems, CATALOGUE as FIELD_CATALOGUE } from './support/asim-catalogue.js'
import { startApp, type TestApp } from './support/fastify-app.js'
import { serve } from './support/helpers.js'

interface ParamShape {
  readonly type: 'string' | 'int' | 'boolean' | 'strings' | 'enum'
  readonly kind: 'text' | 'user' | 'ip'
  readonly values?: readonly string[]
}
interface DefShape {
  readonly name: string
  readonly schema: AsimSchema
  readonly params: Readonly<Record<string, ParamShape>>
}

const DEFS = Object.values(CATALOGUE).flatMap((ns) => Object.values(ns as Record<string, DefShape>))

/** A plausible value for each parameter: the shapes an app passes (an e-mail address as user id). */
function paramsOf(def: DefShape): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  for (const [name, param] of Object.entries(def.params)) {
    if (param.type === 'enum') params[name] = param.values![0]
    else if (param.type === 'int') params[name] = 3
    else if (param.type === 'boolean') params[name] = true
    else if (param.type === 'strings') params[name] = ['/a', '/b']
    else if (param.kind === 'user') params[name] = name === 'userId' ? 'alice@example.com' : 'bob'
    else if (param.kind === 'ip') params[name] = '198.51.100.23'
    else if (name === 'method') params[name] = 'TRACE'
    else params[name] = `${name}-value`
  }
  return params
}

/** The status an app answers with when it records the event (the Web Session result details). */
function statusOf(def: DefShape): number | undefined {
  if (def.schema !== 'WebSession') return undefined
  if (def.name === 'access_not_found' || def.name === 'malicious_excess_404') return 404
  if (def.name === 'excess_rate_limit_exceeded') return 429
  return 403
}

const app = { name: 'shop', version: '1.4.0', environment: 'production', host: 'web-01' }

describe('ASIM conformance: every catalogue event, built in a real request', () => {
  const events = new Map<string, SecurityEvent>()

  before(async () => {
    const wp = createWatchpost({ config: false, app, sinks: [] })
    await serve(
      (req, res) => {
        const context = wp.context(req, res)
        wp.request(req).setUser('alice@example.com')
        wp.request(req).setSession('s-1')
        for (const def of DEFS) {
          const status = statusOf(def)
          const event = wp.record(def.name as never, paramsOf(def), {
            context,
            ...(status === undefined ? {} : { statusCode: status }),
          })
          if (event !== undefined) events.set(def.name, event)
        }
      },
      [{ 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', referer: 'https://shop.example/' }],
      '/account/orders?page=2',
    )
    await wp.close()
  })

  test('the catalogue and the field catalogue cover the same four schemas', () => {
    assert.ok(DEFS.length >= 57, `${DEFS.length} catalogue events`)
    const schemas = new Set(DEFS.map((d) => d.schema))
    assert.deepEqual([...schemas].sort(), [...FIELD_CATALOGUE.keys()].sort())
  })

  for (const def of DEFS) {
    test(`${def.name} → a conforming ${def.schema} row`, () => {
      const event = events.get(def.name)
      assert.ok(event, `${def.name} was built`)
      const { projection, row } = projectToAsim(event)
      assert.equal(projection.schema, def.schema)
      assert.deepEqual(conformanceProblems(def.schema, row), [], `${def.name} → ${projection.table}`)
      assert.equal(row.EventOriginalType, def.name)
      if (def.schema === 'WebSession') assert.equal(row.EventResultDetails, String(statusOf(def)))
    })
  }
})

describe('ASIM conformance: what a Fastify app records for real requests', () => {
  let app: TestApp
  before(async () => {
    app = await startApp({ detectors: { notFound: { threshold: 3 } } })
    await app.post('/login', JSON.stringify({ username: 'mallory@example.com', password: 'x' }))
    await app.get('/admin')
    await app.get('/private')
    for (let i = 0; i < 3; i++) await app.get(`/missing-${i}`)
    await app.get('/.env')
    await app.get('/search?q=1%27%20OR%20%271%27%3D%271', {
      'user-agent': 'sqlmap/1.8.2#stable (https://sqlmap.org)',
    })
    await app.post('/login', '{"username": ')
    await app.flush()
  })
  after(() => app.close())

  test('the detectors recorded the events these requests stand for', () => {
    const names = new Set(app.events.map((e) => e.EventOriginalType))
    for (const name of [
      'authn_login_fail',
      'authz_fail',
      'authn_unauthorized',
      'malicious_excess_404',
      'access_not_found',
      'malicious_attack_tool',
      'malicious_sqli',
      'input_validation_malformed_body',
    ])
      assert.ok(names.has(name), `${name} among ${[...names].join(', ')}`)
  })

  test('every row conforms; a Web Session row with a status has a result that agrees with it', () => {
    assert.ok(app.events.length >= 8)
    const withoutStatus = new Set<string>()
    for (const event of app.events) {
      const { projection, row } = projectToAsim(event)
      assert.deepEqual(conformanceProblems(projection.schema, row), [], event.EventOriginalType)
      if (projection.schema !== 'WebSession') continue
      assert.equal(row.SrcIpAddr, '127.0.0.1')
      if (row.EventResultDetails === undefined) {
        withoutStatus.add(event.EventOriginalType)
        continue
      }
      // Web Session schema: Success below 400, Failure from 400 (spec/azure/asim-tables.json).
      const status = Number(row.EventResultDetails)
      assert.equal(
        row.EventResult,
        status < 400 ? 'Success' : 'Failure',
        `${event.EventOriginalType} ${status}`,
      )
    }
    // Recorded when the parser fails, before the app answers: no status (EventResultDetails is
    // Recommended, not Mandatory), so Microsoft's 4xx-counting rules do not see these rows.
    assert.deepEqual([...withoutStatus], ['input_validation_malformed_body'])
  })
})
