/**
 * Server-side template and expression-language injection: input that a template engine would
 * evaluate if the app rendered it as a template (or as an EL/OGNL/SpEL expression).
 *
 * Template syntax alone is not an attack: mustache placeholders (`{{name}}`), Jinja loops in a
 * forum post (`{% for k, v in d.items() %}`), Spring placeholders (`${app.name}`, `#{…}`) and
 * "Total: ${price}" are ordinary text. What the rule looks for is what the published probes and
 * exploits put *inside* the delimiters (PayloadsAllTheThings' SSTI pages; OWASP CRS rules 934180
 * and 934200 and their regression tests, whose idea — template delimiters plus an execution
 * indicator — this follows with narrower indicators):
 *
 * - `template_injection.arithmetic`: the detection probe, a product of two numbers in delimiters
 *   (`{{7*7}}`, `${7*7}`, `#{7*7}`, `*{7*7}`, `<%= 7*7 %>`, `[[5*5]]`, `@(1+2)`, `{7*7}`); medium.
 * - `template_injection.object`: Jinja2/Twig context objects read on their own (`{{config}}`,
 *   `{{config.items()}}`, `{{self}}`, `{{request.application…}}`, `{{_self.env…}}`); medium.
 * - `template_injection.statement`: a statement probe with a constant condition (`{% if true %}`,
 *   `<% if true %>`) or Tornado's `{% import os %}`; medium.
 * - `template_injection.python` (Jinja2, Mako, Tornado), `.java` (SpEL, Thymeleaf, EL, OGNL,
 *   FreeMarker, Velocity), `.node` (Handlebars, Pug, EJS, AngularJS), `.exec` (a command call in
 *   ERB, JSP, Smarty or any of them): a sandbox escape or code execution *inside* an expression
 *   opened by a template delimiter (at most 256 characters before, not closed in between); high.
 * - `template_injection.php`: Smarty's `{php}` and `{system(…)}`, Twig's `|filter('system')`; high.
 * - `template_injection.dotnet`: Razor's `@System.Diagnostics.Process…`, `@System.IO.File…`; high.
 *
 * Cheap first: one test for a delimiter's characters, then one scan for the openers (`{{`, `${`,
 * `<%`, `[#`, `#set(` …); without one, nothing else runs. Every pattern is a bounded repetition; markers are found first (one linear
 * pass each) and only then is an opener looked for before each.
 */
import type { Confidence, Finding, Rule } from '../types.js'

