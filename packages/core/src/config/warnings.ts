/**
 * Suspicious settings: valid, but probably not what was meant. Each is a registered warning
 * (`../warnings.ts` holds the codes and texts), emitted once per process.
 */
import { type WarningArg, warnOnce } from '../warnings.js'
import type { ResolvedConfig } from './types.js'

type ConfigWarningCode = 'WATCHPOST_W001' | 'WATCHPOST_W002' | 'WATCHPOST_W003' | 'WATCHPOST_W004'

export interface ConfigWarning<C extends ConfigWarningCode = ConfigWarningCode> {
  readonly code: C
  /** `false` when the warning does not apply, else the message's argument (`undefined` for a fixed one). */
  readonly check: (config: ResolvedConfig) => WarningArg<C> | false
}

function configWarning<C extends ConfigWarningCode>(
  code: C,
  check: (config: ResolvedConfig) => WarningArg<C> | false,
): ConfigWarning {
  return { code, check } as ConfigWarning
}

export const CONFIG_WARNINGS: readonly ConfigWarning[] = [
  configWarning('WATCHPOST_W001', (config) => config.trustProxy === true && undefined),
  configWarning(
    'WATCHPOST_W002',
    ({ privacy }) => (privacy.hashUserIds || privacy.hashIps) && privacy.hashKey === undefined && undefined,
  ),
  configWarning(
    'WATCHPOST_W003',
    (config) =>
      config.mode === 'protect' &&
      !config.rules.some((rule) => rule.enabled && rule.response !== undefined) &&
      undefined,
  ),
  configWarning('WATCHPOST_W004', (config) => {
    if (config.mode !== 'monitor') return false
    const names = config.rules
      .filter((rule) => rule.enabled && rule.response !== undefined)
      .map((rule) => JSON.stringify(rule.id))
    return names.length > 0 && names.join(', ')
  }),
]

/** Emits each applicable warning, at most once per process per code. */
export function emitConfigWarnings(config: ResolvedConfig): void {
  for (const warning of CONFIG_WARNINGS) {
    const arg = warning.check(config)
    if (arg !== false) warnOnce(warning.code, arg as never)
  }
}
