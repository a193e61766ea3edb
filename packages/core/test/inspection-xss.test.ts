import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_LIMITS, type InputKind, walkInputs } from '../src/inspection/inputs.js'
import { normalise } from '../src/inspection/normalise.js'
import { crossSiteScripting } from '../src/inspection/rules/xss.js'
import { corpus, inputsOf, score } from './support/corpus.js'

const HEADERS = ['user-agent', 'referer', 'x-forwarded-for', 'x-forwarded-host']

function match(raw: string, kind: InputKind = 'body') {
  const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
  return crossSiteScripting.match(text, kind, anomalies)
}

describe('xss rule on the corpus', () => {
  const result = score(crossSiteScripting, 'xss')

  it('detects at least 95 % of the XSS entries', () => {
    const misses = result.misses.map((e) => `${e.id} ${e.source} ${e.field}: ${e.path} ${e.body ?? ''}`)
    assert.ok(result.rate >= 0.95, `${result.detected}/${result.total}; missed:\n${misses.join('\n')}`)
  })

  it('flags none of the benign entries', () => {
    const ids = result.falsePositives.map((e) => `${e.id} ${e.kind}: ${e.path} ${e.body ?? ''}`)
    assert.equal(result.falsePositives.length, 0, ids.join('\n'))
  })

  it('reports a part of a long input, never all of it', () => {
    let long = 0
    for (const entry of corpus('attacks')) {
      const inputs = inputsOf(entry)
      if (inputs === undefined) continue
      walkInputs(inputs, HEADERS, DEFAULT_LIMITS, (kind, raw) => {
        const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
        const finding = crossSiteScripting.match(text, kind, anomalies)
        if (finding === undefined) return false
        assert.ok(finding.fragment.length <= 64, `${entry.id}: ${finding.fragment}`)
        if (text.length > 64) {
          long++
          assert.notEqual(finding.fragment, text, entry.id)
        }
        return false
      })
    }
    assert.ok(long > 0, 'some findings in inputs longer than 64 characters')
  })
})

/** Attack, rule id, a piece the fragment must hold; kind `body` unless given. */
const ATTACKS: readonly [string, string, string, InputKind?][] = [
  ['<script>alert(1)</script>', 'xss.script-tag', '<script>'],
  ['<script src=//evil.example/x.js></script>', 'xss.script-tag', '<script src'],
  ['\uff1cscript\uff1ealert(1)\uff1c/script\uff1e', 'xss.script-tag', '<script>'],
  ['<x:script xmlns:x="http://www.w3.org/1999/xhtml" src="data:,alert(1)"/>', 'xss.script-tag', '<x:script'],
  ['<img src=x onerror=alert(1)>', 'xss.event-handler', '<img src=x onerror'],
  ['<svg/onload=alert(1)>', 'xss.event-handler', '<svg/onload'],
  ['<x onxxx=1', 'xss.event-handler', '<x onxxx'],
  ['" onmouseover="alert(1)', 'xss.event-handler', 'onmouseover'],
  [' onerror=alert(1)>', 'xss.event-handler', 'onerror=alert'],
  ['javascript:alert(document.cookie)', 'xss.js-uri', 'javascript:alert'],
  ['<a href="java&#x09;script:alert(1)">x</a>', 'xss.js-uri', 'script:alert'],
  ['jav%0dascript:alert(7)', 'xss.js-uri', 'ascript:alert'],
  ['<a href="  javascript://%0aalert(1)">', 'xss.js-uri', 'javascript://'],
  ['data:text/html;base64,PHNjcmlwdD4=', 'xss.js-uri', 'data:text/html'],
  ['<iframe src="javascript:alert(1)">', 'xss.dangerous-tag', '<iframe'],
  ['<iframe srcdoc="&lt;b&gt;x">', 'xss.dangerous-tag', '<iframe srcdoc'],
  ['<base href="//evil.example/">', 'xss.dangerous-tag', '<base href'],
  ['<meta http-equiv="refresh" content="0;url=//evil.example">', 'xss.dangerous-tag', '<meta'],
  ['<object data="x.swf"></object>', 'xss.dangerous-tag', '<object'],
  ['"><b>hi</b>', 'xss.attribute-break', '"><b>'],
  ["'';!--\"<xss>=&{()}", 'xss.attribute-break', '"<xss>'],
  ['<div style="width: expression(alert(1))">', 'xss.css-expression', 'style='],
  ['x{-moz-binding:url(//evil.example/x.xml#x)}', 'xss.css-expression', '-moz-binding'],
  ['<foo xmlns="http://evil.example/ns">x</foo>', 'xss.xml-namespace', '<foo xmlns'],
  ["';alert(1)//", 'xss.js-code', "';alert(1)"],
  ["\\'-alert(1)//", 'xss.js-code', "'-alert(1)"],
  ['prompt()', 'xss.js-code', 'prompt()'],
  ['setinterval(code, 1)', 'xss.js-code', 'setinterval('],
  ['[].sort.call`\u0024{alert}1`', 'xss.js-code', '\u0024{alert}'],
  ["self['alert'](1)", 'xss.js-code', "self['alert']"],
  ["{{constructor.constructor('x')()}}", 'xss.js-code', 'constructor.constructor('],
  ['...(document.domain)...', 'xss.js-code', '(document.domain)'],
  ['document /*x*/ . cookie', 'xss.js-code', 'document'],
  ['foo<svg', 'xss.tag-in-name', '<svg', 'query_key'],
]

