/**
 * The deployment templates of `@watchpost/sentinel/content`: what they declare (checked against
 * spec/azure/deployment.md and against core's schema, never against a copy), that the Bicep and the
 * ARM renderings say the same thing, and — end to end — that the DCR the ARM template deploys,
 * loaded into the emulator (strict validation, HTTPS), accepts what the real `sentinel` sink sends,
 * configured with the snippet the template's `watchpostConfig` output prints.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { createWatchpost, loadConfig, type SecurityEvent, type Watchpost } from '@watchpost/core'
import {
  ASIM_PROJECTIONS,
  ASIM_SCHEMAS,
  type AsimSchema,
  batchOf,
  CUSTOM_COLUMNS,
  CUSTOM_STREAM,
  CUSTOM_TABLE,
  projectToAsim,
} from '@watchpost/core/sdk'
import type { Emulator, EmulatorOptions } from '@watchpost/emulator'
import {
  armParameters,
  armTemplate,
  bicepTemplate,
  deploymentModel,
  MONITORING_METRICS_PUBLISHER,
  watchpostConfigFromOutputs,
} from '../src/content/index.js'
import { createSentinelDestination } from '../src/index.js'
import {
  type DeployedResource,
  type Deployment,
  deploy,
  RESOURCE_GROUP,
  RESOURCE_GROUP_LOCATION,
  SUBSCRIPTION,
} from './support/arm-deploy.js'
import { type BicepResource, type BicepValue, exprOf, readBicep } from './support/bicep-read.js'
import { columnsOf, sentinelConfig, serve, start } from './support/helpers.js'

const PRINCIPAL = '11111111-2222-4333-8444-555555555555'
const given = (extra: Record<string, string | number | boolean> = {}) => ({
  workspaceName: 'law-shop',
  principalId: PRINCIPAL,
  ...extra,
})

const DCR = 'Microsoft.Insights/dataCollectionRules'
const DCE = 'Microsoft.Insights/dataCollectionEndpoints'
const TABLE = 'Microsoft.OperationalInsights/workspaces/tables'
const ROLE = 'Microsoft.Authorization/roleAssignments'
const ONBOARDING = 'Microsoft.SecurityInsights/onboardingStates'

function only(deployment: Deployment, type: string): DeployedResource {
  const found = deployment.resources.filter((r) => r.type === type)
  assert.equal(found.length, 1, `one ${type}`)
  return found[0] as DeployedResource
}

type Columns = Array<{ name: string; type: string }>
const declarations = (dcr: DeployedResource) =>
  dcr.properties.streamDeclarations as Record<string, { columns: Columns }>

/** A record with every field of the schema set to a value of its column type. */
function fullRecord(schema: string, uid: string): Record<string, unknown> {
  const sample: Record<string, unknown> = {
    string: 'x',
    int: 7,
    long: 7,
    real: 0.5,
    boolean: true,
    datetime: '2026-12-07T08:00:00.000Z',
    dynamic: { note: 'every column' },
  }
  const record: Record<string, unknown> = {}
  for (const { name, type } of CUSTOM_COLUMNS) record[name] = sample[type]
  return { ...record, EventUid: uid, EventSchema: schema }
}

