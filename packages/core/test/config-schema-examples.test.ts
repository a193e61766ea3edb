// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax, not a template
/**
 * The published `schema/config.schema.json` (what editors check files against) accepts and rejects
 * these example configurations. Validated with Ajv against the committed file itself, so a change of
 * how the schema is declared cannot change what it means without failing here.
 */
import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { SCHEMA_FILE } from '../scripts/generate-config.js'

const schema: unknown = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))
const validate = new Ajv2020({ allErrors: true, discriminator: true }).compile(schema as object)

const sentinel = {
  type: 'sentinel',
  endpoint: 'https://dce.westeurope-1.ingest.monitor.azure.com',
  dcrImmutableId: 'dcr-0123456789abcdef0123456789abcdef',
}
const webhook = { type: 'webhook', url: 'https://soar.example.com/hooks/watchpost' }
const rule = { id: 'orders.refunds', events: ['sensitive_update'], groupBy: ['ActorUsername'] }

/** [what, configuration] — each one valid. */
const ACCEPTED: [string, unknown][] = [
  ['an empty file', {}],
  ['a $schema key', { $schema: './node_modules/@watchpost/core/schema/config.schema.json' }],
  [
    'app, every field, port bounds',
    { app: { name: 'orders', version: '1.0.0', environment: 'prod', host: 'web-01', port: 65535 } },
  ],
  ['app.port 0', { app: { port: 0 } }],
  ['mode protect', { mode: 'protect' }],
  ['trustProxy true', { trustProxy: true }],
  ['trustProxy a hop count', { trustProxy: 2 }],
  ['trustProxy hop count 0', { trustProxy: 0 }],
  ['trustProxy a preset list string', { trustProxy: 'loopback, 10.0.0.0/8' }],
  ['trustProxy an array', { trustProxy: ['uniquelocal', 'fe80::/10'] }],
  [
    'correlation, every field',
    {
      correlation: {
        traceparent: false,
        requestIdHeaders: ['x-request-id'],
        responseHeader: 'x-request-id',
        maxLength: 8,
        asyncContext: true,
      },
    },
  ],
  ['correlation.responseHeader false', { correlation: { responseHeader: false, maxLength: 256 } }],
  [
    'privacy, every field',
    {
      privacy: {
        hashKey: '0123456789abcdef',
        hashUserIds: false,
        hashIps: true,
        truncateIps: true,
        sensitiveKeys: ['iban'],
        headerAllowlist: ['user-agent'],
        redactCardNumbers: false,
        maxStringLength: 64,
        maxDepth: 32,
        maxKeys: 1000,
      },
    },
  ],
  ['privacy.hashKey as a ${VAR} reference', { privacy: { hashKey: '${WATCHPOST_HASH_KEY}' } }],
  [
    'every detector',
    {
      detectors: {
        authFailure: { enabled: true, threshold: 3, windowSeconds: 86400 },
        jwt: { enabled: false },
        notFound: { threshold: 15, windowSeconds: 1, reportEach: true, scannerPaths: false },
        cors: { allowedOrigins: ['https://app.example.com'] },
        rateLimit: { enabled: false },
        malformedBody: { enabled: true },
        protocol: { allowedMethods: ['GET', 'PROPFIND'] },
        injection: {
          sqli: false,
          xss: true,
          ssrf: false,
          encodingAnomalies: false,
          headers: ['user-agent'],
          maxValueLength: 64,
          maxTotalLength: 16_777_216,
          maxDepth: 1,
          maxValues: 100_000,
        },
        attackTool: { extra: ['internal-pentest-bot'], ignore: ['nessus'] },
        scannerProbe: {
          extraPaths: ['^/internal-backup/', '*.tfvars', '/.env*'],
          ignorePaths: ['^/console'],
        },
      },
    },
  ],
  [
    'routes with partial detector overrides',
    {
      routes: [
        { match: '/health', ignore: true },
        { match: '/admin/*', methods: ['POST', 'M-SEARCH'], detectors: { authFailure: { threshold: 3 } } },
      ],
    },
  ],
  [
    'defaultRules false and a shipped rule switched off',
    { defaultRules: false, rules: [{ id: 'watchpost.brute-force', enabled: false }] },
  ],
  [
    'a rule of the app, every field',
    {
      rules: [
        {
          ...rule,
          title: 'Refunds',
          description: 'Many refunds by one user.',
          where: [{ field: 'HttpRoute', in: ['/orders/:id/refund'] }],
          groupBy: ['SrcIpAddr', 'ActorUsername', 'HttpRoute'],
          distinct: 'Url',
          threshold: 100_000,
          windowSeconds: 86_400,
          outsideHours: { from: '08:00', to: '23:59', timezone: 'Europe/Paris', days: ['sat'] },
          severity: 'Informational',
          response: { action: 'block', target: 'user', durationSeconds: 604_800, status: 403 },
        },
      ],
    },
  ],
  [
    'a rule with a delay response',
    { rules: [{ ...rule, response: { action: 'delay', delayMs: 10_000, status: 429 } }] },
  ],
  [
    'a rule with a hook response',
    { rules: [{ ...rule, response: { action: 'hook', hook: 'lockAccount' } }] },
  ],
  ['no sinks', { sinks: [] }],
  [
    'console and file sinks',
    {
      sinks: [
        { type: 'console', format: 'pretty', stream: 'stderr', colors: false },
        { type: 'file', path: 'logs/security.jsonl', maxBytes: 1024, maxFiles: 100 },
      ],
    },
  ],
  ['a minimal sentinel sink', { sinks: [sentinel] }],
  [
    'a sentinel sink, every field',
    {
      sinks: [
        {
          ...sentinel,
          tables: 'custom',
          streams: { WebSession: 'Custom-A', custom: 'Custom-B' },
          credential: {
            type: 'clientSecret',
            tenantId: 't',
            clientId: 'c',
            clientSecret: '${AZURE_CLIENT_SECRET}',
            authorityHost: 'https://login.microsoftonline.us',
          },
          http: 'node',
          tls: { ca: '/etc/ca.pem' },
          audience: 'https://monitor.azure.us',
        },
      ],
    },
  ],
  ['a sentinel sink with an IP endpoint', { sinks: [{ ...sentinel, endpoint: 'https://127.0.0.1:8443' }] }],
  [
    'a webhook sink, every field',
    {
      sinks: [
        {
          ...webhook,
          url: 'http://localhost:8080/in',
          secret: '0123456789abcdef',
          headers: [{ name: 'X-Api-Key', value: '${SOAR_API_KEY}' }],
          maxRequestBytes: 10 * 1024 * 1024,
          timeoutMs: 100,
          tls: {},
          format: 'ndjson',
        },
      ],
    },
  ],
  [
    'queue, spool, delivery, shutdown',
    {
      queue: { maxEvents: 1, maxBytes: 1, flushIntervalMs: 10, batchSize: 10_000 },
      spool: {
        enabled: false,
        directory: '/var/spool/wp',
        maxBytes: 1,
        maxAgeHours: 1,
        syncIntervalMs: 10_000,
      },
      delivery: {
        concurrency: 64,
        timeoutMs: 100,
        retryBaseMs: 1,
        retryMaxDelayMs: 3_600_000,
        maxBatchEvents: 50_000,
        lingerMs: 0,
        requestsPerMinute: 1,
        bytesPerMinute: 1024,
        failingAfterMs: 1000,
        deadLetter: { path: false, maxBytes: 1024 },
      },
      shutdown: { deadlineMs: 0, signals: true },
    },
  ],
  ['delivery.deadLetter.path a file', { delivery: { deadLetter: { path: 'dead.jsonl' } } }],
]

