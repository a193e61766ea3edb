/**
 * The package's `test` script. Node reads NODE_EXTRA_CA_CERTS only when a process starts
 * (client-behaviour.md §5), so the emulator's CA is made first and the test runner is started with it:
 * the real Azure clients then trust the emulator as they would a real endpoint, and no test touches
 * process-wide TLS settings. Same pattern as packages/emulator/test/support/run-tests.ts.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureTls } from '@watchpost/emulator'
import { TEST_TLS_DIR } from './tls-dir.js'

const testDir = fileURLToPath(new URL('..', import.meta.url))
const tls = await ensureTls(TEST_TLS_DIR)
const files = process.argv.slice(2)
const selected =
  files.length > 0
    ? files
    : readdirSync(testDir)
        .filter((f) => f.endsWith('.test.ts'))
        .sort()
        .map((f) => join(testDir, f))
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...selected],
  { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caPath } },
)
process.exit(result.status ?? 1)
