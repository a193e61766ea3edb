/**
 * The emulator the scenarios deliver to, and the `sentinel` sink entry pointing at it. The sink
 * trusts the emulator's CA through `tls.ca` (its own connections only), so the suite needs no
 * NODE_EXTRA_CA_CERTS and child processes need nothing special either.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { type Emulator, type EmulatorOptions, startEmulator } from '@watchpost/emulator'

/** Kept across runs under the OS temp dir: making a CA takes a moment, and nothing in the repo changes. */
export const TLS_DIR = join(tmpdir(), 'watchpost-reliability', 'tls')

/** The emulator of one test file (each runs in a process of its own): closed after the file's tests. */
export async function emulatorForFile(options: EmulatorOptions = {}): Promise<Emulator> {
  const em = await startEmulator({ tlsDir: TLS_DIR, ...options })
  after(() => em.close())
  return em
}

/** What a child process needs to reach the emulator (passed as JSON), and the sink entry for it. */
export {
  type EmulatorTarget as Target,
  emulatorTarget as targetOf,
  sentinelSinkFor as sentinelSink,
} from '@watchpost/emulator'
