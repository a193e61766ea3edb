/**
 * Real events for the tests, recorded by core inside real requests (so that they carry a source
 * address and a correlation id) and delivered by the sinks given — a file sink's JSON Lines, or the
 * emulator through the sentinel sink.
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createWatchpost, type EventName, type SecurityEvent, type WatchpostOptions } from '@watchpost/core'

/** A sink entry as a configuration gives it (defaulted options left out). */
export type SinkEntry = NonNullable<WatchpostOptions['sinks']>[number]

export interface EventSpec {
  readonly name: EventName
  readonly params?: Record<string, unknown>
  /** The request's `x-request-id`: its correlation id. */
  readonly requestId?: string
  /** The client address, as a trusted proxy reports it (`x-forwarded-for`). */
  readonly source?: string
}

/** A shop's events: both results of a login, a refused access, a data read, a new user; two sources. */
export const SHOP_EVENTS: readonly EventSpec[] = [
  {
    name: 'authn_login_fail',
    params: { userId: 'mallory', reason: 'bad_password' },
    requestId: 'req-1',
    source: '203.0.113.9',
  },
  { name: 'authn_login_success', params: { userId: 'alice' }, requestId: 'req-2', source: '198.51.100.7' },
  {
    name: 'authz_fail',
    params: { userId: 'mallory', resource: '/admin' },
    requestId: 'req-3',
    source: '203.0.113.9',
  },
  {
    name: 'sensitive_read',
    params: { userId: 'alice', object: 'payroll.csv' },
    requestId: 'req-4',
    source: '198.51.100.7',
  },
  {
    name: 'user_created',
    params: { userId: 'alice', newUserId: 'carol' },
    requestId: 'req-5',
    source: '198.51.100.7',
  },
]

/** Records each spec in its own request, closes the instance (everything delivered) and returns the events. */
export async function recordEvents(
  sinks: SinkEntry[],
  specs: readonly EventSpec[],
): Promise<SecurityEvent[]> {
  const wp = createWatchpost({
    config: false,
    app: { name: 'shop', version: '1.0.0', environment: 'test', host: 'web-01' },
    trustProxy: 'loopback',
    sinks,
    spool: { enabled: false },
    delivery: { deadLetter: { path: false }, lingerMs: 0 },
  })
  const events: SecurityEvent[] = []
  const server: Server = createServer((req, res) => {
    const spec = specs[Number(req.headers['x-spec'])]!
    const event = wp.record(spec.name, spec.params ?? {}, { context: wp.context(req, res) })
    if (event !== undefined) events.push(event)
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  try {
    for (const [index, spec] of specs.entries()) {
      await new Promise<void>((resolve, reject) => {
        const headers: Record<string, string> = { 'x-spec': String(index) }
        if (spec.requestId !== undefined) headers['x-request-id'] = spec.requestId
        if (spec.source !== undefined) headers['x-forwarded-for'] = spec.source
        request({ port, host: '127.0.0.1', path: '/login', method: 'POST', headers }, (res) => {
          res.resume().on('end', resolve)
        })
          .on('error', reject)
          .end()
      })
    }
  } finally {
    await new Promise((resolve) => server.close(resolve))
    await wp.close()
  }
  return events
}
