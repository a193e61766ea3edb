/**
 * SQL injection: SQL *syntax* in an input, not SQL words. Prose says "select a plan", "union
 * station", "drop me a line", "order by date" and "O'Brien"; a payload closes the string or number
 * the app wraps it in and goes on in SQL. What is looked for, each as its own rule id:
 *
 * - `sqli.union-select`: `union [all|distinct] select` and a select list, the separators being
 *   spaces, `+`, `(`, comments (`/**\/`, MySQL `/*!`, `#`/`--` up to a newline), or nothing at all
 *   (`unionselect`, which no word of any language contains).
 * - `sqli.tautology`: a quote that breaks out of the string, then `or`/`and`/`xor`/`||`/`&&` and a
 *   condition (`' or '1'='1`, `") or ("a"="a`, `' or ''*'`, `') or true--`, `' and 1=2`), or in a
 *   numeric context a logic operator and a comparison of literals (`1 or 1=1`, `1)) or ((1=1`,
 *   `1or1=1`) or of a name with itself (`or a=a`).
 * - `sqli.quote-break`: a quote followed by an operator and a string the app's own quote closes
 *   (`'-'`, `aa'!='1`, `' regexp '0`, `admin' or '`), a comparison keyword (`'glob 1;`), a clause
 *   (`' order by 3--`).
 * - `sqli.comment-after-quote`: a quote then a comment that swallows the rest of the query
 *   (`admin'--`, `admin'#`, `"/*`, `'; --`).
 * - `sqli.stacked-query`: `;` then a statement in its SQL shape (`drop table x`, `delete from`,
 *   `insert into`, `exec xp_`, `shutdown`, `declare @`, `waitfor delay`, `desc users;`).
 * - `sqli.time-based`: `sleep(5)`, `benchmark(1000000,`, `pg_sleep(`, `waitfor delay '0:0:5'`,
 *   `dbms_lock.sleep(`, SQLite's `randomblob(500000000)`.
 * - `sqli.error-based`: `extractvalue(`, `updatexml(`, `convert(int,`, `exp(~(`, a Postgres cast of
 *   a function's result (`)::int`), Oracle's `utl_inaddr`/`ctxsys` error leaks, and a string
 *   concatenated with a call into an Oracle package that reaches out (`'||utl_http.request`).
 * - `sqli.file-access`: `load_file(`, `into outfile`, `load data infile`, `xp_cmdshell`,
 *   `openrowset(`, Postgres `pg_read_file(` and large-object functions (`lo_get(`), `copy t from
 *   '/path'`, `backup database … to disk`.
 * - `sqli.schema-probe`: `information_schema`, `@@version`, `sysobjects`, `sqlite_master`, `select @v`,
 *   `print @@version`.
 * - `sqli.char-concat`: `char(73)+char(78)` chains and `concat(0x3a,…)`-style string building.
 * - `sqli.subquery`: a logic operator or `=` then `(select` with a select list (`and (select count(`).
 * - `sqli.order-by`: column-count probes (`order by 5--`, `' order by 3`, `having 1=1`).
 * - `sqli.comment-evasion`: MySQL versioned comments (`/*!50000`), a line comment then a newline
 *   and SQL (`-1#\nunion`), a variable ended by a comment (`@version/*`).
 *
 * The quote-break rules tokenise what follows each quote into a short fingerprint (string,
 * number, operator, logic operator, function, comment…), the way libinjection does, and match the
 * fingerprint. Only an odd-numbered quote can close the app's string (the input starts inside it), so
 * a complete query quoted in a post (`where name = 'bob' and age > 30`) is not read as a break; a
 * quote that opens a quoted word (`'and'`, `"new york"`) is skipped; a contraction (`dog's`) gives
 * a bare word first and no match; JavaScript's `==`/`===`/`=>` end the fingerprint; SQL's doubled
 * quote (`''`) is an escaped quote inside a string.
 *
 * Facts relied on: the payload shapes of OWASP CoreRuleSet's SQL injection rules (942100–942550)
 * and their regression tests; libinjection's token classes and its SQLi and false-positive samples;
 * PayloadsAllTheThings' SQL injection pages and Intruder lists (auth bypass, time-based, union,
 * error-based per DBMS); the MySQL, PostgreSQL, MSSQL and Oracle manuals for comment syntax
 * (`-- `, `#`, `/*!`), `SLEEP`, `BENCHMARK`, `PG_SLEEP`, `WAITFOR DELAY` and `::` casts.
 *
 * Cost: the checks on `(` (a name before it looked up in a table) and `;` (the word after it) run
 * first; everything else sits behind one scan for the characters and words it needs (quotes, `=`,
 * `@`, `#`, `--`, `union`…), and each check behind an `includes` of its own trigger, so a plain word
 * or a User-Agent costs a few `indexOf` calls and that scan. Each regular expression is bounded.
 */
import { ANOMALY_CRLF } from '../normalise.js'
import type { Confidence, Finding, Rule } from '../types.js'

