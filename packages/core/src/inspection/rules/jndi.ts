/**
 * Log4Shell: a Log4j 2 lookup (`${prefix:key}`) in any input, above all `${jndi:ldap://…}`
 * (CVE-2021-44228, CVE-2021-45046), which makes a vulnerable logger fetch and run a remote class.
 *
 * Attackers hide `jndi` from filters with nested lookups that Log4j resolves before the JNDI one:
 * `${${lower:j}ndi:`, `${${::-j}${::-n}di:`, `${${env:NaN:-j}ndi`, `${${upper:j}`, `${date:'j'}`,
 * `${j${k8s:x:-nd}i:` (the payload lists of PayloadsAllTheThings' Log4Shell page and of
 * righettod/log4shell-analysis). Instead of a pattern per spelling, the rule resolves the lookups
 * the way Log4j's substitutor does — innermost first; `name:-default` gives the default (the name is
 * made up, so it is undefined); `lower:`/`upper:` give their key; `date:'x'` gives the quoted
 * literal — and looks at what a lookup resolves to: one that starts with `jndi:` is the attack, however
 * it was spelt. The exfiltration lookups used on their own or in the JNDI host name
 * (`${env:AWS_SECRET_ACCESS_KEY}`, `${sys:java.version}`, `${java:version}`, `${ctx:…}`) are
 * reported as Log4j lookups, at a lower confidence: Log4j ≥ 2.15 no longer resolves them in
 * messages, but nobody else sends them. `${price}`, `${app.name}` and shell `${VAR:-x}` have no Log4j
 * prefix and are left alone. OWASP CRS rule 944150 gave the entity spellings: `&lbrace;` (not
 * decoded by normalise) is read as `{`.
 *
 * One pass over the text, its cost bounded by the nesting depth (MAX_DEPTH); nothing runs without a
 * `${` or `jndi:` in the text.
 */
import type { Confidence, Finding, Rule } from '../types.js'

/** `jndi:` with a naming scheme, seen outside a lookup (a referer or a value that was cut). */
const JNDI_URL = /jndi:(?:ldaps?|rmi|dns|iiop|iiopname|corba|corbaname|nds|nis|https?):\//

export const PATTERNS: readonly RegExp[] = [JNDI_URL]

/** Lookups beyond this nesting are taken as text: Log4j payloads nest two or three deep. */
const MAX_DEPTH = 16
const DOLLAR = 0x24
const LBRACE = 0x7b
const RBRACE = 0x7d

/**
 * Log4j's lookup prefixes (Log4j 2 manual, "Lookups"), apart from `jndi`, `lower`, `upper` and
 * `date`, which are resolved. Spring's `${a.b}` and shell's `${A:-b}` have none of them.
 */
const LOG4J_PREFIXES = new Set([
  'env',
  'sys',
  'java',
  'ctx',
  'main',
  'map',
  'sd',
  'bundle',
  'docker',
  'k8s',
  'spring',
  'web',
  'log4j',
  'jvmrunargs',
  'marker',
  'event',
])

export const jndi: Rule = {
  threat: 'jndi',
  match(text) {
    let t = text
    // CRS 944150: `$&lbrace;jndi:` — an HTML5 reference normalise.ts does not decode.
    if (t.indexOf('$&') !== -1 && t.includes('&lbrace;'))
      t = t.replaceAll('&lbrace;', '{').replaceAll('&rbrace;', '}')
    if (t.indexOf('${') === -1) return t.includes('jndi:') ? bareUrl(t) : undefined
    return lookups(t)
  },
}

/** What one `${…}` resolves to, and whether it is a Log4j lookup at all. */
interface Resolved {
  /** The value, or `undefined` when Log4j would leave the text as it is (not a lookup it knows). */
  readonly value: string | undefined
  /** A lookup only Log4j understands (a prefix of its own, or the empty name of `${::-x}`). */
  readonly log4j: boolean
}

const LITERAL: Resolved = { value: undefined, log4j: false }

/**
 * Resolves the lookups in `text` innermost first, keeping per open `${` the text resolved so far.
 * Returns the first JNDI lookup found; else a Log4j lookup; else a `jndi:` URL in what is left.
 */
