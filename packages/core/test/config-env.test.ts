// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax, not a template
import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { loadConfig } from '../src/config/index.js'
import { configError, dirWith } from './config-fixtures.js'

const load = (yaml: string, env: NodeJS.ProcessEnv) =>
  loadConfig({}, { cwd: dirWith({ 'watchpost.config.yaml': yaml }), env })

describe('${ENV} substitution', () => {
  it('substitutes whole values and parts of strings', () => {
    const config = load('app: {name: "${APP}", version: "v${MAJOR}.${MINOR}-x"}\n', {
      APP: 'shop',
      MAJOR: '2',
      MINOR: '5',
    })
    assert.equal(config.app.name, 'shop')
    assert.equal(config.app.version, 'v2.5-x')
  })

  it('uses ${VAR:-default} when unset or empty', () => {
    const yaml = 'app: {name: "${APP:-fallback}", environment: "${ENVNAME:-staging}"}\n'
    const config = load(yaml, { ENVNAME: '' })
    assert.equal(config.app.name, 'fallback')
    assert.equal(config.app.environment, 'staging')
    assert.equal(load(yaml, { APP: 'set' }).app.name, 'set')
  })

  it('an unset variable without default is ERR_WATCHPOST_CONFIG_ENV naming the option and the variable', () => {
    const yaml =
      'privacy:\n  hashKey: ${WATCHPOST_HASH_KEY}\nsinks:\n  - type: file\n    path: /var/log/${LOG_NAME}.jsonl\n'
    const err = configError(() => load(yaml, {}), 'ERR_WATCHPOST_CONFIG_ENV')
    assert.deepEqual(err.issues, [
      {
        path: 'privacy.hashKey',
        message: 'environment variable WATCHPOST_HASH_KEY is not set and no default is given',
        line: 2,
        column: 12,
      },
      {
        path: 'sinks[0].path',
        message: 'environment variable LOG_NAME is not set and no default is given',
        line: 5,
        column: 11,
      },
    ])
    assert.match(
      err.message,
      /privacy\.hashKey: environment variable WATCHPOST_HASH_KEY .*\(.*watchpost\.config\.yaml:2:12\)/,
    )
    assert.match(err.message, /watchpost\.config\.yaml/)
  })

  it('$${ escapes a literal ${', () => {
    const config = load('app: {name: "$${NOT_A_VAR} and $${X:-y}"}\n', { NOT_A_VAR: 'oops' })
    assert.equal(config.app.name, '${NOT_A_VAR} and ${X:-y}')
  })

  it('a malformed reference is an error', () => {
    const err = configError(() => load('app: {name: "${1BAD}"}\n', {}), 'ERR_WATCHPOST_CONFIG_ENV')
    assert.equal(err.issues[0]?.path, 'app.name')
    assert.match(err.issues[0]?.message ?? '', /malformed/)
  })

  it('coerces a whole-value substitution to the integer or boolean the option expects', () => {
    const yaml = [
      'app: {port: "${PORT}"}',
      'detectors: {notFound: {threshold: "${NF:-30}", reportEach: "${EACH}"}}',
      'trustProxy: ${HOPS}',
      '',
    ].join('\n')
    const config = load(yaml, { PORT: '8080', EACH: 'true', HOPS: '2' })
    assert.equal(config.app.port, 8080)
    assert.equal(config.detectors.notFound.threshold, 30)
    assert.equal(config.detectors.notFound.reportEach, true)
    assert.equal(config.trustProxy, 2)
    assert.equal(load('trustProxy: ${T}\n', { T: 'true' }).trustProxy, true)
    assert.equal(load('trustProxy: ${T}\n', { T: 'loopback' }).trustProxy, 'loopback')
  })

  it('does not coerce strings written in the file, nor partial substitutions', () => {
    const err = configError(
      () => load('app: {port: "8080"}\ndetectors: {notFound: {threshold: "1${N}"}}\n', { N: '0' }),
      'ERR_WATCHPOST_CONFIG_INVALID',
    )
    assert.deepEqual(err.issues, [
      {
        path: 'app.port',
        message: 'expected an integer between 0 and 65535, got "8080"',
        line: 1,
        column: 13,
      },
      {
        path: 'detectors.notFound.threshold',
        message: 'expected a positive integer, got "10"',
        line: 2,
        column: 35,
      },
    ])
  })

  it('reports a value that cannot be coerced with the variable it came from', () => {
    const err = configError(
      () => load('detectors: {notFound: {threshold: "${NF}"}}\n', { NF: 'ten' }),
      'ERR_WATCHPOST_CONFIG_INVALID',
    )
    assert.deepEqual(err.issues, [
      {
        path: 'detectors.notFound.threshold',
        message: 'expected a positive integer, got "ten" (from ${NF})',
        line: 1,
        column: 35,
      },
    ])
  })

  it('an environment value cannot inject YAML structure', () => {
    const config = load('app: {name: "${EVIL}"}\n', { EVIL: 'x\nmode: protect\n"}: {' })
    assert.equal(config.app.name, 'x\nmode: protect\n"}: {')
    assert.equal(config.mode, 'monitor')
  })

  it('does not substitute in code options', () => {
    const config = loadConfig(
      { app: { name: '${APP}' }, config: false },
      { cwd: dirWith(), env: { APP: 'x' } },
    )
    assert.equal(config.app.name, '${APP}')
  })
})

describe('environment values in unions', () => {
  const load = (yaml: string, env: NodeJS.ProcessEnv) =>
    loadConfig({}, { cwd: dirWith({ 'watchpost.config.yaml': yaml }), env })

  it('take the first branch they fit, in the schema’s order', () => {
    const rule = 'rules: [{id: watchpost.credential-stuffing, response: {action: block, status: "${S}"}}]\n'
    assert.equal(load(rule, { S: '403' }).rules[0]?.response?.status, 403)
    // The string branch comes first: `false` from the environment is a file name here.
    assert.equal(
      load('delivery: {deadLetter: {path: "${P}"}}\n', { P: 'false' }).delivery.deadLetter.path,
      'false',
    )
    assert.equal(
      load('correlation: {responseHeader: "${R}"}\n', { R: 'x-id' }).correlation.responseHeader,
      'x-id',
    )
  })

  it('fit a branch only within its limits: a negative or fractional hop count is an address', () => {
    // The integer branch of `trustProxy` needs a whole number ≥ 0, so these go on to the string branch.
    for (const T of ['-1', '1.5']) {
      const err = configError(() => load('trustProxy: ${T}\n', { T }), 'ERR_WATCHPOST_CONFIG_INVALID')
      assert.deepEqual(
        err.issues.map(({ path, message }) => ({ path, message })),
        [{ path: 'trustProxy', message: `invalid IP address: ${T}` }],
      )
    }
  })

  it('that fit no branch are reported with the union’s description and their variable', () => {
    const rule = 'rules: [{id: watchpost.credential-stuffing, response: {action: block, status: "${S}"}}]\n'
    const err = configError(() => load(rule, { S: '500' }), 'ERR_WATCHPOST_CONFIG_INVALID')
    assert.deepEqual(
      err.issues.map(({ path, message }) => ({ path, message })),
      [
        {
          path: 'rules[0].response.status',
          message: 'rule watchpost.credential-stuffing: expected 429 or 403, got "500" (from ${S})',
        },
      ],
    )
  })
})
