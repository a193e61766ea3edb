/**
 * Runs a Node process that trusts the emulator's CA. Node reads NODE_EXTRA_CA_CERTS only when a
 * process starts (client-behaviour.md §5), so a test suite using the real Azure clients has to be
 * started this way: the CA is made (or reused) first, then the child runs with it — no test ever
 * touches process-wide TLS settings. Used by this package's and @watchpost/sentinel's `test` scripts,
 * and usable for an app's own tests against the emulator.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ensureTls } from './tls.js'

/** Runs `node <args>` with NODE_EXTRA_CA_CERTS set to the emulator's CA in `tlsDir`; returns its exit code. */
export async function runTrustingEmulator(
  args: readonly string[],
  tlsDir: string | undefined,
): Promise<number> {
  const tls = await ensureTls(tlsDir)
  const result = spawnSync(process.execPath, [...args], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caPath },
  })
  return result.status ?? 1
}

/** `node --import tsx --test` over the given files, or every `*.test.ts` of `testDir`, trusting the emulator. */
export function runTestsTrustingEmulator(
  testDir: string,
  files: readonly string[],
  tlsDir: string | undefined,
): Promise<number> {
  const selected =
    files.length > 0
      ? files
      : readdirSync(testDir)
          .filter((f) => f.endsWith('.test.ts'))
          .sort()
          .map((f) => join(testDir, f))
  return runTrustingEmulator(['--import', 'tsx', '--test', '--test-reporter=spec', ...selected], tlsDir)
}
