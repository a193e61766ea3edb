/**
 * How a block is kept and announced. In the blocks hash: field `kind:value` (core's `blockKey`),
 * value JSON `{"until":…,"rule":…}`. On the channel, one text message per change:
 *
 *     set|lift \n <origin> \n <stored JSON> \n <field>
 *
 * `origin` is the id of the store that made the change (its own watchers heard of it at once, so
 * it skips its own messages), or empty for one every store must pass on, its maker's included. The
 * field goes last: a value may hold any character, and the lines before it never hold a newline
 * (an origin is a UUID, JSON escapes its newlines).
 */
import { type Block, type BlockChange, type BlockTarget, blockKey } from '@watchpost/core/sdk'
import { misuse } from './misuse.js'

export { blockKey }

export function storedBlock(block: Block): string {
  return JSON.stringify({ until: block.until, rule: block.rule })
}

/** The block a hash field and its stored JSON describe, or undefined when they describe none. */
export function readBlock(field: string, stored: string): Block | undefined {
  const colon = field.indexOf(':')
  const kind = field.slice(0, colon)
  if (colon < 0 || (kind !== 'source' && kind !== 'user')) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(stored)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const { until, rule } = parsed as { until?: unknown; rule?: unknown }
  if (typeof until !== 'number' || typeof rule !== 'string') return undefined
  return { kind, value: field.slice(colon + 1), until, rule }
}

/** The head of a change's message; the lift script appends the stored JSON and the field itself. */
export function messageHead(lifted: boolean, origin: string): string {
  return `${lifted ? 'lift' : 'set'}\n${origin}\n`
}

export function message(change: BlockChange, origin: string): string {
  return `${messageHead(change.lifted, origin)}${storedBlock(change.block)}\n${blockKey(change.block)}`
}

export interface Announced {
  readonly origin: string
  readonly change: BlockChange
}

export function readMessage(raw: string): Announced | undefined {
  const first = raw.indexOf('\n')
  const second = raw.indexOf('\n', first + 1)
  const third = raw.indexOf('\n', second + 1)
  if (first < 0 || second < 0 || third < 0) return undefined
  const op = raw.slice(0, first)
  if (op !== 'set' && op !== 'lift') return undefined
  const block = readBlock(raw.slice(third + 1), raw.slice(second + 1, third))
  if (block === undefined) return undefined
  return { origin: raw.slice(first + 1, second), change: { block, lifted: op === 'lift' } }
}

/** Checks a block target given by the caller (misuse rejects, as the contract allows). */
export function checkTarget(target: BlockTarget): void {
  if (target.kind !== 'source' && target.kind !== 'user')
    throw misuse(`block kind must be 'source' or 'user', not ${JSON.stringify(target.kind)}`)
  if (typeof target.value !== 'string') throw misuse('block value must be a string')
}