/** What every check needs one of: a plain word or number costs this one scan. */
const ANY = /['"=<>@#*$_();-]|union|order|having|sys/
/**
 * Characters without which only the `(` and `;` checks and a few words (`union`, `order by`,
 * `having`, `sysobjects`, `--`) can match: a User-Agent or a plain word costs this scan.
 */
const GATE = /['"=<>@#*$_]/

/** After `select`: a number, `*`, `@@`, a quote… or a column followed by SQL (`col from`, `col,`). */
const SELECT_LIST = /\s{0,8}[^a-z_\s]|[\s(]{1,8}[a-z_][\w.$]{0,63}\s{0,8}(?:[,(+#;'"]|--|\/\*|\|\||from\b)/y
/** `union` and `select` run together: no word of any language contains this. */
const GLUED = /union(?:all|distinct)?select/
/** An empty comment inside `union` or `select` (`uni/**\/on sel/**\/ect`): no word of any language has one. */
const SPLIT_KEYWORD = new RegExp(
  ['union', 'select']
    .flatMap((word) =>
      [...word.slice(1)].map((_, i) => `${word.slice(0, i + 1)}\\/\\*\\*\\/${word.slice(i + 1)}`),
    )
    .join('|'),
)

/** A logic operator and a comparison of literals outside any quote (`1 or 1=1`, `/or 1=1/*`). */
const NUMERIC_LOGIC =
  /(?:^|[\s()/'"])(?:or|and|xor|\|\||&&)\s{0,8}\({0,4}\s{0,8}(?:\d{1,12}|true|false|'\w{0,16}'|"\w{0,16}")\s{0,8}(?:<=>|<>|!=|>=|<=|=|>|<)\s{0,8}\({0,4}\s{0,8}(?:\d|true\b|false\b|['"]|[a-z_]\w{0,30}\s{0,4}\()/
/** The same with no space at all: `1or1=1` (no word of any language). */
const GLUED_LOGIC = /\d(?:or|and|xor)\d{1,12}(?:<>|!=|>=|<=|=|>|<)\d/
/** `or`/`and` and a name compared with a name (the caller checks they are the same). */
const SELF_COMPARE =
  /(?:^|[\s()])(?:or|and)\s{1,8}\(?\s{0,8}([a-z_]\w{0,15})\s{0,8}=\s{0,8}([a-z_]\w{0,15})(?![\w(])/g

/** After the statement word that follows a `;`: the rest of the statement as SQL writes it (sticky). */
const STATEMENT_SHAPES = new Map<string, RegExp>([
  ['drop', /\s{1,8}(?:table|database|schema|view|user|procedure|function|index|trigger)\s{1,8}[\w`"[]/y],
  ['delete', /\s{1,8}from\s{1,8}[\w`"[]/y],
  ['insert', /\s{1,8}into\s{1,8}[\w`"[]/y],
  ['update', /\s{1,8}[\w`"[.]{1,64}\s{1,8}set\s{1,8}[\w`"[]/y],
  ['exec', /\s{0,8}(?:master\.|xp_|sp_|\(|@)/y],
  ['execute', /\s{0,8}(?:master\.|xp_|sp_|\(|@)/y],
  ['shutdown', /\s{0,8}(?:with\s{1,8}nowait|$|--|#|\/\*|;)/y],
  ['declare', /\s{1,8}@/y],
  ['create', /\s{1,8}(?:table|user|database|procedure|function|trigger|login)\s/y],
  ['alter', /\s{1,8}(?:table|user|database|login)\s/y],
  ['truncate', /\s{1,8}table\s/y],
  ['select', /\s{1,8}(?:\*|@@?\w|\d|null\b|[\w.]{1,64}\s{0,4}\(|[\w.,\s]{1,128}\sfrom\s)/y],
  ['waitfor', /\s{1,8}(?:delay|time)\s/y],
  ['set', /\s{1,8}@\w/y],
  ['grant', /\s{1,8}\w/y],
  // A table described, then the statement ended: `; desc users; --` (not `; desc` in a sort order).
  ['desc', /\s{1,8}[\w`"[.]{1,64}\s{0,8}(?:;|--|#)/y],
  ['describe', /\s{1,8}[\w`"[.]{1,64}\s{0,8}(?:;|--|#|$)/y],
])

/** A string closed and concatenated with a call into an Oracle package that reaches out or waits. */
const ORACLE_CONCAT =
  /['"]\s{0,4}\|\|\s{0,4}(?:sys\.)?(?:utl_http|utl_inaddr|utl_tcp|utl_smtp|dbms_pipe|dbms_lock|dbms_ldap|ctxsys)\./

const WAITFOR = /waitfor\s{1,8}(?:delay|time)\s{0,8}['"]\s{0,4}\d/
const PG_SLEEP = /(?:select|\|\||;|,|\()\s{0,8}pg_sleep(?![a-z_])/

/** `(select` with a select list, after a logic operator, `=` or `(`. */
const SUBQUERY =
  /(?:\b(?:and|or|xor|not|where|having|exists|in|r?like|regexp)|&&|\|\||[=(,<>])\s{0,8}\(\s{0,8}select(?:\s{0,8}[*(@\d]|\s{1,8}(?:null\b|case\b|top\s|distinct\s|[\w.]{1,64}\s{0,4}\(|[\w.,\s]{1,128}\sfrom\b))/

const ORDER_BY =
  /['")\d]\s{0,8}order\s{1,8}by\s{1,8}\d{1,3}\b|order\s{1,8}by\s{1,8}\d{1,3}[\d\s,]{0,128}(?:--|#|\/\*|;)|having\s{1,8}\d{1,9}\s{0,8}(?:=|<>|>|<)\s{0,8}\d/

const SCHEMA =
  /information_schema|@@(?:version|datadir|hostname|servername|basedir|tmpdir|language|spid|identity)|\b(?:sysobjects|syscolumns|sysdatabases|sysusers|sysprocesses|msysobjects|sqlite_master|sqlite_schema|pg_shadow|pg_catalog|all_tab_columns|all_tables|user_tables|dba_users)\b|\bsys\.(?:tables|objects|columns|databases|sql_logins)\b|\bmysql\.user\b|\bv\$version\b|select\s{1,8}@@?[a-z_]|\bsys(?:ibm|cat)\.[a-z]|\bpg_(?:group|user|roles|authid|database|settings)\b|\bmaster\.\.sys|\bprint\s{1,8}@@[a-z_]/

/** T-SQL and PL/SQL running a string or a system procedure: `exec(@q)`, `exec xp_…`, `declare @q …`. */
const EXEC =
  /(?:^|[\s;'")])(?:exec(?:ute)?\s{0,8}\(\s{0,4}@[a-z_]|exec(?:ute)?\s{1,8}(?:master\.\.)?(?:xp|sp)_[a-z]|execute\s{1,8}immediate\s{1,8}['"]|declare\s{1,8}@[a-z_]\w{0,30}\s{1,8}(?:n?var)?char\b)/

const FILE_WORDS =
  /into\s{1,8}(?:out|dump)file\b|load\s{1,8}data\s{1,8}infile\b|load\s{1,8}data\s{1,8}local\s{1,8}infile\b|xp_cmdshell|sp_oacreate|sp_makewebtask|copy\s{1,8}[\w.]{1,64}\s{1,8}(?:from|to)\s{1,8}(?:program\b|'[/\\])|backup\s{1,8}database\s{1,8}[\w[\]"]{1,64}\s{1,8}to\s{1,8}disk/

const VERSIONED_COMMENT = /\/\*!\d{0,5}\s{0,8}[a-z0-9('"@]/
/** A line comment, a line break, then SQL: the comment hides the rest of the line from a filter. */
const COMMENT_NEWLINE =
  /(?:[\d'")]\s{0,4})(?:#|--)[^\r\n]{0,64}[\r\n]\s{0,16}(?:union|select|and|or|from|where|having|order)\b/
const VARIABLE_COMMENT = /(?:^|[\s(,'"])@@?[a-z_]\w{1,30}\s{0,4}\/\*/
/** The input ends in a comparison keyword and the opening of a string (`something like '`). */
const TRAILING_OPEN = /(?:^|[^'"\w])(?:r?like|regexp|glob)\s{1,8}['"]\s{0,4}$/

/** After a break quote: a comment that swallows the rest (sticky after the quote). */
const COMMENT_TAIL = /[\s);]{0,8}(?:--[\s\-+#;/*]{0,8}|#[\s\-+#;/*]{0,8}|\/\*[\s\S]{0,32})$/y
/** After a break quote: the quote reopened at once on a short word (`3' ' 1`, adjacent literals). */
const ADJACENT_TAIL = /\s{1,4}(['"])\s?\w{1,8}$/y

// Fingerprint patterns (see `fingerprint`).
const FP_LOGIC =
  /^&(?:x{1,2}\(*[1sSvnf]|\(+E|\(*(?:[1snvS]\)*(?:o\(*[1sSvnfx(]|l\(*[1sSvfxE(])|sS|[fv]|1\)*(?:[c;&]|$)))/
const FP_OPERATOR = /^o[^?]{0,30}[Sc]$/
const FP_KEYWORD_OPERATOR = /^l[ox]?\(*[1sSvf(]/
const FP_CLAUSE = /^B[^?]{0,20}[cS;]$/

/** Arguments that make a `sleep(` a delay: a number or a little arithmetic (`sleep(5)`, `(-3 * -2)`). */
const SLEEP_ARGUMENT = /\s{0,4}[-+(]?\s{0,4}\d[\d\s.*+\-/()]{0,16}\)/y
const BENCHMARK_ARGUMENT = /\s{0,4}\d{1,12}\s{0,4},/y
const RANDOMBLOB_ARGUMENT = /\s{0,4}\d{6,12}/y
const CONVERT_ARGUMENT = /\s{0,4}(?:int|integer|bigint|numeric)\s{0,4},/y
const CHAR_ARGUMENT =
  /\s{0,4}\d{1,3}[\d\s,]{0,256}\)\s{0,4}(?:\+|\|\||,)\s{0,4}(?:char|chr)\s{0,4}\(|\s{0,4}\d{1,3}\s{0,4},\s{0,4}\d{1,3}\s{0,4},\s{0,4}\d{1,3}/y
const CONCAT_ARGUMENT =
  /\s{0,4}(?:0x[0-9a-f]|char\s{0,4}\(|@@|\(?\s{0,4}select\b|(?:user|database|version|schema|current_user)\s{0,4}\(\s{0,4}\)|(?:table_name|column_name|schema_name)\b|[\w.]{1,64}\s{0,4},\s{0,4}0x[0-9a-f])/y
const GEOMETRY_ARGUMENT = /\s{0,4}\(?\s{0,4}select\b/y
/** What a probe function is given: nothing, or one quoted name (`current_setting('port')`). */
const PROBE_ARGUMENT = /\s{0,4}(?:'[\w.]{0,32}'|"[\w.]{0,32}")?\s{0,4}\)/y
const CAST_AFTER = /\s{0,4}::\s{0,4}(?:int|integer|bigint|numeric|float)\b/y

export const PATTERNS: readonly RegExp[] = [
  ANY,
  SELF_COMPARE,
  GATE,
  SELECT_LIST,
  GLUED,
  SPLIT_KEYWORD,
  NUMERIC_LOGIC,
  GLUED_LOGIC,
  ORACLE_CONCAT,
  ...STATEMENT_SHAPES.values(),
  WAITFOR,
  PG_SLEEP,
  SUBQUERY,
  ORDER_BY,
  SCHEMA,
  EXEC,
  FILE_WORDS,
  VERSIONED_COMMENT,
  COMMENT_NEWLINE,
  VARIABLE_COMMENT,
  TRAILING_OPEN,
  COMMENT_TAIL,
  ADJACENT_TAIL,
  FP_LOGIC,
  FP_OPERATOR,
  FP_KEYWORD_OPERATOR,
  FP_CLAUSE,
  SLEEP_ARGUMENT,
  BENCHMARK_ARGUMENT,
  RANDOMBLOB_ARGUMENT,
  CONVERT_ARGUMENT,
  CHAR_ARGUMENT,
  CONCAT_ARGUMENT,
  GEOMETRY_ARGUMENT,
  PROBE_ARGUMENT,
  CAST_AFTER,
]

export const sqlInjection: Rule = {
  threat: 'sqli',
  match(text, _kind, anomalies) {
    if (!ANY.test(text)) return undefined
    const paren = text.includes('(')
    const found =
      (paren ? functionCalls(text) : undefined) ??
      (text.includes(';') ? stackedQuery(text) : undefined) ??
      (paren && text.includes('select') ? first(text, SUBQUERY, 'sqli.subquery', 'medium') : undefined)
    if (found !== undefined || !gate(text)) return found
    const quote = text.includes("'") || text.includes('"')
    return (
      unionSelect(text) ??
      (quote ? quoteBreaks(text) : undefined) ??
      (text.includes('=') || text.includes('<') || text.includes('>') ? numericLogic(text) : undefined) ??
      words(text, quote, anomalies)
    )
  },
}

function gate(text: string): boolean {
  return (
    GATE.test(text) ||
    text.includes('--') ||
    text.includes('union') ||
    text.includes('order') ||
    text.includes('having') ||
    text.includes('sys')
  )
}

function finding(rule: string, text: string, at: number, confidence: Confidence): Finding {
  return { threat: 'sqli', rule, fragment: text.slice(Math.max(0, at - 8), at + 56), confidence }
}

function first(text: string, pattern: RegExp, rule: string, confidence: Confidence): Finding | undefined {
  const m = pattern.exec(text)
  return m === null ? undefined : finding(rule, text, m.index, confidence)
}

function stickyAt(pattern: RegExp, text: string, at: number): boolean {
  pattern.lastIndex = at
  return pattern.test(text)
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || c === 0x5f
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0
}

// --- union select -------------------------------------------------------------------------------

function unionSelect(text: string): Finding | undefined {
  let at = text.indexOf('union')
  if (at === -1) return splitKeywords(text)
  for (let n = 0; at !== -1 && n < 8; n++) {
    // A letter before `union` makes it part of a word (`reunion`).
    if (at === 0 || !isLetter(text.charCodeAt(at - 1))) {
      const select = selectAfterUnion(text, at + 5)
      if (select !== -1 && stickyAt(SELECT_LIST, text, select))
        return finding('sqli.union-select', text, at, 'high')
      // A probe that stops at `select` (`' union select`, `1) union all select`): what closes the
      // app's string or expression comes before it.
      if (select !== -1 && skipSeparators(text, select) === text.length && closesBefore(text, at))
        return finding('sqli.union-select', text, at, 'medium')
    }
    at = text.indexOf('union', at + 5)
  }
  const glued = GLUED.exec(text)
  if (glued !== null) return finding('sqli.union-select', text, glued.index, 'medium')
  return splitKeywords(text)
}

/** A quote, `)` or digit just before `at` (spaces and `+` between): the end of a value or expression. */
function closesBefore(text: string, at: number): boolean {
  let i = at
  while (i > 0 && (isSpace(text.charCodeAt(i - 1)) || text.charCodeAt(i - 1) === 0x2b)) i--
  const c = text.charCodeAt(i - 1)
  return c === 0x27 || c === 0x22 || c === 0x29 || isDigit(c)
}

function splitKeywords(text: string): Finding | undefined {
  if (!text.includes('/*')) return undefined
  const m = SPLIT_KEYWORD.exec(text)
  return m === null ? undefined : finding('sqli.comment-evasion', text, m.index, 'medium')
}

/**
 * Where `select` ends after `union` at `from`, with `all`/`distinct` and separators between; -1 if
 * something else follows.
 */
function selectAfterUnion(text: string, from: number): number {
  let i = skipSeparators(text, from)
  for (const word of ['all', 'distinctrow', 'distinct']) {
    if (text.startsWith(word, i) && !isLetter(text.charCodeAt(i + word.length))) {
      i = skipSeparators(text, i + word.length)
      break
    }
  }
  if (!text.startsWith('select', i)) return -1
  const c = text.charCodeAt(i + 6)
  return isLetter(c) || isDigit(c) ? -1 : i + 6
}

/**
 * Past what SQL reads as space between keywords (bounded): white space, `+` (a space in a URL), `(`,
 * comments (`/* *\/`, `#` and `--` up to a line break) and MySQL's `/*!50000` … `*\/` markers.
 */
function skipSeparators(text: string, from: number): number {
  let i = from
  for (let n = 0; n < 16 && i < text.length; n++) {
    const c = text.charCodeAt(i)
    const next = text.charCodeAt(i + 1)
    if (isSpace(c) || c === 0x2b || c === 0x28) i++
    else if (c === 0x2a && next === 0x2f) i += 2
    else if (c === 0x2f && next === 0x2a) {
      if (text.charCodeAt(i + 2) === 0x21) {
        i += 3
        while (i < text.length && isDigit(text.charCodeAt(i))) i++
      } else {
        const close = text.indexOf('*/', i + 2)
        if (close === -1 || close - i > 66) return i
        i = close + 2
      }
    } else if (c === 0x23 || (c === 0x2d && next === 0x2d)) {
      const line = text.indexOf('\n', i)
      if (line === -1 || line - i > 66) return i
      i = line + 1
    } else return i
  }
  return i
}

// --- function calls -----------------------------------------------------------------------------

type Check = (text: string, open: number, name: string, at: number) => Finding | undefined

const time: Check = (text, open, name, at) => {
  if (name === 'sleep' && !stickyAt(SLEEP_ARGUMENT, text, open + 1)) return undefined
  if (name === 'benchmark' && !stickyAt(BENCHMARK_ARGUMENT, text, open + 1)) return undefined
  if (name === 'randomblob' && !stickyAt(RANDOMBLOB_ARGUMENT, text, open + 1)) return undefined
  const sure = name !== 'sleep' || sqlBefore(text, at)
  return finding('sqli.time-based', text, at, sure ? 'high' : 'medium')
}

const errorBased: Check = (text, open, name, at) => {
  if (name === 'convert' && !stickyAt(CONVERT_ARGUMENT, text, open + 1)) return undefined
  if (name === 'exp' && text.charCodeAt(open + 1) !== 0x7e) return undefined
  if (GEOMETRY.has(name) && !stickyAt(GEOMETRY_ARGUMENT, text, open + 1)) return undefined
  return finding('sqli.error-based', text, at, 'high')
}

const fileAccess: Check = (text, _open, _name, at) => finding('sqli.file-access', text, at, 'high')

/** `select version()`, `and user_name() = …`: a function that names the database, called from SQL. */
const probe: Check = (text, open, _name, at) =>
  stickyAt(PROBE_ARGUMENT, text, open + 1) && sqlBefore(text, at)
    ? finding('sqli.schema-probe', text, at, 'medium')
    : undefined

const charConcat: Check = (text, open, name, at) => {
  const argument = name === 'char' || name === 'chr' ? CHAR_ARGUMENT : CONCAT_ARGUMENT
  return stickyAt(argument, text, open + 1) ? finding('sqli.char-concat', text, at, 'medium') : undefined
}

const GEOMETRY = new Set([
  'geometrycollection',
  'multipoint',
  'polygon',
  'multipolygon',
  'linestring',
  'multilinestring',
])

const FUNCTIONS = new Map<string, Check>([
  ['sleep', time],
  ['benchmark', time],
  ['pg_sleep', time],
  ['randomblob', time],
  ['dbms_lock.sleep', time],
  ['dbms_pipe.receive_message', time],
  ['extractvalue', errorBased],
  ['updatexml', errorBased],
  ['convert', errorBased],
  ['exp', errorBased],
  ['name_const', errorBased],
  ['xmltype', errorBased],
  ['utl_inaddr.get_host_name', errorBased],
  ['utl_inaddr.get_host_address', errorBased],
  ['ctxsys.drithsx.sn', errorBased],
  ['dbms_xmlgen.getxml', errorBased],
  ['dbms_utility.sqlid_to_sqlhash', errorBased],
  ...[...GEOMETRY].map((name): [string, Check] => [name, errorBased]),
  ['load_file', fileAccess],
  ['pg_read_file', fileAccess],
  ['pg_read_binary_file', fileAccess],
  ['pg_ls_dir', fileAccess],
  ['lo_import', fileAccess],
  ['lo_export', fileAccess],
  ['lo_get', fileAccess],
  ['openrowset', fileAccess],
  ['opendatasource', fileAccess],
  ['utl_http.request', fileAccess],
  ['utl_file.fopen', fileAccess],
  ['sys_eval', fileAccess],
  ['sys_exec', fileAccess],
  ...[
    'version',
    'current_database',
    'current_setting',
    'current_schema',
    'user_name',
    'db_name',
    'database',
    'system_user',
    'session_user',
  ].map((name): [string, Check] => [name, probe]),
  ['char', charConcat],
  ['chr', charConcat],
  ['concat', charConcat],
  ['concat_ws', charConcat],
  ['group_concat', charConcat],
])

/** Each `(`: the name before it (`sleep (`, `dbms_lock.sleep(`) looked up, its arguments checked. */
function functionCalls(text: string): Finding | undefined {
  const casts = text.includes('::')
  let open = text.indexOf('(')
  for (let n = 0; open !== -1 && n < 64; n++) {
    let end = open
    while (end > 0 && end > open - 4 && isSpace(text.charCodeAt(end - 1))) end--
    let start = end
    while (start > 0 && end - start < 32) {
      const c = text.charCodeAt(start - 1)
      if (!(isLetter(c) || isDigit(c) || c === 0x2e || c === 0x24)) break
      start--
    }
    if (start < end) {
      const name = text.slice(start, end)
      const check = FUNCTIONS.get(name)
      const found = check?.(text, open, name, start)
      if (found !== undefined) return found
      // `encode(lo_get(1),'base64')::int`: a function's result cast to a number to leak it in the error.
      if (casts && check === undefined && stickyAt(CAST_AFTER, text, closingParen(text, open) + 1))
        return finding('sqli.error-based', text, start, 'medium')
    }
    open = text.indexOf('(', open + 1)
  }
  return undefined
}

/** The `)` that closes the `(` at `open` (bounded), or -2 when there is none. */
function closingParen(text: string, open: number): number {
  let depth = 0
  const end = Math.min(text.length, open + 256)
  for (let i = open; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x28) depth++
    else if (c === 0x29 && --depth === 0) return i
  }
  return -2
}

const SQL_BEFORE = new Set(['or', 'and', 'xor', 'select', 'by', 'if', 'then', 'else', 'when', 'not', 'where'])

/** What precedes `at` is SQL: an operator, `(`, `,`, a quote, or a keyword such as `or`/`select`. */
function sqlBefore(text: string, at: number): boolean {
  let i = at
  while (i > 0 && isSpace(text.charCodeAt(i - 1))) i--
  if (i === 0) return false
  const c = text.charCodeAt(i - 1)
  if ('(,=|&;\'"<>!'.includes(text[i - 1] as string)) return true
  if (!isLetter(c)) return false
  let start = i
  while (start > 0 && i - start < 8 && isLetter(text.charCodeAt(start - 1))) start--
  return SQL_BEFORE.has(text.slice(start, i))
}

// --- quote breaks -------------------------------------------------------------------------------

/**
 * Each quote that may close the app's string: an odd-numbered one of its kind (an even-numbered
 * quote closes a string the input itself opened, as in `name = 'bob' and age > 30` quoted in a
 * post), and not one that opens a quoted word. What follows it is tokenised and matched, and
 * checked for a comment that swallows the rest of the query.
 */
function quoteBreaks(text: string): Finding | undefined {
  let single = 0
  let double = 0
  let nextSingle = text.indexOf("'")
  let nextDouble = text.indexOf('"')
  for (let analysed = 0; (nextSingle !== -1 || nextDouble !== -1) && analysed < 16; ) {
    const isSingle = nextDouble === -1 || (nextSingle !== -1 && nextSingle < nextDouble)
    const p = isSingle ? nextSingle : nextDouble
    const q = isSingle ? "'" : '"'
    const count = isSingle ? ++single : ++double
    if (isSingle) nextSingle = text.indexOf(q, p + 1)
    else nextDouble = text.indexOf(q, p + 1)
    if (count % 2 === 0) continue
    // `'and'`, `"new york"`, `'/var/x'`: a quote after a space, before text, closed later, opens a quote.
    const opens =
      p > 0 && isSpace(text.charCodeAt(p - 1)) && p + 1 < text.length && !isSpace(text.charCodeAt(p + 1))
    if (opens && (isSingle ? nextSingle : nextDouble) !== -1) continue
    analysed++
    const found = afterQuote(text, p, q.charCodeAt(0))
    if (found !== undefined) return found
  }
  return TRAILING_OPEN.test(text) ? finding('sqli.quote-break', text, text.length - 12, 'low') : undefined
}

function afterQuote(text: string, p: number, quote: number): Finding | undefined {
  const fp = fingerprint(text, p + 1, quote)
  let i = 0
  while (fp.charCodeAt(i) === 0x29) i++
  const rest = i === 0 ? fp : fp.slice(i)
  if (FP_LOGIC.test(rest)) return finding('sqli.tautology', text, p, 'high')
  // `admin' or '`: a logic operator, then a string the app's own quote closes.
  if (rest === '&S') return finding('sqli.quote-break', text, p, 'medium')
  if (FP_OPERATOR.test(rest) || FP_KEYWORD_OPERATOR.test(rest) || FP_CLAUSE.test(rest))
    return finding('sqli.quote-break', text, p, 'medium')
  if (stickyAt(COMMENT_TAIL, text, p + 1)) return finding('sqli.comment-after-quote', text, p, 'medium')
  if (before(text, p)) {
    ADJACENT_TAIL.lastIndex = p + 1
    const m = ADJACENT_TAIL.exec(text)
    if (m !== null && m[1] === text[p]) return finding('sqli.quote-break', text, p, 'low')
  }
  return undefined
}

/** A word or number right before the quote (`3' ' 1`): the quote closes a value. */
function before(text: string, p: number): boolean {
  if (p === 0) return false
  const c = text.charCodeAt(p - 1)
  return isLetter(c) || isDigit(c)
}

/** Words and what they are in a fingerprint; anything else is `n` (or `f` before `(`). */
const KEYWORDS = new Map<string, string>([
  ['and', '&'],
  ['or', '&'],
  ['xor', '&'],
  ['not', 'x'],
  ['like', 'l'],
  ['rlike', 'l'],
  ['regexp', 'l'],
  ['glob', 'l'],
  ['sounds', 'l'],
  ['between', 'l'],
  ['div', 'l'],
  ['mod', 'l'],
  ['collate', 'l'],
  ['is', 'l'],
  ['union', 'U'],
  ['select', 'E'],
  ['insert', 'E'],
  ['update', 'E'],
  ['delete', 'E'],
  ['drop', 'E'],
  ['exec', 'E'],
  ['execute', 'E'],
  ['declare', 'E'],
  ['shutdown', 'E'],
  ['waitfor', 'E'],
  ['create', 'E'],
  ['alter', 'E'],
  ['truncate', 'E'],
  ['order', 'B'],
  ['group', 'B'],
  ['having', 'B'],
  ['limit', 'B'],
  ['procedure', 'B'],
  ['into', 'B'],
  ['offset', 'B'],
  ['true', '1'],
  ['false', '1'],
  ['null', '1'],
  ['unknown', '1'],
  ['from', 'k'],
  ['where', 'k'],
  ['by', 'k'],
  ['as', 'k'],
  ['then', 'k'],
  ['when', 'k'],
  ['case', 'k'],
  ['else', 'k'],
  ['end', 'k'],
  ['all', 'k'],
  ['distinct', 'k'],
  ['table', 'k'],
  ['delay', 'k'],
  ['values', 'k'],
  ['on', 'k'],
])

/** Functions a payload calls with a space before `(` (`sleep (5)`); others need `name(`. */
const SPACED_FUNCTIONS = new Set([
  'sleep',
  'benchmark',
  'pg_sleep',
  'if',
  'ascii',
  'substring',
  'char',
  'exists',
])

/**
 * The tokens after a quote as one character each: `s` string, `S` an unclosed string of the break
 * quote with a short plain tail (the app's quote closes it), `1` number or literal, `v` variable,
 * `n` name, `f` function, `&` logic operator, `x` negation, `o` operator, `l` comparison keyword,
 * `U` union, `E` statement, `B` clause, `k` other keyword, `( ) , ;` themselves, `c` a comment, `?`
 * anything else (the fingerprint ends there: prose, JSON, JavaScript's `==`).
 */
function fingerprint(text: string, from: number, quote: number): string {
  let fp = ''
  let i = from
  const end = Math.min(text.length, from + 256)
  while (i < end) {
    // Past 24 tokens the end is not seen: patterns anchored at the end must not match.
    if (fp.length === 24) return fp + '?'
    const c = text.charCodeAt(i)
    const next = text.charCodeAt(i + 1)
    if (isSpace(c)) {
      i++
    } else if (c === 0x27 || c === 0x22) {
      const close = closingQuote(text, i)
      if (close !== -1) {
        fp += 's'
        i = close + 1
      } else return fp + (c === quote && shortTail(text, i + 1) ? 'S' : '?')
    } else if (isDigit(c) || (c === 0x2e && isDigit(next))) {
      i++
      while (
        i < end &&
        (isLetter(text.charCodeAt(i)) || isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 0x2e)
      )
        i++
      fp += '1'
    } else if (isLetter(c) || c === 0x24) {
      const start = i
      while (i < end) {
        const d = text.charCodeAt(i)
        if (!(isLetter(d) || isDigit(d) || d === 0x24 || d === 0x2e)) break
        i++
      }
      fp += word(text, text.slice(start, i), i)
    } else if (c === 0x40) {
      let j = i + 1
      if (text.charCodeAt(j) === 0x40) j++
      if (!isLetter(text.charCodeAt(j))) return fp + '?'
      while (j < end && (isLetter(text.charCodeAt(j)) || isDigit(text.charCodeAt(j)))) j++
      fp += 'v'
      i = j
    } else if ((c === 0x2d && next === 0x2d) || c === 0x23) {
      return fp + 'c'
    } else if (c === 0x2f && next === 0x2a) {
      if (text.charCodeAt(i + 2) === 0x21) {
        i += 3 // MySQL `/*!50000 … */`: the content is code
        while (i < end && isDigit(text.charCodeAt(i))) i++
      } else {
        const close = text.indexOf('*/', i + 2)
        if (close === -1) return fp + 'c'
        i = close + 2
      }
    } else if (c === 0x2a && next === 0x2f) {
      i += 2
    } else if (c === 0x28 || c === 0x29 || c === 0x2c || c === 0x3b) {
      fp += text[i]
      i++
    } else if (c === 0x60) {
      const close = text.indexOf('`', i + 1)
      if (close === -1) return fp + '?'
      fp += 'n'
      i = close + 1
    } else if (c === 0x2b || c === 0x2d || c === 0x2a || c === 0x2f || c === 0x25) {
      fp += 'o'
      i++
    } else if ('=<>!|&^~:'.includes(text[i] as string)) {
      let j = i + 1
      while (j < end && j - i < 3 && '=<>!|&^~:'.includes(text[j] as string)) j++
      const op = operator(text.slice(i, j))
      if (op === '?') return fp + op
      fp += op
      i = j
    } else return fp + '?'
  }
  return fp
}

/** The quote that ends the string opened at `open`; a doubled quote inside is an escaped one (SQL). */
function closingQuote(text: string, open: number): number {
  const q = text[open] as string
  let j = text.indexOf(q, open + 1)
  while (j !== -1 && text[j + 1] === q) j = text.indexOf(q, j + 2)
  return j
}

function word(text: string, w: string, after: number): string {
  const kind = KEYWORDS.get(w)
  let j = after
  while (j < text.length && j - after < 4 && isSpace(text.charCodeAt(j))) j++
  const paren = text.charCodeAt(j) === 0x28
  if (w === 'in') return paren ? 'l' : 'n'
  if (kind !== undefined) return kind
  if (paren && (j === after || SPACED_FUNCTIONS.has(w))) return 'f'
  return 'n'
}

function operator(op: string): string {
  if (op === '&&' || op === '||') return '&'
  if (op === '!' || op === '~') return 'x'
  // `==`, `===`, `!==`, `=>` are JavaScript, `:` alone is prose or JSON: not SQL.
  if (op.startsWith('==') || op === '!==' || op === '=>' || op === ':') return '?'
  return 'o'
}

/** The unclosed string after `from` is short and plain (`'1`, `'`, `'a%`): a payload's tail. */
function shortTail(text: string, from: number): boolean {
  if (text.length - from > 16) return false
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (!(isLetter(c) || isDigit(c) || c === 0x25 || c === 0x2e || c === 0x40 || c === 0x2d)) return false
  }
  return true
}

// --- statements, logic, words -------------------------------------------------------------------

function stackedQuery(text: string): Finding | undefined {
  let at = text.indexOf(';')
  for (let n = 0; at !== -1 && n < 16; n++) {
    let start = at + 1
    while (start < text.length && start - at <= 16 && isSpace(text.charCodeAt(start))) start++
    let end = start
    while (end < text.length && end - start < 9 && isLetter(text.charCodeAt(end))) end++
    const shape = STATEMENT_SHAPES.get(text.slice(start, end))
    if (shape !== undefined && stickyAt(shape, text, end))
      return finding('sqli.stacked-query', text, at, 'high')
    at = text.indexOf(';', at + 1)
  }
  return undefined
}

function numericLogic(text: string): Finding | undefined {
  const m = NUMERIC_LOGIC.exec(text) ?? GLUED_LOGIC.exec(text)
  if (m !== null) return finding('sqli.tautology', text, m.index, 'medium')
  // A column compared with itself (`or a=a`, `) or (x=x`): true on every row.
  SELF_COMPARE.lastIndex = 0
  for (let n = 0; n < 8; n++) {
    const c = SELF_COMPARE.exec(text)
    if (c === null) return undefined
    if (c[1] === c[2]) return finding('sqli.tautology', text, c.index, 'medium')
  }
  return undefined
}

/** The checks on words: each gated on a character or substring it needs. */
function words(text: string, quote: boolean, anomalies: number): Finding | undefined {
  if (quote && text.includes('||')) {
    const m = ORACLE_CONCAT.exec(text)
    if (m !== null) return finding('sqli.error-based', text, m.index, 'high')
  }
  if (quote && text.includes('waitfor')) {
    const m = WAITFOR.exec(text)
    if (m !== null) return finding('sqli.time-based', text, m.index, 'high')
  }
  if (text.includes('pg_sleep')) {
    const m = PG_SLEEP.exec(text)
    if (m !== null) return finding('sqli.time-based', text, m.index, 'high')
  }
  const under = text.includes('_')
  const at = text.includes('@')
  if (under || at || text.includes('sys') || text.includes('$')) {
    const m = SCHEMA.exec(text)
    if (m !== null) return finding('sqli.schema-probe', text, m.index, 'medium')
  }
  if (text.includes('order') || text.includes('having')) {
    const m = ORDER_BY.exec(text)
    if (m !== null) return finding('sqli.order-by', text, m.index, 'medium')
  }
  if (
    under ||
    text.includes('file') ||
    text.includes('program') ||
    text.includes('copy') ||
    text.includes('backup')
  ) {
    const m = FILE_WORDS.exec(text)
    if (m !== null) return finding('sqli.file-access', text, m.index, 'high')
  }
  if (text.includes('exec') || text.includes('declare')) {
    const m = EXEC.exec(text)
    if (m !== null) return finding('sqli.stacked-query', text, m.index, 'medium')
  }
  return commentEvasion(text, at, anomalies)
}

function commentEvasion(text: string, at: boolean, anomalies: number): Finding | undefined {
  if (text.includes('/*!')) {
    const m = VERSIONED_COMMENT.exec(text)
    if (m !== null) return finding('sqli.comment-evasion', text, m.index, 'medium')
  }
  if (anomalies & ANOMALY_CRLF && (text.includes('#') || text.includes('--'))) {
    const m = COMMENT_NEWLINE.exec(text)
    if (m !== null) return finding('sqli.comment-evasion', text, m.index, 'medium')
  }
  if (at && text.includes('/*')) {
    const m = VARIABLE_COMMENT.exec(text)
    if (m !== null) return finding('sqli.comment-evasion', text, m.index, 'low')
  }
  return undefined
}
