/**
 * Errors the emulator itself throws (start-up problems); their codes, messages and docs are in core's
 * registry with every other Watchpost error. Wire errors are HTTP responses, see http.ts.
 */
import { WatchpostError, type WatchpostErrorCodeOf } from '@watchpost/core'

export type EmulatorErrorCode = WatchpostErrorCodeOf<'EmulatorError'>

/** `C` narrows the codes `new EmulatorError` accepts to the emulator's. */
export class EmulatorError<C extends EmulatorErrorCode = EmulatorErrorCode> extends WatchpostError<C> {}
