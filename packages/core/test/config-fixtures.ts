import { strict as assert } from 'node:assert'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../src/errors.js'

/** A fresh directory with the given files (name → content). */
export function dirWith(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-config-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

/** Runs `fn`, asserts it throws a ConfigError with `code`, and returns it. */
export function configError(fn: () => unknown, code: ConfigError['code']): ConfigError {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    return err
  }
  assert.fail(`expected ${code}, nothing was thrown`)
}

/** Empty env: no NODE_ENV, no WATCHPOST_CONFIG leaking in from the test runner. */
export const noEnv: NodeJS.ProcessEnv = {}
