/**
 * Most inputs of most requests are plain words, numbers, names and prices: nothing an attack of any
 * class could be written without. One regular-expression test on the raw input (compiled by V8 to
 * native code, linear in the input) lets those skip decoding and every rule; a 4 KB JSON order is
 * then a few dozen `test` calls. The test is a superset of what every rule needs: a special character
 * (quotes, markup, shell and template metacharacters, `%` escapes, `&` references, brackets,
 * separators, control characters), `..`, `--`, or a word an attack can be made of on its own (SQL's
 * `union`/`select`/`sleep`, `__proto__`/`constructor`, `localhost`, sensitive file names such as
 * `passwd` or `/proc/`, `window.`/`document.`, a few commands, a dotted IPv4 address).
 * A path is judged without its `/` separators (`//` still counts).
 */

/** Words an attack can be made of without any special character (the rules' own triggers). */
const WORDS = [
  'union',
  'select',
  'sleep',
  'benchmark',
  'waitfor',
  'proto',
  'constructor',
  'localhost',
  'passwd',
  'shadow',
  'etc/',
  '/proc/',
  '/sys/',
  'web-inf',
  'id_rsa',
  '\\.ssh',
  'win\\.ini',
  'boot\\.ini',
  '\\.log\\b',
  'window\\.',
  'document\\.',
  'which\\s',
  'whoami',
  'uname',
].join('|')

/** A dotted IPv4 address (SSRF targets written without a scheme). */
const IPV4 = '\\d\\.\\d{1,3}\\.\\d{1,3}\\.\\d'

export const SUSPECT = new RegExp(
  `[\\u0000-\\u001f\\u007f\\ufffd<>'"\`;|&$(){}[\\]\\\\%#=:/*]|\\.\\.|--|${WORDS}|${IPV4}`,
  'i',
)

/** SUSPECT for a path: every path has single slashes. */
export const SUSPECT_PATH = new RegExp(
  `[\\u0000-\\u001f\\u007f\\ufffd<>'"\`;|&$(){}[\\]\\\\%#=:*]|//|\\.\\.|--|${WORDS}|${IPV4}`,
  'i',
)

/** Every regular expression of this file, for the ReDoS test. */
export const PATTERNS: readonly RegExp[] = [SUSPECT, SUSPECT_PATH]

/** Whether an input of `kind` may hold an attack and must be decoded and shown to the rules. */
export function suspect(raw: string, isPath: boolean): boolean {
  return (isPath ? SUSPECT_PATH : SUSPECT).test(raw)
}