function lookups(text: string): Finding | undefined {
  const starts: number[] = [] // where each open `${` is in the text
  const parts: string[] = [''] // resolved text per level; 0 is outside any lookup
  const nested: boolean[] = [false] // a lookup was resolved at this level (obfuscation)
  let probeAt = -1
  let probeEnd = -1
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === DOLLAR && text.charCodeAt(i + 1) === LBRACE && starts.length < MAX_DEPTH) {
      starts.push(i)
      parts.push('')
      nested.push(false)
      i += 2
      continue
    }
    if (c === RBRACE && starts.length > 0) {
      const body = parts.pop() as string
      const at = starts.pop() as number
      nested.pop()
      if (body.startsWith('jndi:')) return jndiFinding(text, at, i + 1, !isPlain(text, at))
      const top = parts.length - 1
      const resolved = resolve(body)
      if (resolved.value === undefined) parts[top] += `\${${body}}`
      else {
        parts[top] += resolved.value
        nested[top] = true
      }
      if (resolved.log4j && probeAt === -1) {
        probeAt = at
        probeEnd = i + 1
      }
      i++
      continue
    }
    // A run of ordinary characters, copied at once.
    let j = i + 1
    while (j < text.length) {
      const d = text.charCodeAt(j)
      if (d === DOLLAR || d === RBRACE) break
      j++
    }
    parts[parts.length - 1] += text.slice(i, j)
    i = j
  }
  // Lookups left open (a cut or sloppy payload): a JNDI one is still the attack.
  while (starts.length > 0) {
    const body = parts.pop() as string
    const at = starts.pop() as number
    const resolvedInside = nested.pop() as boolean
    if (body.startsWith('jndi:')) return jndiFinding(text, at, text.length, !isPlain(text, at))
    parts[parts.length - 1] += `\${${body}`
    if (resolvedInside) nested[parts.length - 1] = true
  }
  const outside = parts[0] as string
  // `j${::-n}di:`, or a `$` given by a default that opens `{jndi:` (`${:1337:-x$}{jndi:…}`).
  if (nested[0] === true) {
    const built = outside.indexOf('${jndi:')
    if (built !== -1 || (outside.includes('jndi:') && !text.includes('jndi:'))) {
      // The fragment starts a little before the first lookup: `j${::-n}di:` begins with its `j`.
      return jndiFinding(text, text.indexOf('${') - 4, text.length, true)
    }
  }
  if (probeAt !== -1) return finding('jndi.log4j-lookup', text, probeAt, probeEnd, 'medium')
  return outside.includes('jndi:') ? (bareUrl(text) ?? bareUrl(outside)) : undefined
}

/** `${jndi:` spelt out, as opposed to built from nested lookups. */
function isPlain(text: string, at: number): boolean {
  return text.startsWith('jndi:', at + 2)
}

/** The value of `${body}` (body already resolved), the way Log4j's substitutor would see it. */
function resolve(body: string): Resolved {
  const dash = body.indexOf(':-')
  const name = dash === -1 ? body : body.slice(0, dash)
  const fallback = dash === -1 ? undefined : body.slice(dash + 2)
  const colon = name.indexOf(':')
  if (colon === -1) {
    // No prefix: a property Log4j (or a shell) would not know — the default, or the text itself.
    return fallback === undefined ? LITERAL : { value: fallback, log4j: false }
  }
  const prefix = name.slice(0, colon)
  const key = name.slice(colon + 1)
  if (prefix === '') return { value: fallback ?? '', log4j: true }
  if (prefix === 'lower' || prefix === 'upper') {
    // Case is gone already; `${upper:ı}` is `I`, so fold the way Java would before lower-casing.
    const value = key === '' && fallback !== undefined ? fallback : key.toUpperCase().toLowerCase()
    return { value, log4j: true }
  }
  if (prefix === 'date') return { value: quoted(key), log4j: true }
  if (LOG4J_PREFIXES.has(prefix)) return { value: fallback ?? 'x', log4j: true }
  return fallback === undefined ? LITERAL : { value: fallback, log4j: false }
}

/** The quoted literals of a date pattern (`'j'` is `j`); letters outside quotes give digits. */
function quoted(pattern: string): string {
  let out = ''
  let inside = false
  for (const ch of pattern) {
    if (ch === "'") inside = !inside
    else if (inside) out += ch
  }
  return out
}

function bareUrl(text: string): Finding | undefined {
  const m = JNDI_URL.exec(text)
  return m === null ? undefined : finding('jndi.url', text, m.index, m.index + 64, 'medium')
}

function jndiFinding(text: string, at: number, end: number, obfuscated: boolean): Finding {
  return finding(obfuscated ? 'jndi.obfuscated' : 'jndi.lookup', text, at, end, 'high')
}

/** The lookup as sent (not as resolved), at most 64 characters. */
function finding(rule: string, text: string, at: number, end: number, confidence: Confidence): Finding {
  const from = Math.max(0, at)
  return { threat: 'jndi', rule, fragment: text.slice(from, Math.min(end, from + 64)), confidence }
}
