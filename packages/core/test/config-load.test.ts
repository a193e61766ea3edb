import { strict as assert } from 'node:assert'
import { writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { DEFAULTS, loadConfig } from '../src/config/index.js'
import { configError, dirWith, noEnv } from './config-fixtures.js'

describe('config discovery', () => {
  it('uses defaults and no file when the directory has none', () => {
    const cwd = dirWith()
    const config = loadConfig({}, { cwd, env: noEnv })
    assert.equal(config.source.file, undefined)
    assert.equal(config.mode, 'monitor')
  })

  it('prefers .yaml over .yml over .json', () => {
    const cwd = dirWith({
      'watchpost.config.yaml':
        'mode: protect\nrules: [{id: r, events: [authn_login_fail], groupBy: [SrcIpAddr], threshold: 1, windowSeconds: 1, response: {action: block}}]\n',
      'watchpost.config.yml': 'app: {name: yml}\n',
      'watchpost.config.json': '{"app": {"name": "json"}}',
    })
    assert.equal(loadConfig({}, { cwd, env: noEnv }).source.file, join(cwd, 'watchpost.config.yaml'))
    const noYaml = dirWith({
      'watchpost.config.yml': 'app: {name: yml}\n',
      'watchpost.config.json': '{"app": {"name": "json"}}',
    })
    const yml = loadConfig({}, { cwd: noYaml, env: noEnv })
    assert.equal(yml.app.name, 'yml')
    assert.equal(yml.source.file, join(noYaml, 'watchpost.config.yml'))
    const onlyJson = dirWith({ 'watchpost.config.json': '{"app": {"name": "json"}}' })
    assert.equal(loadConfig({}, { cwd: onlyJson, env: noEnv }).app.name, 'json')
  })

  it('WATCHPOST_CONFIG wins over the files in cwd, relative to cwd', () => {
    const cwd = dirWith({
      'watchpost.config.yaml': 'app: {name: found}\n',
      'other.yaml': 'app: {name: from-env}\n',
    })
    const config = loadConfig({}, { cwd, env: { WATCHPOST_CONFIG: 'other.yaml' } })
    assert.equal(config.app.name, 'from-env')
    assert.equal(config.source.file, join(cwd, 'other.yaml'))
  })

  it('options.config wins over WATCHPOST_CONFIG', () => {
    const cwd = dirWith({ 'a.yaml': 'app: {name: a}\n', 'b.yaml': 'app: {name: b}\n' })
    assert.equal(loadConfig({ config: 'b.yaml' }, { cwd, env: { WATCHPOST_CONFIG: 'a.yaml' } }).app.name, 'b')
  })

  it('config: false disables file loading, even with WATCHPOST_CONFIG', () => {
    const cwd = dirWith({ 'watchpost.config.yaml': 'mode: [broken\n' })
    const config = loadConfig({ config: false }, { cwd, env: { WATCHPOST_CONFIG: 'missing.yaml' } })
    assert.equal(config.source.file, undefined)
  })

  it('a missing WATCHPOST_CONFIG file is ERR_WATCHPOST_CONFIG_NOT_FOUND naming the path', () => {
    const cwd = dirWith()
    const err = configError(
      () => loadConfig({}, { cwd, env: { WATCHPOST_CONFIG: 'nope.yaml' } }),
      'ERR_WATCHPOST_CONFIG_NOT_FOUND',
    )
    assert.equal(err.file, join(cwd, 'nope.yaml'))
    assert.match(err.message, /nope\.yaml/)
    assert.match(err.message, /WATCHPOST_CONFIG/)
  })

  it('a missing options.config file is ERR_WATCHPOST_CONFIG_NOT_FOUND', () => {
    const cwd = dirWith()
    const err = configError(
      () => loadConfig({ config: 'x.json' }, { cwd, env: noEnv }),
      'ERR_WATCHPOST_CONFIG_NOT_FOUND',
    )
    assert.equal(err.file, join(cwd, 'x.json'))
  })

  it('ignores $schema and accepts an empty file', () => {
    const cwd = dirWith({
      'watchpost.config.yaml': '$schema: ./node_modules/@watchpost/core/schema/config.schema.json\n',
    })
    assert.equal(loadConfig({}, { cwd, env: noEnv }).mode, 'monitor')
    const empty = dirWith({ 'watchpost.config.yaml': '# nothing yet\n' })
    assert.equal(loadConfig({}, { cwd: empty, env: noEnv }).source.file, join(empty, 'watchpost.config.yaml'))
  })

  it('a file whose root is not a mapping is ERR_WATCHPOST_CONFIG_INVALID', () => {
    const cwd = dirWith({ 'watchpost.config.yaml': '- a\n- b\n' })
    const err = configError(() => loadConfig({}, { cwd, env: noEnv }), 'ERR_WATCHPOST_CONFIG_INVALID')
    assert.deepEqual(err.issues, [
      { path: '', message: 'expected a mapping of options, got an array', line: 1, column: 1 },
    ])
  })
})

describe('app defaults', () => {
  it('come from package.json in cwd, NODE_ENV and the host name', () => {
    const cwd = dirWith({ 'package.json': JSON.stringify({ name: 'shop', version: '2.3.4' }) })
    const { app } = loadConfig({}, { cwd, env: { NODE_ENV: 'production' } })
    assert.deepEqual(app, { name: 'shop', version: '2.3.4', environment: 'production', host: hostname() })
  })

  it('fall back to "app", "0.0.0" and "development"', () => {
    const { app } = loadConfig({}, { cwd: dirWith({ 'package.json': '{broken' }), env: noEnv })
    assert.equal(app.name, 'app')
    assert.equal(app.version, '0.0.0')
    assert.equal(app.environment, 'development')
  })
})

describe('merge: defaults ← file ← code', () => {
  const file = [
    'app: {name: from-file, version: 1.0.0}',
    'correlation: {maxLength: 64, requestIdHeaders: [x-a, x-b]}',
    'detectors:',
    '  notFound: {threshold: 5, reportEach: true}',
    'sinks: [{type: file, path: a.jsonl}, {type: console}]',
    '',
  ].join('\n')

  it('deep-merges objects and lets code win', () => {
    const cwd = dirWith({ 'watchpost.config.yaml': file })
    const config = loadConfig(
      {
        app: { name: 'from-code' },
        detectors: { notFound: { threshold: 7 } },
        correlation: { requestIdHeaders: ['x-c'] },
      },
      { cwd, env: noEnv },
    )
    assert.equal(config.app.name, 'from-code')
    assert.equal(config.app.version, '1.0.0')
    assert.deepEqual(config.detectors.notFound, {
      enabled: true,
      threshold: 7,
      windowSeconds: 60,
      reportEach: true,
      scannerPaths: true,
    })
    assert.equal(config.correlation.maxLength, 64)
  })

  it('replaces arrays instead of merging them', () => {
    const cwd = dirWith({ 'watchpost.config.yaml': file })
    const config = loadConfig(
      { correlation: { requestIdHeaders: ['x-c'] }, sinks: [{ type: 'console', stream: 'stderr' }] },
      { cwd, env: noEnv },
    )
    assert.deepEqual(config.correlation.requestIdHeaders, ['x-c'])
    assert.deepEqual(config.sinks, [{ type: 'console', format: 'auto', stream: 'stderr' }])
  })

  it('an undefined code option does not erase the file value', () => {
    const cwd = dirWith({ 'watchpost.config.yaml': file })
    const config = loadConfig({ app: { name: undefined as unknown as string } }, { cwd, env: noEnv })
    assert.equal(config.app.name, 'from-file')
  })

  it('keeps a trustProxy function from code', () => {
    const trust = (addr: string, hop: number) => addr === '10.0.0.1' && hop === 0
    const config = loadConfig({ trustProxy: trust, config: false }, { cwd: dirWith(), env: noEnv })
    assert.equal(config.trustProxy, trust)
    assert.equal(Object.isFrozen(trust), false)
  })

  it('does not modify or freeze the code options', () => {
    const options = { detectors: { jwt: { enabled: false } }, sinks: [{ type: 'console' as const }] }
    const config = loadConfig(options, { cwd: dirWith(), env: noEnv })
    assert.deepEqual(options, { detectors: { jwt: { enabled: false } }, sinks: [{ type: 'console' }] })
    assert.equal(Object.isFrozen(options.sinks), false)
    assert.equal(config.detectors.jwt.enabled, false)
  })
})

describe('resolved config', () => {
  it('is complete: every default applied', () => {
    const config = loadConfig({}, { cwd: dirWith(), env: noEnv })
    const { app: _app, source, ...rest } = config
    assert.deepEqual(rest, DEFAULTS)
    assert.deepEqual(source, { file: undefined })
    assert.deepEqual(DEFAULTS.sinks, [{ type: 'console', format: 'auto', stream: 'stdout' }])
    assert.deepEqual(DEFAULTS.correlation, {
      traceparent: true,
      requestIdHeaders: ['x-request-id', 'x-correlation-id'],
      responseHeader: false,
      maxLength: 128,
      asyncContext: false,
    })
    assert.deepEqual(DEFAULTS.queue, {
      maxEvents: 10_000,
      maxBytes: 16 * 1024 * 1024,
      flushIntervalMs: 250,
      batchSize: 500,
    })
    assert.deepEqual(DEFAULTS.spool, {
      enabled: true,
      directory: '.watchpost/spool',
      maxBytes: 256 * 1024 * 1024,
      maxAgeHours: 48,
      syncIntervalMs: 200,
    })
    assert.deepEqual(DEFAULTS.delivery, {
      concurrency: 4,
      timeoutMs: 30_000,
      retryBaseMs: 500,
      retryMaxDelayMs: 60_000,
      maxBatchEvents: 5_000,
      lingerMs: 500,
      requestsPerMinute: 12_000,
      bytesPerMinute: 2 * 1024 ** 3,
      failingAfterMs: 60_000,
      deadLetter: { path: '.watchpost/dead-letter.jsonl', maxBytes: 16 * 1024 * 1024 },
    })
    assert.deepEqual(DEFAULTS.shutdown, { deadlineMs: 5_000, signals: false })
    assert.equal(DEFAULTS.privacy.headerAllowlist.length, 13)
    assert.equal(DEFAULTS.privacy.hashKey, undefined)
    assert.deepEqual(DEFAULTS.detectors.protocol.allowedMethods, [
      'GET',
      'HEAD',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
    ])
    assert.equal(DEFAULTS.trustProxy, false)
    assert.deepEqual([DEFAULTS.routes, DEFAULTS.rules], [[], []])
  })

  it('fills defaults inside array items but not in route detector overrides', () => {
    const config = loadConfig(
      {
        rules: [
          {
            id: 'r',
            events: ['authn_login_fail'],
            groupBy: ['SrcIpAddr'],
            threshold: 3,
            windowSeconds: 60,
            response: { action: 'block' },
          },
        ],
        routes: [{ match: '/admin/*', detectors: { authFailure: { threshold: 3 } } }],
        sinks: [{ type: 'file', path: 'x.jsonl' }],
      },
      { cwd: dirWith(), env: noEnv },
    )
    assert.deepEqual(config.rules[0], {
      id: 'r',
      enabled: true,
      events: ['authn_login_fail'],
      groupBy: ['SrcIpAddr'],
      threshold: 3,
      windowSeconds: 60,
      response: { action: 'block', target: 'source', durationSeconds: 900, status: 429, delayMs: 2000 },
    })
    assert.deepEqual(config.routes[0], {
      match: '/admin/*',
      ignore: false,
      detectors: { authFailure: { threshold: 3 } },
    })
    assert.deepEqual(config.sinks[0], {
      type: 'file',
      path: 'x.jsonl',
      maxBytes: 10 * 1024 * 1024,
      maxFiles: 5,
    })
  })

  it('is deeply frozen', () => {
    const config = loadConfig({}, { cwd: dirWith(), env: noEnv })
    assert.ok(Object.isFrozen(config))
    assert.ok(Object.isFrozen(config.detectors.notFound))
    assert.ok(Object.isFrozen(config.sinks[0]))
    assert.throws(() => {
      ;(config.privacy.sensitiveKeys as string[]).push('x')
    }, TypeError)
  })

  it('reads JSON files', () => {
    const cwd = dirWith()
    writeFileSync(
      join(cwd, 'watchpost.config.json'),
      JSON.stringify({ $schema: 'x', queue: { batchSize: 10 } }),
    )
    assert.equal(loadConfig({}, { cwd, env: noEnv }).queue.batchSize, 10)
  })
})
