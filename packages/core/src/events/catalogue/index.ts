/**
 * The event catalogue: every event of the OWASP Application Logging Vocabulary plus the events
 * Watchpost's own detectors need, grouped by namespace so that `events.authn.loginFail(...)`
 * autocompletes. `EVENTS_BY_NAME` indexes them by their vocabulary name.
 */
import type { EventDef } from '../define.js'
import { authn, session } from './authn.js'
import { access, authz, privilege } from './authz.js'
import { crypt, excess, sensitiveData, sequence } from './data.js'
import { inputValidation, upload } from './input.js'
import { malicious, mcp } from './malicious.js'
import { accessBlocked, rule } from './rules.js'
import { sys } from './system.js'
import { user } from './users.js'

export const CATALOGUE = {
  authn,
  session,
  authz,
  access: { ...access, ...accessBlocked },
  privilege,
  crypt,
  excess,
  upload,
  inputValidation,
  malicious,
  mcp,
  sensitive: sensitiveData,
  sequence,
  sys,
  user,
  rule,
}

export type Catalogue = typeof CATALOGUE
export type Namespace = keyof Catalogue

/** Every event definition, by its vocabulary name (`authn_login_fail`). */
export const EVENTS_BY_NAME: ReadonlyMap<string, EventDef> = new Map(
  Object.values(CATALOGUE).flatMap((ns) =>
    Object.values(ns as unknown as Record<string, EventDef>).map((def) => [def.name, def] as const),
  ),
)

export type EventName = {
  [N in Namespace]: {
    [M in keyof Catalogue[N]]: Catalogue[N][M] extends { name: infer S } ? S : never
  }[keyof Catalogue[N]]
}[Namespace]

export { JWT_FAIL_REASONS, LOGIN_FAIL_REASONS, LOGON_METHODS } from './authn.js'
export { MALFORMED_BODY_REASONS } from './input.js'
export { INJECTION_EVENTS, PROTOCOL_VIOLATIONS } from './malicious.js'
