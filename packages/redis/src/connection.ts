/**
 * The two clients behind one small interface: a raw command, and a subscriber on a duplicate
 * connection. Which client it is comes from its API (ioredis has `call` and a `status` string,
 * node-redis has `sendCommand` and an `isOpen` boolean), never from `instanceof`: the app's copy of
 * the client library need not be the one this package would load, and neither is a dependency.
 */
import { misuse } from './misuse.js'

/** An ioredis 5 client (`new Redis(…)`), as far as this package uses it. */
export interface IoredisClientLike {
  readonly status: string
  call(...args: never[]): unknown
  duplicate(...args: never[]): unknown
}

/** A node-redis 4 or 5 client (`createClient(…)`, connected), as far as this package uses it. */
export interface NodeRedisClientLike {
  readonly isOpen: boolean
  sendCommand(...args: never[]): unknown
  duplicate(...args: never[]): unknown
}

export type RedisClientLike = IoredisClientLike | NodeRedisClientLike

/** A subscription on its own connection. */
export interface Subscription {
  /** Settles when the server has confirmed the SUBSCRIBE (rejects when it could not be made). */
  readonly ready: Promise<void>
  /** A round trip through the subscriber connection: every message published before it has arrived. */
  ping(): Promise<void>
  /** Closes the duplicate connection at once (no QUIT round trip: the server may be gone). */
  close(): void
}

export interface Connection {
  readonly kind: 'ioredis' | 'node-redis'
  /** Sends one command (`['EVALSHA', sha, '2', …]`); the reply as the client decodes it. */
  command(args: readonly string[]): Promise<unknown>
  /**
   * Subscribes to `channel` on a duplicate of the app's connection (the app's own is never put into
   * subscriber mode). Connection errors go to `onError`, so that they never reach the process as an
   * unhandled `error` event.
   */
  subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onError: (error: unknown) => void,
  ): Subscription
}

type Listener = (...args: never[]) => void

interface Emitter {
  on(event: string, listener: Listener): unknown
  once(event: string, listener: Listener): unknown
}

interface Ioredis extends Emitter {
  readonly status: string
  call(command: string, ...args: string[]): Promise<unknown>
  duplicate(override?: { readonly disconnectTimeout?: number }): Ioredis
  connect(): Promise<unknown>
  subscribe(channel: string): Promise<unknown>
  ping(): Promise<unknown>
  disconnect(): void
}

interface NodeRedis extends Emitter {
  readonly isOpen: boolean
  sendCommand(args: string[]): Promise<unknown>
  duplicate(): NodeRedis
  connect(): Promise<unknown>
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>
  ping(): Promise<unknown>
  /** v5 (v4 has only `disconnect`, which v5 keeps as a deprecated name). */
  destroy?(): unknown
  disconnect(): Promise<unknown>
  readonly isReady: boolean
  unref(): void
}

/**
 * How long a node-redis subscriber still being connected when closed is given to connect, so that
 * it can then be closed: past it the attempt is abandoned.
 */
const CONNECTING_GRACE_MS = 1000

/** Runs `fn`, turning a synchronous throw into a rejection. */
function attempt<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn()
  } catch (error) {
    return Promise.reject(error)
  }
}

function ignore(): void {}

export function connect(client: RedisClientLike): Connection {
  const c = client as unknown as Record<string, unknown>
  if (typeof c.call === 'function' && typeof c.status === 'string')
    return ioredis(client as unknown as Ioredis)
  if (typeof c.sendCommand === 'function' && typeof c.isOpen === 'boolean')
    return nodeRedis(client as unknown as NodeRedis)
  throw misuse(
    '`client` must be an ioredis 5 client or a node-redis 4/5 client (createClient()), connected by the app',
  )
}

function ioredis(client: Ioredis): Connection {
  return {
    kind: 'ioredis',
    command: ([name, ...args]) => attempt(() => client.call(name!, ...args)),
    subscribe(channel, onMessage, onError) {
      // disconnectTimeout 0: ioredis ends the socket and destroys it only after this timeout (2 s by
      // default) if it has not closed; a socket still connecting when closed never does (nothing
      // reads it), so with the default a process that closed the store stays alive 2 s longer.
      const sub = client.duplicate({ disconnectTimeout: 0 })
      sub.on('error', onError)
      sub.on('message', ((from: string, message: string) => {
        if (from === channel) onMessage(message)
      }) as Listener)
      // SUBSCRIBE once connected: the duplicate has the app's options, and without the offline queue
      // (enableOfflineQueue: false) a command sent before that fails; with lazyConnect it would
      // not connect by itself.
      const connected =
        sub.status === 'wait'
          ? attempt(() => sub.connect())
          : sub.status === 'ready'
            ? Promise.resolve()
            : new Promise<void>((resolve) => sub.once('ready', resolve))
      const ready = connected.then(() => sub.subscribe(channel)).then(ignore)
      return {
        ready,
        ping: () => attempt(() => sub.ping()).then(ignore),
        close: () => sub.disconnect(),
      }
    },
  }
}

function nodeRedis(client: NodeRedis): Connection {
  return {
    kind: 'node-redis',
    command: (args) => attempt(() => client.sendCommand([...args])),
    subscribe(channel, onMessage, onError) {
      const sub = client.duplicate()
      sub.on('error', onError)
      const connected = attempt(() => sub.connect())
      const ready = connected.then(() => sub.subscribe(channel, onMessage)).then(ignore)
      // destroy (v5) / disconnect (v4) close the socket without QUIT; a rejection (already closed,
      // never connected) is nothing to report.
      const end = () =>
        attempt(async () => (typeof sub.destroy === 'function' ? sub.destroy() : sub.disconnect())).catch(
          ignore,
        )
      return {
        ready,
        ping: () => attempt(() => sub.ping()).then(ignore),
        close: () => {
          if (sub.isReady || !sub.isOpen) return void end()
          // node-redis (4 and 5) loses a close that comes while the socket is being made: the
          // socket then opens and stays open, and the client refuses any later close. So a
          // subscriber still connecting is closed once connected, or given up after a grace (the
          // retries stop; a socket still being made is unref'd, so it cannot hold the process).
          sub.unref()
          const timer = setTimeout(end, CONNECTING_GRACE_MS)
          const stop = () => {
            clearTimeout(timer)
            end()
          }
          connected.then(stop, stop)
        },
      }
    },
  }
}
