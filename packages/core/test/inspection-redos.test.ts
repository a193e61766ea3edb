/**
 * Every regular expression the inspection runs on request input is safe from catastrophic
 * backtracking — neither exponential nor polynomial in the input's length — as judged by recheck
 * (static analysis with a fuzzing fallback, for ECMAScript semantics). Each rule file, the decoder,
 * the prefilter and the injection detector export theirs as `PATTERNS`.
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

describe('regular expressions on request input', () => {
  for (const [name, path] of modules) {
    it(`${name}: every pattern is exported and safe from ReDoS`, async () => {
      const { PATTERNS } = (await import(path)) as { PATTERNS?: readonly RegExp[] }
      assert.ok(Array.isArray(PATTERNS), `${name} must export PATTERNS (its regular expressions)`)
      for (const pattern of PATTERNS) {
        const result = checkSync(pattern.source, pattern.flags)
        assert.equal(
          result.status,
          'safe',
          `${name}: ${pattern} is ${result.status} (${'complexity' in result ? result.complexity.summary : 'no verdict'})`,
        )
      }
    })
  }

  it('the checker catches an exponential and a polynomial pattern (planted)', () => {
    assert.equal(checkSync('^(a+)+$', '').status, 'vulnerable')
    assert.equal(checkSync('\\s*a', '').status, 'vulnerable')
  })
})
