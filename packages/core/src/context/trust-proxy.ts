import type { IncomingMessage } from 'node:http'
import proxyAddr from 'proxy-addr'
import { WatchpostTypeError } from '../errors.js'
import { BoundedMemo } from '../memo.js'

/**
 * The values of Express's `trust proxy` setting, meaning the same thing in both adapters
 * (https://expressjs.com/en/guide/behind-proxies.html):
 * - `false` (default): trust nothing, `X-Forwarded-For` is ignored, the client is the socket peer;
 * - `true`: trust every hop, the client is the left-most `X-Forwarded-For` entry;
 * - a number `n`: trust the `n` hops nearest to the server (`0` = none);
 * - a string: comma-separated addresses, CIDRs (`10.0.0.0/8`, `10.0.0.0/255.0.0.0`) and presets
 *   `loopback`, `linklocal`, `uniquelocal`; or the same as an array;
 * - a function `(addr, hop) => boolean`, hop 0 being the socket peer.
 */
export type TrustProxySetting =
  | boolean
  | number
  | string
  | readonly string[]
  | ((addr: string, hop: number) => boolean)

export type TrustFunction = (addr: string, hop: number) => boolean

/** The compiled "trust nothing": `clientOf` recognises it and skips `X-Forwarded-For` parsing. */
const trustNone: TrustFunction = () => false
const trustAll: TrustFunction = () => true

/**
 * Compiles a `trustProxy` setting once, at start-up, with the semantics of Express's `compileTrust`
 * (express `lib/utils.js`): functions are used as given, `true` trusts all, a number is a hop count,
 * a string is split on `,` and trimmed, addresses go through `proxy-addr`'s `compile`.
 *
 * Stricter than Express in one place: a hop count must be a non-negative integer (Express would take
 * `NaN` or `-1` silently as "trust nothing" and `1.5` as "2 hops").
 *
 * @throws WatchpostTypeError `ERR_WATCHPOST_TRUST_PROXY_INVALID` for an invalid address, range or type.
 */
export function compileTrustProxy(setting: TrustProxySetting | null | undefined): TrustFunction {
  if (typeof setting === 'function') return setting
  if (setting === true) return trustAll
  if (setting === false || setting === undefined || setting === null) return trustNone
  if (typeof setting === 'number') {
    if (!Number.isInteger(setting) || setting < 0) {
      throw new WatchpostTypeError(
        'ERR_WATCHPOST_TRUST_PROXY_INVALID',
        `hop count must be a non-negative integer, got ${setting}`,
      )
    }
    if (setting === 0) return trustNone
    const hops = setting
    return (_addr, hop) => hop < hops
  }

  let list: string[]
  if (typeof setting === 'string') {
    list = setting.split(',').map((entry) => entry.trim())
  } else if (Array.isArray(setting)) {
    list = []
    for (const entry of setting as readonly unknown[]) {
      if (typeof entry !== 'string') {
        throw new WatchpostTypeError(
          'ERR_WATCHPOST_TRUST_PROXY_INVALID',
          `list entries must be strings, got ${typeof entry}`,
        )
      }
      list.push(entry)
    }
  } else {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_TRUST_PROXY_INVALID',
      `must be a boolean, a hop count, an address list or a function, got ${typeof setting}`,
    )
  }
  if (list.length === 0) return trustNone

  let compiled: TrustFunction
  try {
    compiled = proxyAddr.compile(list)
  } catch (cause) {
    // proxy-addr throws `TypeError('invalid IP address: x')` / `('invalid range on address: x')`.
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new WatchpostTypeError('ERR_WATCHPOST_TRUST_PROXY_INVALID', reason, { cause })
  }
  return remembered(compiled)
}

/** How many addresses a compiled address list remembers its answer for. */
const REMEMBERED_ADDRESSES = 512

/**
 * An address list's answer, remembered per address. proxy-addr's compiled list parses the address
 * with ipaddr.js on every call (≈ 1 µs a hop, measured with `perf` under the bench's attack mix,
 * where every 404 and 401 asks for the client address); the answer depends on the address alone,
 * not on the hop, and the same few proxies and clients come back request after request. Bounded:
 * when full, the memory starts over, so a flood of distinct forged addresses costs the parse, never
 * memory.
 */
function remembered(trust: TrustFunction): TrustFunction {
  const answers = new BoundedMemo<string, boolean>(REMEMBERED_ADDRESSES)
  return (addr) => {
    const known = answers.get(addr)
    if (known !== undefined) return known
    const answer = trust(addr, 0)
    answers.set(addr, answer)
    return answer
  }
}

export interface ClientAddress {
  /** The client address as Express's `req.ip` computes it; `''` when the socket has none (closed). */
  readonly address: string
  /** The socket's remote port when `address` is the socket peer; `undefined` when it came from `X-Forwarded-For`. */
  readonly port: number | undefined
}

/**
 * The client address of `req` under `trust` (a function from `compileTrustProxy`): the socket peer
 * when nothing is trusted, else the nearest untrusted `X-Forwarded-For` hop (proxy-addr `all`).
 *
 * A `trust` function that throws (a user callback) cannot break the request: the socket peer is
 * returned, as if nothing were trusted.
 */
export function resolveClient(req: IncomingMessage, trust: TrustFunction): ClientAddress {
  const socket = req.socket
  return clientOf(socket?.remoteAddress ?? '', socket?.remotePort, req.headers['x-forwarded-for'], trust)
}

/** `resolveClient` from the socket peer already read and the request's `X-Forwarded-For`. */
export function clientOf(
  peer: string,
  peerPort: number | undefined,
  forwardedFor: string | string[] | undefined,
  trust: TrustFunction,
): ClientAddress {
  // Nothing trusted: no header read at all.
  if (trust === trustNone) return { address: peer, port: peerPort }
  try {
    const address = untrustedHop(peer, typeof forwardedFor === 'string' ? forwardedFor : '', trust)
    return address === undefined ? { address: peer, port: peerPort } : { address, port: undefined }
  } catch {
    return { address: peer, port: peerPort }
  }
}

/**
 * proxy-addr's `all(req, trust)` walk, answering only its last address and without building the
 * list: hop 0 is the socket peer, hops 1… the `X-Forwarded-For` entries from the right, split on
 * commas with surrounding spaces dropped and empty entries skipped (the `forwarded` package's
 * parse). The answer is the first hop `trust` refuses, else the left-most entry, whose trust is never
 * asked. `undefined` when that is the peer (its port then still applies). Written out rather than
 * calling `proxyAddr.all` because that builds and concatenates two arrays per call, measured at
 * ≈ 1 µs under the bench's attack mix; the context tests check it against proxy-addr on generated
 * headers.
 */
function untrustedHop(peer: string, header: string, trust: TrustFunction): string | undefined {
  let candidate: string | undefined // the hop found last, not yet asked about
  let hop = 0
  let end = header.length
  let start = end
  for (let i = header.length - 1; i >= -1; i--) {
    const code = i === -1 ? 0x2c : header.charCodeAt(i)
    if (code === 0x20) {
      if (start === end) start = end = i
    } else if (code === 0x2c) {
      if (start !== end) {
        // An entry: the hop before it is not the last one, so ask about that one now.
        if (!trust(candidate ?? peer, hop)) return candidate
        hop++
        candidate = header.substring(start, end)
      }
      start = end = i
    } else {
      start = i
    }
  }
  return candidate
}

/** The client address of `req` under `trust`; see `resolveClient`. Same value as Express's `req.ip`. */
export function resolveClientAddress(req: IncomingMessage, trust: TrustFunction): string {
  return resolveClient(req, trust).address
}
