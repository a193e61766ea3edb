import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { type ContextState, kFlags, kHeaderValues, kOwner, kScope } from '../../src/context/state.js'
import type { RequestContext } from '../../src/context/types.js'

/** A fully populated request context for builder tests that do not need a server. */
export function fakeContext(overrides: Partial<RequestContext> = {}): RequestContext {
  const request = overrides.request ?? new IncomingMessage(new Socket())
  const ctx: ContextState = {
    correlationId: '4bf92f3577b34da6a3ce929d0e0e4736',
    correlationSource: 'traceparent',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    parentSpanId: '00f067aa0ba902b7',
    requestId: undefined,
    startTime: Date.now() - 5,
    clientIp: '203.0.113.7',
    clientPort: 51234,
    forwardedFor: undefined,
    method: 'POST',
    url: '/login?next=%2Fhome',
    host: 'shop.example.com',
    userAgent: 'Mozilla/5.0',
    referer: 'https://shop.example.com/login',
    httpVersion: '1.1',
    route: '/login',
    userId: 'alice',
    sessionId: 's3ss10n',
    request,
    headers: request.headers,
    [kFlags]: 0,
    [kScope]: undefined,
    [kOwner]: undefined,
    // No values by slot: core reads each header by name (context/header-slots.ts).
    [kHeaderValues]: [],
    ...overrides,
  }
  return ctx
}
