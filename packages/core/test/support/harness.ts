/**
 * A plain node:http app wired to Watchpost the way an adapter does it (context, requestStart,
 * responseFinish on 'finish', clientError observation), with an in-memory sink.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after } from 'node:test'
import type { RequestContext, SecurityEvent, Sink, Watchpost, WatchpostOptions } from '../../src/index.js'
import { type AdapterCore, createAdapterCore, observeClientErrors } from '../../src/sdk.js'

export interface Harness {
  readonly wp: Watchpost
  /** The signals, as an adapter sends them. */
  readonly signals: AdapterCore['signals']
  readonly server: http.Server
  readonly url: string
  readonly events: SecurityEvent[]
  /** Flushes and returns the events of one vocabulary name. */
  of(name: string): Promise<SecurityEvent[]>
  close(): Promise<void>
}

export type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => void

// A test that fails before its own close() leaves its harness open: closed when the file ends, so
// a failure never keeps the test file running.
const running = new Set<() => Promise<void>>()
after(async () => {
  for (const close of [...running]) await close()
})

export async function harness(
  options: WatchpostOptions,
  handler: Handler,
  serverOptions: http.ServerOptions = {},
): Promise<Harness> {
  const events: SecurityEvent[] = []
  const sink: Sink = {
    name: 'memory',
    async send(batch) {
      events.push(...batch)
    },
    async close() {},
  }
  const core = createAdapterCore({ config: false, sinks: [], ...options }, { sinks: [sink] })
  const { watchpost: wp, signals } = core
  const server = http.createServer(serverOptions, (req, res) => {
    const ctx = core.open(req, res)
    signals.requestStart(ctx)
    // A handler that parses the body leaves it on `req.body`, as body parsers do.
    res.on('finish', () => signals.responseFinish(ctx, res, (req as { body?: unknown }).body))
    handler(req, res, ctx)
  })
  observeClientErrors(server, (info) => signals.clientError(info))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  async function close(): Promise<void> {
    if (!running.delete(close)) return
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await wp.close()
  }
  running.add(close)
  return {
    wp,
    signals,
    server,
    url,
    events,
    async of(name) {
      await wp.flush()
      return events.filter((e) => e.EventOriginalType === name)
    },
    close,
  }
}

/** Answers with the status given in the `status` query parameter (404 by default). */
export const statusFromQuery: Handler = (req, res) => {
  const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? 404)
  res.statusCode = status
  res.end()
}
