/**
 * The StateStore on Redis. Every call is one Lua script (scripts.ts) through the app's own client,
 * bounded by `commandTimeoutMs` whatever the client's queueing and retries. A call that errors or
 * runs out of time is answered by a local MemoryStateStore instead (fail open: never a throw for an
 * outage), the store turns `degraded`, and the adds and block changes made meanwhile are kept, up to
 * `maxReplay`, for Redis. A PING every `probeIntervalMs` looks for Redis; once one answers, the kept
 * operations are replayed in order and the store is `ok` again, with Redis answering.
 */
import { randomUUID } from 'node:crypto'
import {
  type Block,
  type BlockChange,
  type BlockTarget,
  MemoryStateStore,
  type StateStore,
  type StateStoreHealth,
  type WindowEntry,
} from '@watchpost/core/sdk'
import { blockKey, checkTarget, message, messageHead, readBlock, readMessage, storedBlock } from './blocks.js'
import { type Connection, connect, type RedisClientLike, type Subscription } from './connection.js'
import { misuse } from './misuse.js'
import { ADD, CLAIM, LIFT_BLOCK, LIST_BLOCKS, type Script, SET_BLOCK } from './scripts.js'

export interface RedisStateStoreOptions {
  /**
   * The app's own connected client: an ioredis 5 client or a node-redis 4/5 client. The store never
   * closes it nor puts it into subscriber mode; `watchBlocks` subscribes through a duplicate of it.
   */
  readonly client: RedisClientLike
  /** Starts every key and the pub/sub channel. Default `watchpost:`. */
  readonly prefix?: string
  /** The longest any call may take; past it (or on any error) local memory answers. Default 100. */
  readonly commandTimeoutMs?: number
  /** While degraded, how often to PING Redis. Default 1000. */
  readonly probeIntervalMs?: number
  /** Adds and block changes kept for Redis while it is unreachable (the oldest dropped past it). Default 10,000. */
  readonly maxReplay?: number
}

export interface RedisStateStoreHealth extends StateStoreHealth {
  /** Operations kept for replay into Redis (while degraded). */
  readonly pendingReplay: number
  /** Operations that never reached Redis: dropped past `maxReplay`, or refused by Redis on replay. */
  readonly droppedReplay: number
}

/** A StateStore whose every call answers with a promise (settled within `commandTimeoutMs`). */
export interface RedisStateStore extends StateStore {
  add(key: string, entry: WindowEntry, windowMs: number, cap: number): Promise<number>
  claim(key: string, now: number, ttlMs: number): Promise<boolean>
  setBlock(block: Block): Promise<void>
  liftBlock(target: BlockTarget): Promise<boolean>
  listBlocks(now: number): Promise<readonly Block[]>
  health(): RedisStateStoreHealth
  /**
   * Resolves once every block change published before the call has reached this store's watchers:
   * the subscription is in place and a PING went through the subscriber connection (Redis writes a
   * published message to its subscribers before it answers the PUBLISH). At once without watchers.
   * Rejects when the subscription cannot be made, or after `timeoutMs` (default 5000). For tests and
   * for start-up ordering.
   */
  settleWatchers(timeoutMs?: number): Promise<void>
}

export const DEFAULTS = {
  prefix: 'watchpost:',
  commandTimeoutMs: 100,
  probeIntervalMs: 1000,
  maxReplay: 10_000,
} as const

/** Blocks remembered from Redis, to carry into an outage (see #degrade). */
const MAX_KNOWN_BLOCKS = 100_000
/** Kept operations sent to Redis at once on replay (one connection keeps them in order). */
const REPLAY_BATCH = 100

type Replay =
  | {
      readonly op: 'add'
      readonly key: string
      readonly entry: WindowEntry
      readonly windowMs: number
      readonly cap: number
    }
  | { readonly op: 'set'; readonly block: Block }
  /** `heard`: this store's watchers already heard of it (the local memory had the block). */
  | { readonly op: 'lift'; readonly target: BlockTarget; readonly heard: boolean }

export function createRedisStateStore(options: RedisStateStoreOptions): RedisStateStore {
  return new Store(options)
}

function positive(name: string, value: number | undefined, fallback: number, zero = false): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zero))
    throw misuse(`${name} must be a ${zero ? 'non-negative' : 'positive'} number`)
  return value
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}

function ignore(): void {}

