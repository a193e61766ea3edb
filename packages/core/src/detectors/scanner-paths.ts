/**
 * Paths only scanners ask for (data/scanner-paths.ts: the list, its sources and its pattern
 * syntax), compiled into one automaton (detection/literals.ts): a path is read once, whatever the
 * number of patterns, without a lower-cased copy and without regular expressions; what a substring
 * cannot say (anchored at the root, ending at a segment, a file right under the root) is checked
 * only where a pattern's text occurs. The longest pattern that matches names the probe (its family
 * and pattern go into the event): `/wp-content/debug.log` is a log file before a WordPress path.
 * Copies of sources (`*.php.bak`) and config-file permutations (`config_dev.yml`) are checked as
 * a suffix or prefix, then the rest, rather than expanded into every combination.
 *
 * Two lists: probes whatever the response (`/.env`, `/.git/config`, `/actuator/env`), and probes
 * only when the app answered 404 (`*.php`, `*.bak`: an app may serve those on purpose).
 */

import { type Accept, compileLiterals, type LiteralMatcher } from '../detection/literals.js'
import { WatchpostTypeError } from '../errors.js'
import {
  CONFIG_FILES,
  NOT_FOUND_ONLY,
  SCANNER_PATH_FAMILIES,
  SCANNER_PATHS,
  type ScannerPathFamily,
  SOURCE_COPIES,
} from './data/scanner-paths.js'

export { SCANNER_PATH_FAMILIES, type ScannerPathFamily }

/**
 * What matched: the pattern as written in the list, and its family — `custom` for `extraPaths`,
 * `other-platform` for the 404-only patterns.
 */
export interface ScannerPathMatch {
  readonly pattern: string
  readonly family: ScannerPathFamily | 'custom' | 'other-platform'
}

export interface ScannerPaths {
  /** What `path` (no query) probes for, if anything; with `notFound`, the 404-only patterns count too. */
  match(path: string, notFound: boolean): ScannerPathMatch | undefined
}

// Pattern flags.
const ANCHORED = 1 // starts at the start of the path
const SEGMENT_END = 2 // ends at `/` or the end of the path
const PATH_END = 4 // ends at the end of the path
const ROOT_FILE = 8 // the path has no `/` after its first character
const AFTER_SERVER = 16 // right after a server-side extension (SOURCE_COPIES)
const AFTER_DATA = 32 // ... or after a data extension
const CONFIG_NAME = 64 // the rest of the segment is one of CONFIG_SUFFIXES

/** `<variant><extension>` of CONFIG_FILES, the ones apps serve left out. */
const CONFIG_SUFFIXES: ReadonlySet<string> = new Set(
  CONFIG_FILES.variants
    .flatMap((variant) => CONFIG_FILES.extensions.map((ext) => `${variant}${ext}`))
    .filter((suffix) => !(CONFIG_FILES.served as readonly string[]).includes(suffix)),
)

interface Compiled {
  readonly matcher: LiteralMatcher
  readonly accept: Accept
  readonly entries: readonly ScannerPathMatch[]
}

/** A pattern as the automaton takes it: its literal, its flags, and what to report. */
interface Parsed {
  readonly literal: string
  readonly flags: number
  readonly match: ScannerPathMatch
}

/** Longest path inspected; a longer one is judged on its first part only. */
const MAX_PATH = 2048

/** Parses one pattern into its literal and flags; throws on a pattern the syntax does not allow. */
export function parsePattern(pattern: string): { literal: string; flags: number } {
  let p = pattern.toLowerCase()
  let flags = 0
  if (p.startsWith('^/*')) {
    flags |= ROOT_FILE
    p = p.slice(3)
  } else if (p.startsWith('^/')) {
    flags |= ANCHORED
    p = p.slice(1)
  } else if (p.startsWith('*')) {
    p = p.slice(1)
    flags |= PATH_END
  } else if (!p.startsWith('/')) {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_DETECTOR_LIST_INVALID',
      `${JSON.stringify(pattern)}: a path starts with /, ^/ or *`,
    )
  }
  if (p.endsWith('*')) p = p.slice(0, -1)
  else if (p.endsWith('$')) {
    p = p.slice(0, -1)
    flags |= PATH_END
  } else if (!p.endsWith('/') && (flags & PATH_END) === 0) {
    flags |= (flags & ROOT_FILE) !== 0 ? PATH_END : SEGMENT_END
  }
  if (p.length === 0 || p.includes('*') || p.includes('$'))
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_DETECTOR_LIST_INVALID',
      `${JSON.stringify(pattern)}: * only first or last, $ only last`,
    )
  return { literal: p, flags }
}

