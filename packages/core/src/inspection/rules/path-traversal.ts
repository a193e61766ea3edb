/**
 * Path traversal and local file inclusion: an input that walks up the directory tree (`../`,
 * `..\`, `....//`, Tomcat's `..;/`, and what decodes to them: `%2e%2e%2f`, `%c0%ae`, `%uff0e`), names
 * a file an application never serves (`/etc/passwd`, `/proc/self/environ`, `c:\windows\win.ini`,
 * `WEB-INF/web.xml`, `.htpasswd`, a web server log to poison), or asks PHP for a stream wrapper
 * (`php://filter`, `php://input`, `expect://`, `zip://`, `phar://`, `data://`) or a `file:` URL.
 *
 * Shaped by the two things a benign request does with dots and slashes:
 * - Browsers and HTTP clients remove `.` and `..` segments from the path before they send it
 *   (RFC 3986 section 5.2.4, and the WHATWG URL standard for `%2e%2e`), so one `..` segment that
 *   reaches the server in the path was sent on purpose. In a value, one or two steps up are an
 *   ordinary relative link (`../images/a.png` in a CMS document, `'../../lib/x.js'` in a developer's
 *   post) and are left alone; three or more, a step written with an encoding no client produces
 *   (overlong UTF-8, `%u`, double encoding), or any step that lands on a sensitive file are not.
 * - A file name with dots (`report.v2.final.pdf`, `notes..txt`) is not a step: a step is a run of
 *   dots between separators (or at the start of the input or a `name=` value).
 * Sensitive files fall in two groups. The classic targets that have no business in a request (the
 * password and shadow files, `/proc/self/`, `win.ini`, private keys) count anywhere in the input;
 * the rest (configuration directories, `/var/log`, `/sys/class`, web server logs, `.htaccess`)
 * only as the input's first token, where the app would take it for a file name, so that a forum
 * post saying "edit /etc/hosts" is not an attack.
 *
 * Facts from OWASP CoreRuleSet rules 930100-930130 and their data files (lfi-os-files.data,
 * restricted-files.data), the PayloadsAllTheThings directory traversal and file inclusion pages and
 * the PHP manual's list of supported protocols and wrappers.
 */
import {
  ANOMALY_DOUBLE_ENCODED,
  ANOMALY_INVALID_UTF8,
  ANOMALY_OVERLONG_UTF8,
  ANOMALY_PERCENT_U,
} from '../normalise.js'
import type { Confidence, Finding, Rule } from '../types.js'

/** `/` or `\` inside a name. */
const SEP = String.raw`[/\\]`

/** Files and directories that name the target of a traversal wherever they appear. */
const STRONG_NAMES = [
  String.raw`etc${SEP}(?:passwd|shadow|gshadow|master\.passwd|sudoers|security${SEP}passwd|spwd\.db)`,
  `proc${SEP}(?:self|thread-self|[0-9]{1,7})${SEP}(?:environ|cmdline|maps|mem|fd|root|cwd|exe|status|mounts)`,
  `proc${SEP}(?:self|thread-self)(?=${SEP}|$)`,
  `proc${SEP}(?:version|cmdline|sched_debug|kcore|kallsyms|net(?=${SEP}))`,
  String.raw`(?:win(?:dows|nt)${SEP})?(?:win|boot|system)\.ini`,
  `(?:repair|config)${SEP}sam`,
  String.raw`\.htpasswd`,
  String.raw`\.aws${SEP}credentials`,
  String.raw`\.ssh${SEP}(?:id_(?:rsa|dsa|ecdsa|ed25519)(?!\.pub)|authorized_keys)`,
  String.raw`root${SEP}\.(?:ssh|aws|bash_history)`,
  String.raw`\.bash_history`,
  String.raw`web-inf${SEP}web\.xml`,
]
const STRONG_FILE = new RegExp(`(?:${STRONG_NAMES.join('|')})(?![a-z0-9_])`, 'y')

