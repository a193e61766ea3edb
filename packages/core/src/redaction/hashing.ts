/**
 * Keyed hashing and IP truncation: pseudonymisation that keeps values joinable in Sentinel (same
 * input, same key → same output) without recording them (GDPR Art. 4(5)).
 */
import { createHmac, randomBytes } from 'node:crypto'
import { isIPv4, isIPv6 } from 'node:net'

/** Prefix of every keyed hash, so a reader can tell a hash from an original value. */
export const HASH_PREFIX = 'hmac:'

/**
 * `hmac:` + base64url (RFC 4648 §5, no padding) of HMAC-SHA256 over the UTF-8 bytes of the value:
 * always 48 characters. Without a key, a random 32-byte key is drawn once per hasher, so hashes
 * differ across processes and restarts. Lone surrogates hash as U+FFFD (UTF-8 encoding replaces
 * them). Non-strings hash as `''`. Never throws.
 */
export function createHasher(key: string | undefined): (value: string) => string {
  const secret: string | Buffer = key === undefined ? randomBytes(32) : key
  // One HMAC costs 1-5 µs (a fresh Hmac object per call); the same session id or user id is hashed
  // on every event of a request and across requests. A small memo of short inputs, cleared when
  // full, keeps that off the request path's budget. It only holds values this process already saw.
  const memo = new Map<string, string>()
  return (value: string): string => {
    const input = typeof value === 'string' ? value : ''
    const cached = memo.get(input)
    if (cached !== undefined) return cached
    const out = HASH_PREFIX + createHmac('sha256', secret).update(input, 'utf8').digest('base64url')
    if (input.length <= MEMO_MAX_INPUT) {
      if (memo.size >= MEMO_MAX_ENTRIES) memo.clear()
      memo.set(input, out)
    }
    return out
  }
}

const MEMO_MAX_ENTRIES = 2048
const MEMO_MAX_INPUT = 128

/** `203.0.113.77` → `203.0.113.0` (the /24). `undefined` when not a dotted IPv4 address. */
export function truncateIPv4(ip: string): string | undefined {
  if (!isIPv4(ip)) return undefined
  return ip.slice(0, ip.lastIndexOf('.')) + '.0'
}

/** The eight 16-bit groups of a valid IPv6 address (zone already removed). */
function ipv6Groups(ip: string): number[] {
  let text = ip
  const tail: number[] = []
  const lastColon = text.lastIndexOf(':')
  if (text.indexOf('.', lastColon) !== -1) {
    const v4 = text.slice(lastColon + 1).split('.')
    const b = v4.map((part) => Number(part))
    tail.push(((b[0] ?? 0) << 8) | (b[1] ?? 0), ((b[2] ?? 0) << 8) | (b[3] ?? 0))
    text = text.slice(0, lastColon + 1) + '0'
    // The dotted quad stood for two groups: replace the placeholder `0` below.
  }
  const toGroups = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16))
  const gap = text.indexOf('::')
  let groups: number[]
  if (gap === -1) {
    groups = toGroups(text)
  } else {
    const head = toGroups(text.slice(0, gap))
    const rest = toGroups(text.slice(gap + 2))
    const missing = 8 - (tail.length > 0 ? 1 : 0) - head.length - rest.length
    groups = [...head, ...new Array<number>(Math.max(missing, 0)).fill(0), ...rest]
  }
  if (tail.length > 0) groups.splice(groups.length - 1, 1, ...tail)
  return groups
}

/** RFC 5952 §4: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
function formatIPv6(groups: readonly number[]): string {
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < groups.length && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((group) => group.toString(16))
  if (bestStart === -1) return hex.join(':')
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLength).join(':')
}

/**
 * Zero the host part: IPv4 → /24 (`203.0.113.0`), IPv6 → /48 (`2001:db8:85a3::`), an IPv4-mapped
 * IPv6 address (`::ffff:203.0.113.7`, how Node reports IPv4 peers on dual-stack sockets) → its
 * IPv4 /24 in dotted form (`203.0.113.0`). A zone (`%eth0`) is dropped. `undefined` when `ip` is
 * not an IP address.
 */
export function truncateIp(ip: string): string | undefined {
  if (typeof ip !== 'string' || ip.length > 64) return undefined
  const v4 = truncateIPv4(ip)
  if (v4 !== undefined) return v4
  const zone = ip.indexOf('%')
  const bare = zone === -1 ? ip : ip.slice(0, zone)
  if (!isIPv6(bare)) return undefined
  const groups = ipv6Groups(bare)
  if (groups.length !== 8 || groups.some((group) => !(group >= 0 && group <= 0xffff))) return undefined
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0) {
    if (groups[5] === 0xffff) {
      const hi = groups[6]!
      return (hi >> 8) + '.' + (hi & 0xff) + '.' + (groups[7]! >> 8) + '.0'
    }
  }
  return formatIPv6([groups[0]!, groups[1]!, groups[2]!, 0, 0, 0, 0, 0])
}
