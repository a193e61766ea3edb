/**
 * Server-side request forgery probes: a URL (or a bare `host/…`) in an input that points the app's
 * own HTTP client at something only the server can reach — the cloud metadata service
 * (169.254.169.254, metadata.google.internal, 100.100.100.200, fd00:ec2::254), the loopback
 * interface, private networks, container and cluster names (`host.docker.internal`,
 * `kubernetes.default.svc`, anything under `.internal` or `.localhost`), DNS names that resolve to
 * an address they spell (`127.0.0.1.nip.io`, `localtest.me`), IPv6 addresses outside the global
 * unicast range — or a scheme that turns a fetch into something else (`gopher:`, `dict:`, `file:`,
 * `ldap:`, `tftp:`, `jar:`, `netdoc:`).
 *
 * The host is read the way URL parsers read it, not matched as text, because the evasions are in
 * the parsing: an IPv4 address in decimal (`2130706433`), hex (`0x7f000001`), octal (`0177.0.0.1`)
 * or shortened (`127.1`) form, IPv4-mapped IPv6 (`[::ffff:a9fe:a9fe]`), Unicode digits and dots
 * that IDNA folds to ASCII (`①②⑦。⓪。⓪。①`), and userinfo tricks (`http://evil.com@127.0.0.1`,
 * `http://a:80#@127.0.0.1/`: every host a lenient parser might pick is looked at).
 *
 * Shaped by what benign requests carry: links to public hosts (redirect_uri, avatars, bookmarks),
 * a developer's own `http://localhost:3000/` (in a bookmark, a forum post, a Referer), and private
 * addresses as plain data (`10.0.0.1` in a lookup, X-Forwarded-For). So:
 * - a loopback, private or internal-name target counts when it has no port, a port below 1024, or
 *   the port of a service SSRF goes after (Redis 6379, memcached 11211, Docker 2375, etcd 2379,
 *   Elasticsearch 9200, kubelet 10250, databases, …), not on the high ports development servers
 *   use; metadata addresses and dangerous schemes count on any port;
 * - a bare host without a scheme (some frameworks prefix `http://` themselves) counts only at the
 *   start of a value, followed by `/` or a port (`localhost/`, `127.0.0.1:6379`), and only for
 *   loopback, metadata and internal names — not for private addresses, which are ordinary data
 *   (`10.0.0.1`, `10.0.0.0/8`) — and never in headers;
 * - in a header (Referer and the like) or the path, the leading URL is where the request came from
 *   or went to: its host counts only if it is a metadata address. URLs inside it (the Referer's
 *   query, a proxied path) count as in any other input.
 *
 * Facts from OWASP CoreRuleSet rules 934110-934190 and their data files (ssrf.data,
 * ssrf-no-scheme.data), the PayloadsAllTheThings SSRF page, the WHATWG URL standard (IPv4 number
 * parsing, host parsing), RFC 6761 (`.localhost`), RFC 6890 (special-purpose addresses), and the
 * cloud providers' instance metadata documentation (AWS, GCP, Azure, Alibaba, Oracle).
 */
import type { Confidence, Finding, Rule } from '../types.js'

/** Schemes an SSRF uses to talk to something other than a web server. */
const DANGEROUS_SCHEMES: ReadonlyMap<string, Confidence> = new Map<string, Confidence>([
  ['gopher', 'high'],
  ['dict', 'high'],
  ['netdoc', 'high'],
  ['jar', 'high'],
  ['tftp', 'high'],
  ['sftp', 'medium'],
  ['ldap', 'medium'],
  ['ldaps', 'medium'],
  ['file', 'medium'],
])

/** Schemes whose URLs WHATWG parsers read with any number of slashes (`http:/host`, `http:\\host`). */
const SPECIAL_SCHEMES = new Set(['http', 'https', 'ftp', 'ws', 'wss'])

