/**
 * Type tests for the public API, checked by `npm run typecheck` (tsc --noEmit): each
 * `@ts-expect-error` fails the check if the line it guards starts to compile.
 */
import { createWatchpost, type SecurityEvent, type WatchpostOptions } from '../../src/index.js'

const wp = createWatchpost({ config: false })

// Namespaced builders autocomplete and take typed parameters.
const e: SecurityEvent | undefined = wp.events.authn.loginFail({ userId: 'bob', reason: 'bad_password' })
wp.events.sys.startup()
wp.events.upload.validation({ filename: 'a.png', outcome: 'failed' })
wp.events.excess.rateLimitExceeded({ max: 10 }, { statusCode: 429, count: 3 })
void e?.EventUid.toUpperCase()

// @ts-expect-error a required parameter is missing
wp.events.authn.jwtFail({})
// @ts-expect-error not one of the enum values
wp.events.authn.jwtFail({ reason: 'nope' })
// @ts-expect-error ints are numbers
wp.events.authn.loginFailMax({ userId: 'a', maxLimit: 'five' })
// @ts-expect-error unknown parameter
wp.events.authn.loginSuccess({ userId: 'a', password: 'x' })
// @ts-expect-error unknown event
wp.events.authn.loginFailed({ userId: 'a' })
// @ts-expect-error unknown event name
wp.record('authn_login_failed')
wp.record('authn_login_fail', { userId: 'a' })

// Options have the config file's shape.
const options: WatchpostOptions = {
  app: { name: 'shop' },
  trustProxy: (addr: string) => addr === '10.0.0.1',
  detectors: { notFound: { threshold: 15 } },
  sinks: [
    { type: 'console', format: 'json' },
    { type: 'file', path: './events.jsonl' },
  ],
}
// @ts-expect-error threshold is a number
const bad: WatchpostOptions = { detectors: { notFound: { threshold: 'ten' } } }
// @ts-expect-error a file sink needs a path
const noPath: WatchpostOptions = { sinks: [{ type: 'file' }] }
void options
void bad
void noPath
