/**
 * What the inspection rules' tests (test/inspection-<threat>.test.ts) share: a raw input decoded the
 * way the injection detector decodes it and shown to one rule (`matchRaw`), the assertions on the
 * finding a rule must make of it (`expectFinding`), and the block that holds a rule to the corpus
 * (`corpusSuite`).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_LIMITS, type InputKind, walkInputs } from '../../src/inspection/inputs.js'
import { normalise } from '../../src/inspection/normalise.js'
import type { Confidence, Finding, Rule } from '../../src/inspection/types.js'
import { type CorpusEntry, corpus, DEFAULT_HEADERS, inputsOf, inspectWith, score } from './corpus.js'

/** A finding's fragment is at most this long (it is cut there before it is recorded). */
const FRAGMENT_MAX = 64

/** `rule` on one raw input, decoded as the detector decodes it (`+` is a space in the query only). */
export function matchRaw(rule: Rule, raw: string, kind: InputKind = 'body'): Finding | undefined {
  const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
  return rule.match(text, kind, anomalies)
}

/** What the fragment must hold: a piece anywhere in it, or the piece it starts with. */
export type FragmentPiece = string | { readonly startsWith: string }

/**
 * `rule` finds `raw` (of `kind`, `body` when undefined) as `ruleId`, of the threat the id names, with a
 * fragment of at most 64 characters that holds `fragmentPiece`, and with `confidence` when given.
 */
export function expectFinding(
  rule: Rule,
  raw: string,
  kind: InputKind | undefined,
  ruleId: string,
  fragmentPiece: FragmentPiece,
  confidence?: Confidence,
): Finding {
  const input = `${kind ?? 'body'} ${JSON.stringify(raw)}`
  const found = matchRaw(rule, raw, kind)
  assert.ok(found !== undefined, `no finding for ${input}`)
  assert.equal(found.threat, ruleId.slice(0, ruleId.indexOf('.')), `threat of ${input}`)
  assert.equal(found.rule, ruleId, `rule of ${input}`)
  const fragment = `fragment ${JSON.stringify(found.fragment)} of ${input}`
  if (typeof fragmentPiece === 'string') {
    assert.ok(found.fragment.includes(fragmentPiece), `${fragment} lacks ${JSON.stringify(fragmentPiece)}`)
  } else {
    const start = fragmentPiece.startsWith
    assert.ok(found.fragment.startsWith(start), `${fragment} does not start with ${JSON.stringify(start)}`)
  }
  assert.ok(found.fragment.length <= FRAGMENT_MAX, `${fragment} is longer than ${FRAGMENT_MAX} characters`)
  if (confidence !== undefined) assert.equal(found.confidence, confidence, `confidence of ${input}`)
  return found
}

export interface CorpusSuiteOptions {
  /** The headers inspected besides the path, query, cookies and body; the detector's default if not given. */
  readonly headers?: readonly string[]
  /**
   * The attack entries the rule misses because they sit in a header `headers` leaves out are found
   * once that header is configured: a test of its own.
   */
  readonly uninspectedHeadersFound?: boolean
  /**
   * The 95 % are of the attack entries in inputs the rule is shown: those in headers left out do not
   * count, and the `uninspectedHeadersFound` test runs for them instead.
   */
  readonly rateOfShown?: boolean
  /** Long inputs besides the corpus's, as bodies, each to be found and reported by a part of it. */
  readonly longInputs?: readonly string[]
  /**
   * Every finding's fragment is a part of the decoded input, in short inputs too. Not so for every rule
   * (xss's leave out the comments between the words they match), so a rule's file asks for it.
   */
  readonly everyFragmentFromInput?: boolean
}

/**
 * The corpus block of a rule's tests: at least 95 % of the category's attack entries found (the misses
 * in the message), no benign entry flagged (the ids in the message), and every finding's fragment at
 * most 64 characters, in an input longer than that a part of the decoded input and never all of it.
 */