/** Files and directories that are suspicious as a file name, not in prose. */
const WEAK_NAMES = [
  `etc${SEP}(?:hosts|hostname|group|issue|crontab|fstab|mtab|os-release|lsb-release|motd|profile)`,
  String.raw`etc${SEP}(?:resolv\.conf|my\.cnf|redis\.conf)`,
  String.raw`etc${SEP}(?:httpd|apache2?|nginx|mysql|php[0-9.]{0,4}|ssh|ssl|pam\.d|sysconfig|cron\.d|init\.d)(?=${SEP}|$)`,
  `proc${SEP}(?:cpuinfo|meminfo|mounts)`,
  `sys${SEP}(?:class|kernel|devices|firmware|module|block|bus|power)`,
  `var${SEP}(?:log|www|mail|spool|lib${SEP}(?:mysql|pgsql|php))`,
  `win(?:dows|nt)${SEP}(?:system32|syswow64|repair|panther|debug)`,
  `(?:winnt|inetpub)(?=${SEP})`,
  `web-inf(?=${SEP}|$)`,
  String.raw`\.(?:htaccess|passwd|netrc|pgpass|my\.cnf|git-credentials)`,
  String.raw`\.(?:ssh|aws)(?=${SEP})`,
  String.raw`\.docker${SEP}config\.json`,
  String.raw`\.kube${SEP}config`,
  String.raw`(?:httpd|apache2?|nginx|php)\.(?:conf|ini)`,
  String.raw`(?:wp-config|localsettings)\.php`,
]
const WEAK_FILE = new RegExp(`(?:${WEAK_NAMES.join('|')})(?![a-z0-9_-])`, 'y')

/** Web server logs (log poisoning turns their inclusion into code execution); after a separator only. */
const LOG_FILE = /(?:access|error)[._]log(?![a-z0-9_])/y

/**
 * The first two characters of every name in the lists above: most positions are ruled out
 * by a table lookup before a regular expression runs. Keep in step with the lists.
 */
const NAME_STARTS: ReadonlySet<number> = new Set(
  [
    ...['et', 'pr', 'sy', 'va', 'wi', 'we', 'bo', 're', 'co', 'ro', 'in', 'ht', 'ap', 'ng', 'ph', 'wp', 'lo'],
    ...['ac', 'er', '.h', '.a', '.s', '.b', '.p', '.n', '.m', '.g', '.d', '.k'],
  ].map((pair) => pairKey(pair.charCodeAt(0), pair.charCodeAt(1))),
)

function pairKey(a: number, b: number): number {
  return (a << 16) | b
}

/**
 * PHP stream wrappers an inclusion reads from or executes (php.net, "Supported Protocols and
 * Wrappers"), with how sure a `name://` in a value makes us: reading source (`php://filter`), running
 * code (`expect://`, `data://`, `phar://` deserialisation) or unpacking an upload (`zip://`).
 */
const WRAPPERS: ReadonlyMap<string, Confidence> = new Map<string, Confidence>([
  ['php', 'high'],
  ['expect', 'high'],
  ['data', 'high'],
  ['phar', 'high'],
  ['zip', 'medium'],
  ['glob', 'medium'],
  ['compress.zlib', 'medium'],
  ['compress.bzip2', 'medium'],
  ['zlib', 'medium'],
  ['rar', 'medium'],
  ['ogg', 'medium'],
  ['ssh2.shell', 'high'],
  ['ssh2.exec', 'high'],
  ['ssh2.sftp', 'medium'],
  ['ssh2.scp', 'medium'],
  ['ssh2.tunnel', 'medium'],
])

/**
 * A value that is itself an absolute path into a system directory (`/etc/netconfig`, `/var/adm/wtmp`,
 * `/root/.ksh_history`, `c:\program files\…`): what an inclusion probe gives a file parameter. Only
 * at the start of a value, so that neither prose nor the app's own path counts; not a user's folders
 * (`c:\users\`, `documents and settings`), which a file name from an old browser's upload may carry.
 */
const SYSTEM_PATH =
  /(?:[/\\](?:etc|root|boot|proc|var[/\\](?:adm|log|cron|mail|spool|run|backups|apache2?|nginx|lp|mysql|www|db|cpanel|lock|saf|lib[/\\](?:mysql|pgsql|php|mlocate))|usr[/\\](?:etc|spool|pkgsrc|ports|lib[/\\](?:cron|security)|local[/\\](?:etc|apache2?|nginx|www|cpanel|pureftpd))|private[/\\]etc)[/\\][\w.-]|[/\\](?:var[/\\]adm|master\.passwd)$|[/\\]\.(?:bash_profile|bashrc|profile|rhosts|forward|cshrc|login|k?sh_history)(?![\w.-])|[a-z]:[/\\]?(?:windows|winnt|program files|inetpub|appserv|xampp|wamp|system32)(?![\w-]))/y

/**
 * Steps up that no link writes, whatever their number: right after the root at the start of a value
 * (`/../`, `//..\`, `/./../`: above the root), or with separators a client never doubles or mixes
 * around them (`..///`, `..\\\`, `/..\`).
 */