/** Names of the metadata services (AWS, GCP, Rancher, Packet, Azure, Tencent Cloud). */
const METADATA_NAMES = new Set([
  'instance-data',
  'instance-data.ec2.internal',
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'rancher-metadata',
  'metadata.packet.net',
  'metadata.azure.com',
  'metadata.tencentyun.com',
])

/** Names that resolve to the loopback interface or the host running the container. */
const LOCAL_NAMES = new Set([
  'localhost',
  'localhost.localdomain',
  'localhost4',
  'localhost4.localdomain4',
  'localhost6',
  'localhost6.localdomain6',
  'ip6-localhost',
  'ip6-loopback',
  'ipv6-localhost',
  'ipv6-loopback',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  // Public DNS names that resolve to 127.0.0.1 (testing services).
  'localtest.me',
  'lvh.me',
  'vcap.me',
  'lacolhost.com',
])

/** Suffixes of names that are internal by definition (RFC 6761 `.localhost`, ICANN's `.internal`). */
const LOCAL_SUFFIXES = ['.localhost', '.internal', '.cluster.local', '.localtest.me', '.lvh.me', '.vcap.me']

/** Wildcard DNS services: `<address>.nip.io` resolves to the address. */
const ADDRESS_DNS_SUFFIXES = ['.nip.io', '.xip.io', '.sslip.io', '.nip.direct', '.traefik.me']

/** Ports of the services behind SSRF chains (databases, caches, container and cluster APIs). */
const SERVICE_PORTS = new Set([
  1433, 1521, 2049, 2375, 2376, 2379, 2380, 3306, 3389, 4369, 5432, 5672, 5984, 5985, 5986, 6379, 6443, 7001,
  8500, 8983, 9042, 9092, 9200, 9300, 10250, 10255, 11211, 27017, 50070,
])

/** The host of the host-only form at the start of a value: `localhost/`, `127.0.0.1:6379`, `[::1]/`. */
const BARE_HOST = /\[[0-9a-f:.]{2,45}\]|[a-z0-9.-]{1,253}/y
/** Full stops IDNA folds to `.` (ideographic, halfwidth, fullwidth). */
const FULL_STOPS = /[\u3002\uff61\uff0e]/g

export const PATTERNS: readonly RegExp[] = [BARE_HOST, FULL_STOPS]

type Target = 'metadata' | 'loopback' | 'private' | 'reserved' | 'internal-name'

interface Classified {
  readonly target: Target
  /** Written in a form no one types by hand (numeric, hex, octal, Unicode, short IPv4). */
  readonly obfuscated: boolean
}

const RULE: Readonly<Record<Target, string>> = {
  metadata: 'ssrf.cloud-metadata',
  loopback: 'ssrf.loopback',
  private: 'ssrf.private-network',
  reserved: 'ssrf.reserved-address',
  'internal-name': 'ssrf.internal-name',
}

export const ssrf: Rule = {
  threat: 'ssrf',
  match(text, kind) {
    if (text.length < 4) return undefined
    const leadingIsOrigin = kind === 'header' || kind === 'path'
    if (text.indexOf(':/') !== -1 || text.indexOf(':\\') !== -1) {
      const found = findUrls(text, leadingIsOrigin)
      if (found !== undefined) return found
    }
    if (kind === 'header' || kind === 'path') return undefined
    // `//host/…`: a scheme-relative URL, resolved against the app's own scheme.
    if (text.charCodeAt(0) === 0x2f && text.charCodeAt(1) === 0x2f) {
      const hit = checkAuthority(text, 2, false)
      return hit === undefined ? undefined : finding(RULE[hit.target], text, 0, confidence(hit))
    }
    return findBareHost(text)
  },
}

