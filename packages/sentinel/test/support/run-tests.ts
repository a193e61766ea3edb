/** The package's `test` script: the suite runs in a process that trusts the emulator's CA. */
import { fileURLToPath } from 'node:url'
import { runTestsTrustingEmulator } from '@watchpost/emulator'
import { TEST_TLS_DIR } from './tls-dir.js'

const testDir = fileURLToPath(new URL('..', import.meta.url))
process.exit(await runTestsTrustingEmulator(testDir, process.argv.slice(2), TEST_TLS_DIR))