/** A product of numbers in a template's delimiters: the classic detection probe. */
const ARITHMETIC =
  /(?:\{\{=?|[$#*%@]\{|<%=?|\[\[|@\(|\{)\s{0,4}\d{1,9}\s{0,4}\*\s{0,4}['"]?\d{1,9}['"]?\s{0,4}(?:\}|%>|\]\]|\))/
/** The same with `+ - /`, only in delimiters that plain text does not use (`[[2023-24]]` is a wiki link). */
const SUM = /(?:\{\{=?|[$#*]\{|<%=?|@\()\s{0,4}\d{1,9}\s{0,4}[+\-/]\s{0,4}\d{1,9}\s{0,4}(?:\}|%>|\))/
/** Jinja2/Twig globals that only a probe prints whole, or walks (`{{app.request.server.all}}`, `{{dump(app)}}`). */
const OBJECT =
  /\{\{-?\s{0,4}(?:(?:config|self|_self|_context)\s{0,4}(?:-?\}\}|\||\[|\.\s{0,2}__)|config\s{0,2}\.\s{0,2}(?:items|from_object|from_pyfile)\s{0,2}\(|request\s{0,2}(?:\.\s{0,2}(?:application|environ)|\|\s{0,2}attr)|_self\s{0,2}\.\s{0,2}env\b|(?:lipsum|cycler|joiner|namespace|url_for|get_flashed_messages)\s{0,2}\.|app\s{0,2}\.\s{0,2}request\s{0,2}\.|dump\s{0,2}\(\s{0,2}(?:app|_context)?\s{0,2}\))/
/** Template statements that probe rather than render. */
const STATEMENT =
  /\{%-?\s{0,8}(?:if\s{1,8}(?:true|1|\d{1,6}\s{0,2}==\s{0,2}\d{1,6})\s{0,8}-?%\}|import\s{1,8}(?:os|subprocess|sys)\b)|<%[=-]?\s{0,8}if\s{1,8}(?:true|1)\s{0,8}%>/
/** Smarty and Twig code execution, delimiters included (`{system(` without a space: `{ exec(` is code). */
const PHP =
  /\{\/?php\}|\{(?:system|exec|passthru|shell_exec|popen|proc_open|phpinfo)\s{0,2}\(|\{\s{0,2}\$smarty\s{0,2}\.|self::getstreamvariable|\|\s{0,2}(?:filter|map|sort|reduce)\s{0,2}\(\s{0,2}['"](?:system|exec|passthru|shell_exec|popen)|registerundefinedfiltercallback/
/** Python sandbox escapes: the object walk to `os` (`.subclasses()`, `.mro()` too), and Mako's `self.module…` chain. */
const PYTHON =
  /__(?:class|mro|subclasses|globals|builtins|base|bases|init|import|getattribute|dict|reduce|loader)__|\|\s{0,2}attr\s{0,2}\(|\bos\s{0,2}\.\s{0,2}(?:system|popen|exec[lv]p?e?)\s{0,2}\(|\bsubprocess\s{0,2}\.|_templatereference__context|\bimport\s{1,4}os\b|\bself\s{0,2}\.\s{0,2}(?:module|template|attr|context)\s{0,2}\.|\.\s{0,2}(?:subclasses|mro)\s{0,2}\(/g
/** Java reflection and process creation (SpEL `T(…)`, OGNL `@class@method`, FreeMarker `?new()`, Velocity `$class`). */
const JAVA =
  /\bt\s{0,2}\(\s{0,2}(?:java|javax|org|com)\s{0,2}\.|@(?:java|javax|ognl|org\.apache|org\.springframework|com\.opensymphony)\.|#_memberaccess|#context\s{0,2}\[|\.getclass\s{0,2}\(\s{0,2}\)|\.forname\s{0,2}\(|java\.lang\.(?:runtime|processbuilder|system|reflect)\b|javax\.script\.|getruntime\s{0,2}\(|freemarker\.template\.utility\.|\?new\s{0,2}\(|\$class\s{0,2}\.\s{0,2}inspect|scriptenginemanager|system\.diagnostics\.process/g
/** Node.js escapes from Handlebars, Pug, EJS and AngularJS expressions. */
const NODE =
  /process\s{0,2}\.\s{0,2}mainmodule|child_process|global\s{0,2}\.\s{0,2}process\b|constructor\s{0,2}\.\s{0,2}constructor\s{0,2}\(/g
/** A command, eval or file call (ERB `system(`, `%x()`, `File.open(`, JSP `exec(`, EJS `execSync(`). */
const EXEC =
  /\b(?:system|exec|execsync|spawn|spawnsync|passthru|shell_exec|popen|eval|syscall)\s{0,2}\(|%x\s{0,2}[({[]|\b(?:io|file|dir)\s{0,2}\.\s{0,2}(?:popen|open|read|readlines|write|entries|glob|foreach)\s{0,2}\(|<%[=-]?\s{0,8}`/g

/** Cheap pre-check: a character pair that findOpeners would act on (compiled, faster than the loop). */
const TRIGGER = /\{|<[%#@]|\[[#[]|\(#|@[(s]|#set/

/** Razor: .NET process or file access from a `@` expression. */
const DOTNET =
  /@\(?\s{0,4}system\s{0,2}\.\s{0,2}(?:diagnostics\s{0,2}\.\s{0,2}process|io\s{0,2}\.\s{0,2}file)\b/

export const PATTERNS: readonly RegExp[] = [
  TRIGGER,
  ARITHMETIC,
  SUM,
  OBJECT,
  STATEMENT,
  PHP,
  DOTNET,
  PYTHON,
  JAVA,
  NODE,
  EXEC,
]

/** Markers that count only inside an expression, with their rule. */
const INSIDE: readonly (readonly [RegExp, string])[] = [
  [PYTHON, 'template_injection.python'],
  [JAVA, 'template_injection.java'],
  [NODE, 'template_injection.node'],
  [EXEC, 'template_injection.exec'],
]

/** Self-delimited patterns, in the order they are tried after the high-confidence ones. */
const PROBES: readonly (readonly [RegExp, string, Confidence])[] = [
  [PHP, 'template_injection.php', 'high'],
  [DOTNET, 'template_injection.dotnet', 'high'],
  [OBJECT, 'template_injection.object', 'medium'],
  [STATEMENT, 'template_injection.statement', 'medium'],
  [ARITHMETIC, 'template_injection.arithmetic', 'medium'],
  [SUM, 'template_injection.arithmetic', 'medium'],
]

/** How far back from a marker its opening delimiter may be. */
const WINDOW = 256

/** How an opener's expression ends: `}` (braces counted), `%>`, `>`, `]` or `)` (counted). */
type Close = 'brace' | 'scriptlet' | 'angle' | 'bracket' | 'paren'

interface Opener {
  readonly at: number
  /** Where the expression's text starts (after the delimiter). */
  readonly from: number
  readonly close: Close
}

export const templateInjection: Rule = {
  threat: 'template_injection',
  match(text) {
    if (!TRIGGER.test(text)) return undefined
    const openers = findOpeners(text)
    if (openers === undefined) return undefined
    if (openers.length > 0) return inside(text, openers) ?? probe(text)
    return probe(text)
  },
}

/** A sandbox-escape or execution marker inside an expression some opener started. */
function inside(text: string, openers: readonly Opener[]): Finding | undefined {
  for (const [pattern, rule] of INSIDE) {
    pattern.lastIndex = 0
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      const opener = openerOf(text, openers, m.index)
      if (opener !== undefined) return finding(rule, text, opener.at, m.index + m[0].length, 'high')
    }
  }
  return undefined
}

/** A self-delimited probe or exploit. */
function probe(text: string): Finding | undefined {
  for (const [pattern, rule, confidence] of PROBES) {
    const m = pattern.exec(text)
    if (m !== null) return finding(rule, text, m.index, m.index + m[0].length, confidence)
  }
  return undefined
}

/**
 * The template openers in `text`, in order; `undefined` when there is none and no `{` or `@s`
 * either (the self-delimited patterns all hold one of these or an opener). One pass over the characters.
 */
function findOpeners(text: string): Opener[] | undefined {
  // No closure and no array until an opener is found: most inputs have none, and this runs on all.
  let openers: Opener[] | undefined
  let probes = false // a `{` or `@s`: the self-delimited patterns may match
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    let length = 0
    let close: Close = 'brace'
    let at = i
    if (c === 0x7b) {
      // `{{`, `{%`, or the `{` of `${`, `#{`, `*{`, `%{`, `@{`
      probes = true
      const next = text.charCodeAt(i + 1)
      if (next === 0x7b || next === 0x25) length = 2
      else if (i > 0 && isSigil(text.charCodeAt(i - 1))) {
        at = i - 1
        length = 2
      }
    } else if (c === 0x3c) {
      // `<%` (ERB, JSP, EJS, Mako), `<#` and `<@` (FreeMarker)
      const next = text.charCodeAt(i + 1)
      if (next === 0x25) {
        length = 2
        close = 'scriptlet'
      } else if (next === 0x23 || next === 0x40) {
        length = 2
        close = 'angle'
      }
    } else if (c === 0x5b) {
      // `[#` (FreeMarker square syntax), `[[` (Thymeleaf inlining)
      const next = text.charCodeAt(i + 1)
      if (next === 0x23 || next === 0x5b) {
        length = 2
        close = 'bracket'
      }
    } else if (c === 0x28) {
      // `(#` (OGNL)
      if (text.charCodeAt(i + 1) === 0x23) {
        length = 1
        close = 'paren'
      }
    } else if (c === 0x40) {
      // `@(` (Razor); `@System.…` is left to the probes
      const next = text.charCodeAt(i + 1)
      if (next === 0x28) {
        length = 2
        close = 'paren'
      } else if (next === 0x73) probes = true
    } else if (c === 0x23) {
      // `#set(` (Velocity)
      if (text.startsWith('set', i + 1) && velocitySet(text, i + 4)) {
        length = 4
        close = 'paren'
      }
    }
    if (length === 0) continue
    if (openers === undefined) openers = []
    openers.push({ at, from: at + length, close })
    if (c === 0x7b && at === i) i++ // `{{`: the second brace opens nothing more
  }
  return openers ?? (probes ? [] : undefined)
}

/** `#set(` or `#set (`, not `#settings`. */
function velocitySet(text: string, at: number): boolean {
  const c = text.charCodeAt(at)
  return c === 0x28 || (c === 0x20 && text.charCodeAt(at + 1) === 0x28)
}

/** `$ # * % @` before a `{`. */
function isSigil(c: number): boolean {
  return c === 0x24 || c === 0x23 || c === 0x2a || c === 0x25 || c === 0x40
}

/** The nearest opener at or before `at` whose expression is still open at `at`, within WINDOW. */
function openerOf(text: string, openers: readonly Opener[], at: number): Opener | undefined {
  for (let k = lastBefore(openers, at); k >= 0; k--) {
    const opener = openers[k] as Opener
    if (at - opener.at > WINDOW) return undefined
    if (stillOpen(text, opener, at)) return opener
  }
  return undefined
}

/** Index of the last opener starting at or before `at` (binary search; openers are in text order). */
function lastBefore(openers: readonly Opener[], at: number): number {
  let lo = 0
  let hi = openers.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if ((openers[mid] as Opener).at <= at) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return found
}

/** No closing delimiter between the opener and `at` (nested braces, brackets and parentheses counted). */
function stillOpen(text: string, opener: Opener, at: number): boolean {
  if (opener.from > at) return true
  const between = text.slice(opener.from, at)
  switch (opener.close) {
    case 'scriptlet':
      return !between.includes('%>')
    case 'angle':
      return !between.includes('>')
    case 'brace':
      return balanced(between, 0x7b, 0x7d)
    case 'bracket':
      return balanced(between, 0x5b, 0x5d)
    case 'paren':
      return balanced(between, 0x28, 0x29)
  }
}

/** `text` never closes more than it opens. */
function balanced(text: string, open: number, close: number): boolean {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === open) depth++
    else if (c === close && --depth < 0) return false
  }
  return true
}

function finding(rule: string, text: string, at: number, end: number, confidence: Confidence): Finding {
  return {
    threat: 'template_injection',
    rule,
    fragment: text.slice(at, Math.min(end, at + 64)),
    confidence,
  }
}
