/**
 * Cross-site scripting: markup or script that would run if the app reflected the input into a page.
 * A real tag is `<` right before a letter (browsers do not parse `< b` or `<3` as a tag), so "a < b",
 * "<3" and `<alice@example.com>` are text; a tag is only reported for what makes it run. Rule ids:
 *
 * - `xss.script-tag`: `<script>` (also `<x:script>` and the full-width `＜script＞` some stacks fold
 *   to ASCII) with inline code, or a `src` on another host (`//host`, `http:`, `data:`).
 * - `xss.event-handler`: an `on<event>=` attribute inside a tag (`<img src=x onerror=…>`,
 *   `<svg/onload=…>`, `<x onxxx=1`), or after a broken attribute without a tag (` onerror=alert(1)>`).
 * - `xss.js-uri`: a `javascript:`, `vbscript:`, `livescript:` or `mocha:` URL where a URL goes (start
 *   of the input, after `=`, a quote or `url(`), followed by code; split by tabs or line breaks (which
 *   browsers drop) it is reported wherever it is. `data:text/html`, `data:image/svg+xml` and
 *   script `data:` URLs where a URL goes.
 * - `xss.dangerous-tag`: `<iframe>`, `<frame>`, `<object>`, `<embed>`, `<applet>`, `<isindex>`,
 *   `<base href>`, `<meta http-equiv=refresh>` (or `link`, `set-cookie`), `<layer src>`,
 *   `<xml src>`, `<link rel=stylesheet|import>` to another host, and `srcdoc=` on any tag.
 * - `xss.attribute-break`: a quote that closes an attribute the app opened before a new tag (`"><svg`,
 *   `'><img`, or `"<xss>` whose quote never closes); not a quote inside a tag the input itself
 *   opened (`<a href="x"><b>`).
 * - `xss.css-expression`: `expression(`, `-moz-binding`, `behavior:url(`, `@import` in a `<style>`,
 *   also written with CSS escapes (`@im\port`, `exp\72 ession(`).
 * - `xss.xml-namespace`: a tag declaring XML namespaces other than SVG's, XLink's and MathML's
 *   (`<x:script xmlns:x="http://www.w3.org/1999/xhtml">`, injected XML with schema locations).
 * - `xss.js-code`: breaking out of a JavaScript string or expression into a sink (`';alert(1)//`,
 *   `\'-alert(1)//`, `'>alert(1)`), a value that is itself a sink call (`prompt()`,
 *   `setinterval(code, 1)`, `new function()`), a sink called through a value (`(alert)(1)`,
 *   `a=alert,a(1)`, `[1].find(alert)`), template-literal calls (`${alert}`,
 *   `` [].sort.call`…` ``), `self['alert']`, `constructor.constructor(`, `String.fromCharCode(`, and
 *   DOM reads and writes used as code (`(document.domain)`, `document.cookie`, `window.location`),
 *   JavaScript comments (`document /*x*\/ . cookie`) dropped first; not after an arrow function
 *   (`() => alert('saved')`) or inside a block (`{ window.location.href = … }`), as posts quote them.
 * - `xss.tag-in-name`: markup in a parameter or JSON key name, where no client puts `<`.
 * - `xss.base64`: a value that starts with `<script`, `<svg`, `<img` or `<iframe` in base64.
 *
 * Shaped so that forum posts quoting HTML do not fire: a `<script>` whose only content is prose
 * and whose `src` is a path on the same site (`<script src="/app.js" defer></script>` in a code
 * block) is left alone, since running the site's own script is not an injection; a quoted tag that
 * closes its own quote (`"<br>"`) is not an attribute break; `javascript: the good parts` is not
 * code. Facts relied on: OWASP CoreRuleSet's XSS rules (941100–941400) and their regression tests,
 * libinjection's XSS samples, PayloadsAllTheThings' XSS Intruder lists and polyglots, the OWASP XSS
 * filter evasion cheat sheet, and the WHATWG HTML and URL standards (tag-open state, tab and newline
 * removal from URLs, `srcdoc`, `<base>`).
 *
 * Cost: markup checks run only where there is a `<`, scheme checks at each `:`, handler checks where
 * there is a `=`; calls are looked at through the name before each `(` or backtick (a table lookup),
 * DOM access only where a `.` and an object name are. Regular expressions are bounded.
 */