/** HTML-looking text, markdown and prose close to one of the rules. */
const BENIGN: readonly [string, InputKind?][] = [
  ['a < b and c > d'],
  ['great article! <3 -- would love a follow-up'],
  ['alice <alice@example.com> wrote: see below'],
  ['echo hello > greeting.txt'],
  ['<b>bold</b> and <i>italic</i> and <a href="https://example.com/">a link</a>'],
  ['<p><img src="https://example.com/cat.jpg" alt="a cat"></p>'],
  ['<a href="https://example.com/"><b>bold link</b></a>'],
  [
    'our markdown preview shows `<script>` literally. code block:\n\n```html\n<script src="/app.js" defer></script>\n```',
  ],
  ['<script> tags must be closed'],
  ['use "<br>" for line breaks'],
  ['we render bios: `<div dangerouslySetInnerHTML={{ __html: bio }} />`'],
  ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M0 0h24v24H0z"/></svg>'],
  ['javascript: the good parts'],
  ['javascript tutorial for beginners'],
  ['alert: the 8:15 train is running late'],
  ['https://example.com/a:b?x=1'],
  ['regular expression (regex) help'],
  ['1alert(1)'],
  ['the \u0024{price} placeholder shows in the email template'],
  ['alert bracelet medical'],
  ['prompt engineering tips'],
  ['the window location is north-facing'],
  ['online=true'],
  ['<button onclick>'],
  ['price<100', 'query_key'],
  ["onClick={() => alert('saved')}"],
  ["import os; print('hi')"],
  ["button.addEventListener('click', () => { window.location.href = '/home' })"],
]

describe('xss rule ids', () => {
  for (const [raw, rule, piece, kind] of ATTACKS) {
    it(`${rule}: ${raw}`, () => {
      const finding = match(raw, kind)
      assert.ok(finding !== undefined, `no finding for ${raw}`)
      assert.equal(finding.rule, rule)
      assert.equal(finding.threat, 'xss')
      assert.ok(finding.fragment.includes(piece), `fragment ${JSON.stringify(finding.fragment)}`)
    })
  }

  for (const [raw, kind] of BENIGN) {
    it(`leaves alone: ${raw}`, () => {
      assert.equal(match(raw, kind), undefined)
    })
  }

  it('keeps `high` for script that runs and lower for weak signs', () => {
    assert.equal(match('<script>alert(1)</script>')?.confidence, 'high')
    assert.equal(match('<img src=x onerror=alert(1)>')?.confidence, 'high')
    assert.equal(match('<object data="x.swf"></object>')?.confidence, 'medium')
    assert.equal(match('<foo xmlns="http://evil.example/ns">x</foo>')?.confidence, 'low')
  })

  it('runs in time linear in the input', () => {
    const long = `${'<a '.repeat(2000)}${'javascript:'.repeat(500)}${'" onx='.repeat(500)}`
    const started = performance.now()
    match(long)
    assert.ok(performance.now() - started < 200)
  })
})
