/** Errors the emulator itself throws (start-up problems). Wire errors are HTTP responses, see http.ts. */

export type EmulatorErrorCode =
  | 'ERR_WATCHPOST_EMULATOR_DCR_INVALID'
  | 'ERR_WATCHPOST_EMULATOR_TLS_FAILED'
  | 'ERR_WATCHPOST_EMULATOR_LISTEN_FAILED'

export class EmulatorError extends Error {
  override readonly name = 'EmulatorError'
  readonly code: EmulatorErrorCode

  constructor(code: EmulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(`@watchpost/emulator: ${message}`, options)
    this.code = code
  }
}