import type { InputKind } from '../inputs.js'
import { hexValue } from '../normalise.js'
import type { Confidence, Finding, Rule } from '../types.js'

/** What every check needs one of: a plain word or number costs this one scan. */
const ANY = /[<:=(`[.$\uff1c]/
/**
 * `<script`, `<svg`, `<img` and `<iframe` in base64 (lower case, as the rules see it: `PHNjcmlwdD5…`):
 * a value starting with one, for an app that decodes a parameter and writes it into a page. The
 * prefilter lets values holding one through.
 */
export const BASE64_WORDS: readonly string[] = ['phnjcmlwd', 'phn2zy', 'pgltzy', 'pglmcmftz']
const BASE64_MARKUP = new RegExp(`^(?:${BASE64_WORDS.join('|')})`)
/** A JavaScript comment, dropped before the checks on script (`document /*x*\/ . cookie`). */
const JS_COMMENT = /\/\*[^*]{0,64}\*\//g
/** A tag name after `<`, with an optional namespace prefix (`x:script`). */
const TAG_NAME = /[a-z][a-z0-9:-]{0,63}/y
const HANDLER = /(?:^|[\s/"'`])(on[a-z]{3,32})\s{0,8}=\s{0,8}/
/** Script in a handler's value: a call, a tagged template, a URL scheme or a DOM object. */
const SCRIPT_VALUE =
  /^["'`]?\s{0,8}(?:[\w$.[\]'"]{0,64}\s{0,4}[(`]|javascript:|(?:document|window|top|self|location)\b)/
const SRC_ELSEWHERE = /(?:^|[\s/"'])src\s{0,8}=\s{0,8}["'`]?\s{0,8}(?:\/\/|\\\\|data:|javascript:|https?:)/
/** Code in a script element: a call, or, first thing, an assignment or VBScript's `msgbox`. */
const SCRIPT_CODE = /[\w$\])]\s{0,4}[(`]|^\s{0,8}(?:[a-z_$][\w$.]{0,32}\s{0,4}=(?!=)|msgbox\b)/
const FRAME_ACTIVE =
  /(?:^|[\s/"'])(?:src|data|code|codebase|href)\s{0,8}=\s{0,8}["'`]?\s{0,8}(?:javascript:|data:)/
const SRCDOC = /(?:^|[\s/"'])srcdoc\s{0,8}=/
const BASE_HREF = /(?:^|[\s/"'])href\s{0,8}=/
const META_REFRESH = /(?:^|[\s/"'])http-equiv\s{0,8}=\s{0,8}["']?\s{0,8}(?:refresh|set-cookie|link)/
/** A `src` on the tags that load a document or data into the page (`<layer src=…>`, `<xml src=…>`). */
const LOADS_SRC = /(?:^|[\s/"'])src\s{0,8}=/
/** A stylesheet or import from another host: `<link rel="stylesheet" href="//evil/x.css">`. */
const LINK_FOREIGN =
  /(?:^|[\s/"'])rel\s{0,8}=\s{0,8}["']?\s{0,8}(?:stylesheet|import)\b[^>]{0,128}?(?:^|[\s/"'])href\s{0,8}=\s{0,8}["']?\s{0,8}(?:https?:)?\/\/|(?:^|[\s/"'])href\s{0,8}=\s{0,8}["']?\s{0,8}(?:https?:)?\/\/[^>]{0,128}?(?:^|[\s/"'])rel\s{0,8}=\s{0,8}["']?\s{0,8}(?:stylesheet|import)\b/
const NAMESPACE = /(?:^|[\s/"'])xmlns[\w:-]{0,33}\s{0,8}=\s{0,8}["']?([^"'\s>]{0,128})/g
const CSS =
  /(?:style\s{0,8}=|<style|[{;]\s{0,8}[a-z-]{1,32}\s{0,8}:)[^<]{0,128}?expression\s{0,8}\(|-moz-binding\s{0,8}:|behavior\s{0,8}:\s{0,8}url\s{0,8}\(|<style[^<]{0,64}?@import/

/** After a script scheme's colon: code, not prose (`alert(1)`, `//`, `/*`, `(`, `%61`, quotes). */
const CODE_AFTER_SCHEME = /\s{0,8}(?:[^\s\w]|[\w$.]{1,64}[(`=[])/y
const CODE_RIGHT_AFTER = /(?:[^\s\w]|[\w$.]{1,64}[(`=[])/y
const VOID = /\s{0,4}void\s{0,4}\(?\s{0,4}0\s{0,4}\)?\s{0,4};?\s{0,4}["']?\s{0,4}$/y
const DATA_TYPES =
  /\s{0,4}(?:text\/html|text\/xml|application\/(?:xhtml\+xml|xml|javascript|x-javascript|ecmascript)|text\/(?:javascript|ecmascript)|image\/svg\+xml)/y

/** What an XSS probe calls to show that it ran: one list for the expressions and checks below. */
const SINKS = ['alert', 'prompt', 'confirm', 'eval']
const SINK = SINKS.join('|')
const BT = '`'

/** The whole input is a sink call (`prompt()`, `setinterval(code, 1)`, `new function()`). */
const START_CALL = new RegExp(
  String.raw`^[\s;'")\]}>]{0,8}(?:${SINK}|settimeout|setinterval|execscript|new\s{1,4}function|document\s{0,4}\.\s{0,4}write(?:ln)?|import)\s{0,4}[(${BT}]`,
)
/**
 * A sink called with a literal after JavaScript punctuation (`';alert(1)//`, `\'-alert(1)`, `'>alert(1)`);
 * not after an arrow (`() => alert('saved')` in a post), and `print` only as `print()`.
 */
const BREAK_CALL = new RegExp(
  String.raw`(?:[-+*/%;,|&^)\]}'"${BT}=]|[^=]>|^>)\s{0,4}(?:(?:${SINK})\s{0,4}(?:\(\s{0,4}(?:\d|['"${BT}/]|document\s{0,4}\.|\)|string\s{0,4}\.|atob|top\b|self\b|window\b)|${BT})|print\s{0,4}\(\s{0,4}\))`,
)
/** A sink used as a value and called through it: `(alert)(1)`, `a=alert,a(1)`, `[1].find(alert)`. */
const SINK_AS_VALUE = new RegExp(
  String.raw`\(\s{0,4}(?:${SINK})\s{0,4}\)\s{0,4}\(|=\s{0,4}(?:${SINK})\s{0,4}[,;]\s{0,4}[a-z_$][\w$]{0,16}\s{0,4}\(|\.\s{0,4}(?:find|map|filter|some|every|foreach|sort|reduce|then|call|apply)\s{0,4}\(\s{0,4}(?:${SINK})\s{0,4}[),]`,
)
const TEMPLATE_CALL = new RegExp(
  String.raw`\$\{\s{0,8}(?:${SINK}|import|fetch|atob)\s{0,8}[}(]|\.\s{0,8}(?:call|apply|bind)\s{0,8}${BT}|(?:${SINK})\s{0,4}${BT}`,
)
const GLOBAL_INDEX = /\b(?:self|top|window|parent|frames|globalthis)\s{0,8}\[\s{0,8}["'`]/
const CONSTRUCTOR =
  /constructor\s{0,4}\.\s{0,4}constructor\s{0,4}\(|\[\s{0,4}["'`]constructor["'`]\s{0,4}\]\s{0,4}\(/
const FROM_CHAR_CODE = /string\s{0,4}\.\s{0,4}fromcharcode\s{0,4}\(/
/** A DOM read or write as code: after an operator, a bracket or a quote, or the input's start. */
const DOM =
  /(?:^|[(=+,;['">!&|])\s{0,8}(?:document|window|self|top|parent)\s{0,8}\.\s{0,8}(cookie|domain|location|write(?:ln)?\s{0,4}\(|body\s{0,4}\.\s{0,4}innerhtml)/
/** An event handler with script after a broken attribute, no tag (` onerror=alert(1)>`). */
const BARE_HANDLER =
  /(?:^|[\s"'`/])on[a-z]{3,32}\s{0,8}=\s{0,8}["'`]?\s{0,8}(?:[\w$.[\]'"]{1,64}\s{0,4}[(`]|javascript:)/
const MARKUP_IN_NAME = /<[a-z!?/]/

export const PATTERNS: readonly RegExp[] = [
  ANY,
  BASE64_MARKUP,
  JS_COMMENT,
  TAG_NAME,
  HANDLER,
  SCRIPT_VALUE,
  SRC_ELSEWHERE,
  SCRIPT_CODE,
  FRAME_ACTIVE,
  SRCDOC,
  BASE_HREF,
  META_REFRESH,
  LOADS_SRC,
  LINK_FOREIGN,
  NAMESPACE,
  CSS,
  CODE_AFTER_SCHEME,
  CODE_RIGHT_AFTER,
  VOID,
  DATA_TYPES,
  START_CALL,
  BREAK_CALL,
  SINK_AS_VALUE,
  TEMPLATE_CALL,
  GLOBAL_INDEX,
  CONSTRUCTOR,
  FROM_CHAR_CODE,
  DOM,
  BARE_HANDLER,
  MARKUP_IN_NAME,
]

/** Namespaces pasted SVG and MathML carry; any other declared namespace is reported. */
const PLAIN_NAMESPACES = new Set([
  'http://www.w3.org/2000/svg',
  'http://www.w3.org/1999/xlink',
  'http://www.w3.org/1998/math/mathml',
])

const FRAMES = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'applet'])

export const crossSiteScripting: Rule = {
  threat: 'xss',
  match(input, kind) {
    // Old Internet Explorer skipped NUL inside tag and scheme names (`<scr%00ipt>`,
    // `java%00script:`); the value is already a protocol violation, and here it is markup too.
    const text = input.includes('\u0000') ? input.replaceAll('\u0000', '') : input
    if (!ANY.test(text)) return base64Markup(text)
    const wide = text.includes('\uff1c')
    const found =
      (wide || text.includes('<') ? tags(wide ? fold(text) : text, kind) : undefined) ??
      (text.includes(':') ? schemes(text) : undefined) ??
      (text.includes('=') ? bareHandler(text) : undefined)
    if (found !== undefined) return found
    // Script and CSS both skip comments (`alert/**/(1)`, `expr/**/ession(`): removed once for both.
    const plain = text.includes('/*') ? text.replace(JS_COMMENT, '') : text
    return code(plain) ?? css(text, plain) ?? cssEscaped(text) ?? base64Markup(text)
  },
}

function finding(rule: string, text: string, at: number, confidence: Confidence): Finding {
  return { threat: 'xss', rule, fragment: text.slice(Math.max(0, at - 8), at + 56), confidence }
}

function first(text: string, pattern: RegExp, rule: string, confidence: Confidence): Finding | undefined {
  const m = pattern.exec(text)
  return m === null ? undefined : finding(rule, text, m.index, confidence)
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d)
}

function isLetter(c: number): boolean {
  return c >= 0x61 && c <= 0x7a
}

/** Full-width angle brackets as ASCII, for stacks that fold them (NFKC) after the check. */
function fold(text: string): string {
  return text.replaceAll('\uff1c', '<').replaceAll('\uff1e', '>')
}

// --- tags ---------------------------------------------------------------------------------------

/** Each `<` that opens a tag: its name and attributes decide. */
function tags(text: string, kind: InputKind): Finding | undefined {
  if ((kind === 'query_key' || kind === 'body_key' || kind === 'cookie_key') && MARKUP_IN_NAME.test(text))
    return first(text, MARKUP_IN_NAME, 'xss.tag-in-name', 'medium')
  let lt = text.indexOf('<')
  for (let n = 0; lt !== -1 && n < 32; n++) {
    const found = tag(text, lt)
    if (found !== undefined) return found
    lt = text.indexOf('<', lt + 1)
  }
  return undefined
}

function tag(text: string, lt: number): Finding | undefined {
  TAG_NAME.lastIndex = lt + 1
  const m = TAG_NAME.exec(text)
  if (m === null) return undefined
  const after = TAG_NAME.lastIndex
  // A tag name ends at a space, `/`, `>`, a quote or the end (`<alice@example.com>` is not a tag).
  const c = text.charCodeAt(after)
  if (
    !(
      after === text.length ||
      isSpace(c) ||
      c === 0x2f ||
      c === 0x3e ||
      c === 0x22 ||
      c === 0x27 ||
      c === 0x60
    )
  )
    return undefined
  const name = m[0].slice(m[0].lastIndexOf(':') + 1)
  const close = tagEnd(text, after)
  const attributes = text.slice(after, close)
  return (
    (name === 'script' ? scriptTag(text, lt, attributes, close) : undefined) ??
    handler(text, lt, attributes) ??
    dangerous(text, lt, name, attributes) ??
    namespaces(text, lt, attributes) ??
    attributeBreak(text, lt)
  )
}

/** The `>` that ends the tag opened before `from`, quotes respected (bounded), or where the scan stopped. */
function tagEnd(text: string, from: number): number {
  const end = Math.min(text.length, from + 512)
  let quote = 0
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i)
    if (quote !== 0) {
      if (c === quote) quote = 0
    } else if (c === 0x22 || c === 0x27 || c === 0x60) {
      // A quote opens a value only after `=`; elsewhere it is a broken attribute.
      let j = i - 1
      while (j >= from && isSpace(text.charCodeAt(j))) j--
      if (text.charCodeAt(j) === 0x3d) quote = c
    } else if (c === 0x3e) return i
  }
  return end
}

function scriptTag(text: string, lt: number, attributes: string, close: number): Finding | undefined {
  const src = SRC_ELSEWHERE.exec(attributes)
  if (src !== null) return finding('xss.script-tag', text, lt, src[0].includes('http') ? 'medium' : 'high')
  if (close >= text.length) return undefined
  const endTag = text.indexOf('</script', close)
  const content = text.slice(close + 1, endTag === -1 ? Math.min(text.length, close + 257) : endTag)
  return SCRIPT_CODE.test(content) ? finding('xss.script-tag', text, lt, 'high') : undefined
}

function handler(text: string, lt: number, attributes: string): Finding | undefined {
  const m = HANDLER.exec(attributes)
  if (m === null) return undefined
  const value = attributes.slice(m.index + m[0].length, m.index + m[0].length + 80)
  return finding('xss.event-handler', text, lt, SCRIPT_VALUE.test(value) ? 'high' : 'medium')
}

function dangerous(text: string, lt: number, name: string, attributes: string): Finding | undefined {
  if (SRCDOC.test(attributes)) return finding('xss.dangerous-tag', text, lt, 'high')
  if (FRAMES.has(name))
    return finding('xss.dangerous-tag', text, lt, FRAME_ACTIVE.test(attributes) ? 'high' : 'medium')
  if (name === 'isindex') return finding('xss.dangerous-tag', text, lt, 'medium')
  if (name === 'base' && BASE_HREF.test(attributes)) return finding('xss.dangerous-tag', text, lt, 'medium')
  if (name === 'meta' && META_REFRESH.test(attributes))
    return finding('xss.dangerous-tag', text, lt, 'medium')
  if ((name === 'layer' || name === 'ilayer' || name === 'xml') && LOADS_SRC.test(attributes))
    return finding('xss.dangerous-tag', text, lt, 'medium')
  if (name === 'link' && LINK_FOREIGN.test(attributes))
    return finding('xss.dangerous-tag', text, lt, 'medium')
  return undefined
}

function namespaces(text: string, lt: number, attributes: string): Finding | undefined {
  if (!attributes.includes('xmlns')) return undefined
  NAMESPACE.lastIndex = 0
  for (let m = NAMESPACE.exec(attributes); m !== null; m = NAMESPACE.exec(attributes)) {
    const value = m[1] as string
    const ns = value.endsWith('/') ? value.slice(0, -1) : value
    if (!PLAIN_NAMESPACES.has(ns))
      return finding('xss.xml-namespace', text, lt, ns === 'http://www.w3.org/1999/xhtml' ? 'medium' : 'low')
  }
  return undefined
}

/**
 * A quote right before the tag closes an attribute the app opened: `"><svg` unless the input opened
 * that tag itself (`<a href="x"><b>`); `"<xss>` only when that quote never closes later (a quoted
 * tag, `"<br>"`, closes its own quote).
 */
function attributeBreak(text: string, lt: number): Finding | undefined {
  let i = lt - 1
  while (i >= 0 && lt - i <= 3 && isSpace(text.charCodeAt(i))) i--
  let c = text.charCodeAt(i)
  if (c === 0x3e) {
    let j = i - 1
    if (text.charCodeAt(j) === 0x2f) j--
    while (j >= 0 && i - j <= 3 && isSpace(text.charCodeAt(j))) j--
    const q = text.charCodeAt(j)
    if (!(q === 0x22 || q === 0x27 || q === 0x60) || insideTag(text, j)) return undefined
    return finding('xss.attribute-break', text, j, 'high')
  }
  if (i !== lt - 1) return undefined
  c = text.charCodeAt(i)
  if (c === 0x22 || c === 0x27 || c === 0x60) {
    if (text.indexOf(text[i] as string, lt) === -1 && !insideTag(text, i))
      return finding('xss.attribute-break', text, i, 'medium')
  }
  return undefined
}

/** The quote at `at` ends a value inside a tag the input itself opened (`<svg viewbox="0 0 24 24">`). */
function insideTag(text: string, at: number): boolean {
  const lt = text.lastIndexOf('<', at)
  return lt !== -1 && lt > text.lastIndexOf('>', at)
}

// --- URL schemes --------------------------------------------------------------------------------

const SCRIPT_SCHEMES = new Set(['javascript', 'vbscript', 'livescript', 'mocha'])

function base64Markup(text: string): Finding | undefined {
  return text.charCodeAt(0) === 0x70 && BASE64_MARKUP.test(text)
    ? finding('xss.base64', text, 0, 'medium')
    : undefined
}

/** Each `:`: the letters before it (tabs and line breaks dropped, as browsers do) name the scheme. */
function schemes(text: string): Finding | undefined {
  let colon = text.indexOf(':')
  for (let n = 0; colon !== -1 && n < 32; n++) {
    const found = scheme(text, colon)
    if (found !== undefined) return found
    colon = text.indexOf(':', colon + 1)
  }
  return undefined
}

function scheme(text: string, colon: number): Finding | undefined {
  let letters = ''
  let split = false
  let i = colon - 1
  for (; i >= 0 && colon - i <= 24; i--) {
    const c = text.charCodeAt(i)
    if (isLetter(c)) letters = text[i] + letters
    else if (c === 0x09 || c === 0x0a || c === 0x0d) split = true
    else break
  }
  const start = i + 1
  if (letters === 'data') return dataUrl(text, start, colon)
  if (!SCRIPT_SCHEMES.has(letters)) return undefined
  if (split && letters.length > 0) return finding('xss.js-uri', text, start, 'high')
  if (stickyAt(VOID, text, colon + 1)) return undefined
  const prev = previous(text, start)
  if (prev === -1 || '="\'`(>/[,'.includes(String.fromCharCode(prev))) {
    return stickyAt(CODE_AFTER_SCHEME, text, colon + 1)
      ? finding('xss.js-uri', text, start, 'high')
      : undefined
  }
  return stickyAt(CODE_RIGHT_AFTER, text, colon + 1)
    ? finding('xss.js-uri', text, start, 'medium')
    : undefined
}

function dataUrl(text: string, start: number, colon: number): Finding | undefined {
  const prev = previous(text, start)
  if (!(prev === -1 || '="\'`(>'.includes(String.fromCharCode(prev)))) return undefined
  return stickyAt(DATA_TYPES, text, colon + 1) ? finding('xss.js-uri', text, start, 'medium') : undefined
}

/** The character before `at`, spaces skipped; -1 at the start. */
function previous(text: string, at: number): number {
  let i = at - 1
  while (i >= 0 && isSpace(text.charCodeAt(i))) i--
  return i < 0 ? -1 : text.charCodeAt(i)
}

function stickyAt(pattern: RegExp, text: string, at: number): boolean {
  pattern.lastIndex = at
  return pattern.test(text)
}

// --- script outside markup ----------------------------------------------------------------------

/** What script outside markup calls (the name before `(` or a backtick); any other call is not looked at. */
const CALLEES = new Set([
  ...SINKS,
  'print',
  'settimeout',
  'setinterval',
  'execscript',
  'function',
  'import',
  'constructor',
  'fromcharcode',
  'write',
  'writeln',
  'call',
  'apply',
  'bind',
])

const DOM_OBJECTS = ['document', 'window', 'self', 'top', 'parent']

/** Script outside markup, in `text` without its comments. */
function code(text: string): Finding | undefined {
  if (callsSink(text)) {
    const found =
      first(text, START_CALL, 'xss.js-code', 'medium') ??
      first(text, BREAK_CALL, 'xss.js-code', 'high') ??
      first(text, TEMPLATE_CALL, 'xss.js-code', 'high') ??
      first(text, CONSTRUCTOR, 'xss.js-code', 'high') ??
      first(text, FROM_CHAR_CODE, 'xss.js-code', 'medium')
    if (found !== undefined) return found
  } else if (text.includes('${')) {
    const found = first(text, TEMPLATE_CALL, 'xss.js-code', 'high')
    if (found !== undefined) return found
  }
  if (text.includes('[')) {
    const found = first(text, GLOBAL_INDEX, 'xss.js-code', 'medium')
    if (found !== undefined) return found
  }
  if (SINKS.some((name) => text.includes(name))) {
    const found = first(text, SINK_AS_VALUE, 'xss.js-code', 'medium')
    if (found !== undefined) return found
  }
  if (text.includes('.') && DOM_OBJECTS.some((o) => text.includes(o))) {
    const m = DOM.exec(text)
    if (m !== null) return finding('xss.js-code', text, m.index, m[1] === 'cookie' ? 'medium' : 'low')
  }
  return undefined
}

/** Some `(` or backtick follows a sink's name (`alert (`, `sort.call\``, `new function(`). */
function callsSink(text: string): boolean {
  return calleeBefore(text, '(') || calleeBefore(text, '`')
}

function calleeBefore(text: string, mark: string): boolean {
  let at = text.indexOf(mark)
  for (let n = 0; at !== -1 && n < 32; n++) {
    let end = at
    while (end > 0 && at - end < 4 && isSpace(text.charCodeAt(end - 1))) end--
    let start = end
    while (start > 0 && end - start < 16 && isLetter(text.charCodeAt(start - 1))) start--
    if (start < end && CALLEES.has(text.slice(start, end))) return true
    at = text.indexOf(mark, at + 1)
  }
  return false
}

/** CSS that runs script, looked for in `text` without its comments (`plain`). */
function css(input: string, text: string): Finding | undefined {
  if (!(input.includes('(') || input.includes(':'))) return undefined
  if (
    !(
      text.includes('expression') ||
      text.includes('binding') ||
      text.includes('behavior') ||
      text.includes('@import')
    )
  )
    return undefined
  return first(text, CSS, 'xss.css-expression', 'high')
}

/**
 * CSS read with its escapes resolved (`@im\port`, `\ja\vasc\ript:`, `exp\72 ession(`), as a style
 * sheet or a `style` attribute reads them: then the CSS checks and the script schemes.
 */
function cssEscaped(text: string): Finding | undefined {
  if (!text.includes('\\') || !(text.includes('style') || text.includes('@'))) return undefined
  const plain = cssUnescape(text)
  return plain === text ? undefined : (css(plain, plain) ?? schemes(plain))
}

/**
 * CSS escapes resolved (CSS Syntax Level 3, 4.3.7): a backslash and one to six hex digits (and one
 * whitespace after them) are that code point; a backslash before a line break is removed; before
 * any other character, that character. One pass.
 */
function cssUnescape(text: string): string {
  let out = ''
  let last = 0
  for (let i = text.indexOf('\\'); i !== -1 && i < text.length - 1; i = text.indexOf('\\', last)) {
    out += text.slice(last, i)
    let j = i + 1
    let cp = 0
    let digits = 0
    for (let d = hexValue(text.charCodeAt(j)); digits < 6 && d !== -1; d = hexValue(text.charCodeAt(j))) {
      cp = cp * 16 + d
      digits++
      j++
    }
    if (digits > 0) {
      if (isSpace(text.charCodeAt(j))) j++
      out += cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp)
    } else if (text.charCodeAt(j) === 0x0a) {
      j++
    } else {
      out += text[j]
      j++
    }
    last = j
  }
  return out + text.slice(last)
}

function bareHandler(text: string): Finding | undefined {
  if (!text.includes('on')) return undefined
  return first(text, BARE_HANDLER, 'xss.event-handler', 'medium')
}
