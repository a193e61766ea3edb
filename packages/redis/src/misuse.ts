/**
 * Misuse (an option or argument outside the contract) is a TypeError naming the package, the only
 * rejection a store call makes. Core's error registry has no code for this package yet, so these
 * are plain TypeErrors, not coded WatchpostTypeErrors.
 */
export function misuse(detail: string): TypeError {
  return new TypeError(`@watchpost/redis: ${detail}`)
}