export function corpusSuite(rule: Rule, category: string, options: CorpusSuiteOptions = {}): void {
  const headers = options.headers ?? DEFAULT_HEADERS
  const uninspected = (entry: CorpusEntry) =>
    entry.field.startsWith('header:') && !headers.includes(entry.field.slice('header:'.length))

  describe(`${category} rule on the corpus`, () => {
    const result = score(rule, category, headers)
    const ofShown = options.rateOfShown === true
    const checksUnseen = ofShown || options.uninspectedHeadersFound === true
    const unseen = checksUnseen ? result.misses.filter(uninspected) : []

    it(`detects at least 95 % of the ${category} entries${ofShown ? ' in the inputs it is shown' : ''}`, () => {
      const total = ofShown ? result.total - unseen.length : result.total
      const misses = result.misses
        .filter((e) => !ofShown || !unseen.includes(e))
        .map((e) => `${e.id} ${e.source} ${e.field}: ${e.path} ${e.body ?? ''}`)
      const rate = result.detected / total
      assert.ok(
        rate >= 0.95,
        `${result.detected}/${total} (${(rate * 100).toFixed(1)} %); missed:\n${misses.join('\n')}`,
      )
    })

    if (checksUnseen) {
      it('finds the entries in headers left out by default once those are configured', () => {
        for (const entry of unseen) {
          const hit = inspectWith(rule, entry, [...headers, entry.field.slice('header:'.length)])
          assert.ok(hit !== undefined, `${entry.id} ${entry.field}`)
        }
      })
    }

    it('flags none of the benign entries', () => {
      const flagged = result.falsePositives.map((e) => {
        const hit = inspectWith(rule, e, headers)
        return `${e.id} (${e.kind}) in the ${hit?.kind}: ${hit?.finding.rule} ${JSON.stringify(hit?.finding.fragment)}`
      })
      assert.deepEqual(flagged, [])
    })

    it('reports a part of a long input, never all of it', () => {
      const quoted = (found: Finding) => JSON.stringify(found.fragment)
      const isShort = (where: string, found: Finding) =>
        assert.ok(
          found.fragment.length <= FRAGMENT_MAX,
          `${where}: ${quoted(found)} is longer than ${FRAGMENT_MAX} characters`,
        )
      const isFromInput = (where: string, text: string, found: Finding) =>
        assert.ok(
          text.includes(found.fragment),
          `${where}: ${quoted(found)} is not a part of the decoded input`,
        )
      const isPart = (where: string, text: string, found: Finding) => {
        isShort(where, found)
        assert.notEqual(found.fragment, text, `${where}: the whole input`)
        isFromInput(where, text, found)
      }
      for (const raw of options.longInputs ?? []) {
        const found = matchRaw(rule, raw, 'body')
        assert.ok(found !== undefined, `no finding for ${raw}`)
        const { text } = normalise(raw, false)
        assert.ok(text.length > FRAGMENT_MAX, `not a long input: ${raw}`)
        isPart(raw, text, found)
      }
      let findings = 0
      let long = 0
      for (const entry of [...corpus('attacks'), ...corpus('benign')]) {
        const inputs = inputsOf(entry, headers)
        if (inputs === undefined) continue
        // Every input, those the prefilter passes over too: more than the detector shows the rule.
        walkInputs(inputs, headers, DEFAULT_LIMITS, (kind, raw) => {
          const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
          const found = rule.match(text, kind, anomalies)
          if (found === undefined) return false
          findings++
          if (text.length > FRAGMENT_MAX) {
            long++
            isPart(entry.id, text, found)
          } else {
            isShort(entry.id, found)
            if (options.everyFragmentFromInput === true) isFromInput(entry.id, text, found)
          }
          return false
        })
      }
      assert.ok(findings > 30, `${findings} findings in the corpus, expected more than 30`)
      assert.ok(long > 0, 'no finding in a corpus input longer than 64 characters')
    })
  })
}
