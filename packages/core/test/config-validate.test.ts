// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax, not a template
import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { loadConfig, validateConfig } from '../src/config/index.js'
import { distance, suggest } from '../src/config/suggest.js'
import { EVENTS_BY_NAME } from '../src/events/catalogue/index.js'
import { configError, dirWith, noEnv } from './config-fixtures.js'

const issuesOf = (raw: unknown) => validateConfig(raw, { cwd: dirWith(), env: noEnv }).issues

describe('validation messages', () => {
  it('reports every issue at once, with exact paths', () => {
    const issues = issuesOf({
      detectors: { notFound: { threshold: 'ten' }, authFailure: { windowSeconds: 0 } },
      correlation: { maxLength: 300, traceparent: 'yes', requestIdHeaders: ['X-Request-Id'] },
      privacy: { maxDepth: 1.5, hashKey: 'short' },
      mode: 'enforce',
      queue: { batchSize: 1e300 },
      app: { port: -1, name: '' },
    })
    assert.deepEqual(issues, [
      { path: 'app.name', message: 'expected a non-empty string, got 0 characters' },
      { path: 'app.port', message: 'expected an integer between 0 and 65535, got -1' },
      { path: 'mode', message: 'expected one of "monitor", "protect", got "enforce"' },
      { path: 'correlation.traceparent', message: 'expected true or false, got "yes"' },
      {
        path: 'correlation.requestIdHeaders[0]',
        message: 'expected a string matching /^[a-z0-9!#$%&\'*+.^_`|~-]+$/, got "X-Request-Id"',
      },
      { path: 'correlation.maxLength', message: 'expected an integer between 8 and 256, got 300' },
      { path: 'privacy.hashKey', message: 'expected a string of at least 16 characters, got 5 characters' },
      { path: 'privacy.maxDepth', message: 'expected an integer between 1 and 32, got 1.5' },
      {
        path: 'detectors.authFailure.windowSeconds',
        message: 'expected an integer between 1 and 86400, got 0',
      },
      { path: 'detectors.notFound.threshold', message: 'expected a positive integer, got "ten"' },
      { path: 'queue.batchSize', message: 'expected an integer between 1 and 10000, got 1e+300' },
    ])
  })

  it('does not echo a too-short secret', () => {
    const [issue] = issuesOf({ privacy: { hashKey: 'hunter2' } })
    assert.equal(issue?.path, 'privacy.hashKey')
    assert.doesNotMatch(issue?.message ?? '', /hunter2/)
  })

  it('reports wrong container types and missing required options', () => {
    assert.deepEqual(issuesOf({ detectors: null, routes: {}, rules: [{ events: [], threshold: 1 }] }), [
      { path: 'detectors', message: 'expected an object, got null' },
      { path: 'routes', message: 'expected an array of objects, got an object' },
      { path: 'rules[0].id', message: 'missing required option' },
      { path: 'rules[0].events', message: 'expected at least 1 item, got 0' },
    ])
  })

  it('rejects a non-object root', () => {
    assert.deepEqual(issuesOf('mode: protect'), [
      { path: '', message: 'expected an object, got "mode: protect"' },
    ])
  })

  it('the ConfigError message lists every issue and names the file', () => {
    const cwd = dirWith({ 'watchpost.config.yaml': 'mode: enforce\nqueue: {batchSize: 0}\n' })
    const err = configError(() => loadConfig({}, { cwd, env: noEnv }), 'ERR_WATCHPOST_CONFIG_INVALID')
    assert.equal(err.issues.length, 2)
    assert.match(err.message, /watchpost\.config\.yaml/)
    assert.match(err.message, /- mode: expected one of "monitor", "protect", got "enforce"/)
    assert.match(err.message, /- queue\.batchSize: expected an integer between 1 and 10000, got 0/)
  })
})

describe('unknown options', () => {
  it('are errors with a "did you mean" suggestion', () => {
    // Issues come in walk order: an object's known options first, then its unknown keys.
    assert.deepEqual(
      issuesOf({ detectors: { notFund: {} }, privcy: {}, correlation: { maxlength: 10 }, totally: 1 }),
      [
        { path: 'correlation.maxlength', message: 'unknown option; did you mean "maxLength"?' },
        { path: 'detectors.notFund', message: 'unknown option; did you mean "notFound"?' },
        { path: 'privcy', message: 'unknown option; did you mean "privacy"?' },
        { path: 'totally', message: 'unknown option' },
      ],
    )
  })

  it('suggest() uses Damerau-Levenshtein distance ≤ 2', () => {
    assert.equal(distance('notfuond', 'notfound'), 1) // transposition
    assert.equal(distance('abc', 'abc'), 0)
    assert.equal(suggest('treshhold', ['threshold', 'windowSeconds']), 'threshold')
    assert.equal(suggest('xyz', ['threshold']), undefined)
    assert.equal(suggest('sinkz', ['sinks', 'spool']), 'sinks')
  })

  it('suggests close enum values', () => {
    assert.deepEqual(issuesOf({ mode: 'protekt' }), [
      {
        path: 'mode',
        message: 'expected one of "monitor", "protect", got "protekt"; did you mean "protect"?',
      },
    ])
  })
})