class Store implements RedisStateStore {
  readonly #conn: Connection
  readonly #prefix: string
  readonly #blocksKey: string
  readonly #timeoutMs: number
  readonly #probeMs: number
  readonly #maxReplay: number
  /** Names this store in the messages it publishes. */
  readonly #origin = randomUUID()
  readonly #listeners = new Set<(change: BlockChange) => void>()
  /** The blocks as last heard from Redis and from this store's own changes. */
  readonly #known = new Map<string, Block>()
  /** Set while degraded: what answers meanwhile. */
  #local: MemoryStateStore | undefined
  #replay: Replay[] = []
  #fallbacks = 0
  #dropped = 0
  #lastError: string | undefined
  #probe: ReturnType<typeof setInterval> | undefined
  #probing = false
  #subscription: Subscription | undefined
  #closed = false

  constructor(options: RedisStateStoreOptions) {
    if (options?.client === undefined || options.client === null)
      throw misuse('`client` is required (an ioredis or node-redis client)')
    this.#conn = connect(options.client)
    this.#prefix = options.prefix ?? DEFAULTS.prefix
    if (typeof this.#prefix !== 'string') throw misuse('prefix must be a string')
    this.#blocksKey = `${this.#prefix}blocks`
    this.#timeoutMs = positive('commandTimeoutMs', options.commandTimeoutMs, DEFAULTS.commandTimeoutMs)
    this.#probeMs = positive('probeIntervalMs', options.probeIntervalMs, DEFAULTS.probeIntervalMs)
    this.#maxReplay = Math.floor(positive('maxReplay', options.maxReplay, DEFAULTS.maxReplay, true))
  }

  async add(key: string, entry: WindowEntry, windowMs: number, cap: number): Promise<number> {
    if (typeof key !== 'string' || typeof entry.member !== 'string')
      throw misuse('key and member must be strings')
    if (!Number.isSafeInteger(entry.weight) || entry.weight < 1)
      throw misuse('weight must be a positive integer')
    if (!Number.isFinite(entry.at)) throw misuse('at must be a finite number')
    if (!(windowMs > 0) || !Number.isFinite(windowMs)) throw misuse('windowMs must be a positive number')
    if (!Number.isSafeInteger(cap) || cap < 1) throw misuse('cap must be a positive integer')
    return this.#call(
      async () => Number(await this.#add(key, entry, windowMs, cap)),
      (local) => local.add(key, entry, windowMs, cap),
      { op: 'add', key, entry, windowMs, cap },
    )
  }

  async claim(key: string, now: number, ttlMs: number): Promise<boolean> {
    if (typeof key !== 'string') throw misuse('key must be a string')
    if (!Number.isFinite(now)) throw misuse('now must be a finite number')
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw misuse('ttlMs must be a positive number')
    // PX takes whole milliseconds; the stored `until` is exact.
    const px = String(Math.ceil(ttlMs))
    return this.#call(
      async () =>
        Number(await this.#eval(CLAIM, [this.#key('claim', key)], [String(now), String(now + ttlMs), px])) ===
        1,
      (local) => local.claim(key, now, ttlMs),
    )
  }

  async setBlock(block: Block): Promise<void> {
    checkTarget(block)
    if (typeof block.until !== 'number' || typeof block.rule !== 'string')
      throw misuse('a block needs a numeric until and a rule')
    const stored: Block = { kind: block.kind, value: block.value, until: block.until, rule: block.rule }
    await this.#call(
      () => this.#setBlock(stored, this.#origin),
      (local) => local.setBlock(stored),
      { op: 'set', block: stored },
    )
    this.#heard({ block: stored, lifted: false })
  }

