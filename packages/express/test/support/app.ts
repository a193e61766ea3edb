/**
 * Real Express apps on 127.0.0.1 for the adapter tests, with Watchpost (an in-memory sink) or bare,
 * built by the same `setup` so their responses can be compared. Express 4 and 5 both.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import net from 'node:net'
import { after } from 'node:test'
import type { CreateRuntime, SecurityEvent, Sink, WatchpostOptions } from '@watchpost/core'
import express5, { type Express } from 'express'
import express4 from 'express4'
import watchpost, { type WatchpostMiddleware } from '../../src/index.js'

export type ExpressFactory = typeof express5

export const VERSIONS: ReadonlyArray<readonly [string, ExpressFactory]> = [
  ['express 5', express5],
  ['express 4', express4],
]

/** Registers the app's routes; `wp` is undefined for the bare twin. */
export type Setup = (app: Express, wp: WatchpostMiddleware | undefined, express: ExpressFactory) => void

export interface TestApp {
  readonly url: string
  readonly server: http.Server
  readonly events: SecurityEvent[]
  readonly wp: WatchpostMiddleware
  /** Flushes and returns the events of one vocabulary name. */
  of(name: string): Promise<SecurityEvent[]>
  close(): Promise<void>
}

export interface StartOptions {
  /** Sinks added after the in-memory one. */
  readonly sinks?: readonly Sink[]
  /** Call `wp.observe(server)` right after listen (default true). */
  readonly observe?: boolean
  /** Runtime settings other than the sinks (the app's logger, …). */
  readonly runtime?: Omit<CreateRuntime, 'sinks'>
}

/**
 * Both twins run with `env` = production so that error pages carry no stack trace: a stack lists
 * every middleware the request went through (Watchpost's too), which is not an answer difference.
 */
function production(app: Express): Express {
  app.set('env', 'production')
  return app
}

async function listen(app: Express): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/**
 * Servers still open. A test closes its apps at its end; one that fails before that leaves them
 * open, and an open server keeps the test process alive: the `after` hook closes them so that a
 * failing test fails the run instead of hanging it.
 */
const running = new Set<() => Promise<void>>()
after(async () => {
  for (const close of running) await close()
})

async function stop(server: http.Server): Promise<void> {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
}

export async function start(
  express: ExpressFactory,
  options: WatchpostOptions,
  setup: Setup,
  startOptions: StartOptions = {},
): Promise<TestApp> {
  const events: SecurityEvent[] = []
  const memory: Sink = {
    name: 'memory',
    async send(batch) {
      events.push(...batch)
    },
    async close() {},
  }
  const wp = watchpost(
    { config: false, sinks: [], ...options },
    { ...startOptions.runtime, sinks: [memory, ...(startOptions.sinks ?? [])] },
  )
  const app = production(express())
  app.use(wp)
  setup(app, wp, express)
  app.use(wp.errors())
  const { server, url } = await listen(app)
  if (startOptions.observe !== false) wp.observe(server)
  async function close(): Promise<void> {
    running.delete(close)
    await stop(server)
    await wp.close()
  }
  running.add(close)
  return {
    url,
    server,
    events,
    wp,
    async of(name) {
      await wp.instance.flush()
      return events.filter((e) => e.EventOriginalType === name)
    },
    close,
  }
}

/** The same app without Watchpost. */
export async function startBare(
  express: ExpressFactory,
  setup: Setup,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = production(express())
  setup(app, undefined, express)
  const { server, url } = await listen(app)
  async function close(): Promise<void> {
    running.delete(close)
    await stop(server)
  }
  running.add(close)
  return { url, close }
}

export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** Headers that legitimately differ between two runs (time) or that Watchpost adds by config (the echo). */
const VOLATILE = new Set(['date', 'x-request-id', 'keep-alive', 'connection'])

export async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init)
  const headers: Record<string, string> = {}
  for (const [k, v] of res.headers) if (!VOLATILE.has(k)) headers[k] = v
  return { status: res.status, headers, body: await res.text() }
}

/** Sends raw bytes and returns everything the server answered until it closed the connection. */
export function raw(url: string, bytes: string): Promise<string> {
  const { port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(bytes))
    let data = ''
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1')
    })
    socket.on('close', () => resolve(data))
    socket.on('error', reject)
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')))
  })
}

/**
 * Sends each request to the app with Watchpost and to its bare twin, in turn, checks that the
 * answers are the same (status, headers but the date and the echoed id, body), and returns them.
 */
export async function sameAnswers(
  withWatchpost: { readonly url: string },
  bare: { readonly url: string },
  requests: ReadonlyArray<readonly [string, RequestInit?]>,
): Promise<Answer[]> {
  const out: Answer[] = []
  for (const [path, init] of requests) {
    const a = await request(withWatchpost.url + path, init)
    const b = await request(bare.url + path, init)
    assert.deepEqual(a, b, `${init?.method ?? 'GET'} ${path}: same answer as without Watchpost`)
    out.push(a)
  }
  return out
}
