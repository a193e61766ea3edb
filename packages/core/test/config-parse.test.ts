import { strict as assert } from 'node:assert'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { loadConfig } from '../src/config/index.js'
import { configError, dirWith, noEnv } from './config-fixtures.js'

const parseError = (name: string, text: string) => {
  const cwd = dirWith({ [name]: text })
  const err = configError(() => loadConfig({}, { cwd, env: noEnv }), 'ERR_WATCHPOST_CONFIG_PARSE')
  assert.equal(err.file, join(cwd, name))
  return err
}

describe('syntax errors', () => {
  it('YAML: names the file, line and column', () => {
    const err = parseError(
      'watchpost.config.yaml',
      'mode: monitor\ndetectors:\n  notFound: [1, 2\nqueue: {}\n',
    )
    assert.equal(err.line, 4)
    assert.equal(err.column, 1)
    assert.match(err.message, /watchpost\.config\.yaml:4:1 \(line 4, column 1\): /)
  })

  it('YAML: a duplicate key is an error at the second occurrence', () => {
    const err = parseError(
      'watchpost.config.yml',
      'detectors:\n  notFound:\n    threshold: 5\n    threshold: 50\n',
    )
    assert.equal(err.line, 4)
    assert.equal(err.column, 5)
    assert.match(err.message, /duplicate key/)
  })

  it('JSON: position from JSON.parse becomes line and column', () => {
    const err = parseError(
      'watchpost.config.json',
      '{\n  "mode": "monitor",\n  "queue": {"batchSize" 10}\n}\n',
    )
    assert.equal(err.line, 3)
    assert.equal(err.column, 25) // the `1` where `:` was expected
    assert.match(
      err.message,
      /watchpost\.config\.json:3:25 \(line 3, column 25\): Expected ':' after property name$/,
    )
  })

  it('JSON: errors Node 20 reports without a position are located too', () => {
    const token = parseError('watchpost.config.json', '{\n  "mode": monitor\n}\n')
    assert.deepEqual([token.line, token.column], [2, 11])
    assert.match(token.message, /Unexpected token 'm'/)
    const trailing = parseError('watchpost.config.json', '{"rules": [1,]}')
    assert.deepEqual([trailing.line, trailing.column], [1, 14])
    const end = parseError('watchpost.config.json', '{"mode": "monitor"')
    assert.deepEqual([end.line, end.column], [1, 19])
  })
})
