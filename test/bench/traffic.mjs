// The traffic of the wall-clock bench (frameworks.bench.mjs), defined once. Each traffic is a list of
// request templates, each with the statuses the bench app answers it with (in every variant: Watchpost
// never changes a response), so that a window whose status mix differs is flagged, not reported.
//   hello  GET /hello: the cheapest request, no event
//   json   POST /json with a ≈ 4 KB JSON order, echoed back: body parsing and serialising, no event
//   mix    scanners, probes and failed logins from 50 source addresses among benign requests
//   login  POST /login where the app records a failed login itself (`loginFail`): one event per
//          request, not aggregated; the costliest case, not in the default selection
import { createHmac } from 'node:crypto'
import bench from './bench-app.cjs'
import { JSON_BODY_BYTES, ORDER } from './order.mjs'

/** A compact JWT: HS256-signed with `secret`, or unsigned (`alg: none`) without one. */
function jwt(payload, secret) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${b64({ alg: secret === undefined ? 'none' : 'HS256', typ: 'JWT' })}.${b64(payload)}`
  return secret === undefined
    ? `${input}.`
    : `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

const now = Math.floor(Date.now() / 1000)
const TOKENS = {
  valid: jwt({ sub: 'user-1742', iat: now, exp: now + 86_400 }, bench.JWT_SECRET),
  expired: jwt({ sub: 'user-1742', iat: now - 7_200, exp: now - 3_600 }, bench.JWT_SECRET),
  forged: jwt({ sub: 'admin', iat: now, exp: now + 86_400 }, 'a guessed secret, not the key'),
  unsigned: jwt({ sub: 'admin', iat: now, exp: now + 86_400 }),
}

const JSON_HEADERS = { 'content-type': 'application/json' }
const bearer = (token) => ({ authorization: `Bearer ${token}` })
const get = (path, expect = [200], headers = {}) => ({ method: 'GET', path, headers, expect })
// Bodies as buffers: the load generator builds the mix's requests one by one and should not encode
// them each time.
const post = (path, body, expect) => ({
  method: 'POST',
  path,
  headers: JSON_HEADERS,
  body: Buffer.from(body),
  expect,
})
const login = (username) => post('/signin', JSON.stringify({ username, password: 'Summer2024!' }), [401])

/**
 * The attack mix, one cycle of 41 requests (a prime: over 41 × 50 requests every template comes from
 * every source address). Every request carries `X-Forwarded-For`, rotated over 198.51.100.1–50, and
 * the servers trust the loopback proxy, so each source has its own detector windows: the detectors
 * report the first occurrences per source and window one by one and the rest as one aggregate event
 * (docs/detectors.md), so the mix is not one event per request.
 */
