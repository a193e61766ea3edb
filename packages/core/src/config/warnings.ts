// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax, not a template
/**
 * Suspicious settings: valid, but probably not what was meant. Each warns once per process with a
 * code (fastify `lib/warnings.js`, express-rate-limit `validations.ts`). Codes are never reused: a
 * retired warning keeps its number and the next one takes a new number.
 */
import type { ResolvedConfig } from './types.js'

export interface ConfigWarning {
  readonly code: `WATCHPOST_W${string}`
  /** When it fires, for the docs. */
  readonly when: string
  readonly check: (config: ResolvedConfig) => string | undefined
}

export const CONFIG_WARNINGS: readonly ConfigWarning[] = [
  {
    code: 'WATCHPOST_W001',
    when: '`trustProxy: true`',
    check: (config) =>
      config.trustProxy === true
        ? 'trustProxy: true trusts every hop of X-Forwarded-For, so any client can spoof its IP address; trust a hop count or the proxy addresses instead (e.g. "loopback" or 1)'
        : undefined,
  },
  {
    code: 'WATCHPOST_W002',
    when: '`privacy.hashUserIds` or `privacy.hashIps` without `privacy.hashKey`',
    check: ({ privacy }) =>
      (privacy.hashUserIds || privacy.hashIps) && privacy.hashKey === undefined
        ? 'privacy.hashUserIds/hashIps is on without privacy.hashKey: a random per-process key is used, so hashes change at every restart and differ between instances; set privacy.hashKey (e.g. "${WATCHPOST_HASH_KEY}")'
        : undefined,
  },
  {
    code: 'WATCHPOST_W003',
    when: '`mode: protect` with no `rules`',
    check: (config) =>
      config.mode === 'protect' && config.rules.length === 0
        ? 'mode is "protect" but no rules are configured, so nothing will ever be blocked, delayed or rejected'
        : undefined,
  },
  {
    code: 'WATCHPOST_W004',
    when: 'a rule with an `action` other than `none` in `monitor` mode',
    check: (config) => {
      if (config.mode !== 'monitor') return undefined
      const names = config.rules
        .filter((rule) => rule.action !== 'none')
        .map((rule) => JSON.stringify(rule.name))
      return names.length === 0
        ? undefined
        : `mode is "monitor", so the actions of rules ${names.join(', ')} are not applied (only recorded); set mode: protect to apply them`
    },
  },
]

const emitted = new Set<string>()

/** Emits each applicable warning, at most once per process per code. */
export function emitConfigWarnings(config: ResolvedConfig): void {
  for (const warning of CONFIG_WARNINGS) {
    if (emitted.has(warning.code)) continue
    const message = warning.check(config)
    if (message === undefined) continue
    emitted.add(warning.code)
    process.emitWarning(`watchpost: ${message}`, { type: 'WatchpostWarning', code: warning.code })
  }
}
