import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { loadConfig } from '../src/config/index.js'
import { configError, dirWith, noEnv } from './config-fixtures.js'

// Line 12, column 16 is the value `ten`: the option's place, not only a syntax error's.
const YAML = `app:
  name: shop
mode: monitor
sinks:
  - type: console
privacy:
  hashIps: false
trustProxy: false
detectors:
  notFound:
    windowSeconds: 60
    threshold: ten
  authFailure:
    threshold: 0
`

describe('configuration errors name the line and column of each offending option', () => {
  it('YAML: every issue has its own position, and the error the first one', () => {
    const cwd = dirWith({ 'watchpost.config.yaml': YAML })
    const err = configError(() => loadConfig({}, { cwd, env: noEnv }), 'ERR_WATCHPOST_CONFIG_INVALID')
    const byPath = new Map(err.issues.map((issue) => [issue.path, issue]))
    const threshold = byPath.get('detectors.notFound.threshold')
    assert.equal(threshold?.line, 12)
    assert.equal(threshold?.column, 16)
    const auth = byPath.get('detectors.authFailure.threshold')
    assert.equal(auth?.line, 14)
    assert.equal(auth?.column, 16)
    assert.equal(err.line, err.issues[0]?.line)
    assert.equal(err.column, err.issues[0]?.column)
    assert.ok(err.file?.endsWith('watchpost.config.yaml'))
    // The message is what an operator reads: it must carry a clickable file:line:column.
    assert.match(
      err.message,
      /- detectors\.notFound\.threshold: expected .* got "ten" \(.*watchpost\.config\.yaml:12:16\)$/m,
    )
  })

  it('JSON: positions come from the same text', () => {
    const json =
      '{\n  "detectors": {\n    "notFound": {\n      "threshold": "ten"\n    }\n  },\n  "bogus": 1\n}\n'
    const cwd = dirWith({ 'watchpost.config.json': json })
    const err = configError(() => loadConfig({}, { cwd, env: noEnv }), 'ERR_WATCHPOST_CONFIG_INVALID')
    const byPath = new Map(err.issues.map((issue) => [issue.path, issue]))
    assert.deepEqual(
      [byPath.get('detectors.notFound.threshold')?.line, byPath.get('detectors.notFound.threshold')?.column],
      [4, 20],
    )
    assert.deepEqual([byPath.get('bogus')?.line, byPath.get('bogus')?.column], [7, 12])
  })

  it('an option in a sequence, and a missing one at its parent', () => {
    const yaml = 'sinks:\n  - type: console\n  - type: file\n    maxFiles: -1\n'
    const cwd = dirWith({ 'watchpost.config.yaml': yaml })
    const err = configError(() => loadConfig({}, { cwd, env: noEnv }), 'ERR_WATCHPOST_CONFIG_INVALID')
    assert.ok(err.issues.length > 0)
    for (const issue of err.issues) {
      assert.ok(issue.path.startsWith('sinks[1]'), issue.path)
      // sinks[1] starts on line 3; its fields are on lines 3-4.
      assert.ok(issue.line === 3 || issue.line === 4, `${issue.path} at ${issue.line}`)
    }
  })

  it('an unset environment variable is located at the option that references it', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration file's substitution syntax
    const yaml = 'app:\n  name: shop\nprivacy:\n  hashKey: ${NO_SUCH_VARIABLE}\n'
    const cwd = dirWith({ 'watchpost.config.yaml': yaml })
    const err = configError(() => loadConfig({}, { cwd, env: noEnv }), 'ERR_WATCHPOST_CONFIG_ENV')
    assert.deepEqual(
      err.issues.map((i) => [i.path, i.line, i.column]),
      [['privacy.hashKey', 4, 12]],
    )
  })

  it('an option set in code is not located in the file, even when the file has it too', () => {
    const cwd = dirWith({ 'watchpost.config.yaml': YAML })
    const err = configError(
      () =>
        loadConfig({ detectors: { notFound: { threshold: 'x' as unknown as number } } }, { cwd, env: noEnv }),
      'ERR_WATCHPOST_CONFIG_INVALID',
    )
    const byPath = new Map(err.issues.map((issue) => [issue.path, issue]))
    assert.equal(byPath.get('detectors.notFound.threshold')?.line, undefined)
    assert.equal(byPath.get('detectors.authFailure.threshold')?.line, 14)
  })

  it('code options without a file have no positions', () => {
    const err = configError(
      () => loadConfig({ config: false, mode: 'loud' as 'monitor' }, { cwd: dirWith(), env: noEnv }),
      'ERR_WATCHPOST_CONFIG_INVALID',
    )
    assert.equal(err.issues[0]?.line, undefined)
    assert.equal(err.line, undefined)
  })
})