  async liftBlock(target: BlockTarget): Promise<boolean> {
    checkTarget(target)
    let lifted: Block | undefined
    const found = await this.#call(
      async () => {
        lifted = await this.#liftBlock(target, this.#origin)
        return lifted !== undefined
      },
      (local) => {
        lifted = local.listBlocks(Number.NEGATIVE_INFINITY).find((b) => blockKey(b) === blockKey(target))
        const had = local.liftBlock(target)
        // Kept even when local memory knew no such block: Redis may have one.
        this.#keep({ op: 'lift', target: { kind: target.kind, value: target.value }, heard: had })
        return had
      },
    )
    if (lifted !== undefined) this.#heard({ block: lifted, lifted: true })
    return found
  }

  async listBlocks(now: number): Promise<readonly Block[]> {
    return this.#call(
      async () => {
        const reply = (await this.#eval(LIST_BLOCKS, [this.#blocksKey], [String(now)])) as string[]
        const blocks: Block[] = []
        for (let i = 0; i + 1 < reply.length; i += 2) {
          const block = readBlock(reply[i]!, reply[i + 1]!)
          if (block !== undefined) blocks.push(block)
        }
        this.#known.clear()
        for (const block of blocks) this.#remember(block)
        return blocks
      },
      (local) => local.listBlocks(now),
    )
  }

  watchBlocks(listener: (change: BlockChange) => void): () => void {
    this.#listeners.add(listener)
    this.#subscribe()
    return () => {
      this.#listeners.delete(listener)
    }
  }

  async settleWatchers(timeoutMs = 5000): Promise<void> {
    if (this.#listeners.size === 0) return
    this.#subscribe() // now, should a failed subscription be waiting for its retry
    const subscription = this.#subscription
    if (subscription === undefined) return // closed
    await this.#deadline(
      subscription.ready.then(() => subscription.ping()),
      timeoutMs,
    )
  }

  health(): RedisStateStoreHealth {
    const degraded = this.#local !== undefined
    return {
      state: degraded ? 'degraded' : 'ok',
      fallbacks: this.#fallbacks,
      pendingReplay: this.#replay.length,
      droppedReplay: this.#dropped,
      ...(degraded && this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#probe)
    this.#probe = undefined
    this.#listeners.clear()
    this.#subscription?.close()
    this.#subscription = undefined
  }

  // --- Redis ---------------------------------------------------------------------------------

  #key(kind: 'window' | 'weights' | 'claim', key: string): string {
    return `${this.#prefix}${kind}:${key}`
  }

  /** EVALSHA, and EVAL (which also loads the script) when the server does not have it. */
  async #eval(script: Script, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args]
    try {
      return await this.#conn.command(['EVALSHA', script.sha, ...tail])
    } catch (error) {
      if (!isNoScript(error)) throw error
      return this.#conn.command(['EVAL', script.source, ...tail])
    }
  }

  #add(key: string, entry: WindowEntry, windowMs: number, cap: number): Promise<unknown> {
    return this.#eval(
      ADD,
      [this.#key('window', key), this.#key('weights', key)],
      [entry.member, String(entry.weight), String(entry.at), String(windowMs), String(cap)],
    )
  }

  async #setBlock(block: Block, origin: string): Promise<void> {
    const field = blockKey(block)
    await this.#eval(
      SET_BLOCK,
      [this.#blocksKey],
      [field, storedBlock(block), this.#blocksKey, message({ block, lifted: false }, origin)],
    )
  }

  /** The block lifted, or undefined when there was none. */
  async #liftBlock(target: BlockTarget, origin: string): Promise<Block | undefined> {
    const field = blockKey(target)
    const stored = await this.#eval(
      LIFT_BLOCK,
      [this.#blocksKey],
      [field, this.#blocksKey, messageHead(true, origin)],
    )
    return typeof stored === 'string' ? readBlock(field, stored) : undefined
  }

  /**
   * `promise`, or a rejection once `ms` have passed (the call it stands for may still land later).
   * The rejection waits one turn of the event loop past the timer: an answer that arrived while the
   * process was busy (an app starting up blocks the loop for hundreds of milliseconds) is read
   * first, rather than taken for an outage.
   */
  #deadline<T>(promise: Promise<T>, ms = this.#timeoutMs): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => setImmediate(() => reject(new Error(`Redis did not answer within ${ms} ms`))),
        ms,
      )
      promise.then(
        (value) => {
          clearTimeout(timer)
          resolve(value)
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(error)
        },
      )
    })
  }

  // --- Outage ---------------------------------------------------------------------------------

  /**
   * Runs `remote` against Redis within the deadline; when it fails, or while degraded, `local`
   * answers from memory and `replay` (if any) is kept for Redis.
   */
  async #call<T>(
    remote: () => Promise<T>,
    local: (memory: MemoryStateStore) => T,
    replay?: Replay,
  ): Promise<T> {
    if (this.#local === undefined) {
      try {
        return await this.#deadline(remote())
      } catch (error) {
        this.#degrade(error)
      }
    }
    this.#fallbacks++
    if (replay !== undefined) this.#keep(replay)
    return local(this.#local!)
  }

  #degrade(error: unknown): void {
    this.#lastError = describe(error)
    if (this.#local !== undefined) return
    // A fresh memory for each outage: it counts from the outage's start (Redis has what came
    // before, and gets what comes now on replay); it starts with the blocks last known, so that a
    // block in force does not lapse because Redis is out of reach.
    const local = new MemoryStateStore()
    for (const block of this.#known.values()) local.setBlock(block)
    this.#local = local
    if (!this.#closed) {
      this.#probe = setInterval(() => void this.#tryRecover(), this.#probeMs)
      this.#probe.unref()
    }
  }

  #keep(replay: Replay): void {
    this.#replay.push(replay)
    if (this.#replay.length > this.#maxReplay) {
      this.#replay.shift()
      this.#dropped++
    }
  }

  async #tryRecover(): Promise<void> {
    if (this.#probing) return
    this.#probing = true
    try {
      await this.#deadline(this.#conn.command(['PING']))
      // Calls made while this runs still answer from memory and join the queue; the loop ends on
      // an empty queue, and the switch back to Redis follows in the same turn, so none is left out.
      while (this.#replay.length > 0) await this.#replayBatch(this.#replay.slice(0, REPLAY_BATCH))
      this.#recover()
    } catch (error) {
      this.#lastError = describe(error)
    } finally {
      this.#probing = false
    }
  }

  /**
   * Sends a batch (on one connection, so in order) and takes it off the queue. When some of it
   * failed: a PING tells an outage (throws, and what did not land stays queued) from operations
   * that Redis itself refused (dropped and counted: replaying them again would fail again).
   */
  async #replayBatch(batch: readonly Replay[]): Promise<void> {
    const results = await Promise.allSettled(batch.map((op) => this.#deadline(this.#apply(op))))
    const failed = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []))
    const done = new Set(batch.filter((_, i) => results[i]!.status === 'fulfilled'))
    if (failed.length > 0) {
      try {
        await this.#deadline(this.#conn.command(['PING']))
      } catch (error) {
        this.#replay = this.#replay.filter((op) => !done.has(op))
        throw error
      }
      this.#dropped += failed.length
      this.#lastError = `replay refused by Redis: ${describe(failed[0])}`
    }
    const sent = new Set(batch)
    this.#replay = this.#replay.filter((op) => !sent.has(op))
  }

  #apply(replay: Replay): Promise<unknown> {
    switch (replay.op) {
      case 'add':
        return this.#add(replay.key, replay.entry, replay.windowMs, replay.cap)
      case 'set':
        return this.#setBlock(replay.block, this.#origin)
      case 'lift':
        // A lift this store's watchers did not hear of goes out for them too (empty origin).
        return this.#liftBlock(replay.target, replay.heard ? this.#origin : '')
    }
  }

  #recover(): void {
    clearInterval(this.#probe)
    this.#probe = undefined
    this.#local = undefined
    this.#lastError = undefined
    this.#subscribe()
  }

  // --- Watchers -------------------------------------------------------------------------------

  /** The subscription, made on the first watcher (and again after it failed), until close(). */
  #subscribe(): void {
    if (this.#closed || this.#subscription !== undefined || this.#listeners.size === 0) return
    const subscription = this.#conn.subscribe(
      this.#blocksKey,
      (raw) => this.#onMessage(raw),
      ignore, // the duplicate connection reconnects (and resubscribes) by itself
    )
    this.#subscription = subscription
    subscription.ready.catch(() => {
      if (this.#subscription !== subscription) return
      subscription.close()
      this.#subscription = undefined
      setTimeout(() => this.#subscribe(), this.#probeMs).unref()
    })
  }

  #onMessage(raw: string): void {
    const announced = readMessage(raw)
    if (announced === undefined || announced.origin === this.#origin) return
    this.#heard(announced.change)
  }

  /** A change made here or elsewhere: remembered, and told to the watchers. */
  #heard(change: BlockChange): void {
    if (change.lifted) {
      this.#known.delete(blockKey(change.block))
      this.#local?.liftBlock(change.block)
    } else {
      this.#remember(change.block)
      this.#local?.setBlock(change.block)
    }
    for (const listener of this.#listeners) {
      try {
        listener(change)
      } catch {
        // A listener's failure is its own; the others still hear of the change.
      }
    }
  }

  #remember(block: Block): void {
    const field = blockKey(block)
    this.#known.delete(field)
    this.#known.set(field, block)
    if (this.#known.size > MAX_KNOWN_BLOCKS)
      for (const oldest of this.#known.keys()) {
        this.#known.delete(oldest)
        break
      }
  }
}