/** Every `scheme://` in the text (at most 16), its scheme and its host. */
function findUrls(text: string, leadingIsOrigin: boolean): Finding | undefined {
  let from = 0
  for (let k = 0; k < 16; k++) {
    const colon = nextSchemeColon(text, from)
    if (colon === -1) return undefined
    from = colon + 1
    const start = schemeStart(text, colon)
    if (start === -1) continue
    const scheme = text.slice(start, colon)
    // `jar:http://…`: the outer scheme is the one that matters.
    const outer = start >= 4 && text.slice(start - 4, start) === 'jar:' ? 'jar' : scheme
    const danger = DANGEROUS_SCHEMES.get(outer) ?? DANGEROUS_SCHEMES.get(scheme)
    const schemeAt = outer === 'jar' && scheme !== 'jar' ? start - 4 : start
    // `${jndi:ldap://…}`: a JNDI lookup (the jndi rule's), not a URL handed to an HTTP client.
    const lookup = scheme.startsWith('ldap') && text.charCodeAt(start - 1) === 0x3a
    if (danger !== undefined && !lookup) return finding('ssrf.dangerous-scheme', text, schemeAt, danger)
    let slashes = colon + 1
    while (slashes < text.length && slashes < colon + 4 && isSlash(text.charCodeAt(slashes))) slashes++
    // `mailto:`, `urn:`: no host. `http:/host` is `http://host` to WHATWG parsers (special schemes).
    if (slashes - colon - 1 < (SPECIAL_SCHEMES.has(scheme) ? 1 : 2)) continue
    const origin = leadingIsOrigin && schemeAt === 0
    const hit = checkAuthority(text, slashes, origin)
    if (hit !== undefined) return finding(RULE[hit.target], text, schemeAt, confidence(hit))
  }
  return undefined
}

/** The next `:` followed by `/` or `\`, from `from`. */
function nextSchemeColon(text: string, from: number): number {
  let i = text.indexOf(':', from)
  while (i !== -1) {
    const c = text.charCodeAt(i + 1)
    if (c === 0x2f || c === 0x5c) return i
    i = text.indexOf(':', i + 1)
  }
  return -1
}

/** Where the scheme ending at `colon` starts (a letter, then letters, digits, `+`, `-`, `.`), or -1. */
function schemeStart(text: string, colon: number): number {
  let i = colon
  while (i > 0 && colon - i < 16 && isSchemeChar(text.charCodeAt(i - 1))) i--
  if (i === colon || i < colon - 15) return -1
  // Skip leading digits and punctuation: a scheme starts with a letter.
  while (i < colon && !isLetter(text.charCodeAt(i))) i++
  return i < colon ? i : -1
}

function isSchemeChar(c: number): boolean {
  return isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e
}

function isLetter(c: number): boolean {
  return c >= 0x61 && c <= 0x7a
}

function isSlash(c: number): boolean {
  return c === 0x2f || c === 0x5c
}

interface Hit extends Classified {
  readonly port: number | undefined
}

/**
 * The hosts of the authority starting at `at`: its start, and after every `@` up to the first `/`
 * or `\` (WHATWG takes the last `@`, other parsers the first; an attacker counts on the
 * difference, and `#` or a space before an `@` is a parser-confusion classic).
 */
function checkAuthority(text: string, at: number, origin: boolean): Hit | undefined {
  const limit = Math.min(text.length, at + 128)
  let end = at
  while (end < limit) {
    const c = text.charCodeAt(end)
    if (c === 0x2f || c === 0x5c || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e || c === 0x0a) break
    end++
  }
  let candidate = at
  while (candidate !== -1 && candidate < end) {
    const hit = checkHost(text, candidate, end, origin)
    if (hit !== undefined) return hit
    const atSign = text.indexOf('@', candidate)
    candidate = atSign === -1 || atSign >= end ? -1 : atSign + 1
  }
  return undefined
}