const ROOT_STEP = /[/\\]{1,8}(?:\.[/\\]{1,8}){0,8}\.{2,64}[/\\;]/y
const ODD_STEP = /(?:^|[/\\])\.{2,64}(?:[/\\]{3}|\/\\|\\\/)|(?:[/\\]{3}|\/\\|\\\/)\.{2,64}[/\\]/
/** Dots and separators written as hex literals (`0x2e0x2e0x2f`). */
const HEX_LITERAL = /0x(?:2e|2f|5c)/g
const hexLiteral = (m: string) => (m === '0x2e' ? '.' : m === '0x2f' ? '/' : '\\')
/**
 * A value starting, in base64 (lower case), with `../` or `..\` then another step or `etc`, or with
 * `/etc/` or `etc/`; `BASE64_WORDS` holds what each match starts with, for the prefilter.
 */
const BASE64_STEPS = /(?:li4v|li5c)(?:li4v|li5c|zxrj)|l2v0yy9|zxrjl/y
export const BASE64_WORDS: readonly string[] = ['li4v', 'li5c', 'l2v0yy9', 'zxrjl']

export const PATTERNS: readonly RegExp[] = [
  STRONG_FILE,
  WEAK_FILE,
  LOG_FILE,
  SYSTEM_PATH,
  ROOT_STEP,
  ODD_STEP,
  HEX_LITERAL,
  BASE64_STEPS,
]

/** Anomalies no benign client produces. */
const ENCODING_TRICK = ANOMALY_OVERLONG_UTF8 | ANOMALY_PERCENT_U | ANOMALY_DOUBLE_ENCODED

export const pathTraversal: Rule = {
  threat: 'path_traversal',
  match(text, kind, anomalies) {
    if (text.length < 3) return undefined
    if (text.indexOf(':/') !== -1 || text.indexOf(':\\') !== -1) {
      const wrapper = findWrapper(text)
      if (wrapper !== undefined) return wrapper
    }
    const isPath = kind === 'path'
    let traversal: Finding | undefined
    if (text.indexOf('..') !== -1 || text.indexOf('\uff0e') !== -1) {
      traversal = findTraversal(text, isPath, (anomalies & ENCODING_TRICK) !== 0)
      if (traversal?.confidence === 'high') return traversal
    }
    traversal ??= respelled(text, isPath, anomalies)
    if (traversal?.confidence === 'high') return traversal
    // A name further along (`..\windows/win.ini` is one step, then the name after a folder).
    const file = findSensitiveFile(text, isPath)
    if (file === undefined) return traversal ?? (isPath ? undefined : systemPath(text))
    return traversal === undefined || file.confidence === 'high' ? file : traversal
  },
}

/**
 * Steps spelled so that only a lenient decoder sees them, each a trick in itself (High):
 * - dots and separators written as hex literals (`0x2e0x2e0x2f`, `/0x2e0x2e/`, `..0x2f`), which
 *   some servers and filters decode;
 * - dots and separators behind a byte that is not UTF-8 (`%c0%2e%c0%2e%c0%2f`, `..%c0%2f`): a
 *   decoder that does not check continuation bytes reads `%c0%2e` as `.`; strict decoding leaves
 *   U+FFFD before each.
 * Medium: steps or `/etc/` in base64 (`Li4vLi4v` is `../../`, `Li4vZXRj` `../etc`, `L2V0Yy9` `/etc/`),
 * for an app that decodes a parameter before opening the file it names (the text is lower case
 * here, as the rules see it).
 * Sources: fuzzdb's path-traversal lists (attack/path-traversal, attack/lfi).
 */
function respelled(text: string, isPath: boolean, anomalies: number): Finding | undefined {
  if (text.indexOf('0x2e0x2e') !== -1 || text.indexOf('..0x') !== -1) {
    const spelled = text.replace(HEX_LITERAL, hexLiteral)
    const found = findTraversal(spelled, isPath, true)
    if (found !== undefined) return { ...found, fragment: text.slice(0, 64) }
  }
  if (
    (anomalies & ANOMALY_INVALID_UTF8) !== 0 &&
    (text.indexOf('\ufffd.') !== -1 || text.indexOf('.\ufffd') !== -1)
  ) {
    const found = findTraversal(text.replaceAll('\ufffd', ''), isPath, true)
    if (found !== undefined) return { ...found, fragment: text.slice(0, 64) }
  }
  BASE64_STEPS.lastIndex = 0
  return BASE64_STEPS.test(text) ? finding('path_traversal.base64', text.slice(0, 64), 'medium') : undefined
}

