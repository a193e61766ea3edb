/**
 * Events for the load: built by a second instance with no sinks (so building costs what it costs in
 * an app), handed to the instance under test with `emit`, whose boolean says whether it was queued.
 * Four event types, one per ASIM table, so every request partition (stream) is exercised.
 */
import { createWatchpost, type SecurityEvent } from '@watchpost/core'
import { APP } from './app.js'

export type EventFactory = (i: number) => SecurityEvent

export function eventFactory(): EventFactory {
  const builder = createWatchpost({ config: false, app: APP, sinks: [] })
  return (i) => {
    let event: SecurityEvent | undefined
    switch (i & 3) {
      case 0:
        event = builder.record('authz_fail', { userId: `user-${i}`, resource: `/orders/${i}` })
        break
      case 1:
        event = builder.record('authn_login_fail', { userId: `user-${i}`, reason: 'bad_password' })
        break
      case 2:
        event = builder.record('sensitive_read', {
          userId: `user-${i}`,
          object: `report-${i}.csv`,
          records: i,
        })
        break
      default:
        event = builder.record('user_created', { userId: 'admin', newUserId: `user-${i}` })
    }
    if (event === undefined) throw new Error(`could not build event ${i}`)
    return event
  }
}
