/**
 * The state the rules keep between events, behind one interface: sliding windows (counts and
 * distinct counts), claims (a rule fires once per window, across instances) and block lists. The
 * memory store (memory.ts) serves one process; `@watchpost/redis` shares it between instances.
 *
 * Every method may answer synchronously (the memory store does: no `await` on the request path for
 * in-memory state) or with a promise (a store that does I/O). A store never throws for an outage:
 * a shared store that cannot reach its server answers from local memory and reports itself
 * `degraded` (`health()`); it rejects only for misuse (arguments outside the contract).
 */

export type MaybePromise<T> = T | Promise<T>

/** One entry of a sliding window. */
export interface WindowEntry {
  /**
   * Names the entry. A distinct count passes the counted value (adding it again refreshes its time
   * and does not add to the total); a plain count passes a name unique to the event.
   */
  readonly member: string
  /** What the entry counts (an aggregated event's EventCount; 1 for a distinct count). A positive integer. */
  readonly weight: number
  /** When it happened, in milliseconds since the epoch (the caller's clock). */
  readonly at: number
  /**
   * The member is new to the window (an event's own id): a store may skip looking for an earlier
   * entry of it. The rules engine says so for plain counts.
   */
  readonly unique?: boolean
}

/** Who a block applies to. */
export interface BlockTarget {
  /** `source`: a client address (SrcIpAddr); `user`: a user name (TargetUsername / ActorUsername). */
  readonly kind: 'source' | 'user'
  readonly value: string
}

export interface Block extends BlockTarget {
  /** Until when, in milliseconds since the epoch. */
  readonly until: number
  /** The rule that set it (its id), or `manual`. */
  readonly rule: string
}

/** A block set or lifted, by this instance or another one. */
export interface BlockChange {
  readonly block: Block
  readonly lifted: boolean
}

export interface StateStoreHealth {
  /** `ok`; `degraded` while a shared store answers from local memory (its server unreachable). */
  readonly state: 'ok' | 'degraded'
  /** Operations answered from local memory because the shared store was unreachable, since start. */
  readonly fallbacks: number
  /** What went wrong last, when degraded. */
  readonly lastError?: string
}

export interface StateStore {
  /**
   * Adds `entry` to the sliding window at `key` and returns the window's total after it: the sum of
   * the weights of the entries with `at > entry.at - windowMs`. Keeps at most `cap` entries per key
   * (the newest), and forgets a key once its window has passed.
   */
  add(key: string, entry: WindowEntry, windowMs: number, cap: number): MaybePromise<number>
  /**
   * Takes `key` for `ttlMs` from `now` unless it is held: `true` when this call took it. A rule claims
   * its group when it fires, so that it fires once per window, on one instance.
   */
  claim(key: string, now: number, ttlMs: number): MaybePromise<boolean>
  /** Sets (or extends, or shortens) a block; every instance sharing the store learns of it. */
  setBlock(block: Block): MaybePromise<void>
  /** Lifts a block; `true` when there was one. */
  liftBlock(target: BlockTarget): MaybePromise<boolean>
  /** The blocks in force at `now`. */
  listBlocks(now: number): MaybePromise<readonly Block[]>
  /**
   * Calls `listener` for each block set or lifted, by any instance sharing the store (this one
   * included); returns the function that stops it.
   */
  watchBlocks(listener: (change: BlockChange) => void): () => void
  health(): StateStoreHealth
  /** Stops timers and subscriptions; a store given by the app keeps the app's connection open. */
  close(): Promise<void>
}
