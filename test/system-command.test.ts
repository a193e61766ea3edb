import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MissingCommandError, requireCommand } from './support/system-command.js'

test('a present command is found on PATH', () => {
  assert.match(requireCommand('sh', 'dash'), /\/sh$/)
})

test('a missing command fails with the exact install line instead of skipping', () => {
  assert.throws(
    () => requireCommand('watchpost-no-such-program', 'watchpost-no-such-package', { install: false }),
    (err: unknown) =>
      err instanceof MissingCommandError &&
      err.installLine === 'apt-get update && apt-get install -y watchpost-no-such-package' &&
      err.message.includes('Install it with: apt-get update && apt-get install -y watchpost-no-such-package'),
  )
})
