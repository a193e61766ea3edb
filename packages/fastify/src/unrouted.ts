/**
 * Requests Fastify answers before any hook runs: a target its router cannot decode (`FST_ERR_BAD_URL`,
 * a broken or overlong percent escape) or a path parameter over `maxParamLength` get a 400 written
 * straight to Node's response, so the plugin's onSend never sees them — and they are what probes for
 * CR/LF injection and encoding tricks look like. They are observed through Node's
 * `http.server.response.finish` diagnostics channel: a 400 this plugin did not see in onSend is one
 * of them. The only cost to other responses is Node publishing to the channel and one status check;
 * the 400s onSend sees are remembered in a WeakSet (400s are rare).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'

const CHANNEL = 'http.server.response.finish'

interface FinishMessage {
  readonly request: IncomingMessage
  readonly response: ServerResponse
  readonly server: Server
}

export interface UnroutedWatch {
  /** onSend saw this 400 (the app's or Fastify's error handler's): not one Fastify wrote alone. */
  seen(res: ServerResponse): void
  stop(): void
}

/** Calls `observe` for each 400 response of `server` that never reached a hook. */
export function watchUnrouted(
  server: Server,
  observe: (req: IncomingMessage, res: ServerResponse) => void,
): UnroutedWatch {
  const seen = new WeakSet<ServerResponse>()
  const onFinish = (message: unknown) => {
    const { request, response, server: from } = message as FinishMessage
    if (response.statusCode !== 400 || from !== server || seen.has(response)) return
    try {
      observe(request, response)
    } catch {
      // Observing never breaks the server.
    }
  }
  subscribe(CHANNEL, onFinish)
  return {
    seen(res) {
      seen.add(res)
    },
    stop() {
      unsubscribe(CHANNEL, onFinish)
    },
  }
}