describe('unions', () => {
  it('discriminated sinks validate only the branch their type selects', () => {
    assert.deepEqual(
      issuesOf({
        sinks: [
          { type: 'console', format: 'xml', path: 'x' },
          { type: 'splunk' },
          { type: 'file', maxFiles: 0 },
          'console',
          { format: 'json' },
        ],
      }),
      [
        { path: 'sinks[0].format', message: 'expected one of "auto", "pretty", "json", got "xml"' },
        { path: 'sinks[0].path', message: 'unknown option' },
        {
          path: 'sinks[1].type',
          message: 'expected one of "console", "file", "sentinel", "webhook", got "splunk"',
        },
        { path: 'sinks[2].path', message: 'missing required option' },
        { path: 'sinks[2].maxFiles', message: 'expected an integer between 1 and 100, got 0' },
        {
          path: 'sinks[3]',
          message:
            'expected an object with a "type" of "console", "file", "sentinel", "webhook", got "console"',
        },
        {
          path: 'sinks[4].type',
          message: 'missing required option; expected one of "console", "file", "sentinel", "webhook"',
        },
      ],
    )
  })

  it('the sentinel sink: required keys, URL and DCR id shapes, table mode, credential type', () => {
    const paths = (sink: unknown) => issuesOf({ sinks: [sink] }).map((i) => i.path)
    assert.deepEqual(paths({ type: 'sentinel' }), ['sinks[0].endpoint', 'sinks[0].dcrImmutableId'])
    assert.deepEqual(
      paths({
        type: 'sentinel',
        endpoint: 'http://dce.example',
        dcrImmutableId: '/subscriptions/x/dataCollectionRules/y',
        tables: 'both',
        streams: { WebSesion: 'Custom-X' },
        credential: { type: 'password', secret: 'x' },
        audience: 'monitor.azure.us',
      }),
      [
        'sinks[0].endpoint',
        'sinks[0].dcrImmutableId',
        'sinks[0].tables',
        'sinks[0].streams.WebSesion',
        'sinks[0].credential.type',
        'sinks[0].credential.secret',
        'sinks[0].audience',
      ],
    )
  })

  it('the sentinel sink defaults to ASIM tables and DefaultAzureCredential; values come from ${VAR}', () => {
    const cwd = dirWith({
      'watchpost.config.yaml': [
        'sinks:',
        '  - type: sentinel',
        '    endpoint: ${WATCHPOST_INGESTION_ENDPOINT}',
        '    dcrImmutableId: ${WATCHPOST_DCR_IMMUTABLE_ID}',
        '  - type: sentinel',
        '    endpoint: https://dce.example',
        '    dcrImmutableId: dcr-0123456789abcdef0123456789abcdef',
        '    tables: custom',
        '    credential: { type: clientSecret, tenantId: t, clientId: c, clientSecret: "${AZURE_CLIENT_SECRET}" }',
        '',
      ].join('\n'),
    })
    const config = loadConfig(
      {},
      {
        cwd,
        env: {
          WATCHPOST_INGESTION_ENDPOINT: 'https://127.0.0.1:8443',
          WATCHPOST_DCR_IMMUTABLE_ID: 'dcr-00000000000000000000000000000000',
          AZURE_CLIENT_SECRET: 'from-the-environment',
        },
      },
    )
    assert.deepEqual(config.sinks, [
      {
        type: 'sentinel',
        endpoint: 'https://127.0.0.1:8443',
        dcrImmutableId: 'dcr-00000000000000000000000000000000',
        tables: 'asim',
        http: 'undici',
        credential: { type: 'default' },
      },
      {
        type: 'sentinel',
        endpoint: 'https://dce.example',
        dcrImmutableId: 'dcr-0123456789abcdef0123456789abcdef',
        tables: 'custom',
        http: 'undici',
        credential: {
          type: 'clientSecret',
          tenantId: 't',
          clientId: 'c',
          clientSecret: 'from-the-environment',
        },
      },
    ])
  })

  it('trustProxy accepts every Express form and rejects the rest', () => {
    const ok = (trustProxy: unknown) =>
      validateConfig({ trustProxy }, { cwd: dirWith(), env: noEnv }).config?.trustProxy
    assert.equal(ok(false), false)
    assert.equal(ok(2), 2)
    assert.equal(ok('loopback'), 'loopback')
    assert.equal(ok('loopback, 10.0.0.0/8, 192.168.1.1'), 'loopback, 10.0.0.0/8, 192.168.1.1')
    assert.deepEqual(ok(['uniquelocal', 'fe80::/10']), ['uniquelocal', 'fe80::/10'])
    assert.deepEqual(issuesOf({ trustProxy: -1 }), [
      { path: 'trustProxy', message: 'expected a non-negative integer, got -1' },
    ])
    assert.deepEqual(issuesOf({ trustProxy: { a: 1 } }), [
      {
        path: 'trustProxy',
        message:
          'expected true or false, a non-negative integer, a non-empty string or an array of non-empty strings, got an object',
      },
    ])
    assert.deepEqual(issuesOf({ trustProxy: ['loopback', 3] }), [
      { path: 'trustProxy[1]', message: 'expected a non-empty string, got 3' },
    ])
    assert.deepEqual(issuesOf({ trustProxy: 'loopback, not-an-ip' }), [
      { path: 'trustProxy', message: 'invalid IP address: not-an-ip' },
    ])
  })

  it('responseHeader is a header name or false', () => {
    assert.equal(
      validateConfig({ correlation: { responseHeader: false } }).config?.correlation.responseHeader,
      false,
    )
    assert.deepEqual(issuesOf({ correlation: { responseHeader: true } }), [
      {
        path: 'correlation.responseHeader',
        message: "expected a string matching /^[a-z0-9!#$%&'*+.^_`|~-]+$/ or false, got true",
      },
    ])
  })

  it('route detector overrides take every field optional and no defaults', () => {
    const result = validateConfig({
      routes: [{ match: '/health', detectors: { notFound: { enabled: false } } }],
    })
    assert.deepEqual(result.config?.routes, [
      { match: '/health', ignore: false, detectors: { notFound: { enabled: false } } },
    ])
    assert.deepEqual(
      issuesOf({ routes: [{ match: '/a', detectors: { notFound: { threshold: 0, treshold: 1 } } }] }),
      [
        { path: 'routes[0].detectors.notFound.threshold', message: 'expected a positive integer, got 0' },
        {
          path: 'routes[0].detectors.notFound.treshold',
          message: 'unknown option; did you mean "threshold"?',
        },
      ],
    )
  })
})