function compile(parsed: readonly Parsed[]): Compiled {
  const flags = Uint8Array.from(parsed, (p) => p.flags)
  const length = Int32Array.from(parsed, (p) => p.literal.length)
  const accept: Accept = (id, end, text) => {
    const f = flags[id] as number
    if ((f & ANCHORED) !== 0 && end !== length[id]) return false
    if ((f & SEGMENT_END) !== 0 && end !== text.length && text.charCodeAt(end) !== 47) return false
    if ((f & PATH_END) !== 0 && end !== text.length) return false
    if ((f & ROOT_FILE) !== 0 && text.indexOf('/', 1) !== -1) return false
    if ((f & CONFIG_NAME) !== 0) {
      const stop = text.indexOf('/', end)
      return CONFIG_SUFFIXES.has(text.slice(end, stop === -1 ? text.length : stop).toLowerCase())
    }
    if ((f & (AFTER_SERVER | AFTER_DATA)) !== 0) {
      const at = end - (length[id] as number)
      return (
        endsWithAny(text, at, SOURCE_COPIES.server) ||
        ((f & AFTER_DATA) !== 0 && endsWithAny(text, at, SOURCE_COPIES.data))
      )
    }
    return true
  }
  return {
    matcher: compileLiterals(parsed.map((p) => p.literal)),
    accept,
    entries: parsed.map((p) => p.match),
  }
}

/** `text` before `at` ends with one of `suffixes` (lower case; compared without ASCII case). */
function endsWithAny(text: string, at: number, suffixes: readonly string[]): boolean {
  for (const suffix of suffixes) {
    const from = at - suffix.length
    if (from < 0) continue
    let i = 0
    while (i < suffix.length) {
      let c = text.charCodeAt(from + i)
      if (c >= 65 && c <= 90) c |= 0x20
      if (c !== suffix.charCodeAt(i)) break
      i++
    }
    if (i === suffix.length) return true
  }
  return false
}

function parsedOf(lists: Readonly<Record<string, readonly string[]>>): Parsed[] {
  return Object.entries(lists).flatMap(([family, patterns]) =>
    patterns.map((pattern) => ({
      ...parsePattern(pattern),
      match: { pattern, family: family as ScannerPathFamily },
    })),
  )
}

function custom(patterns: readonly string[], family: 'custom' | 'other-platform'): Parsed[] {
  return patterns.map((pattern) => ({ ...parsePattern(pattern), match: { pattern, family } }))
}

/** The SOURCE_COPIES suffixes, each checked for the extension before it. */
function sourceCopies(): Parsed[] {
  const backup = SOURCE_COPIES.backup.map((suffix) => ({
    literal: suffix,
    flags: PATH_END | AFTER_SERVER | AFTER_DATA,
    match: { pattern: `*<source>${suffix}`, family: 'backup' as const },
  }))
  const exposed = SOURCE_COPIES.exposed.map((suffix) => ({
    literal: suffix,
    flags: PATH_END | AFTER_SERVER,
    match: { pattern: `*<server source>${suffix}`, family: 'backup' as const },
  }))
  return [...backup, ...exposed]
}

/** CONFIG_FILES: `/config`, then the rest of the segment. */
function configFiles(): Parsed[] {
  const match = { pattern: '/config<variant><extension>', family: 'app-config' as const }
  return [{ literal: '/config', flags: CONFIG_NAME, match }]
}

const BUILT_IN: readonly Parsed[] = [...parsedOf(SCANNER_PATHS), ...sourceCopies(), ...configFiles()]
let builtIn: Compiled | undefined
let notFoundOnly: Compiled | undefined

/**
 * The built-in patterns, with `extra` ones added and none of the `ignore` ones: a path an ignore
 * pattern matches is never a probe (the app serves it on purpose).
 */
export function compileScannerPaths(
  extra: readonly string[] = [],
  ignore: readonly string[] = [],
): ScannerPaths {
  builtIn ??= compile(BUILT_IN)
  notFoundOnly ??= compile(custom(NOT_FOUND_ONLY, 'other-platform'))
  const always = extra.length === 0 ? builtIn : compile([...BUILT_IN, ...custom(extra, 'custom')])
  const on404 = notFoundOnly
  const ignored = ignore.length === 0 ? undefined : compile(custom(ignore, 'custom'))
  return {
    match(path, notFound) {
      const p = decoded(path.length > MAX_PATH ? path.slice(0, MAX_PATH) : path)
      let found = always.matcher.findLongest(p, always.accept)
      let list = always
      if (found === -1 && notFound) {
        found = on404.matcher.findLongest(p, on404.accept)
        list = on404
      }
      if (found === -1) return undefined
      if (ignored !== undefined && ignored.matcher.find(p, ignored.accept) !== -1) return undefined
      return list.entries[found]
    },
  }
}

/** Percent-escapes decoded (`/%2egit/config`), when there are any and they are valid. */
function decoded(path: string): string {
  if (path.indexOf('%') === -1) return path
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

let defaults: ScannerPaths | undefined

/** Whether a path answered 404 is one only scanners ask for (built-in list). */
export function isScannerPath(path: string): boolean {
  defaults ??= compileScannerPaths()
  return defaults.match(path, true) !== undefined
}
