/**
 * close() lets the process end: a store closed while its subscription was still connecting leaves
 * no socket or timer behind, for each kind of client. The check is the child's own exit, not a
 * measured time: its guard timer is unref'd, so it only fires if something else holds the loop.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { CLIENT_KINDS } from './support/clients.js'
import { type RedisServer, startRedisServer } from './support/redis-server.js'

const CHILD = fileURLToPath(new URL('./fixtures/close-while-connecting.ts', import.meta.url))

describe('close()', () => {
  let server: RedisServer
  before(async () => {
    server = await startRedisServer()
  })
  after(async () => {
    await server.stop()
  })

  for (const kind of CLIENT_KINDS)
    it(`via ${kind}: a store closed while its subscription connects holds no handle`, async () => {
      const result = await new Promise<{ code: number; out: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', CHILD, kind, String(server.port)],
          { timeout: 60_000 },
          (err, stdout, stderr) =>
            resolve({ code: err === null ? 0 : Number(err.code ?? 1), out: stdout + stderr }),
        )
      })
      assert.equal(result.code, 0, result.out)
    })
})