describe('what the templates declare', () => {
  test('resource types, apiVersions, kinds and conditions (spec/azure/deployment.md §1)', () => {
    const template = armTemplate()
    const declared = (template.resources as Array<Record<string, unknown>>).map(
      (r) => `${r.type}@${r.apiVersion}${'condition' in r ? ' (conditional)' : ''}`,
    )
    assert.deepEqual(
      declared.sort(),
      [
        `${DCE}@2024-03-11 (conditional)`,
        `${DCR}@2024-03-11`,
        `${ROLE}@2022-04-01`,
        `${TABLE}@2022-10-01 (conditional)`,
        `${ONBOARDING}@2025-09-01 (conditional)`,
      ].sort(),
    )
    assert.equal(
      template.$schema,
      'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    )
    assert.equal(template.contentVersion, '1.0.0.0')

    const asim = deploy(template, given())
    assert.deepEqual(
      asim.resources.map((r) => r.type).sort(),
      [DCR, ROLE].sort(),
      'the defaults deploy a DCR and a role',
    )
    const dcr = only(asim, DCR)
    assert.equal(dcr.kind, 'Direct')
    assert.equal(dcr.location, RESOURCE_GROUP_LOCATION, "location defaults to the resource group's")
    assert.equal(dcr.properties.dataCollectionEndpointId, null, 'no DCE unless asked for')
    assert.deepEqual(dcr.properties.destinations, {
      logAnalytics: [{ name: 'workspace', workspaceResourceId: WORKSPACE_ID }],
    })
  })

  test('the role: Monitoring Metrics Publisher at the DCR, for principalId, with a deterministic name', () => {
    const template = armTemplate()
    const first = deploy(template, given())
    const role = only(first, ROLE)
    const dcr = only(first, DCR)
    assert.equal(MONITORING_METRICS_PUBLISHER, '3913510d-42f4-4e42-8a64-420c390055eb')
    assert.match(
      role.properties.roleDefinitionId as string,
      /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Authorization\/roleDefinitions\/3913510d-42f4-4e42-8a64-420c390055eb$/,
    )
    assert.equal(role.properties.principalId, PRINCIPAL)
    assert.equal(role.properties.principalType, 'ServicePrincipal')
    assert.ok(role.id.startsWith(`${dcr.id}/providers/${ROLE}/`), `assigned at the DCR's scope: ${role.id}`)
    assert.ok(role.dependsOn.includes(dcr.id))
    assert.match(role.name, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    assert.equal(only(deploy(template, given()), ROLE).name, role.name, 'same inputs, same name')
    assert.notEqual(
      only(deploy(template, given({ principalId: 'another' })), ROLE).name,
      role.name,
      'another principal, another assignment',
    )
  })

  test('tables: asim — one stream per ASIM table, flowing as-is to its Microsoft-ASim… output', () => {
    const dcr = only(deploy(armTemplate(), given({ tables: 'asim' })), DCR)
    const streams = declarations(dcr)
    assert.deepEqual(
      Object.keys(streams).sort(),
      ASIM_SCHEMAS.map((s) => ASIM_PROJECTIONS[s].inputStream).sort(),
    )
    assert.deepEqual(
      (dcr.properties.dataFlows as Array<Record<string, unknown>>)
        .map(
          (f) => `${(f.streams as string[]).join()} -> ${f.outputStream} ${f.transformKql} ${f.destinations}`,
        )
        .sort(),
      [
        'Custom-WatchpostAuditEvent -> Microsoft-ASimAuditEventLogs source workspace',
        'Custom-WatchpostAuthentication -> Microsoft-ASimAuthenticationEventLogs source workspace',
        'Custom-WatchpostUserManagement -> Microsoft-ASimUserManagementActivityLogs source workspace',
        'Custom-WatchpostWebSession -> Microsoft-ASimWebSessionLogs source workspace',
      ],
    )
  })

  test('tables: custom — the table (Analytics plan, retention) and one stream to Custom-…_CL', () => {
    const deployment = deploy(armTemplate(), given({ tables: 'custom', retentionInDays: 180 }))
    const table = only(deployment, TABLE)
    const dcr = only(deployment, DCR)
    assert.equal(table.name, `law-shop/${CUSTOM_TABLE}`)
    assert.equal(table.properties.plan, 'Analytics')
    assert.equal(table.properties.retentionInDays, 180)
    const schema = table.properties.schema as { name: string; columns: Array<Record<string, string>> }
    assert.equal(schema.name, CUSTOM_TABLE)
    assert.deepEqual(
      schema.columns.find((c) => c.name === 'TimeGenerated')?.type,
      'datetime',
      'TimeGenerated datetime',
    )
    assert.ok(schema.columns.every((c) => typeof c.description === 'string' && c.description.length > 0))
    assert.ok(dcr.dependsOn.includes(table.id), 'the DCR waits for its output table')
    assert.deepEqual(Object.keys(declarations(dcr)), [CUSTOM_STREAM])
    assert.deepEqual(dcr.properties.dataFlows, [
      {
        streams: [CUSTOM_STREAM],
        destinations: ['workspace'],
        transformKql: 'source',
        outputStream: `Custom-${CUSTOM_TABLE}`,
      },
    ])
    // The table's columns are the stream's, with the same types.
    assert.deepEqual(
      schema.columns.map(({ name, type }) => ({ name, type })),
      declarations(dcr)[CUSTOM_STREAM]?.columns,
    )
  })

  test('parameters are checked as ARM checks them', () => {
    const template = armTemplate()
    assert.throws(() => deploy(template, given({ tables: 'both' })), /not one of the allowed values/)
    assert.throws(() => deploy(template, given({ retentionInDays: 3 })), /below 4/)
    assert.throws(() => deploy(template, given({ retentionInDays: 731 })), /above 730/)
    assert.throws(() => deploy(template, { workspaceName: 'law-shop' }), /principalId needs a value/)
    assert.throws(() => deploy(template, given({ principalId: '' })), /shorter than 1/)
  })

  test('the optional data collection endpoint and Sentinel onboarding', () => {
    const deployment = deploy(
      armTemplate(),
      given({ createDataCollectionEndpoint: true, onboardSentinel: true }),
    )
    const dce = only(deployment, DCE)
    const dcr = only(deployment, DCR)
    const onboarding = only(deployment, ONBOARDING)
    assert.equal(dce.name, 'dce-watchpost')
    assert.equal(dce.location, dcr.location)
    assert.equal(dcr.properties.dataCollectionEndpointId, dce.id)
    assert.ok(dcr.dependsOn.includes(dce.id) && dcr.dependsOn.includes(onboarding.id))
    assert.equal(onboarding.name, 'default')
    assert.equal(onboarding.id, `${WORKSPACE_ID}/providers/${ONBOARDING}/default`, 'on the workspace')
    const outputs = deployment.outputs({
      [dcr.id]: {
        endpoints: { logsIngestion: 'https://dcr-own.westeurope-1.ingest.monitor.azure.com' },
        immutableId: `dcr-${'a'.repeat(32)}`,
      },
      [dce.id]: {
        logsIngestion: { endpoint: 'https://dce-watchpost-x1y2.westeurope-1.ingest.monitor.azure.com' },
      },
    })
    assert.equal(
      outputs.endpoint,
      'https://dce-watchpost-x1y2.westeurope-1.ingest.monitor.azure.com',
      "the DCE's endpoint",
    )
  })

  test('every column name keeps the column-name rules (≤ 45 characters, not reserved)', () => {
    const reserved = new Set([
      '_ResourceId',
      'id',
      '_SubscriptionId',
      'TenantId',
      'Type',
      'UniqueId',
      'Title',
    ])
    const names: string[] = []
    for (const tables of ['asim', 'custom']) {
      const deployment = deploy(armTemplate(), given({ tables }))
      for (const { columns } of Object.values(declarations(only(deployment, DCR))))
        names.push(...columns.map((c) => c.name))
      for (const table of deployment.resources.filter((r) => r.type === TABLE))
        names.push(...(table.properties.schema as { columns: Columns }).columns.map((c) => c.name))
    }
    assert.ok(names.length > 100)
    for (const name of names) {
      assert.match(name, /^[A-Za-z][A-Za-z0-9_]{0,44}$/, `${name} keeps the rules`)
      assert.ok(!reserved.has(name), `${name} is reserved`)
    }
  })

  test('every column the sink sends is declared in its stream with its type', () => {
    const sourceType = new Map(CUSTOM_COLUMNS.map((c) => [c.name as string, c.type]))
    const asim = declarations(only(deploy(armTemplate(), given({ tables: 'asim' })), DCR))
    for (const schema of ASIM_SCHEMAS) {
      const projection = ASIM_PROJECTIONS[schema]
      const declared = new Map(asim[projection.inputStream]?.columns.map((c) => [c.name, c.type]))
      const { row } = projectToAsim(fullRecord(schema, `uid-${schema}`) as unknown as SecurityEvent)
      assert.ok(Object.keys(row).length > 20, `${schema}: the full record fills many columns`)
      for (const column of Object.keys(row)) {
        const field = Object.entries(projection.placements).find(
          ([, p]) => p.kind === 'column' && p.column === column,
        )?.[0]
        // A derived column (a user name's type, the destination host) is typed by its table.
        const derived = projection.derived.some((d) => d.column === column)
        const expected =
          column === 'AdditionalFields'
            ? 'dynamic'
            : derived
              ? projection.columns.find((c) => c.name === column)?.type
              : sourceType.get(field ?? '')
        assert.equal(declared.get(column), expected, `${schema}: ${column} declared as ${expected}`)
      }
    }
    const custom = declarations(only(deploy(armTemplate(), given({ tables: 'custom' })), DCR))
    const declared = new Map(custom[CUSTOM_STREAM]?.columns.map((c) => [c.name, c.type]))
    for (const [name, type] of sourceType) assert.equal(declared.get(name), type, `custom: ${name}`)
  })

  test('outputs: endpoint, immutableId, streams and a watchpostConfig the configuration accepts', () => {
    const template = armTemplate()
    assert.deepEqual(Object.keys(template.outputs as object), [
      'endpoint',
      'immutableId',
      'streams',
      'watchpostConfig',
    ])
    for (const tables of ['asim', 'custom'] as const) {
      const deployment = deploy(template, given({ tables }))
      const dcr = only(deployment, DCR)
      const immutableId = `dcr-${'0123456789abcdef'.repeat(2)}`
      const endpoint = 'https://dcr-watchpost-a1b2.westeurope-1.ingest.monitor.azure.com'
      const outputs = deployment.outputs({
        [dcr.id]: { ...dcr.properties, immutableId, endpoints: { logsIngestion: endpoint } },
      })
      assert.equal(outputs.endpoint, endpoint)
      assert.equal(outputs.immutableId, immutableId)
      assert.deepEqual(
        Object.values(outputs.streams as object).sort(),
        Object.keys(declarations(dcr)).sort(),
        'streams names the declared streams',
      )
      // The CLI's text is ARM's, from the outputs as `az` prints them.
      const azShaped = Object.fromEntries(
        Object.entries(outputs).map(([k, value]) => [k, { type: 'String', value }]),
      )
      assert.equal(watchpostConfigFromOutputs(azShaped), outputs.watchpostConfig)
      // Read as the configuration file it is meant to be.
      const dir = mkdtempSync(join(tmpdir(), 'wp-templates-'))
      const file = join(dir, 'watchpost.config.yaml')
      writeFileSync(file, outputs.watchpostConfig as string)
      const config = loadConfig({ config: file })
      rmSync(dir, { recursive: true, force: true })
      assert.deepEqual(
        { ...config.sinks[0] },
        {
          type: 'sentinel',
          endpoint,
          dcrImmutableId: immutableId,
          tables,
          credential: { type: 'default' },
          http: 'undici',
        },
      )
    }
  })

  test('watchpostConfigFromOutputs refuses outputs of something else, with a code', () => {
    const good = {
      endpoint: 'https://x.ingest.monitor.azure.com',
      immutableId: `dcr-${'f'.repeat(32)}`,
      streams: {},
    }
    for (const bad of [
      { ...good, endpoint: 'http://x' },
      { ...good, immutableId: '/subscriptions/x/dataCollectionRules/dcr-watchpost' },
      { ...good, streams: ['Custom-WatchpostWebSession'] },
    ]) {
      assert.throws(() => watchpostConfigFromOutputs(bad), {
        name: 'WatchpostTypeError',
        code: 'ERR_WATCHPOST_SENTINEL_OUTPUTS_INVALID',
      })
    }
  })

  test('a model that refers to an undeclared resource is refused, with a code', () => {
    const model = deploymentModel()
    const broken = {
      ...model,
      outputs: [
        {
          name: 'x',
          type: 'string' as const,
          description: 'x',
          value: { $: 'id' as const, resource: 'nope' },
        },
      ],
    }
    assert.throws(() => armTemplate(broken), {
      name: 'WatchpostTypeError',
      code: 'ERR_WATCHPOST_SENTINEL_TEMPLATE_INVALID',
    })
  })

  test('the parameters file sets tables and leaves workspace and principal to the command line', () => {
    const file = armParameters('custom')
    const parameters = file.parameters as Record<string, { value: unknown }>
    assert.equal(parameters.tables?.value, 'custom')
    assert.equal(parameters.workspaceName, undefined)
    assert.equal(parameters.principalId, undefined)
    const values = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, v.value as string]))
    assert.doesNotThrow(() => deploy(armTemplate(), { ...values, ...given() }), 'every value is accepted')
  })
})

