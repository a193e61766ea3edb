/**
 * Misuse (an option or argument outside the contract) is a coded TypeError naming the package
 * (`ERR_WATCHPOST_REDIS_USAGE_INVALID`, docs/errors.md), the only rejection a store call makes.
 */
import { WatchpostTypeError } from '@watchpost/core'

export function misuse(detail: string): TypeError {
  return new WatchpostTypeError('ERR_WATCHPOST_REDIS_USAGE_INVALID', detail)
}