/** In a value: an absolute path into a system directory, or steps up no link writes. */
function systemPath(text: string): Finding | undefined {
  SYSTEM_PATH.lastIndex = 0
  if (SYSTEM_PATH.test(text)) return finding('path_traversal.system-path', text.slice(0, 64), 'medium')
  if (text.indexOf('..') === -1) return undefined
  ROOT_STEP.lastIndex = 0
  if (ROOT_STEP.test(text)) return finding('path_traversal.dot-dot', text.slice(0, 64), 'medium')
  const odd = ODD_STEP.exec(text)
  return odd === null
    ? undefined
    : finding('path_traversal.dot-dot', text.slice(odd.index, odd.index + 64), 'medium')
}

function isSeparator(c: number): boolean {
  // `/`, `\`, and the look-alikes that %u and UTF-8 decoding turn into them for lenient servers:
  // the division and set-minus signs, the full-width solidus and reverse solidus, and the two
  // private-use characters IIS's `%u` decoding took for separators (`..%uEFC8`, `..%uF025` in
  // fuzzdb's path-traversal lists).
  if (c < 0x2215) return c === 0x2f || c === 0x5c
  return c === 0x2215 || c === 0x2216 || c === 0xff0f || c === 0xff3c || c === 0xefc8 || c === 0xf025
}

function isDot(c: number): boolean {
  return c === 0x2e || c === 0xff0e
}

/**
 * `php://filter`, `expect://`, …, or a `file:` URL (`file:///etc/passwd`, `file:/c:/…`, `file:\\`):
 * each `:` followed by a slash, and the word before it.
 */
function findWrapper(text: string): Finding | undefined {
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    const next = text.charCodeAt(colon + 1)
    if (next !== 0x2f && next !== 0x5c) continue
    let start = colon
    while (start > 0 && colon - start < 16 && isSchemeChar(text.charCodeAt(start - 1))) start--
    const name = text.slice(start, colon)
    if (name === 'file') {
      let at = colon + 1
      while (at < text.length && at < colon + 5 && isSeparator(text.charCodeAt(at))) at++
      const target = sensitiveAt(text, at, true)
      return finding(
        'path_traversal.file-url',
        text.slice(start, start + 64),
        target !== undefined ? 'high' : 'medium',
      )
    }
    const confidence = next === 0x2f && text.charCodeAt(colon + 2) === 0x2f ? WRAPPERS.get(name) : undefined
    if (confidence !== undefined)
      return finding('path_traversal.stream-wrapper', text.slice(start, start + 64), confidence)
  }
  return undefined
}

/** Letters, digits and `.` (a wrapper's name: `compress.zlib`, `ssh2.exec`). */
function isSchemeChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e
}

interface Chain {
  start: number
  /** After the last step and the separators that follow it: where the target begins. */
  end: number
  steps: number
}

/**
 * The chains of `..` steps, in one pass: a step is a run of two or more dots at the start of the
 * input, after a separator or `=` (`?file=../..` in a Referer), or right after the previous step,
 * followed by a separator, the end, `;` (`..;/`), `%` or NUL (a separator's broken or truncated
 * escape), or `2f` / `5c` (one whose `%` a filter stripped). The first chain that lands on a
 * sensitive file is reported at once; else the longest one, if it is long or odd enough for the
 * kind of input (`tricky`: spelled by an encoding trick, or with a step of `MANY_DOTS` dots or a
 * `%`-less hex separator, High at any length).
 */
function findTraversal(text: string, isPath: boolean, tricky: boolean): Finding | undefined {
  const n = text.length
  let best: Chain | undefined
  let chain: Chain | undefined
  let i = 0
  while (i < n) {
    if (!isDot(text.charCodeAt(i))) {
      i++
      continue
    }
    let e = i + 1
    while (e < n && isDot(text.charCodeAt(e))) e++
    const continues = chain !== undefined && chain.end === i
    const leftOk =
      i === 0 || continues || isSeparator(text.charCodeAt(i - 1)) || text.charCodeAt(i - 1) === 0x3d
    if (e - i >= 2 && leftOk && stepEnds(text, e)) {
      // Spelled so that only a lenient server walks it: a separator whose `%` a filter stripped
      // (`..2f`), or a run of dots Windows trims to two (`..../`, `/........../`).
      if (e - i >= MANY_DOTS || hexSeparatorAt(text, e) > 0) tricky = true
      const end = skipGap(text, e)
      if (continues && chain !== undefined) {
        chain.steps++
        chain.end = end
      } else {
        chain = { start: i, end, steps: 1 }
      }
      const target = end < n ? sensitiveAt(text, end, true) : undefined
      if (target !== undefined)
        return finding(
          'path_traversal.dot-dot',
          text.slice(Math.max(chain.start, target - 64), target),
          'high',
        )
      if (best === undefined || chain.steps > best.steps) best = chain
    }
    i = e
  }
  if (best === undefined) return undefined
  let confidence: Confidence | undefined
  if (isPath) confidence = best.steps >= 3 || tricky ? 'high' : 'medium'
  else if (tricky || best.steps >= 6) confidence = 'high'
  else if (best.steps >= 3) confidence = 'medium'
  if (confidence === undefined) return undefined
  return finding('path_traversal.dot-dot', text.slice(best.start, best.start + 48), confidence)
}

