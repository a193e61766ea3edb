// The client side of instructions.mjs and ic-misses.mjs: the traffic they send, one request at a
// time over one keep-alive connection, to a server started with `instructions.mjs --serve`.
import http from 'node:http'
import { ORDER } from './order.mjs'

export const TRAFFIC = {
  hello: { method: 'GET', path: '/hello' },
  json: {
    method: 'POST',
    path: '/json',
    body: JSON.stringify({ item: 'book', qty: 2, note: 'gift wrap please' }),
  },
  attack: { method: 'POST', path: '/login', body: JSON.stringify({ username: 'alice', password: 'guess' }) },
  // The wall-clock bench's 4 KB JSON order (order.mjs): every value of the body is inspected.
  order: { method: 'POST', path: '/json', body: ORDER },
}

/** The port a `--serve` child prints once it listens. */
export async function ready(child) {
  let out = ''
  for await (const chunk of child.stdout) {
    out += chunk
    const m = out.match(/ready (\d+)/)
    if (m) return Number(m[1])
  }
  throw new Error('server did not start')
}

export function send(agent, port, { method, path, body }) {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' }
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      res.resume()
      res.on('end', resolve)
    })
    req.on('error', reject)
    req.end(body)
  })
}