function checkHost(text: string, at: number, end: number, origin: boolean): Hit | undefined {
  let hostEnd = at
  if (text.charCodeAt(at) === 0x5b) {
    const close = text.indexOf(']', at)
    if (close === -1 || close > at + 64) return undefined
    hostEnd = close + 1
  } else {
    while (hostEnd < end && isHostChar(text.charCodeAt(hostEnd))) hostEnd++
  }
  if (hostEnd === at) return undefined
  const classified = classifyHost(text.slice(at, hostEnd))
  if (classified === undefined) return undefined
  const port = readPort(text, hostEnd)
  if (origin && classified.target !== 'metadata') return undefined
  if (!portMatters(classified.target, port)) return undefined
  return { ...classified, port }
}

/** Letters, digits, `.`, `-`, `_`, and anything beyond ASCII (folded by IDNA). */
function isHostChar(c: number): boolean {
  return isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x5f || c > 0x7f
}

/** `:1234` after the host, or `undefined`. */
function readPort(text: string, at: number): number | undefined {
  if (text.charCodeAt(at) !== 0x3a) return undefined
  let e = at + 1
  while (e < text.length && e < at + 6 && text.charCodeAt(e) >= 0x30 && text.charCodeAt(e) <= 0x39) e++
  return e === at + 1 ? undefined : Number(text.slice(at + 1, e))
}

/** Metadata on any port; the rest without a port, below 1024, or on a service's port. */
function portMatters(target: Target, port: number | undefined): boolean {
  if (target === 'metadata' || port === undefined) return true
  return port < 1024 || SERVICE_PORTS.has(port)
}

function confidence(hit: Hit): Confidence {
  if (hit.target === 'metadata') return 'high'
  if (hit.target === 'reserved') return 'low'
  if (hit.obfuscated || (hit.port !== undefined && SERVICE_PORTS.has(hit.port))) return 'high'
  return 'medium'
}

