/**
 * How long the reliability scenarios run: `WATCHPOST_RELIABILITY=short` (the default, what CI runs:
 * the whole suite in about three minutes on two cores) or `long` (the documented variant: the
 * issue's 60 s outage, 100 crash kills, minute-long fault windows).
 */
export type ProfileName = 'short' | 'long'

export interface Profile {
  readonly name: ProfileName
  /** Steady load of the fault scenarios, events per second. */
  readonly rate: number
  /** Scenario 1: how long the endpoint is down. */
  readonly outageSeconds: number
  /** Scenarios 2–5: how long the fault lasts. */
  readonly faultSeconds: number
  /** Load kept up after the fault ends (recovery under load). */
  readonly tailSeconds: number
  /** Scenario 6: events around the one poison record. */
  readonly poisonEvents: number
  /** Scenario 8: SIGKILLs, and the longest a run lives after its first emit. */
  readonly crashKills: number
  readonly crashMaxRunMs: number
  /**
   * `delivery.retryMaxDelayMs`: the short run caps the backoff so that recovery is seen within the
   * CI budget; the long run keeps the default (60 s), as a user would.
   */
  readonly retryMaxDelayMs: number
  /** Longest wait for everything to be delivered once the fault is over. */
  readonly drainTimeoutMs: number
}

const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  short: {
    name: 'short',
    rate: 500,
    outageSeconds: 12,
    faultSeconds: 8,
    tailSeconds: 2,
    poisonEvents: 5_000,
    crashKills: 20,
    crashMaxRunMs: 1_500,
    retryMaxDelayMs: 4_000,
    drainTimeoutMs: 60_000,
  },
  long: {
    name: 'long',
    rate: 500,
    outageSeconds: 60,
    faultSeconds: 60,
    tailSeconds: 10,
    poisonEvents: 50_000,
    crashKills: 100,
    crashMaxRunMs: 3_000,
    retryMaxDelayMs: 60_000,
    drainTimeoutMs: 180_000,
  },
}

export function profile(): Profile {
  const name = process.env.WATCHPOST_RELIABILITY ?? 'short'
  if (name !== 'short' && name !== 'long')
    throw new TypeError(`WATCHPOST_RELIABILITY must be "short" or "long", not ${JSON.stringify(name)}`)
  return PROFILES[name]
}
