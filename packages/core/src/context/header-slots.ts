/**
 * The request headers core reads on every request (correlation ids, the inspected headers, `Cookie`,
 * `Origin`, …), each given a slot at start-up and read from Node's headers object in one pass when
 * the request's context is created.
 *
 * Why not `headers[name]` where each one is needed: after mixed traffic Node's header objects have
 * many hidden classes, so every read with a name held in a variable is a megamorphic lookup, and a
 * header the request lacks — most of them, most of the time — is looked for on `Object.prototype`
 * too. On `GET /hello` after the attack mix those reads cost ≈ 2,500 instructions a request
 * (`test/bench/instructions.mjs --traffic hello --mix 5000`). A `for…in` loads each value the request
 * has by the enumeration cache's field index and asks a `Map` for its name's slot.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { type ContextState, kHeaderValues } from './state.js'
import type { RequestContext } from './types.js'

/** A header's value as Node gives it: a string, an array for headers it keeps apart (`set-cookie`). */
export type HeaderValue = string | string[] | undefined

/** Where one header's value is kept in a context (`HeaderSlots.slot`). */
export interface HeaderSlot {
  /** Lower case, as Node names incoming headers. */
  readonly name: string
  readonly index: number
}

const hasOwn = Object.prototype.hasOwnProperty

export class HeaderSlots {
  readonly #slots = new Map<string, HeaderSlot>()

  /** The slot of `name` (any case), the same for every caller that asks for it. */
  slot(name: string): HeaderSlot {
    const lower = name.toLowerCase()
    let slot = this.#slots.get(lower)
    if (slot === undefined) {
      slot = { name: lower, index: this.#slots.size }
      this.#slots.set(lower, slot)
    }
    return slot
  }

  /** Each slot's value in `headers`, `undefined` where the request has none. */
  read(headers: IncomingHttpHeaders): HeaderValue[] {
    const slots = this.#slots
    const values = new Array<HeaderValue>(slots.size)
    for (let i = 0; i < values.length; i++) values[i] = undefined
    for (const name in headers) {
      const slot = slots.get(name)
      if (slot !== undefined && hasOwn.call(headers, name)) values[slot.index] = headers[name]
    }
    return values
  }
}

/**
 * A header's value in a request, from its context's slots; read by name when the context holds no
 * value for the slot (a slot given after the context was created, a context built by hand).
 */
export function headerOf(ctx: RequestContext, slot: HeaderSlot): HeaderValue {
  const values = (ctx as Partial<ContextState>)[kHeaderValues]
  return values !== undefined && slot.index < values.length ? values[slot.index] : ctx.headers[slot.name]
}

/** A header's value as one string (an array joined as Node joins repeated headers), or `undefined`. */
export function headerText(ctx: RequestContext, slot: HeaderSlot): string | undefined {
  return textOf(headerOf(ctx, slot))
}

export function textOf(value: HeaderValue): string | undefined {
  return value === undefined || typeof value === 'string' ? value : value.join(', ')
}