/** `localhost/`, `169.254.169.254/latest`, `127.0.0.1:6379` as the whole start of a value. */
function findBareHost(text: string): Finding | undefined {
  const c = text.charCodeAt(0)
  if (!(isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x5b)) return undefined
  if (text.indexOf('/') === -1 && text.indexOf(':') === -1) return undefined
  BARE_HOST.lastIndex = 0
  const m = BARE_HOST.exec(text)
  if (m === null) return undefined
  const host = m[0]
  let after = host.length
  let port: number | undefined
  if (text.charCodeAt(after) === 0x3a) {
    let e = after + 1
    while (e < text.length && e < after + 6 && isDigit(text.charCodeAt(e))) e++
    if (e === after + 1) return undefined // `word:…` is not `host:port`
    port = Number(text.slice(after + 1, e))
    after = e
  }
  // `host/…` or `host:port`: a bare word is a search term, not a target.
  if (after < text.length && text.charCodeAt(after) !== 0x2f) return undefined
  if (port === undefined && after === text.length) return undefined
  // Not a CIDR block (`127.0.0.0/8`).
  if (port === undefined && isDigit(text.charCodeAt(after + 1))) return undefined
  const bracket = host.charCodeAt(0) === 0x5b
  // Not a time, a fraction or a version (`0:30`, `1/2`): a bare IPv4 address is dotted-quad.
  if (!bracket && isDigit(host.charCodeAt(0)) && host.split('.').length !== 4) return undefined
  // Not a folder (`metadata/`, `kubernetes/`): a bare single-label name only if it says loopback.
  if (!bracket && !host.includes('.') && !host.includes('localhost') && !host.includes('loopback'))
    return undefined
  const classified = classifyHost(host)
  if (classified === undefined) return undefined
  if (classified.target === 'private' || classified.target === 'reserved') return undefined
  if (!portMatters(classified.target, port)) return undefined
  return finding(RULE[classified.target], text, 0, confidence({ ...classified, port }))
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** What a host (as written in the URL) points at, or `undefined` for a public one. */
export function classifyHost(written: string): Classified | undefined {
  let host = written
  let obfuscated = false
  if (!isAscii(host)) {
    // IDNA maps compatibility characters (①, ｡, ０) to ASCII before resolving.
    host = host.normalize('NFKC').replace(FULL_STOPS, '.')
    obfuscated = true
  }
  if (host.endsWith('.')) host = host.slice(0, -1)
  if (host.charCodeAt(0) === 0x5b) {
    const v6 = parseIpv6(host.slice(1, host.endsWith(']') ? -1 : undefined))
    return v6 === undefined ? undefined : classifyIpv6(v6, obfuscated)
  }
  const v4 = parseIpv4(host)
  if (v4 !== undefined) return classifyIpv4(v4.address, obfuscated || v4.unusual)
  return classifyName(host, obfuscated)
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false
  return true
}

/**
 * An IPv4 address the way the WHATWG URL standard (and inet_aton) reads it: one to four parts,
 * each decimal, octal (leading `0`) or hex (`0x`), the last filling the remaining bytes. `unusual`
 * when it is anything but four decimal parts.
 */
export function parseIpv4(host: string): { address: number; unusual: boolean } | undefined {
  const parts = host.split('.')
  if (parts.length > 4 || parts.length === 0) return undefined
  const values: number[] = []
  let unusual = parts.length !== 4
  for (const part of parts) {
    const parsed = parseIpv4Part(part)
    if (parsed === undefined) return undefined
    if (parsed.radix !== 10) unusual = true
    values.push(parsed.value)
  }
  const last = values.length - 1
  for (let i = 0; i < last; i++) if ((values[i] as number) > 255) return undefined
  if ((values[last] as number) >= 256 ** (4 - last)) return undefined
  let address = values[last] as number
  for (let i = 0; i < last; i++) address += (values[i] as number) * 256 ** (3 - i)
  return { address, unusual }
}

function parseIpv4Part(part: string): { value: number; radix: number } | undefined {
  if (part === '' || part.length > 34) return undefined
  let digits = part
  let radix = 10
  if (part.length > 1 && part.charCodeAt(0) === 0x30) {
    const x = part.charCodeAt(1)
    if (x === 0x78) {
      radix = 16
      digits = part.slice(2)
    } else {
      radix = 8
      digits = part.slice(1)
    }
  }
  if (digits === '') return radix === 16 ? { value: 0, radix } : undefined
  // Leading zeros are allowed (`00251`); the value must stay within 32 bits.
  let value = 0
  for (let i = 0; i < digits.length; i++) {
    const d = digitValue(digits.charCodeAt(i))
    if (d < 0 || d >= radix) return undefined
    value = value * radix + d
    if (value > 0xffffffff) return undefined
  }
  return { value, radix }
}

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  return -1
}

/** 100.100.100.200 (Alibaba Cloud) and 192.0.0.192 (Oracle Cloud). */
const ALIBABA_METADATA = ((100 * 256 + 100) * 256 + 100) * 256 + 200
const ORACLE_METADATA = ((192 * 256 + 0) * 256 + 0) * 256 + 192

function classifyIpv4(a: number, obfuscated: boolean): Classified | undefined {
  const b0 = Math.floor(a / 0x1000000)
  const b1 = Math.floor(a / 0x10000) % 256
  if (b0 === 169 && b1 === 254) return { target: 'metadata', obfuscated } // link-local: the metadata service
  if (a === ALIBABA_METADATA || a === ORACLE_METADATA) return { target: 'metadata', obfuscated }
  if (b0 === 127 || b0 === 0) return { target: 'loopback', obfuscated }
  if (b0 === 10 || (b0 === 172 && b1 >= 16 && b1 <= 31) || (b0 === 192 && b1 === 168))
    return { target: 'private', obfuscated }
  if (b0 === 100 && b1 >= 64 && b1 <= 127) return { target: 'private', obfuscated } // shared (CGNAT)
  return undefined
}

