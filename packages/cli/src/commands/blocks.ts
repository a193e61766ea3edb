/**
 * `watchpost blocks [list|add|lift]`: the blocks every app instance shares through Redis
 * (`@watchpost/redis`), listed, set and lifted from a terminal. A block set or lifted here reaches
 * the running instances through the store's pub/sub notice, as one set by a rule does.
 *
 * The command goes through a Watchpost instance built from the app's configuration (no sinks, no
 * spool) rather than writing the keys itself, so that a source address is redacted exactly as the
 * app redacts it (`redaction.ip`: a block is kept under the address as events carry it).
 */
import { createWatchpost, type Watchpost } from '@watchpost/core'
import { createRedisStateStore, type RedisStateStore } from '@watchpost/redis'
import type { Command } from 'commander'
import { Redis } from 'ioredis'
import { CliError, EXIT, type Output, outputFor } from '../output.js'

interface StoreOptions {
  readonly redis: string
  readonly prefix: string
  readonly config?: string
}

interface TargetOptions {
  readonly source?: string
  readonly user?: string
}

/** How long a store call may take before the command gives up: a CLI waits longer than a request. */
const COMMAND_TIMEOUT_MS = 5000

interface Session {
  readonly watchpost: Watchpost
  readonly store: RedisStateStore
  close(): Promise<void>
}

async function open(options: StoreOptions): Promise<Session> {
  const client = new Redis(options.redis, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  })
  let cause: Error | undefined
  client.on('error', (err: Error) => {
    cause ??= err // the first says why (ECONNREFUSED …); connect() rejects with "Connection is closed"
  })
  try {
    await client.connect()
  } catch (err) {
    client.disconnect()
    throw new CliError(`cannot reach Redis at ${options.redis}: ${(cause ?? (err as Error)).message}`)
  }
  const store = createRedisStateStore({
    client,
    prefix: options.prefix,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
  })
  let watchpost: Watchpost
  try {
    watchpost = createWatchpost(
      { config: options.config ?? false, sinks: [], spool: { enabled: false } },
      { state: store },
    )
  } catch (err) {
    await store.close()
    client.disconnect()
    throw err
  }
  return {
    watchpost,
    store,
    async close() {
      await watchpost.close()
      await store.close()
      client.disconnect()
    },
  }
}

/** Fails when the store answered from local memory: the change did not reach Redis. */
function ensureShared(store: RedisStateStore, redis: string): void {
  const health = store.health()
  if (health.state !== 'ok')
    throw new CliError(
      `Redis at ${redis} did not answer (${health.lastError ?? 'degraded'}); nothing was changed`,
    )
}

function targetOf(options: TargetOptions): { source: string } | { user: string } {
  if ((options.source === undefined) === (options.user === undefined))
    throw new CliError('name one target: --source <address> or --user <name>', EXIT.usage)
  return options.source !== undefined ? { source: options.source } : { user: options.user as string }
}

function describe(block: { kind: string; value: string; until: number; rule: string }): string {
  const left = Math.max(0, Math.round((block.until - Date.now()) / 1000))
  return `${block.kind} ${block.value}  until ${new Date(block.until).toISOString()} (${left} s)  rule ${block.rule}`
}

async function withSession<T>(command: Command, work: (session: Session, out: Output) => Promise<T>) {
  const options = command.optsWithGlobals<StoreOptions>()
  const out = outputFor(command)
  const session = await open(options)
  try {
    await work(session, out)
    ensureShared(session.store, options.redis)
  } finally {
    await session.close()
  }
}

function seconds(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0)
    throw new CliError(`--seconds must be a positive whole number, not ${value}`, EXIT.usage)
  return n
}

export function registerBlocks(program: Command): void {
  const group = program
    .command('blocks')
    .description('list, add and lift the blocks app instances share through Redis')
    .option(
      '--redis <url>',
      'the Redis the app instances share',
      process.env.WATCHPOST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    )
    .option('--prefix <prefix>', "the store's key prefix (createRedisStateStore's `prefix`)", 'watchpost:')
    .option('--config <file>', "the app's configuration file (how it redacts source addresses)")

  group
    .command('list', { isDefault: true })
    .description('the blocks in force')
    .action(async (_options, command: Command) => {
      await withSession(command, async ({ store }, out) => {
        const list = [...(await store.listBlocks(Date.now()))].sort((a, b) => a.until - b.until)
        out.result({ blocks: list })
        out.say(list.length === 0 ? 'No blocks in force.' : list.map(describe).join('\n'))
      })
    })

  group
    .command('add')
    .description('block a source address or a user on every instance')
    .option('--source <address>', 'a client address')
    .option('--user <name>', 'a user name')
    .requiredOption('--seconds <n>', 'how long', seconds)
    .action(async (options: TargetOptions & { seconds: number }, command: Command) => {
      const target = targetOf(options)
      await withSession(command, async ({ watchpost }, out) => {
        await watchpost.rules.block({ ...target, seconds: options.seconds })
        const [kind, value] = Object.entries(target)[0] as [string, string]
        out.result({ added: { kind, value, seconds: options.seconds } })
        out.say(`${out.paint('ok', 'Blocked')} ${kind} ${value} for ${options.seconds} s.`)
      })
    })

  group
    .command('lift')
    .description('lift the block of a source address or a user on every instance')
    .option('--source <address>', 'a client address')
    .option('--user <name>', 'a user name')
    .action(async (options: TargetOptions, command: Command) => {
      const target = targetOf(options)
      await withSession(command, async ({ watchpost }, out) => {
        const lifted = await watchpost.rules.lift(target)
        const [kind, value] = Object.entries(target)[0] as [string, string]
        out.result({ lifted, kind, value })
        out.say(
          lifted
            ? `${out.paint('ok', 'Lifted')} the block of ${kind} ${value}.`
            : `No block on ${kind} ${value}.`,
        )
        if (!lifted) process.exitCode = EXIT.problems
      })
    })
}