/** [what, configuration] — each one invalid. */
const REJECTED: [string, unknown][] = [
  ['an array root', []],
  ['a string root', 'mode: protect'],
  ['an unknown top-level option', { privcy: {} }],
  ['mode not in the enum', { mode: 'enforce' }],
  ['app.port above 65535', { app: { port: 65_536 } }],
  ['app.port negative', { app: { port: -1 } }],
  ['app.port a string', { app: { port: '3000' } }],
  ['app.name empty', { app: { name: '' } }],
  ['app, unknown key', { app: { nam: 'x' } }],
  ['trustProxy a negative hop count', { trustProxy: -1 }],
  ['trustProxy a fraction', { trustProxy: 1.5 }],
  ['trustProxy an object', { trustProxy: { a: 1 } }],
  ['trustProxy an empty string', { trustProxy: '' }],
  ['trustProxy an array with an empty string', { trustProxy: ['loopback', ''] }],
  ['trustProxy an array with a number', { trustProxy: ['loopback', 3] }],
  ['correlation.responseHeader true', { correlation: { responseHeader: true } }],
  ['correlation.responseHeader uppercase', { correlation: { responseHeader: 'X-Request-Id' } }],
  ['correlation.maxLength below 8', { correlation: { maxLength: 7 } }],
  ['correlation.maxLength above 256', { correlation: { maxLength: 257 } }],
  ['correlation.requestIdHeaders not a header name', { correlation: { requestIdHeaders: ['a b'] } }],
  ['correlation.traceparent a string', { correlation: { traceparent: 'yes' } }],
  ['privacy.hashKey too short', { privacy: { hashKey: 'short' } }],
  ['privacy.maxDepth 0', { privacy: { maxDepth: 0 } }],
  ['privacy.maxDepth a fraction', { privacy: { maxDepth: 1.5 } }],
  ['privacy.sensitiveKeys with an empty key', { privacy: { sensitiveKeys: [''] } }],
  ['detectors null', { detectors: null }],
  ['an unknown detector', { detectors: { notFund: {} } }],
  ['detectors.notFound.threshold 0', { detectors: { notFound: { threshold: 0 } } }],
  ['detectors.notFound.threshold a string', { detectors: { notFound: { threshold: '10' } } }],
  [
    'detectors.authFailure.windowSeconds above a day',
    { detectors: { authFailure: { windowSeconds: 86_401 } } },
  ],
  ['detectors.jwt unknown key', { detectors: { jwt: { threshold: 1 } } }],
  ['scannerProbe.extraPaths without a slash', { detectors: { scannerProbe: { extraPaths: ['env'] } } }],
  ['scannerProbe.extraPaths with a space', { detectors: { scannerProbe: { extraPaths: ['/a b'] } } }],
  ['attackTool.extra too short', { detectors: { attackTool: { extra: ['ab'] } } }],
  ['attackTool.extra with a control character', { detectors: { attackTool: { extra: ['bad\u0001tool'] } } }],
  ['injection.maxValueLength below 64', { detectors: { injection: { maxValueLength: 63 } } }],
  ['protocol.allowedMethods lowercase', { detectors: { protocol: { allowedMethods: ['get'] } } }],
  ['routes an object', { routes: {} }],
  ['a route without match', { routes: [{ ignore: true }] }],
  ['a route with lowercase methods', { routes: [{ match: '/a', methods: ['get'] }] }],
  [
    'a route override with a bad value',
    { routes: [{ match: '/a', detectors: { notFound: { threshold: 0 } } }] },
  ],
  [
    'a route override with an unknown key',
    { routes: [{ match: '/a', detectors: { notFound: { treshold: 1 } } }] },
  ],
  ['a rule without id', { rules: [{ events: ['authn_login_fail'] }] }],
  ['a rule id with upper case', { rules: [{ id: 'Bad.Id' }] }],
  ['a rule with no events', { rules: [{ ...rule, events: [] }] }],
  ['a rule with an unknown event', { rules: [{ ...rule, events: ['authn_login_failed'] }] }],
  ['a rule grouping by an unknown column', { rules: [{ ...rule, groupBy: ['Foo'] }] }],
  [
    'a rule grouping by four columns',
    { rules: [{ ...rule, groupBy: ['SrcIpAddr', 'Url', 'HttpRoute', 'ActorUsername'] }] },
  ],
  ['a rule with threshold 0', { rules: [{ ...rule, threshold: 0 }] }],
  ['a rule with a where without in', { rules: [{ ...rule, where: [{ field: 'Url' }] }] }],
  [
    'a rule with a where on an unknown field',
    { rules: [{ ...rule, where: [{ field: 'Body', in: ['x'] }] }] },
  ],
  ['a rule with a title too long', { rules: [{ ...rule, title: 'x'.repeat(121) }] }],
  ['a rule with hours at 24:00', { rules: [{ ...rule, outsideHours: { from: '24:00', to: '08:00' } }] }],
  ['a rule with hours without to', { rules: [{ ...rule, outsideHours: { from: '08:00' } }] }],
  [
    'a rule with an unknown day',
    { rules: [{ ...rule, outsideHours: { from: '08:00', to: '18:00', days: ['monday'] } }] },
  ],
  ['a rule with severity Critical', { rules: [{ ...rule, severity: 'Critical' }] }],
  ['a rule response without action', { rules: [{ ...rule, response: { durationSeconds: 60 } }] }],
  ['a rule response with status 500', { rules: [{ ...rule, response: { action: 'block', status: 500 } }] }],
  [
    'a rule response with a delay above 10 s',
    { rules: [{ ...rule, response: { action: 'delay', delayMs: 10_001 } }] },
  ],
  ['sinks an object', { sinks: { type: 'console' } }],
  ['a sink of an unknown type', { sinks: [{ type: 'splunk' }] }],
  ['a sink without type', { sinks: [{ format: 'json' }] }],
  ['a sink as a string', { sinks: ['console'] }],
  ['a console sink with a file sink key', { sinks: [{ type: 'console', path: 'x' }] }],
  ['a console sink with an unknown format', { sinks: [{ type: 'console', format: 'xml' }] }],
  ['a file sink without path', { sinks: [{ type: 'file' }] }],
  ['a file sink keeping 0 files', { sinks: [{ type: 'file', path: 'x', maxFiles: 0 }] }],
  ['a file sink rotating below 1 KiB', { sinks: [{ type: 'file', path: 'x', maxBytes: 1023 }] }],
  ['a sentinel sink without endpoint and DCR', { sinks: [{ type: 'sentinel' }] }],
  ['a sentinel sink over http', { sinks: [{ ...sentinel, endpoint: 'http://dce.example' }] }],
  [
    'a sentinel sink with an ARM id for the DCR',
    { sinks: [{ ...sentinel, dcrImmutableId: '/subscriptions/x' }] },
  ],
  ['a sentinel sink with tables both', { sinks: [{ ...sentinel, tables: 'both' }] }],
  ['a sentinel sink with a misspelled stream', { sinks: [{ ...sentinel, streams: { WebSesion: 'X' } }] }],
  [
    'a sentinel credential of an unknown type',
    { sinks: [{ ...sentinel, credential: { type: 'password' } }] },
  ],
  ['a sentinel credential with an unknown key', { sinks: [{ ...sentinel, credential: { secret: 'x' } }] }],
  ['a sentinel audience without https', { sinks: [{ ...sentinel, audience: 'monitor.azure.us' }] }],
  ['a sentinel sink with an unknown http client', { sinks: [{ ...sentinel, http: 'fetch' }] }],
  ['a sentinel tls with an unknown key', { sinks: [{ ...sentinel, tls: { rejectUnauthorized: false } }] }],
  ['a webhook sink without url', { sinks: [{ type: 'webhook' }] }],
  ['a webhook sink with an ftp url', { sinks: [{ ...webhook, url: 'ftp://x' }] }],
  ['a webhook secret too short', { sinks: [{ ...webhook, secret: 'short' }] }],
  [
    'a webhook header name with a space',
    { sinks: [{ ...webhook, headers: [{ name: 'x api', value: 'v' }] }] },
  ],
  ['a webhook header without value', { sinks: [{ ...webhook, headers: [{ name: 'x-api-key' }] }] }],
  ['a webhook timeout above 300 s', { sinks: [{ ...webhook, timeoutMs: 300_001 }] }],
  ['a webhook format csv', { sinks: [{ ...webhook, format: 'csv' }] }],
  ['queue.batchSize 0', { queue: { batchSize: 0 } }],
  ['queue.maxEvents 0', { queue: { maxEvents: 0 } }],
  ['spool.syncIntervalMs below 10', { spool: { syncIntervalMs: 5 } }],
  ['spool.directory empty', { spool: { directory: '' } }],
  ['delivery.deadLetter.path true', { delivery: { deadLetter: { path: true } } }],
  ['delivery.deadLetter.path empty', { delivery: { deadLetter: { path: '' } } }],
  ['delivery.lingerMs negative', { delivery: { lingerMs: -1 } }],
  ['delivery.concurrency above 64', { delivery: { concurrency: 65 } }],
  ['shutdown.deadlineMs above 600 s', { shutdown: { deadlineMs: 600_001 } }],
  ['shutdown.signals a string', { shutdown: { signals: 'true' } }],
  ['defaultRules a number', { defaultRules: 1 }],
]

describe('the published config.schema.json', () => {
  for (const [what, config] of ACCEPTED) {
    it(`accepts ${what}`, () => {
      assert.equal(validate(config), true, JSON.stringify(validate.errors))
    })
  }
  for (const [what, config] of REJECTED) {
    it(`rejects ${what}`, () => {
      assert.equal(validate(config), false)
    })
  }
})