/** Eight 16-bit groups, or `undefined`; an embedded IPv4 tail (`::ffff:1.2.3.4`) is allowed. */
export function parseIpv6(written: string): number[] | undefined {
  let s = written
  const zone = s.indexOf('%')
  if (zone !== -1) s = s.slice(0, zone)
  if (s.length < 2 || s.length > 45) return undefined
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] === '' ? [] : (halves[0] as string).split(':')
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] as string).split(':')) : []
  const groups = (list: string[]): number[] | undefined => {
    const out: number[] = []
    for (let i = 0; i < list.length; i++) {
      const g = list[i] as string
      if (g.includes('.') && i === list.length - 1) {
        const v4 = parseIpv4(g)
        if (v4 === undefined || v4.unusual) return undefined
        out.push(Math.floor(v4.address / 0x10000), v4.address % 0x10000)
      } else {
        if (g.length === 0 || g.length > 4) return undefined
        let v = 0
        for (let k = 0; k < g.length; k++) {
          const d = digitValue(g.charCodeAt(k))
          if (d < 0) return undefined
          v = v * 16 + d
        }
        out.push(v)
      }
    }
    return out
  }
  const h = groups(head)
  const t = groups(tail)
  if (h === undefined || t === undefined) return undefined
  if (halves.length === 1) return h.length === 8 ? h : undefined
  if (h.length + t.length > 7) return undefined
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t]
}

function classifyIpv6(g: number[], obfuscated: boolean): Classified | undefined {
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0)
  const v4 = (): number => (g[6] as number) * 0x10000 + (g[7] as number)
  if (zeros(0, 8)) return { target: 'loopback', obfuscated }
  if (zeros(0, 7) && g[7] === 1) return { target: 'loopback', obfuscated }
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
  if ((zeros(0, 5) && (g[5] === 0xffff || g[5] === 0)) || (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)))
    return classifyIpv4(v4(), true)
  const first = g[0] as number
  if (first === 0xfd00 && g[1] === 0x0ec2 && zeros(2, 7) && g[7] === 0x254)
    return { target: 'metadata', obfuscated }
  if ((first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80) return { target: 'private', obfuscated }
  // Outside 2000::/3, the global unicast space, nothing is routable on the Internet.
  if ((first & 0xe000) !== 0x2000) return { target: 'reserved', obfuscated }
  return undefined
}

function classifyName(name: string, obfuscated: boolean): Classified | undefined {
  if (name.length === 0 || name.length > 253) return undefined
  if (METADATA_NAMES.has(name)) return { target: 'metadata', obfuscated }
  if (LOCAL_NAMES.has(name)) return { target: 'internal-name', obfuscated }
  for (const suffix of LOCAL_SUFFIXES)
    if (name.endsWith(suffix)) return { target: 'internal-name', obfuscated }
  for (const suffix of ADDRESS_DNS_SUFFIXES) {
    if (!name.endsWith(suffix)) continue
    const inner = addressInName(name.slice(0, -suffix.length))
    return inner === undefined ? undefined : { target: inner.target, obfuscated: true }
  }
  return undefined
}

/** The address a wildcard-DNS name spells in its last labels: `a.b.c.d`, `a-b-c-d` or 8 hex digits. */
function addressInName(prefix: string): Classified | undefined {
  const labels = prefix.split('.')
  const last = labels[labels.length - 1] as string
  const dashed = last.split('-')
  const spelled = [
    labels.length >= 4 ? labels.slice(-4).join('.') : '',
    dashed.length >= 4 ? dashed.slice(-4).join('.') : '',
  ]
  for (const candidate of spelled) {
    const v4 = candidate === '' ? undefined : parseIpv4(candidate)
    if (v4 !== undefined && !v4.unusual) return classifyIpv4(v4.address, true)
  }
  const hex = last.length === 8 ? parseIpv4(`0x${last}`) : undefined
  return hex === undefined ? undefined : classifyIpv4(hex.address, true)
}

function finding(rule: string, text: string, at: number, confidence: Confidence): Finding {
  return { threat: 'ssrf', rule, fragment: text.slice(at, at + 64), confidence }
}