const MIX = [
  // Benign, 16 of 41: what the app serves its users (no event).
  ...Array(9).fill(get('/hello')),
  ...Array(3).fill(post('/json', ORDER, [200])),
  ...Array(4).fill(get('/api/me', [200], bearer(TOKENS.valid))), // a JWT verified and accepted
  // Forced browsing, 12: 404s to paths only scanners ask for (notFound: `access_not_found` at once,
  // capped per source) and to paths that merely do not exist; all count toward the source's 404
  // flood (`malicious_excess_404` at 20 in a minute).
  ...[
    '/wp-admin/',
    '/wp-login.php',
    '/.env',
    '/.git/config',
    '/phpmyadmin/',
    '/backup.zip',
    '/config.php.bak',
    '/.aws/credentials',
    '/actuator/env',
    '/server-status',
    '/admin',
    '/api/v1/users/export',
  ].map((path) => get(path, [404])),
  // Path traversal with a null byte: a 404, and a protocol violation (`null_byte_in_path`).
  get('/download?file=../../../../etc/passwd%00.png', [404]),
  // Failed logins, 5, over five user names: 401s the app does not record itself; the authFailure
  // detector reports 10 per source and minute, then one aggregate (`authn_unauthorized`).
  ...['admin', 'root', 'alex.martin', 'test', 'support'].map(login),
  // Bearer tokens the verifier refuses, 3 (jwt detector, `authn_jwt_fail` with the reason; the 401
  // is not reported again by authFailure): expired, signed with another key, `alg: none`.
  get('/api/me', [401], bearer(TOKENS.expired)),
  get('/api/me', [401], bearer(TOKENS.forged)),
  get('/api/me', [401], bearer(TOKENS.unsigned)),
  // A method the app does not serve (protocol: `malicious_unexpected_method`; notFound skips its
  // 404). TRACE, not PROPFIND: autocannon only sends the methods of RFC 7231 and PATCH.
  { method: 'TRACE', path: '/', headers: {}, expect: [404] },
  // Odd headers: two Host headers (protocol: `duplicate_header`, host confusion); Node keeps the first.
  get('/hello', [200], { Host: 'shop.example', host: 'internal.example' }),
  // A cross-origin read from an origin the app does not allow (cors, inferred: no
  // Access-Control-Allow-Origin in the answer).
  get('/api/me', [200], { ...bearer(TOKENS.valid), origin: 'https://evil.example' }),
  // A JSON body cut short (malformedBody: `input_validation_malformed_body`, invalid_json).
  post('/json', '{"orderId": "ord_01HZX3K9Q2W8E5R7', [400]),
]

/** Source addresses of the mix: 198.51.100.1–50 (TEST-NET-2). */
export const SOURCES = 50

const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b))
if (gcd(MIX.length, SOURCES) !== 1) throw new Error('the mix cycle must be coprime with the sources')
/** The mix in the order it is sent: every 17th template, so that the kinds above are interleaved. */
const CYCLE = MIX.map((_, i) => MIX[(i * 17) % MIX.length])

export const TRAFFIC = {
  hello: { label: 'GET /hello', templates: [get('/hello')], sources: 0 },
  json: {
    label: `POST /json ${JSON_BODY_BYTES / 1024} KB`,
    templates: [post('/json', ORDER, [200])],
    sources: 0,
  },
  mix: { label: 'attack mix', templates: CYCLE, sources: SOURCES },
  login: {
    label: 'failed login, event per request',
    templates: [post('/login', JSON.stringify({ username: 'alice', password: 'guess' }), [401])],
    sources: 0,
  },
}

export const DEFAULT_TRAFFIC = ['hello', 'json', 'mix']

/**
 * autocannon's `requests` for one window of `traffic`, and `tally`, where each response is checked
 * against its template: `{ responses, unexpected: { '<status> to <method> <path>': count } }`. A
 * traffic of one template without sources is one static request (built once: the load generator
 * stays cheap); otherwise `setupRequest` picks request i's template (i modulo the cycle) and source
 * (i modulo 50) from a counter shared by all connections, so every window sends the same sequence.
 */
export function requestsFor(traffic) {
  const tally = { responses: 0, unexpected: {} }
  const check = (template, status) => {
    tally.responses++
    if (!template.expect.includes(status)) {
      const key = `${status} to ${template.method} ${template.path}`
      tally.unexpected[key] = (tally.unexpected[key] ?? 0) + 1
    }
  }
  const { templates, sources } = TRAFFIC[traffic]
  if (templates.length === 1 && sources === 0) {
    const [template] = templates
    const { expect: _, ...request } = template
    return { requests: [{ ...request, onResponse: (status) => check(template, status) }], tally }
  }
  let i = 0
  const request = {
    setupRequest(req, context) {
      const template = templates[i % templates.length]
      const source = `198.51.100.${1 + (i % sources)}`
      i++
      context.template = template
      return {
        ...req,
        method: template.method,
        path: template.path,
        headers: { ...template.headers, 'x-forwarded-for': source },
        body: template.body,
      }
    },
    onResponse: (status, _body, context) => check(context.template, status),
  }
  return { requests: [request], tally }
}