/** Dots in one step that no client writes (Windows trims a name's trailing dots: `..../` is `../`). */
const MANY_DOTS = 4

/** What may follow the dots of a step. */
function stepEnds(text: string, e: number): boolean {
  if (e === text.length) return true
  const c = text.charCodeAt(e)
  if (isSeparator(c) || c === 0x3b || c === 0x25 || c === 0) return true
  return hexSeparatorAt(text, e) > 0
}

/** `2f`, `5c`, `0x2f`, `0x5c` at `at`: the length, or 0. */
function hexSeparatorAt(text: string, at: number): number {
  let i = at
  if (text.charCodeAt(i) === 0x30 && text.charCodeAt(i + 1) === 0x78) i += 2
  const a = text.charCodeAt(i)
  const b = text.charCodeAt(i + 1)
  if ((a === 0x32 && b === 0x66) || (a === 0x35 && b === 0x63)) return i + 2 - at
  return 0
}

/** Past the separators, `./`, `;`, `%`, NUL and hex separators between two steps (bounded). */
function skipGap(text: string, from: number): number {
  let i = from
  const limit = Math.min(text.length, from + 16)
  while (i < limit) {
    const c = text.charCodeAt(i)
    if (isSeparator(c) || c === 0x3b || c === 0x25 || c === 0) {
      i++
      continue
    }
    // `./` between steps (`/./../`), but not the first dot of the next step.
    if (isDot(c) && !isDot(text.charCodeAt(i + 1)) && isSeparator(text.charCodeAt(i + 1))) {
      i += 2
      continue
    }
    const hex = hexSeparatorAt(text, i)
    if (hex === 0) break
    i += hex
  }
  return i
}

/**
 * The end of a sensitive file name starting at `at`, or `undefined`. `weak` admits the names that
 * count only as a file name (after a traversal, or as the first token of the input).
 */
function sensitiveAt(text: string, at: number, weak: boolean): number | undefined {
  if (!NAME_STARTS.has(pairKey(text.charCodeAt(at), text.charCodeAt(at + 1)))) return undefined
  STRONG_FILE.lastIndex = at
  if (STRONG_FILE.test(text)) return STRONG_FILE.lastIndex
  if (!weak) return undefined
  WEAK_FILE.lastIndex = at
  if (WEAK_FILE.test(text)) return WEAK_FILE.lastIndex
  if (at > 0 && isSeparator(text.charCodeAt(at - 1))) {
    LOG_FILE.lastIndex = at
    if (LOG_FILE.test(text)) return LOG_FILE.lastIndex
  }
  return undefined
}

/**
 * A sensitive file named at the start of the input or after a separator. In the path every name
 * counts (the path is one token); in a value the weak ones only in its first token.
 */
function findSensitiveFile(text: string, isPath: boolean): Finding | undefined {
  const n = text.length
  // In a value, the end of the first token (computed when a name needs it).
  let firstToken = isPath ? n : -1
  for (let at = 0; at < n; at++) {
    if (at > 0 && !isSeparator(text.charCodeAt(at - 1))) continue
    if (!NAME_STARTS.has(pairKey(text.charCodeAt(at), text.charCodeAt(at + 1)))) continue
    const strong = sensitiveAt(text, at, false)
    if (strong !== undefined) {
      if (firstToken === -1) firstToken = spaceIndex(text)
      const confidence = at < firstToken ? 'high' : 'medium'
      return finding('path_traversal.sensitive-file', fragmentAround(text, at, strong), confidence)
    }
    if (firstToken === -1) firstToken = spaceIndex(text)
    if (at >= firstToken) continue
    const weak = sensitiveAt(text, at, true)
    if (weak !== undefined)
      return finding('path_traversal.sensitive-file', fragmentAround(text, at, weak), 'medium')
  }
  return undefined
}

/** Index of the first whitespace, or the length. */
function spaceIndex(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) return i
  }
  return text.length
}

/** The name and what leads to it, at most 64 characters. */
function fragmentAround(text: string, at: number, end: number): string {
  return text.slice(Math.max(0, at - 16, end - 64), end)
}

function finding(rule: string, fragment: string, confidence: Confidence): Finding {
  return { threat: 'path_traversal', rule, fragment, confidence }
}