describe('Bicep and ARM describe the same deployment', () => {
  const arm = armTemplate()
  const bicep = readBicep(bicepTemplate())
  const paramNames = new Set(bicep.params.keys())

  const symbols = new Map(bicep.resources.map((r) => [r.symbol, r]))

  /**
   * What an expression depends on: the parameters it reads and the resource types it refers to.
   * ARM: `parameters('x')` and `resourceId('<type>', …)`. Bicep: a parameter's bare name, and a
   * resource's symbol — which stands for its type and the parameters of its (and its parent's) name.
   */
  const armRefs = (text: string) =>
    new Set([
      ...[...text.matchAll(/parameters\('(\w+)'\)/g)].map((m) => m[1] as string),
      ...[...text.matchAll(/\bresourceId\('([^']+)'/g)].map((m) => m[1] as string),
    ])
  const bicepRefs = (text: string): Set<string> => {
    // Outside string literals, and inside their `${…}` interpolations; not after a `.`.
    const code = text.replace(/'(?:[^'\\]|\\.)*'/g, (literal) =>
      [...literal.matchAll(/\$\{([^}]*)\}/g)].map((m) => ` ${m[1]} `).join(' '),
    )
    const out = new Set<string>()
    for (const [word] of code.matchAll(/(?<![.\w])[A-Za-z_]\w*/g)) {
      if (paramNames.has(word)) out.add(word)
      const resource = symbols.get(word)
      if (resource === undefined) continue
      out.add(resource.type)
      for (let r: BicepResource | undefined = resource; r !== undefined; ) {
        const name = exprOf(r.body.name)
        if (name !== undefined) for (const ref of bicepRefs(name)) out.add(ref)
        const parent: string | undefined = exprOf(r.body.parent)
        r = parent === undefined ? undefined : symbols.get(parent)
      }
    }
    return out
  }

  /** Literal parts equal, expressions at the same places and over the same parameters. */
  function same(a: unknown, b: BicepValue, where: string): void {
    if (typeof a === 'string' && a.startsWith('[') && !a.startsWith('[[')) {
      assert.ok(typeof b === 'object' && b !== null && '$expr' in b, `${where}: an expression in both`)
      assert.deepEqual(bicepRefs((b as { $expr: string }).$expr), armRefs(a), `${where}: same references`)
      return
    }
    if (Array.isArray(a)) {
      assert.ok(Array.isArray(b) && b.length === a.length, `${where}: same array length`)
      for (const [i, v] of a.entries()) same(v, (b as BicepValue[])[i] as BicepValue, `${where}[${i}]`)
      return
    }
    if (typeof a === 'object' && a !== null) {
      assert.ok(typeof b === 'object' && b !== null && !('$expr' in b), `${where}: an object in both`)
      assert.deepEqual(Object.keys(b as object), Object.keys(a), `${where}: same keys`)
      for (const [k, v] of Object.entries(a))
        same(v, (b as Record<string, BicepValue>)[k] as BicepValue, `${where}.${k}`)
      return
    }
    assert.equal(b, a, where)
  }

  test('the same parameters, types, defaults and constraints', () => {
    const specs = arm.parameters as Record<string, Record<string, unknown>>
    assert.deepEqual([...bicep.params.keys()], Object.keys(specs))
    for (const [name, spec] of Object.entries(specs)) {
      const param = bicep.params.get(name)!
      assert.equal(param.type, spec.type, name)
      if ('defaultValue' in spec) same(spec.defaultValue, param.defaultValue as BicepValue, `${name} default`)
      else assert.equal(param.defaultValue, undefined, `${name} has no default`)
      for (const key of ['allowedValues', 'minValue', 'maxValue', 'minLength'])
        assert.equal(
          param.decorators.some((d) => d.startsWith(`@${key.replace(/Values$/, '')}`)),
          key in spec,
          `${name}: @${key}`,
        )
    }
  })

  test('the same variables (every stream and column)', () => {
    assert.deepEqual(Object.fromEntries(bicep.vars), arm.variables)
  })

  test('the same resources, conditions, properties and outputs', () => {
    const armResources = arm.resources as Array<Record<string, unknown>>
    const deployed = bicep.resources.filter((r) => !r.existing)
    assert.deepEqual(
      deployed.map((r) => `${r.type}@${r.apiVersion}`),
      armResources.map((r) => `${r.type}@${r.apiVersion}`),
    )
    deployed.forEach((b, i) => {
      const a = armResources[i] as Record<string, unknown>
      const where = b.type
      assert.equal(b.condition !== undefined, 'condition' in a, `${where}: conditional in both`)
      if (b.condition !== undefined)
        assert.deepEqual(bicepRefs(b.condition), armRefs(a.condition as string), `${where}: condition`)
      for (const key of ['location', 'kind', 'properties'] as const) {
        assert.equal(key in b.body, key in a, `${where}: ${key} in both`)
        if (key in a) same(a[key], b.body[key] as BicepValue, `${where}.${key}`)
      }
      assert.equal('scope' in b.body, 'scope' in a, `${where}: an extension resource in both`)
      // A child's ARM name is `<parent>/<name>`; Bicep names it under its `parent`.
      if ('parent' in b.body) assert.match(a.name as string, /^\[format\('\{0\}\/\{1\}'/)
      else same(a.name, b.body.name as BicepValue, `${where}.name`)
    })
    const outputs = arm.outputs as Record<string, { type: string; value: string }>
    assert.deepEqual([...bicep.outputs.keys()], Object.keys(outputs))
    for (const [name, output] of Object.entries(outputs)) {
      assert.equal(bicep.outputs.get(name)?.type, output.type, name)
      same(output.value, bicep.outputs.get(name)?.value as BicepValue, `output ${name}`)
    }
  })
})

