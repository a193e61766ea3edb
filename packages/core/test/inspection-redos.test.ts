/**
 * Every regular expression the inspection runs on request input is safe from catastrophic
 * backtracking, as judged by recheck (static analysis with a fuzzing fallback, for ECMAScript
 * semantics): never exponential; and where recheck finds polynomial backtracking — which bounded
 * repetitions (`[^<]{0,128}`) give an unanchored pattern, each start scanning at most the bound — its
 * own attack string, pumped to the longest input the inspection looks at (8,192 characters), must
 * still run in a few milliseconds. Each rule file, the decoder, the prefilter and the injection
 * detector export theirs as `PATTERNS`.
 */
import { strict as assert } from 'node:assert'
import { readdirSync } from 'node:fs'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { checkSync } from 'recheck'

const RULES = fileURLToPath(new URL('../src/inspection/rules/', import.meta.url))

const modules: Array<[string, string]> = [
  ['normalise.ts', '../src/inspection/normalise.js'],
  ['prefilter.ts', '../src/inspection/prefilter.js'],
  ['detectors/injection.ts', '../src/detectors/injection.js'],
  ...readdirSync(RULES)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .map((f): [string, string] => [`rules/${f}`, `../src/inspection/rules/${f.replace(/\.ts$/, '.js')}`]),
]

/** The longest input a pattern is run on: the inspection's default `maxValueLength`. */
const LONGEST = 8192

interface Attack {
  readonly pumps: ReadonlyArray<{ readonly prefix: string; readonly pump: string }>
  readonly suffix: string
}

/** Median milliseconds of `pattern` on recheck's attack pumped to LONGEST characters. */
function worstCase(pattern: RegExp, attack: Attack): number {
  const fixed = attack.pumps.reduce((n, p) => n + p.prefix.length, 0) + attack.suffix.length
  const pumped = attack.pumps.reduce((n, p) => n + p.pump.length, 0)
  const times = Math.max(1, Math.floor((LONGEST - fixed) / Math.max(1, pumped)))
  const input = attack.pumps.map((p) => p.prefix + p.pump.repeat(times)).join('') + attack.suffix
  const copy = new RegExp(pattern.source, pattern.flags)
  const runs: number[] = []
  for (let i = 0; i < 3; i++) {
    copy.lastIndex = 0
    const start = process.hrtime.bigint()
    copy.exec(input.slice(0, LONGEST))
    runs.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  return runs.sort((a, b) => a - b)[1] as number
}

describe('regular expressions on request input', () => {
  for (const [name, path] of modules) {
    it(`${name}: every pattern is exported and safe from ReDoS`, async () => {
      const { PATTERNS } = (await import(path)) as { PATTERNS?: readonly RegExp[] }
      assert.ok(Array.isArray(PATTERNS), `${name} must export PATTERNS (its regular expressions)`)
      for (const pattern of PATTERNS) {
        // recheck gives up after 10 s by default ('unknown'); a busy CI machine took longer than
        // that on the largest SQLi pattern: the verdict, not its speed, is what this test checks.
        const result = checkSync(pattern.source, pattern.flags, { timeout: 120_000 })
        if (result.status === 'safe') continue
        assert.equal(result.status, 'vulnerable', `${name}: ${pattern}: recheck gave no verdict`)
        assert.equal(
          result.complexity.type,
          'polynomial',
          `${name}: ${pattern} is ${result.complexity.summary}`,
        )
        const ms = worstCase(pattern, result.attack)
        assert.ok(
          ms < 20,
          `${name}: ${pattern} took ${ms.toFixed(1)} ms on recheck's attack at 8,192 characters`,
        )
      }
    })
  }

  it('the checks catch an exponential pattern and a slow polynomial one (planted)', () => {
    const exponential = checkSync('^(a+)+$', '')
    assert.ok(exponential.status === 'vulnerable' && exponential.complexity.type === 'exponential')
    const polynomial = checkSync('\\s*a', '')
    assert.ok(polynomial.status === 'vulnerable' && polynomial.complexity.type === 'polynomial')
    assert.ok(worstCase(/\s*a/, polynomial.attack) >= 20, 'unbounded quadratic: slow at 8,192 characters')
  })
})
