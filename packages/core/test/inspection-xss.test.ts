import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { InputKind } from '../src/inspection/inputs.js'
import { crossSiteScripting } from '../src/inspection/rules/xss.js'
import { corpusSuite, expectFinding, matchRaw } from './support/rule-suite.js'

corpusSuite(crossSiteScripting, 'xss')

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
  // Tags that load a document, data or a stylesheet from elsewhere (payloadbox, fuzzdb).
  ['<LAYER SRC="http://xss.example/scriptlet.html"></LAYER>', 'xss.dangerous-tag', '<layer'],
  ['<XML SRC="xsstest.xml" ID=I></XML>', 'xss.dangerous-tag', '<xml'],
  ['<LINK REL="stylesheet" HREF="http://xss.example/xss.css">', 'xss.dangerous-tag', '<link'],
  [
    '<META HTTP-EQUIV="Link" Content="<http://xss.example/xss.css>; REL=stylesheet">',
    'xss.dangerous-tag',
    '<meta',
  ],
  // A sink called through a value.
  ['(alert)(1)', 'xss.js-code', '(alert)('],
  ['";a=prompt,a()//', 'xss.js-code', '=prompt,a('],
  ['[1].find(alert)', 'xss.js-code', '.find(alert)'],
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
  // NUL inside a tag or scheme name, a comment inside `expression`, script without a call (fuzzdb).
  ['<IMG SRC=java%00script:alert(1)>', 'xss.js-uri', 'javascript:alert', 'query'],
  ['<SCR%00IPT>alert(1)</SCR%00IPT>', 'xss.script-tag', '<script>', 'query'],
  [`<IMG STYLE="xss:expr/*XSS*/ession(alert('XSS'))">`, 'xss.css-expression', 'expression'],
  ['<SCRIPT>a=/XSS/', 'xss.script-tag', '<script>'],
  ['<script>MsgBox+1', 'xss.script-tag', '<script>', 'query'],
  // References hidden behind `&amp;`, Netscape's `mocha:`, markup in base64 (fuzzdb, third round).
  [`<IMG SRC="jav&amp;#x09;ascript:alert('XSS');">`, 'xss.js-uri', 'ascript:alert', 'query'],
  ['<IMG SRC="mocha:[code]">', 'xss.js-uri', 'mocha:'],
  ['PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', 'xss.base64', 'phnjcmlwd', 'query'],
  ['PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+', 'xss.base64', 'phn2zy', 'query'],
  // CSS escapes resolved as a style sheet reads them.
  [`<STYLE>@im\\port'\\ja\\vasc\\ript:alert("XSS")';</STYLE>`, 'xss.css-expression', '@import'],
  ['<div style="width: exp\\72 ession(alert(1))">', 'xss.css-expression', 'expression('],
  ['<a style="background:url(\\6a avascript:alert(1))">', 'xss.js-uri', 'javascript:alert'],
]

/** HTML-looking text, markdown and prose close to one of the rules. */
const BENIGN: readonly [string, InputKind?][] = [
  ['<link rel="stylesheet" href="/css/site.css">'],
  ['<link rel="icon" href="https://cdn.example.com/favicon.ico">'],
  ['alerts.find(a => a.open)'],
  ['(alert level)(2) is raised'],
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
  // Near the NUL, comment and script-content checks (fuzzdb).
  ['use a <script> tag for that'],
  ['the <script>x == y</script> check'],
  ['width: calc(100% /* half */ - 2px)'],
  ['a%00b', 'query'],
  // Near the third round's checks.
  ['AT&amp;amp;T', 'query'],
  ['&amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt;', 'body'],
  ['phnom penh', 'query'],
  ['mocha: the coffee', 'body'],
  ['x-PHNjcmlwdD5', 'query'],
  ['<style>p::before { content: "\\2014"; }</style>'],
  ['@media print { .a\\:b { color: red } }'],
  ['C:\\styles\\site.css'],
]

describe('xss rule ids', () => {
  for (const [raw, rule, piece, kind] of ATTACKS) {
    it(`${rule}: ${raw}`, () => {
      expectFinding(crossSiteScripting, raw, kind, rule, piece)
    })
  }

  for (const [raw, kind] of BENIGN) {
    it(`leaves alone: ${raw}`, () => {
      assert.equal(matchRaw(crossSiteScripting, raw, kind), undefined)
    })
  }

  it('keeps `high` for script that runs and lower for weak signs', () => {
    assert.equal(matchRaw(crossSiteScripting, '<script>alert(1)</script>')?.confidence, 'high')
    assert.equal(matchRaw(crossSiteScripting, '<img src=x onerror=alert(1)>')?.confidence, 'high')
    assert.equal(matchRaw(crossSiteScripting, '<object data="x.swf"></object>')?.confidence, 'medium')
    assert.equal(
      matchRaw(crossSiteScripting, '<foo xmlns="http://evil.example/ns">x</foo>')?.confidence,
      'low',
    )
  })

  it('runs in time linear in the input', () => {
    const long = `${'<a '.repeat(2000)}${'javascript:'.repeat(500)}${'" onx='.repeat(500)}`
    const started = performance.now()
    matchRaw(crossSiteScripting, long)
    assert.ok(performance.now() - started < 200)
  })
})