describe('end to end: the deployed DCR in the emulator, the sink configured from the outputs', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'wp-templates-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  const app = { name: 'shop', version: '1.0.0', environment: 'test', host: 'web-01' }

  async function recordAllSchemas(wp: Watchpost): Promise<SecurityEvent[]> {
    const events: SecurityEvent[] = []
    await serve(
      (req, res) => {
        const context = wp.context(req, res)
        for (const e of [
          wp.record('authn_login_fail', { userId: 'mallory', reason: 'bad_password' }, { context }),
          wp.record('authz_fail', { userId: 'mallory', resource: '/admin' }, { context }),
          wp.record('sensitive_read', { userId: 'alice', object: 'payroll.csv', records: 12 }, { context }),
          wp.record('user_created', { userId: 'alice', newUserId: 'carol' }, { context }),
        ]) {
          assert.ok(e !== undefined)
          events.push(e)
        }
      },
      [{ 'x-request-id': 'req-1' }],
    )
    assert.deepEqual(new Set(events.map((e) => e.EventSchema)), new Set(ASIM_SCHEMAS), 'every ASIM schema')
    return events
  }

  for (const tables of ['asim', 'custom'] as const) {
    test(`tables: ${tables}`, async () => {
      const deployment = deploy(armTemplate(), given({ tables }))
      const dcr = only(deployment, DCR)
      const em: Emulator = await start({
        dcr: { properties: dcr.properties } as unknown as NonNullable<EmulatorOptions['dcr']>,
      })
      const keys = [
        'AZURE_TENANT_ID',
        'AZURE_CLIENT_ID',
        'AZURE_CLIENT_SECRET',
        'AZURE_AUTHORITY_HOST',
      ] as const
      const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]))
      try {
        assert.deepEqual(Object.keys(em.streams).sort(), Object.keys(declarations(dcr)).sort())
        // What ARM reads back once the DCR exists; then the outputs, as `az deployment group show` gives them.
        const outputs = deployment.outputs({
          [dcr.id]: {
            ...dcr.properties,
            immutableId: em.dcrImmutableId,
            endpoints: { logsIngestion: em.url },
          },
        })
        const file = join(dir, `${tables}.watchpost.config.yaml`)
        writeFileSync(file, outputs.watchpostConfig as string)

        // The printed config as it is; its `default` credential reads the emulator's AZURE_* lines.
        for (const key of keys) process.env[key] = em.env[key]
        const wp = createWatchpost({ config: file, app, spool: { enabled: false } })
        const events = await recordAllSchemas(wp)
        await wp.close()
        assert.deepEqual(wp.stats().sinks[`sentinel:${em.dcrImmutableId}`], {
          delivered: events.length,
          failed: 0,
          lastError: undefined,
        })
        for (const event of events) {
          const rows = em.store.rows({ eventUid: event.EventUid })
          assert.equal(rows.length, 1, `${event.EventOriginalType} stored once`)
          const expected =
            tables === 'custom'
              ? { table: CUSTOM_TABLE, stream: CUSTOM_STREAM }
              : {
                  table: ASIM_PROJECTIONS[event.EventSchema as AsimSchema].table,
                  stream: ASIM_PROJECTIONS[event.EventSchema as AsimSchema].inputStream,
                }
          assert.equal(rows[0]?._Table, expected.table)
          assert.equal(rows[0]?._Stream, expected.stream)
        }

        // Every column the sink can send: a record with every field set, through the sink's own
        // routing and its real clients, for each schema; strict mode refuses an undeclared or
        // mistyped column with 400.
        const destination = createSentinelDestination({ ...sentinelConfig(em), tables, http: 'undici' })
        try {
          for (const schema of ASIM_SCHEMAS) {
            const uid = `full-${tables}-${schema}`
            const { partition, row } = destination.prepare(fullRecord(schema, uid))
            await destination.send(batchOf(partition, [row]), new AbortController().signal)
            const stored = em.store.rows({ eventUid: uid })
            assert.equal(stored.length, 1, `${schema}: stored`)
            assert.deepEqual(columnsOf(stored[0] as Record<string, unknown>), JSON.parse(JSON.stringify(row)))
          }
        } finally {
          await destination.close()
        }
        assert.ok(em.requests().every((r) => r.status === 204))
      } finally {
        for (const key of keys) {
          if (saved[key] === undefined) delete process.env[key]
          else process.env[key] = saved[key]
        }
        await em.close()
      }
    })
  }
})

/** The workspace named in `given()`, in the resource group the test deployment evaluator deploys to. */
const WORKSPACE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.OperationalInsights/workspaces/law-shop`
