/**
 * `watchpost blocks` end to end: the real bin against a real redis-server, with an app instance in
 * this process sharing the store. A block added from the CLI refuses the instance's requests, a
 * listing shows it, a lift lets them through again; with hashed addresses the CLI finds the block
 * under the address as the app keeps it.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createWatchpost, type Watchpost } from '@watchpost/core'
import { createRedisStateStore, type RedisStateStore } from '@watchpost/redis'
import { Redis } from 'ioredis'
import { freePort, type RedisServer, startRedisServer } from '../../redis/test/support/redis-server.js'
import { cleanEnv, run } from './support/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'watchpost-cli-blocks-'))
const HASHED = join(dir, 'hashed.yaml')
// biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration file's substitution syntax
writeFileSync(HASHED, 'privacy:\n  hashIps: true\n  hashKey: ${TEST_HASH_KEY}\n')
const env = { TEST_HASH_KEY: 'a-key-of-at-least-16-chars' }

/** `watchpost …args`, with `extra` added to the environment. */
const watchpost = (args: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
  run(args, { env: cleanEnv(extra) })

let redis: RedisServer
let client: Redis

interface App {
  readonly watchpost: Watchpost
  readonly store: RedisStateStore
}

/** An app instance on the store under `prefix` (each test its own: one's leftovers never reach another). */
async function app(config: string | false, prefix: string): Promise<App> {
  const store = createRedisStateStore({ client, prefix })
  const wp = createWatchpost(
    { config, sinks: [], spool: { enabled: false } },
    { state: store, env: { ...process.env, ...env } },
  )
  await store.settleWatchers()
  return { watchpost: wp, store }
}

async function close({ watchpost, store }: App) {
  await watchpost.close()
  await store.close()
}

/** Waits until `check` holds: a change reaches an instance through pub/sub, not at once. */
async function until(check: () => boolean, what: string) {
  const deadline = Date.now() + 5000
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within 5 s: ${what}`)
    await sleep(10)
  }
}

before(async () => {
  redis = await startRedisServer()
  client = new Redis(redis.port, '127.0.0.1')
})

after(async () => {
  client.disconnect()
  await redis.stop()
})

describe('watchpost blocks', () => {
  test('add, list and lift reach a running instance through Redis', async () => {
    const instance = await app(false, 'cli-test-a:')
    const store = ['--redis', redis.url, '--prefix', 'cli-test-a:']
    try {
      const start = Date.now()
      const added = await watchpost([
        'blocks',
        'add',
        '--source',
        '203.0.113.9',
        '--seconds',
        '600',
        ...store,
      ])
      assert.equal(added.code, 0, added.stderr)
      assert.match(added.stdout, /Blocked source 203\.0\.113\.9 for 600 s/)
      await until(
        () => instance.watchpost.rules.blocked({ source: '203.0.113.9' }) !== undefined,
        'block seen',
      )
      assert.equal(instance.watchpost.rules.blocked({ source: '203.0.113.9' })?.rule, 'manual')

      const listed = await watchpost(['--json', 'blocks', 'list', ...store])
      assert.equal(listed.code, 0, listed.stderr)
      const { blocks } = JSON.parse(listed.stdout) as {
        blocks: { kind: string; value: string; until: number }[]
      }
      assert.deepEqual(
        blocks.map((b) => [b.kind, b.value]),
        [['source', '203.0.113.9']],
      )
      // Set for 600 s from the moment the command ran, which lies between `start` and now.
      const blockedUntil = blocks[0]?.until ?? 0
      assert.ok(
        blockedUntil >= start + 600_000 && blockedUntil <= Date.now() + 600_000,
        String(blockedUntil - start),
      )

      const text = await watchpost(['blocks', ...store])
      assert.match(text.stdout, /^source 203\.0\.113\.9 {2}until .* rule manual$/m)

      const lifted = await watchpost(['blocks', 'lift', '--source', '203.0.113.9', ...store])
      assert.equal(lifted.code, 0, lifted.stderr)
      await until(
        () => instance.watchpost.rules.blocked({ source: '203.0.113.9' }) === undefined,
        'block lifted',
      )

      const again = await watchpost(['--json', 'blocks', 'lift', '--source', '203.0.113.9', ...store])
      assert.equal(again.code, 1)
      assert.equal((JSON.parse(again.stdout) as { lifted: boolean }).lifted, false)
    } finally {
      await close(instance)
    }
  })

  test('with hashed addresses the CLI blocks the address as the app keeps it', async () => {
    const instance = await app(HASHED, 'cli-test-b:')
    const store = ['--redis', redis.url, '--prefix', 'cli-test-b:', '--config', HASHED]
    try {
      const added = await watchpost(
        ['blocks', 'add', '--source', '198.51.100.7', '--seconds', '60', ...store],
        env,
      )
      assert.equal(added.code, 0, added.stderr)
      await until(
        () => instance.watchpost.rules.blocked({ source: '198.51.100.7' }) !== undefined,
        'block seen',
      )
      const listed = await watchpost(['--json', 'blocks', ...store], env)
      const { blocks } = JSON.parse(listed.stdout) as { blocks: { value: string }[] }
      assert.equal(blocks.length, 1)
      assert.notEqual(blocks[0]?.value, '198.51.100.7', 'the address is kept hashed, as in events')
      const lifted = await watchpost(['blocks', 'lift', '--source', '198.51.100.7', ...store], env)
      assert.equal(lifted.code, 0, lifted.stderr)
      await until(
        () => instance.watchpost.rules.blocked({ source: '198.51.100.7' }) === undefined,
        'block lifted',
      )
    } finally {
      await close(instance)
    }
  })

  test('a user block is shared like a source block', async () => {
    const instance = await app(false, 'cli-test-c:')
    const store = ['--redis', redis.url, '--prefix', 'cli-test-c:']
    try {
      const added = await watchpost(['blocks', 'add', '--user', 'alice', '--seconds', '30', ...store])
      assert.equal(added.code, 0, added.stderr)
      await until(() => instance.watchpost.rules.blocked({ user: 'alice' }) !== undefined, 'user block seen')
      assert.equal((await watchpost(['blocks', 'lift', '--user', 'alice', ...store])).code, 0)
      await until(
        () => instance.watchpost.rules.blocked({ user: 'alice' }) === undefined,
        'user block lifted',
      )
    } finally {
      await close(instance)
    }
  })

  test('wrong usage and an unreachable Redis are one clear message each', async () => {
    const both = await watchpost([
      'blocks',
      'add',
      '--source',
      '192.0.2.1',
      '--user',
      'bob',
      '--seconds',
      '5',
    ])
    assert.equal(both.code, 2)
    assert.match(both.stderr, /name one target: --source <address> or --user <name>/)
    const seconds = await watchpost(['blocks', 'add', '--user', 'bob', '--seconds', 'soon'])
    assert.equal(seconds.code, 2)
    assert.match(seconds.stderr, /--seconds must be a positive whole number, not soon/)
    const down = await watchpost(['blocks', '--redis', `redis://127.0.0.1:${await freePort()}`])
    assert.equal(down.code, 1)
    assert.match(down.stderr, /^watchpost: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/)
    assert.doesNotMatch(down.stderr, /\n\s+at /, 'no stack trace')
  })
})
