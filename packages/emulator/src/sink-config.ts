/**
 * The `sentinel` sink entry that points at an emulator — what a user writes in the configuration
 * file, built from the emulator's own values — for tests, benchmarks and trials in other processes.
 */
import type { Emulator } from './types.js'

/** What another process needs to reach an emulator; plain data (pass it as JSON). */
export type EmulatorTarget = Pick<
  Emulator,
  'url' | 'dcrImmutableId' | 'tenantId' | 'clientId' | 'clientSecret' | 'caPath'
>

export function emulatorTarget(em: EmulatorTarget): EmulatorTarget {
  return {
    url: em.url,
    dcrImmutableId: em.dcrImmutableId,
    tenantId: em.tenantId,
    clientId: em.clientId,
    clientSecret: em.clientSecret,
    caPath: em.caPath,
  }
}

/**
 * The sink entry: client-secret credential against the emulator's Entra endpoint, its CA trusted by
 * the sink's own connections (`tls.ca`, no NODE_EXTRA_CA_CERTS), default ASIM tables.
 */
export function sentinelSinkFor(target: EmulatorTarget) {
  return {
    type: 'sentinel' as const,
    endpoint: target.url,
    dcrImmutableId: target.dcrImmutableId,
    tls: { ca: target.caPath },
    credential: {
      type: 'clientSecret' as const,
      tenantId: target.tenantId,
      clientId: target.clientId,
      clientSecret: target.clientSecret,
      authorityHost: target.url,
    },
  }
}
