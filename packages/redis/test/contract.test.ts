/**
 * Core's StateStore contract (packages/core/test/support/state-store-contract.ts, the suite the
 * memory store passes) against a real redis-server, through each kind of client. Each store gets a
 * prefix of its own, so each starts empty.
 */
import { after } from 'node:test'
import { stateStoreContract } from '../../core/test/support/state-store-contract.js'
import { createRedisStateStore, type RedisStateStore } from '../src/index.js'
import { CLIENT_KINDS, openClient, type TestClient } from './support/clients.js'
import { startRedisServer } from './support/redis-server.js'

const server = await startRedisServer()
const clients: TestClient[] = []
after(async () => {
  for (const client of clients) await client.close()
  await server.stop()
})

let made = 0
for (const kind of CLIENT_KINDS) {
  const client = await openClient(kind, server.port)
  clients.push(client)
  let current: RedisStateStore | undefined
  stateStoreContract(`redis via ${kind}`, {
    make: () => {
      current = createRedisStateStore({ client: client.client, prefix: `contract${++made}:` })
      return current
    },
    settle: async () => current?.settleWatchers(),
  })
}
