import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_LIMITS, walkInputs } from '../src/inspection/inputs.js'
import { normalise } from '../src/inspection/normalise.js'
import { suspect } from '../src/inspection/prefilter.js'
import { RULES } from '../src/inspection/rules/index.js'
import { corpus, DEFAULT_HEADERS, inputsOf } from './support/corpus.js'

describe('the prefilter', () => {
  // A plain path that names a sensitive file (`/.htaccess`) is the scanner-probe detector's
  // (detectors/scanner-probe.ts, on any status); the prefilter judges a path without its slashes.
  const scannerProbe = (kind: string, rules: string[]) =>
    kind === 'path' && rules.every((rule) => rule === 'path_traversal.sensitive-file')

  it('lets through every input of the corpus that some rule matches', () => {
    let matched = 0
    const hidden: string[] = []
    for (const entry of [...corpus('attacks'), ...corpus('benign')]) {
      const inputs = inputsOf(entry)
      if (inputs === undefined) continue
      walkInputs(inputs, DEFAULT_HEADERS, DEFAULT_LIMITS, (kind, raw) => {
        const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
        const rules = RULES.flatMap((rule) => rule.match(text, kind, anomalies)?.rule ?? [])
        if (rules.length === 0 || scannerProbe(kind, rules)) return false
        matched++
        if (!suspect(raw, kind === 'path')) hidden.push(`${entry.id} ${kind} ${raw}`)
        return false
      })
    }
    assert.ok(matched > 500, `the rules match inputs of the corpus (${matched})`)
    assert.deepEqual(hidden, [])
  })

  it('passes over plain words, numbers and names, and a path of plain segments', () => {
    for (const value of ['Alex Martin', 'SKU-10042', '18.90', 'Organic cotton t-shirt, crew neck', 'fr-FR'])
      assert.equal(suspect(value, false), false, value)
    assert.equal(suspect('/api/v1/orders/42', true), false)
    assert.equal(suspect('/api/v1/orders/42', false), true, 'as a value, a slash may start a traversal')
  })

  it('finds the attack words in any case, at any place', () => {
    for (const value of [
      '1 UNION all',
      'x SeLeCt y',
      'sleep 5',
      'a__proto__b',
      'Constructor',
      'LOCALHOST',
      'read passwd',
      'c win.ini',
      'app.log',
      'window.name',
      'which nc',
      'WHOAMI',
      '10.0.0.1',
      // In base64, without padding: `<svg onload=alert(1)>`, `/etc/passwd`.
      'PHN2ZyBvbmxvYWQ9YWxlcnQoMSk',
      'L2V0Yy9wYXNzd2Q',
    ])
      assert.equal(suspect(value, false), true, value)
    assert.equal(suspect('apps.logo', false), false, 'a word that only starts like one')
  })

  it('passes over an ISO 8601 date and time, and nothing more than one', () => {
    for (const value of [
      '2026-11-27T10:15:30.000Z',
      '2026-11-27T10:15:30Z',
      '2026-11-27 10:15',
      '2026-11-27T10:15:30,5+01:00',
      '2026-11-27T10:15:30-0500',
    ])
      assert.equal(suspect(value, false), false, value)
    for (const value of [
      "2026-11-27T10:15:30Z' OR 1=1",
      '2026-11-27T10:15:30Z;id',
      'x2026-11-27T10:15:30Z',
      '2026-11-27T10:15:30Z\n',
      '10:15:30',
      'http://2026-11-27T10:15',
    ])
      assert.equal(suspect(value, false), true, value)
  })
})
