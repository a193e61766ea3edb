/**
 * The app's client, of each kind the package supports: ioredis 5, node-redis 5 (`redis`) and
 * node-redis 4 (`redis4`, an npm alias of redis@4). Connected; reconnecting every 50 ms after a loss,
 * so that the outage tests need not wait out the clients' default back-off.
 */
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { createClient as createClient4 } from 'redis4'
import type { RedisClientLike } from '../../src/index.js'

export const CLIENT_KINDS = ['ioredis', 'redis5', 'redis4'] as const
export type ClientKind = (typeof CLIENT_KINDS)[number]

export interface TestClient {
  readonly kind: ClientKind
  readonly client: RedisClientLike
  /** Any command, the reply as the client gives it. */
  command(...args: string[]): Promise<unknown>
  close(): Promise<void>
}

export async function openClient(kind: ClientKind, port: number): Promise<TestClient> {
  if (kind === 'ioredis') {
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => 50 })
    client.on('error', () => {}) // connection losses are the point of some tests
    await client.connect()
    return {
      kind,
      client,
      command: (name, ...args) => client.call(name, ...args),
      close: async () => client.disconnect(),
    }
  }
  const socket = { host: '127.0.0.1', port, reconnectStrategy: () => 50 }
  if (kind === 'redis5') {
    const client = createClient({ socket })
    return nodeRedis(kind, client, async () => client.destroy())
  }
  const client = createClient4({ socket })
  return nodeRedis(kind, client, async () => {
    if (client.isOpen) await client.disconnect()
  })
}

/** What the tests use of either node-redis major (their client types differ). */
interface NodeRedisClient {
  on(event: 'error', listener: () => void): unknown
  connect(): Promise<unknown>
  sendCommand(args: string[]): Promise<unknown>
}

async function nodeRedis(
  kind: ClientKind,
  client: NodeRedisClient & RedisClientLike,
  close: () => Promise<void>,
): Promise<TestClient> {
  client.on('error', () => {})
  await client.connect()
  return { kind, client, command: (...args) => client.sendCommand(args), close }
}