describe('hostile input', () => {
  const hostile = [
    '__proto__: {polluted: yes}',
    'constructor: {prototype: {polluted: yes}}',
    'detectors:',
    '  __proto__: {enabled: false}',
    '  notFound: {threshold: 123456789012345678901234567890, windowSeconds: 1e999}',
    `deep: ${'['.repeat(100)}${']'.repeat(100)}`,
    '',
  ].join('\n')

  it('throws only ConfigError and pollutes no prototype', () => {
    const cwd = dirWith({ 'watchpost.config.yaml': hostile })
    let thrown: unknown
    try {
      loadConfig({}, { cwd, env: noEnv })
    } catch (err) {
      thrown = err
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
    assert.equal(({} as Record<string, unknown>).enabled, undefined)
    assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false)
    const err = configError(() => {
      throw thrown
    }, 'ERR_WATCHPOST_CONFIG_INVALID')
    assert.ok(err.issues.some((issue) => issue.path === 'deep' || issue.path.startsWith('deep[')))
  })

  it('reports __proto__ and huge numbers as ordinary issues', () => {
    const cwd = dirWith({
      'watchpost.config.json':
        '{"__proto__": {"polluted": 1}, "detectors": {"__proto__": {"x": 1}, "notFound": {"threshold": 1e400, "windowSeconds": 123456789012345678901234567890}}}',
    })
    const err = configError(() => loadConfig({}, { cwd, env: noEnv }), 'ERR_WATCHPOST_CONFIG_INVALID')
    assert.deepEqual(
      err.issues.map(({ path, message }) => ({ path, message })),
      [
        { path: 'detectors.notFound.threshold', message: 'expected a positive integer, got Infinity' },
        {
          path: 'detectors.notFound.windowSeconds',
          message: 'expected an integer between 1 and 86400, got 1.2345678901234568e+29',
        },
        { path: 'detectors.__proto__', message: 'unknown option' },
        { path: '__proto__', message: 'unknown option' },
      ],
    )
    // JSON positions reach `__proto__` keys too (JSON.parse keeps them as own keys).
    assert.deepEqual(
      err.issues.map((issue) => issue.line !== undefined),
      [true, true, true, true],
    )
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
  })

  it('nesting too deep for the YAML parser is a ConfigError, not a RangeError', () => {
    const cwd = dirWith({ 'watchpost.config.yaml': `deep: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n` })
    const err = configError(() => loadConfig({}, { cwd, env: noEnv }), 'ERR_WATCHPOST_CONFIG_PARSE')
    assert.match(err.message, /nested too deeply/)
  })

  it('deep nesting in JSON is a ConfigError, not a stack overflow', () => {
    const cwd = dirWith({
      'watchpost.config.json': `{"routes": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    })
    const err = configError(() => loadConfig({}, { cwd, env: noEnv }), 'ERR_WATCHPOST_CONFIG_INVALID')
    assert.match(err.issues[0]?.message ?? '', /nesting deeper than 64 levels/)
  })

  it('a circular code option does not hang', () => {
    const loop: Record<string, unknown> = {}
    loop.self = loop
    const err = configError(
      () => loadConfig({ detectors: loop as never, config: false }, { cwd: dirWith(), env: noEnv }),
      'ERR_WATCHPOST_CONFIG_INVALID',
    )
    assert.deepEqual(err.issues, [{ path: 'detectors.self', message: 'unknown option' }])
  })
})

describe('detector lists', () => {
  it('attack-tool substrings: a length problem is said as one, a character problem as the pattern', () => {
    assert.deepEqual(issuesOf({ detectors: { attackTool: { extra: ['ab', 'bad\u0001tool'] } } }), [
      {
        path: 'detectors.attackTool.extra[0]',
        message: 'expected a string of 3 to 128 characters, got 2 characters',
      },
      {
        path: 'detectors.attackTool.extra[1]',
        message: 'expected a string matching /^[\\x20-\\x7e]+$/, got "bad\\u0001tool"',
      },
    ])
  })
})

describe('rule event names', () => {
  it('are checked against the catalogue, with a short message and a suggestion', () => {
    const issues = issuesOf({
      rules: [
        { id: 'r', events: ['authn_login_failed'], groupBy: ['SrcIpAddr'], threshold: 1, windowSeconds: 1 },
      ],
    })
    assert.deepEqual(issues, [
      {
        path: 'rules[0].events[0]',
        message: `rule r: expected one of ${EVENTS_BY_NAME.size} names (event names, see docs/events.md), got "authn_login_failed"; did you mean "authn_login_fail"?`,
      },
    ])
  })
})

describe('what Ajv checks besides the old walk', () => {
  it('an array longer than its maxItems is refused, as the published schema always said', () => {
    const groupBy = ['SrcIpAddr', 'Url', 'HttpRoute', 'ActorUsername']
    const rule = { id: 'r', events: ['authn_login_fail'], groupBy, threshold: 1, windowSeconds: 1 }
    assert.deepEqual(issuesOf({ rules: [rule] }), [
      { path: 'rules[0].groupBy', message: 'rule r: expected at most 3 items, got 4' },
    ])
  })

  it('sinks that is not an array says it expects an array of objects', () => {
    assert.deepEqual(issuesOf({ sinks: { type: 'console' } }), [
      { path: 'sinks', message: 'expected an array of objects, got an object' },
    ])
  })

  it('a class instance is not taken for an options object', () => {
    assert.deepEqual(issuesOf({ detectors: new Map() }), [
      { path: 'detectors', message: 'expected an object, got an object' },
    ])
  })

  it('fills defaults into a copy: options given in code are neither filled nor frozen', () => {
    const route = { match: '/x' }
    const config = loadConfig({ routes: [route], config: false }, { cwd: dirWith(), env: noEnv })
    assert.deepEqual(config.routes, [{ match: '/x', ignore: false }])
    assert.deepEqual(route, { match: '/x' })
    assert.equal(Object.isFrozen(route), false)
  })

  it('a number past 2^53 is no integer, even without a maximum', () => {
    assert.deepEqual(issuesOf({ detectors: { notFound: { threshold: 1e300 } } }), [
      { path: 'detectors.notFound.threshold', message: 'expected a positive integer, got 1e+300' },
    ])
  })
})
