/**
 * The state store of one process: sliding windows, claims and blocks in maps, bounded. Answers
 * synchronously. `@watchpost/redis` falls back to it while Redis is unreachable.
 *
 * A window's entries are kept in the order they came, in a queue, so expiry takes them from the
 * front until it meets one inside the window: an `add` costs O(1) amortised. (Not a Map's insertion
 * order: V8 leaves a deleted entry in place until the table is rebuilt, and iterating from the front
 * walks over every one of them, so expiring one entry per `add` from a window of 10,000 took ~10 µs.)
 * An entry dated before the newest one (another instance's clock, a test) is taken as of the newest
 * one's time, which keeps that order true.
 */
import type { Block, BlockChange, BlockTarget, StateStore, StateStoreHealth, WindowEntry } from './types.js'

export interface MemoryStateStoreOptions {
  /**
   * Windows and claims kept at most (each); past it the least recently used window (nearly: see
   * `add`), or the claims
   * already expired, go first. Default 100,000.
   */
  readonly maxKeys?: number
}

const DEFAULT_MAX_KEYS = 100_000

interface Slot {
  readonly member: string
  readonly at: number
  readonly weight: number
  /** Kept in `members` (not a `unique` entry). */
  readonly tracked: boolean
  /** Replaced by a later entry of the same member: skipped when it reaches the front. */
  replaced: boolean
}

interface Window {
  /** The live entry of each member added without `unique` (a distinct count's values). */
  readonly members: Map<string, Slot>
  /** Every entry in the order added, live or replaced, from `head` on. */
  queue: Slot[]
  head: number
  /** Live entries. */
  live: number
  total: number
  newest: number
  /** The store's `#tick` when the window was last moved to the end of the store's order. */
  moved: number
}

/**
 * A queue is rebuilt from its live entries once it holds this many spent ones (expired at the front,
 * or replaced anywhere) and they outnumber the live ones: its length stays within twice the live
 * entries (at most the cap) plus this, and a rebuild's cost is paid for by the `add`s that made it.
 */
const COMPACT_AT = 1024

const OK: StateStoreHealth = { state: 'ok', fallbacks: 0 }

export class MemoryStateStore implements StateStore {
  readonly #maxKeys: number
  /**
   * Adds so far, and how many adds a window may go unmoved (see `add`): half the windows kept, at
   * most 1,024.
   */
  #tick = 0
  readonly #slack: number
  readonly #windows = new Map<string, Window>()
  readonly #claims = new Map<string, number>()
  readonly #blocks = new Map<string, Block>()
  readonly #listeners = new Set<(change: BlockChange) => void>()

  constructor(options: MemoryStateStoreOptions = {}) {
    this.#maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS
    this.#slack = Math.min(1024, Math.floor(this.#maxKeys / 2))
  }

  add(key: string, entry: WindowEntry, windowMs: number, cap: number): number {
    const tick = ++this.#tick
    let window = this.#windows.get(key)
    if (window === undefined) {
      window = { members: new Map(), queue: [], head: 0, live: 0, total: 0, newest: entry.at, moved: tick }
      if (this.#windows.size >= this.#maxKeys) this.#evictWindow()
      this.#windows.set(key, window)
    } else if (tick - window.moved >= this.#slack) {
      // To the end of the map's order, least recently used first — but not on every add (a delete
      // and a set, ≈ 200 ns an add): a window moved within the last `#slack` adds stays where it is.
      // The order is then nearly that of use: the window evicted (the first) was not used in the
      // last `#slack` adds at least, since the `maxKeys - 1` others were moved or made after it.
      this.#windows.delete(key)
      this.#windows.set(key, window)
      window.moved = tick
    }
    const at = Math.max(entry.at, window.newest)
    window.newest = at
    const { members } = window
    const tracked = entry.unique !== true
    if (tracked) {
      const previous = members.get(entry.member)
      if (previous !== undefined) {
        previous.replaced = true
        window.total -= previous.weight
        window.live--
      }
    }
    const slot: Slot = { member: entry.member, at, weight: entry.weight, tracked, replaced: false }
    if (tracked) members.set(entry.member, slot)
    window.queue.push(slot)
    window.live++
    window.total += entry.weight
    const oldest = at - windowMs
    const { queue } = window
    let head = window.head
    while (head < queue.length) {
      const first = queue[head] as Slot
      if (!first.replaced) {
        if (first.at > oldest && window.live <= cap) break
        if (first.tracked) members.delete(first.member)
        window.live--
        window.total -= first.weight
      }
      head++
    }
    const spent = queue.length - window.live
    if (spent >= COMPACT_AT && spent > window.live) {
      const live: Slot[] = []
      for (let i = head; i < queue.length; i++) if (!(queue[i] as Slot).replaced) live.push(queue[i] as Slot)
      window.queue = live
      head = 0
    }
    window.head = head
    return window.total
  }

  claim(key: string, now: number, ttlMs: number): boolean {
    const until = this.#claims.get(key)
    if (until !== undefined && until > now) return false
    if (until === undefined && this.#claims.size >= this.#maxKeys) this.#sweepClaims(now)
    this.#claims.set(key, now + ttlMs)
    return true
  }

  setBlock(block: Block): void {
    this.#blocks.set(blockKey(block), block)
    this.#notify({ block, lifted: false })
  }

  liftBlock(target: BlockTarget): boolean {
    const key = blockKey(target)
    const block = this.#blocks.get(key)
    if (block === undefined) return false
    this.#blocks.delete(key)
    this.#notify({ block, lifted: true })
    return true
  }

  listBlocks(now: number): readonly Block[] {
    const out: Block[] = []
    for (const [key, block] of this.#blocks) {
      if (block.until > now) out.push(block)
      else this.#blocks.delete(key)
    }
    return out
  }

  watchBlocks(listener: (change: BlockChange) => void): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  health(): StateStoreHealth {
    return OK
  }

  async close(): Promise<void> {
    this.#listeners.clear()
  }

  /** Drops the window used least recently (to within `#slack` adds). */
  #evictWindow(): void {
    for (const key of this.#windows.keys()) {
      this.#windows.delete(key)
      return
    }
  }

  #sweepClaims(now: number): void {
    for (const [key, until] of this.#claims) if (until <= now) this.#claims.delete(key)
    // All still held: the oldest claim goes (a rule may fire once more for that group).
    if (this.#claims.size >= this.#maxKeys)
      for (const key of this.#claims.keys()) {
        this.#claims.delete(key)
        break
      }
  }

  #notify(change: BlockChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change)
      } catch {
        // A listener's failure is its own; the others still hear of the change.
      }
    }
  }
}

/** The map key of a block: its kind and value. */
export function blockKey(target: BlockTarget): string {
  return `${target.kind}:${target.value}`
}
