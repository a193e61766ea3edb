/**
 * The hostile-input corpus (test/corpus/*.jsonl) replayed through core's inspection without HTTP:
 * each entry becomes the inputs a framework would hand over (the target, lower-cased headers, the
 * body parsed as JSON or as a form the way body parsers do), walked and decoded as the injection
 * detector does (inspection/decoded.ts), and shown to one rule. The end-to-end replay through both adapters is
 * test/corpus/replay.mjs; this is the quick loop for one rule's tests.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { walkDecoded } from '../../src/inspection/decoded.js'
import { DEFAULT_LIMITS, type InputKind, type RequestInputs } from '../../src/inspection/inputs.js'
import type { Finding, Rule } from '../../src/inspection/types.js'

export interface CorpusEntry {
  readonly id: string
  readonly category: string
  readonly field: string
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | null
  readonly contentType: string | null
  readonly raw?: boolean
  readonly source: string
  readonly kind?: string
}

const CORPUS = fileURLToPath(new URL('../../../../test/corpus/', import.meta.url))

export function corpus(name: 'attacks' | 'benign'): CorpusEntry[] {
  return readFileSync(`${CORPUS}${name}.jsonl`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusEntry)
}

/** The inputs of an entry as a framework would hand them over; `undefined` for raw-socket entries. */
export function inputsOf(
  entry: CorpusEntry,
  names: readonly string[] = DEFAULT_HEADERS,
): RequestInputs | undefined {
  if (entry.raw === true) return undefined
  let body: unknown
  if (entry.body !== null) {
    if (entry.contentType?.startsWith('application/json')) {
      try {
        body = JSON.parse(entry.body)
      } catch {
        body = undefined // the parser refuses it: a malformed body, not an input
      }
    } else if (entry.contentType?.startsWith('application/x-www-form-urlencoded')) {
      const form: Record<string, string> = {}
      for (const [k, v] of new URLSearchParams(entry.body)) form[k] = v
      body = form
    } else body = entry.body
  }
  return requestInputs(entry.path, headerRecord(entry), names, body)
}

/** The entry's headers by lower-case name, as Node gives them. */
export function headerRecord(entry: CorpusEntry): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(entry.headers)) headers[name.toLowerCase()] = value
  return headers
}

/** A request's inputs as the injection detector hands them to the walk, inspecting the headers `names`. */
export function requestInputs(
  url: string,
  headers: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
  body: unknown,
): RequestInputs {
  return { url, cookie: headers.cookie, headers: names.map((name) => headers[name]), body }
}

export interface Hit {
  readonly finding: Finding
  readonly kind: InputKind
}

/** The headers the injection detector inspects unless configured otherwise (detectors.injection.headers). */
export const DEFAULT_HEADERS: readonly string[] = [
  'user-agent',
  'referer',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-api-version',
]

/** The first finding of `rule` in the entry's inputs (walked with the default limits and headers). */
export function inspectWith(
  rule: Rule,
  entry: CorpusEntry,
  headers: readonly string[] = DEFAULT_HEADERS,
): Hit | undefined {
  const inputs = inputsOf(entry, headers)
  if (inputs === undefined) return undefined
  let hit: Hit | undefined
  walkDecoded(inputs, headers, DEFAULT_LIMITS, (kind, text, anomalies) => {
    const finding = rule.match(text, kind, anomalies)
    if (finding !== undefined) hit = { finding, kind }
    return hit !== undefined
  })
  return hit
}

/**
 * Detection rate of `rule` on the attack entries of `category`, with the misses, and its benign hits;
 * `headers` are the headers inspected besides the path, query, cookies and body.
 */
export function score(rule: Rule, category: string, headers: readonly string[] = DEFAULT_HEADERS) {
  const attacks = corpus('attacks').filter((e) => e.category === category && e.raw !== true)
  const misses = attacks.filter((e) => inspectWith(rule, e, headers) === undefined)
  const falsePositives = corpus('benign').filter((e) => inspectWith(rule, e, headers) !== undefined)
  const otherAttacks = corpus('attacks').filter((e) => e.category !== category)
  return {
    total: attacks.length,
    detected: attacks.length - misses.length,
    rate: (attacks.length - misses.length) / attacks.length,
    misses,
    falsePositives,
    /** Entries of other classes this rule also flags (fine when the payload really is both). */
    crossHits: otherAttacks.filter((e) => inspectWith(rule, e, headers) !== undefined).length,
  }
}
