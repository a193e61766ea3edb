/**
 * Every regular expression the inspection runs on request input is safe from catastrophic
 * backtracking, as judged by redos-detector (which may call a safe pattern unsafe, never the
 * reverse). Each rule file, the decoder and the injection detector export theirs as `PATTERNS`.
 */
import { strict as assert } from 'node:assert'
import { readdirSync } from 'node:fs'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { isSafe } from 'redos-detector'

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
        const result = isSafe(pattern)
        assert.ok(result.safe, `${name}: ${pattern} is not safe (score ${JSON.stringify(result.score)})`)
      }
    })
  }

  it('the checker catches a catastrophic pattern (planted)', () => {
    assert.equal(isSafe(/^(a+)+$/).safe, false)
  })
})
