/**
 * OS command injection: a shell command chained onto a value (`; id`, `| whoami`, `&& cat
 * /etc/passwd`, `%0a id`, `` `uname -a` ``, `$(curl …)`), a value that is itself a command line
 * (`cat /etc/passwd`, `sleep 5`, `/bin/sh -c …`), and the shapes that only shells and their attackers
 * write: Shellshock's `() { :; };`, `${IFS}` for spaces, glob paths (`/???/c?t`, `/etc/[m-z]asswd`),
 * `/dev/tcp/` reverse shells, the fork bomb, server-side includes (`<!--#exec cmd=`), and Node.js
 * code reaching for a shell (`require('child_process')`, node-serialize's `_$$ND_FUNC$$_`).
 *
 * Shaped by prose: `&`, `;` and `|` are ordinary punctuation ("Tom & Jerry; cat lovers | dog
 * people"), and many command names are English words. So a separator counts only when a known
 * command follows it at a token boundary, and each command needs the argument it is used with in
 * an attack: `cat` a path, `sleep` a number alone, `ping` a flag or a host, `curl` a URL; only the
 * names nobody writes in a sentence (`whoami`, `ifconfig`, `powershell`) stand alone, and `id` only
 * at the end of the input or before another separator. A backtick preceded by a space is Markdown's
 * inline code (`run \`ls -la\``) and is not a separator; a line break is one only near the start of
 * the input (`%0aid`), not in a multi-line post.
 *
 * Facts from OWASP CoreRuleSet rules 932100-932390 and 934100 (their regression tests and the
 * unix-shell.data and windows-powershell-commands.data lists), the PayloadsAllTheThings command
 * injection page and lists, and the Shellshock advisory (CVE-2014-6271).
 */
import type { Confidence, Finding, Rule } from '../types.js'

/** What a command needs after it (bits). */
const END = 1 // nothing: the end, another separator, a quote or `)`
const FLAG = 2 // `-x`, `+x`
const PATH = 4 // `/…`, `~`, `./`, `$…`, `<`, `%VAR%`, `c:\`
const NUMBER = 8 // a number and then the end (`sleep 5`)
const URL = 16 // `http://…`
const HOST = 32 // `127.0.0.1`, `evil.example`
const COMMAND = 64 // another command (`which nc`)
const CALL = 128 // `(` (`system('id')`)
const ECHO = 256 // `$…`, `<…`, a quoted `<?php` (what `echo` writes into a file)
const ANY = 512 // nothing more: the name alone says it
const SUBCOMMAND = 1024 // one of the command's own `subcommands`: `net user`, `reg add`, `netsh firewall`

interface Command {
  readonly needs: number
  /** A clear attack when chained (the SOC is paged). */
  readonly high: boolean
  /** With SUBCOMMAND: the words that may follow the command (sticky, tested where they start). */
  readonly subcommands?: RegExp
}

const NET_SUBCOMMANDS = /(?:user|users|view|localgroup|group|share|use|session|accounts|start|stop)(?![a-z])/y
const REG_SUBCOMMANDS = /(?:add|query|delete|save|export|import)\s/y
const NETSH_SUBCOMMANDS = /(?:firewall|advfirewall|interface|wlan|winhttp|portproxy)\s/y

const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  // Reconnaissance: what a probe runs first.
  ['id', { needs: END | FLAG, high: true }],
  ['whoami', { needs: ANY, high: true }],
  ['uname', { needs: END | FLAG, high: true }],
  ['hostname', { needs: END | FLAG, high: false }],
  ['ifconfig', { needs: ANY, high: true }],
  ['ipconfig', { needs: ANY, high: true }],
  ['netstat', { needs: ANY, high: true }],
  ['systeminfo', { needs: ANY, high: true }],
  ['tasklist', { needs: ANY, high: true }],
  ['printenv', { needs: END, high: true }],
  ['env', { needs: END, high: false }],
  ['ps', { needs: FLAG, high: false }],
  ['ls', { needs: END | FLAG | PATH, high: false }],
  ['dir', { needs: END | FLAG | PATH, high: false }],
  ['cat', { needs: FLAG | PATH, high: false }],
  ['more', { needs: PATH, high: false }],
  ['head', { needs: FLAG | PATH, high: false }],
  ['tail', { needs: FLAG | PATH, high: false }],
  ['type', { needs: PATH, high: false }],
  ['find', { needs: PATH, high: false }],
  ['which', { needs: COMMAND, high: false }],
  ['whereis', { needs: COMMAND, high: false }],
  ['echo', { needs: END | ECHO, high: false }],
  ['net', { needs: SUBCOMMAND, high: true, subcommands: NET_SUBCOMMANDS }],
  ['reg', { needs: SUBCOMMAND, high: true, subcommands: REG_SUBCOMMANDS }],
  ['netsh', { needs: SUBCOMMAND, high: true, subcommands: NETSH_SUBCOMMANDS }],
  // Timing probes (blind injection).
  ['sleep', { needs: NUMBER, high: false }],
  ['timeout', { needs: NUMBER | FLAG | PATH, high: false }],
  ['ping', { needs: FLAG | HOST, high: false }],
  ['nslookup', { needs: ANY, high: true }],
  // Download, exfiltration and shells.
  ['curl', { needs: FLAG | URL | HOST | PATH, high: true }],
  ['wget', { needs: FLAG | URL | HOST | PATH, high: true }],
  ['nc', { needs: FLAG | HOST, high: true }],
  ['ncat', { needs: FLAG | HOST, high: true }],
  ['netcat', { needs: FLAG | HOST, high: true }],
  ['telnet', { needs: FLAG | HOST, high: true }],
  ['sh', { needs: END | FLAG | PATH, high: true }],
  ['bash', { needs: END | FLAG | PATH, high: true }],
  ['zsh', { needs: END | FLAG | PATH, high: true }],
  ['ksh', { needs: END | FLAG | PATH, high: true }],
  ['csh', { needs: END | FLAG | PATH, high: true }],
  ['tcsh', { needs: END | FLAG | PATH, high: true }],
  ['python', { needs: FLAG | PATH, high: true }],
  ['python3', { needs: FLAG | PATH, high: true }],
  ['perl', { needs: FLAG | PATH, high: true }],
  ['ruby', { needs: FLAG | PATH, high: true }],
  ['php', { needs: FLAG | PATH, high: true }],
  ['node', { needs: FLAG | PATH, high: true }],
  ['powershell', { needs: END | FLAG | PATH, high: true }],
  ['powershell.exe', { needs: ANY, high: true }],
  ['pwsh', { needs: END | FLAG | PATH, high: true }],
  ['cmd', { needs: END | PATH, high: true }],
  ['cmd.exe', { needs: ANY, high: true }],
  ['certutil', { needs: ANY, high: true }],
  ['bitsadmin', { needs: ANY, high: true }],
  ['mshta', { needs: ANY, high: true }],
  ['rundll32', { needs: ANY, high: true }],
  ['regsvr32', { needs: ANY, high: true }],
  ['wmic', { needs: ANY, high: true }],
  ['mkfifo', { needs: ANY, high: true }],
  // Changing files.
  ['cp', { needs: FLAG | PATH, high: false }],
  ['mv', { needs: FLAG | PATH, high: false }],
  ['rm', { needs: FLAG | PATH, high: false }],
  ['chmod', { needs: FLAG | PATH | NUMBER | ECHO, high: false }],
  ['touch', { needs: PATH, high: false }],
  ['kill', { needs: FLAG | NUMBER, high: false }],
  // Code that runs a command (PHP, Perl, Python), chained like one.
  ['system', { needs: CALL, high: true }],
  ['exec', { needs: CALL, high: true }],
  ['passthru', { needs: CALL, high: true }],
  ['shell_exec', { needs: CALL, high: true }],
  ['popen', { needs: CALL, high: true }],
  ['proc_open', { needs: CALL, high: true }],
  ['pcntl_exec', { needs: CALL, high: true }],
  ['phpinfo', { needs: CALL, high: true }],
])

/** Words that run the next one: `sudo id`, `nohup curl …`. */
const PREFIXES = new Set(['sudo', 'nohup', 'time', 'exec'])

/** The first two characters of every command and prefix: a table lookup before a word is read. */
const COMMAND_STARTS: ReadonlySet<number> = new Set(
  [...COMMANDS.keys(), ...PREFIXES].map((name) => pairKey(name.charCodeAt(0), name.charCodeAt(1))),
)

function pairKey(a: number, b: number): number {
  return (a << 16) | b
}

/** Characters `findChained` saw on its way through the text, for the checks that need them. */
const SEEN_PAREN = 1
const SEEN_BRACE = 2
const SEEN_LT = 4
const SEEN_DOLLAR = 8
const SEEN_SLASH = 16
const SEEN_GLOB = 32
/** ` -` or ` /`: an option after a space (`sh -c`, `cmd /c`). */
const SEEN_OPTION = 64
const SEEN_UNDERSCORE = 128

/** Separator kinds (high byte of CHAR_CLASS). */
const PLAIN = 1 // ; | &
const LINE_BREAK = 2
const BACKSLASH = 3
const BACKTICK = 4
const DOLLAR = 5
const OPTION_START = 6 // - /

/** Per ASCII character: its SEEN_* bit (low byte) and separator kind (high byte); 0 for the rest. */
const CHAR_CLASS = new Uint16Array(128)
for (const [chars, value] of [
  ['(', SEEN_PAREN],
  ['{', SEEN_BRACE],
  ['<', SEEN_LT],
  ['/', SEEN_SLASH | (OPTION_START << 8)],
  ['?*[', SEEN_GLOB],
  ['-', OPTION_START << 8],
  ['_', SEEN_UNDERSCORE],
  [';|&', PLAIN << 8],
  ['\n\r', LINE_BREAK << 8],
  ['\\', BACKSLASH << 8],
  ['`', BACKTICK << 8],
  ['$', SEEN_DOLLAR | (DOLLAR << 8)],
] as const) {
  for (const ch of chars) CHAR_CLASS[ch.charCodeAt(0)] = value
}

const HOST_ARG = /[a-z0-9-]{1,63}\.[a-z0-9.-]{1,190}/y
const URL_ARG = /[a-z]{2,8}:\/\//y
const ECHO_ARG = /(?:\$|<|`|["'][<$`])/y

/** Shellshock: a function definition where a variable's value starts (`() { :; };`). */
const SHELLSHOCK = /\(\s{0,8}\)\s{0,8}\{/g
const SHELLSHOCK_BODY = /\s{0,8}:\s{0,8};/y
/** The fork bomb `:(){ :|:& };:`. */
const FORK_BOMB = /:\s{0,4}\(\s{0,4}\)\s{0,4}\{\s{0,4}:\s{0,4}\|\s{0,4}:\s{0,4}&/
/** Server-side include directives. */
const SSI = /<!--\s{0,4}#\s{0,4}(exec|include|echo|printenv|config|fsize|flastmod)\s/
/**
 * A command put in a variable and run from it (`cmd=$'id';$cmd`, `c="id";$c`, and with its quotes
 * escaped for a layer that unescapes them, `cmd=$\'id\';$cmd`): the name a filter looks for never
 * appears next to a separator.
 */
const VARIABLE_RUN =
  /(?:^|[;&|\r\n^]\s{0,4})[a-z_][a-z0-9_]{0,30}=\$?\\?(?:'[^'\n]{0,64}'|"[^"\n]{0,64}")\s{0,4};\s{0,4}\$[a-z_]/
/** `${IFS}` / `$IFS$9`: a space a filter does not see. */
const IFS = /\$\{ifs\}|\$ifs(?![a-z0-9_])/
/** Reverse shells. */
const REVERSE_SHELL = /\/dev\/(?:tcp|udp)\/|\s-e\s{1,4}\/bin\/(?:ba|z|k|da)?sh(?![a-z0-9_])/
/** A shell told to run a string: `sh -c …`, `cmd /c …`, `powershell -enc …`. */
const SHELL_INVOCATION =
  /(?:^|[^a-z0-9_-])((?:ba|z|k|c|tc|da)?sh\s{1,4}-c\s{1,4}["'`$/a-z]|cmd(?:\.exe)?\s{1,4}\/[ck]\s|(?:powershell|pwsh)(?:\.exe)?\s{1,4}-(?:c|command|e|enc|encodedcommand|nop|noprofile|ep|executionpolicy|w|windowstyle)\s)/
/** A glob standing in for a system path (`/etc/[m-z]asswd`, `/???/c?t`, `/bin/c*`). */
const GLOB_PATH =
  /\/(?:etc|bin|usr|dev|proc|tmp|var|sbin|home|root)\/[a-z0-9._-]{0,16}[?*[]|\/[?*]{1,4}\/[a-z]{0,8}[?*]/
/** A binary's directory in front of the command (`/usr/bin/id`, `/bin/sh`). */
const BIN_DIR = /\/(?:usr\/)?(?:local\/)?s?bin\//y
/** A call that runs its string in a shell, up to the string's opening quote (PHP, Perl, Ruby, Python). */
const EXEC_CALL =
  /(?:^|[^a-z0-9_$.>:-])(?:system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec|os\.system|os\.popen)\s{0,2}\(\s{0,2}["'`]/g
/** Node.js reaching a shell or deserialising code. */
const NODE_SHELL =
  /child_process|_\$\$nd_func\$\$_|process\.mainmodule|process\.binding\s{0,2}\(|\.constructor\._load\s{0,2}\(/
/** A value that is only a Node.js expression on its globals (an `eval` probe). */
const NODE_PROBE =
  /^(?:process\.(?:env|mainmodule|binding|exit|kill|argv|cwd)(?![a-z0-9_])|(?:process|console|global|globalthis|require|module)(?:\s{0,2}\(|\.[a-z0-9_$.]{1,96}\s{0,2}\())/

export const PATTERNS: readonly RegExp[] = [
  NET_SUBCOMMANDS,
  REG_SUBCOMMANDS,
  NETSH_SUBCOMMANDS,
  HOST_ARG,
  URL_ARG,
  ECHO_ARG,
  VARIABLE_RUN,
  SHELLSHOCK,
  SHELLSHOCK_BODY,
  FORK_BOMB,
  SSI,
  IFS,
  REVERSE_SHELL,
  SHELL_INVOCATION,
  GLOB_PATH,
  BIN_DIR,
  EXEC_CALL,
  NODE_SHELL,
  NODE_PROBE,
]

/** A line break is a separator only this near the start (`%0aid`), not in a multi-line text. */
const LINE_BREAK_REACH = 64

export const commandInjection: Rule = {
  threat: 'command_injection',
  match(text, kind) {
    if (text.length < 2) return undefined
    const chained = findChained(text)
    if (typeof chained !== 'number') return chained
    const seen = chained
    const shape = findShellShape(text, seen)
    if (shape !== undefined) return shape
    if ((seen & SEEN_PAREN) !== 0) {
      const call = findExecCall(text)
      if (call !== undefined) return call
    }
    // A path starting `/bin/` is a route (`/bin/<id>` of a paste service), not a command.
    const line = kind === 'path' ? undefined : findCommandLine(text)
    if (line !== undefined) return line
    if (kind === 'query_key' || kind === 'body_key' || kind === 'cookie_key') return findMetacharName(text)
    return undefined
  },
}

/**
 * A command after a separator: `;`, `|`, `&`, a line break near the start (also a literal `\n`), a
 * backtick not preceded by a space, `$(`. One pass over the text; each separator costs a bounded
 * look at what follows. Finding none, what it saw on the way (SEEN_* bits) for the checks after it.
 */
function findChained(text: string): Finding | number {
  const n = text.length
  let bits = 0
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    const k = c < 128 ? (CHAR_CLASS[c] as number) : 0
    if (k === 0) continue
    bits |= k & 0xff
    let from = -1
    switch (k >> 8) {
      case PLAIN:
        from = i + 1
        break
      case LINE_BREAK:
        if (i <= LINE_BREAK_REACH) from = i + 1
        break
      case BACKSLASH: // a literal `\n` (an app that unescapes it)
        if (i <= LINE_BREAK_REACH && text.charCodeAt(i + 1) === 0x6e) from = i + 2
        break
      case BACKTICK: {
        // `…`: command substitution, unless it is Markdown's inline code after a space.
        // A Markdown code fence (```) is neither.
        const before = i === 0 ? 0x21 : text.charCodeAt(i - 1)
        const fence = before === 0x60 || text.charCodeAt(i + 1) === 0x60
        // After `(` only as `$(\``: Markdown's "(\`code\`)" is not a substitution.
        const paren = before === 0x28 && (i < 2 || text.charCodeAt(i - 2) !== 0x24)
        if (!fence && before !== 0x20 && before !== 0x09 && before !== 0x0a && !paren) from = i + 1
        break
      }
      case DOLLAR: // $(
        if (text.charCodeAt(i + 1) === 0x28) from = i + 2
        break
      case OPTION_START:
        if (i > 0 && text.charCodeAt(i - 1) === 0x20) bits |= SEEN_OPTION
        break
    }
    if (from === -1) continue
    const hit = commandAt(text, from, false)
    if (hit !== undefined && !isWordList(text, c))
      return finding('command_injection.chained-command', text, i, hit.end, hit.confidence)
  }
  return bits
}

/**
 * `name|email|id`, `title;dir`: plain words joined by one separator, three or more, is a field
 * list, not a chain. (`a;id`, `;id;` and anything with a space or a path are not lists.)
 */
function isWordList(text: string, separator: number): boolean {
  if (separator !== 0x7c && separator !== 0x3b && separator !== 0x26) return false
  let separators = 0
  let previous = separator
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === separator) {
      if (previous === separator) return false
      separators++
    } else if (!(isAlnum(c) || c === 0x5f || c === 0x2d || c === 0x2e)) return false
    previous = c
  }
  return separators >= 2 && previous !== separator
}

/**
 * Code that hands a command line to a shell (`<?php system("cat /etc/passwd");?>`, Ruby's or Perl's
 * `exec('id')`): the string given to the call starts with a known command and what it needs.
 */
function findExecCall(text: string): Finding | undefined {
  EXEC_CALL.lastIndex = 0
  for (let m = EXEC_CALL.exec(text), n = 0; m !== null && n < 8; m = EXEC_CALL.exec(text), n++) {
    const hit = commandAt(text, m.index + m[0].length, true)
    if (hit !== undefined) return finding('command_injection.exec-call', text, m.index, hit.end, 'medium')
  }
  return undefined
}

/** A value that starts with a command line (`cat /etc/passwd`, `sleep 5`, `/bin/unxz -c …`). */
function findCommandLine(text: string): Finding | undefined {
  const c = text.charCodeAt(0)
  const letter = c >= 0x61 && c <= 0x7a
  if (!letter && c !== 0x2f && c !== 0x27 && c !== 0x22 && c !== 0x20) return undefined
  const hit = commandAt(text, 0, true)
  if (hit === undefined) return undefined
  return finding('command_injection.command-line', text, 0, hit.end, 'medium')
}

interface Hit {
  readonly end: number
  readonly confidence: Confidence
}

/**
 * A command at `from` (after a separator, or at the start of the value when `start`): spaces,
 * quotes, `(`, `{` and `${IFS}` skipped, an optional `/usr/bin/`-like directory, then a known command
 * with the argument it needs. At the start of a value a command must have an argument (`id` alone
 * is a sort key, not a probe) and the finding is medium.
 */
function commandAt(text: string, from: number, start: boolean): Hit | undefined {
  const n = text.length
  let i = skipFiller(text, from)
  if (i >= n) return undefined
  let dir = false
  const first = text.charCodeAt(i)
  if (first === 0x2f) {
    BIN_DIR.lastIndex = i
    if (!BIN_DIR.test(text)) return undefined
    i = BIN_DIR.lastIndex
    dir = true
  } else {
    const second = text.charCodeAt(i + 1)
    if (!COMMAND_STARTS.has(pairKey(first, second)) && !(isAlnum(first) && isQuoting(second)))
      return undefined
  }
  let word = readWord(text, i)
  if (word === undefined) return undefined
  if (!dir && PREFIXES.has(word.name) && text.charCodeAt(word.end) === 0x20) {
    i = skipFiller(text, word.end)
    word = readWord(text, i)
    if (word === undefined) return undefined
  }
  const command = COMMANDS.get(word.name)
  if (command === undefined) {
    // An unknown program run from a binary directory (`;/bin/unxz -c …`) is still a command.
    return dir ? { end: word.end, confidence: 'medium' } : undefined
  }
  const needs = start ? command.needs & ~(END | ANY) : command.needs
  if (!argumentFits(text, word.end, needs, command.subcommands)) return undefined
  const high = word.evasive || (command.high && !start)
  return { end: Math.min(n, word.end + 24), confidence: high ? 'high' : 'medium' }
}

/** Past spaces, quotes, `(`, `{`, `$(` and `${IFS}` (bounded; a backtick is a separator of its own). */
function skipFiller(text: string, from: number): number {
  let i = from
  const limit = Math.min(text.length, from + 12)
  while (i < limit) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x09 || c === 0x27 || c === 0x22 || c === 0x28 || c === 0x7b) i++
    else if (c === 0x24 && text.charCodeAt(i + 1) === 0x28) i += 2
    else if (c === 0x24 && text.startsWith('{ifs}', i + 1)) i += 6
    else break
  }
  return i
}

interface Word {
  /** The name as the shell sees it, quotes and backslashes inside it removed. */
  readonly name: string
  readonly end: number
  /** Written with quotes, backslashes or `$@` inside (`w'h'o'am'i`, `c\at`, `ca$@t`): evasion. */
  readonly evasive: boolean
}

/** `'`, `"`, `\`: characters a shell drops inside a word. */
function isQuoting(c: number): boolean {
  return c === 0x27 || c === 0x22 || c === 0x5c
}

/**
 * The command word at `i`: letters, digits, `_`, `-`, `.` (`cmd.exe`), at most 24 characters, with
 * what a shell removes inside a word (balanced quotes, backslashes, `$@`) taken out.
 */
function readWord(text: string, i: number): Word | undefined {
  const limit = Math.min(text.length, i + 24)
  let e = i
  let evasive = false
  let singles = 0
  let doubles = 0
  while (e < limit) {
    const c = text.charCodeAt(e)
    if (isAlnum(c) || c === 0x5f || c === 0x2d || c === 0x2e) {
      e++
      continue
    }
    // Inside a word (not at its start or end): `'`, `"`, `\`, `$@`, then more of the word.
    let k = e
    while (k < limit && k < e + 4) {
      const q = text.charCodeAt(k)
      if (q === 0x27) singles++
      else if (q === 0x22) doubles++
      else if (!(q === 0x5c || (q === 0x24 && text.charCodeAt(k + 1) === 0x40))) break
      k += q === 0x24 ? 2 : 1
    }
    if (k === e || e === i || !isAlnum(text.charCodeAt(k))) break
    // `id\n`: a literal line break after the word, not `c\at`.
    if (
      k === e + 1 &&
      text.charCodeAt(e) === 0x5c &&
      text.charCodeAt(k) === 0x6e &&
      !isAlnum(text.charCodeAt(k + 1))
    )
      break
    evasive = true
    e = k
  }
  if (e === limit && e < text.length && isAlnum(text.charCodeAt(e))) return undefined // longer than any command
  // A trailing dot is punctuation (`…; id.`), not part of the name.
  while (e > i && text.charCodeAt(e - 1) === 0x2e) e--
  if (e === i) return undefined
  if (!evasive) return { name: text.slice(i, e), end: e, evasive }
  // An apostrophe (`i'd`) is not a quote: quotes come in pairs.
  if (singles % 2 !== 0 || doubles % 2 !== 0) return undefined
  let name = ''
  for (let k = i; k < e; k++) {
    const c = text.charCodeAt(k)
    if (isQuoting(c) || c === 0x40 || (c === 0x24 && text.charCodeAt(k + 1) === 0x40)) continue
    name += text[k]
  }
  return { name, end: e, evasive }
}

function isEndChar(c: number): boolean {
  // ; | & ) ` ' " # > newline
  return (
    c === 0x3b ||
    c === 0x7c ||
    c === 0x26 ||
    c === 0x29 ||
    c === 0x60 ||
    c === 0x27 ||
    c === 0x22 ||
    c === 0x23 ||
    c === 0x3e ||
    c === 0x0a ||
    c === 0x0d ||
    Number.isNaN(c)
  )
}

/** Whether what follows the command word at `at` is an argument of a kind in `needs` (`subcommands`: the command's own). */
function argumentFits(text: string, at: number, needs: number, subcommands: RegExp | undefined): boolean {
  const n = text.length
  const next = text.charCodeAt(at)
  // The word must end here: `idle` is not `id`. (`,` for brace expansion: `{cat,/etc/passwd}`.)
  if (
    at < n &&
    !isEndChar(next) &&
    next !== 0x20 &&
    next !== 0x09 &&
    next !== 0x2c &&
    next !== 0x3c &&
    next !== 0x24 &&
    next !== 0x28 &&
    next !== 0x5c
  )
    return false
  if ((needs & ANY) !== 0) return true
  let i = at
  while (
    i < n &&
    i < at + 4 &&
    (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09 || text.charCodeAt(i) === 0x2c)
  )
    i++
  if (text.charCodeAt(i) === 0x24 && text.startsWith('{ifs}', i + 1)) i += 6
  const c = text.charCodeAt(i)
  const spaced = i > at
  if ((needs & END) !== 0 && (i >= n || isEndChar(c) || (c === 0x5c && text.charCodeAt(i + 1) === 0x6e)))
    return true
  if ((needs & CALL) !== 0) return c === 0x28
  if ((needs & (PATH | ECHO)) !== 0 && (c === 0x3c || (c === 0x24 && !spaced))) return true
  if (!spaced) return false
  if ((needs & FLAG) !== 0 && (c === 0x2d || c === 0x2b) && isAlnum(text.charCodeAt(i + 1))) return true
  if ((needs & PATH) !== 0 && isPathStart(text, i)) return true
  if ((needs & ECHO) !== 0) {
    ECHO_ARG.lastIndex = i
    if (ECHO_ARG.test(text)) return true
  }
  if ((needs & NUMBER) !== 0 && numberThenEnd(text, i)) return true
  if ((needs & URL) !== 0) {
    URL_ARG.lastIndex = i
    if (URL_ARG.test(text)) return true
  }
  if ((needs & HOST) !== 0) {
    HOST_ARG.lastIndex = i
    if (HOST_ARG.test(text)) return true
  }
  if ((needs & COMMAND) !== 0) {
    const word = readWord(text, i)
    if (word !== undefined && COMMANDS.has(word.name)) return true
  }
  if ((needs & SUBCOMMAND) !== 0 && subcommands !== undefined) {
    subcommands.lastIndex = i
    if (subcommands.test(text)) return true
  }
  return false
}

function isAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)
}

/** `/…`, `~`, `./`, `../`, `$…`, `<`, `%VAR%`, `\…`, `c:\`, `c:/`. */
function isPathStart(text: string, i: number): boolean {
  const c = text.charCodeAt(i)
  if (c === 0x2f || c === 0x7e || c === 0x24 || c === 0x3c || c === 0x25 || c === 0x5c) return true
  if (c === 0x2e) {
    const d = text.charCodeAt(i + 1)
    return d === 0x2f || d === 0x2e
  }
  if (c < 0x61 || c > 0x7a || text.charCodeAt(i + 1) !== 0x3a) return false
  const d = text.charCodeAt(i + 2)
  return d === 0x5c || d === 0x2f
}

/** A number and then the end of the command (`sleep 5`, `sleep 5 && …`; not `sleep 8 hours`). */
function numberThenEnd(text: string, i: number): boolean {
  let e = i
  while (e < text.length && e < i + 6 && text.charCodeAt(e) >= 0x30 && text.charCodeAt(e) <= 0x39) e++
  if (e === i) return false
  while (e < text.length && (text.charCodeAt(e) === 0x20 || text.charCodeAt(e) === 0x09)) e++
  return e >= text.length || isEndChar(text.charCodeAt(e))
}

/** The shapes only shells have, wherever they are in the input. */
function findShellShape(text: string, bits: number): Finding | undefined {
  if ((bits & SEEN_PAREN) !== 0 && (bits & SEEN_BRACE) !== 0) {
    const shock = findShellshock(text)
    if (shock !== undefined) return shock
    const bomb = FORK_BOMB.exec(text)
    if (bomb !== null)
      return finding('command_injection.fork-bomb', text, bomb.index, bomb.index + 16, 'high')
  }
  if ((bits & SEEN_LT) !== 0 && text.indexOf('<!--') !== -1) {
    const ssi = SSI.exec(text)
    if (ssi !== null)
      return finding(
        'command_injection.ssi',
        text,
        ssi.index,
        ssi.index + 40,
        ssi[1] === 'exec' ? 'high' : 'medium',
      )
  }
  if ((bits & SEEN_DOLLAR) !== 0 && text.indexOf('ifs') !== -1) {
    const ifs = IFS.exec(text)
    if (ifs !== null) return finding('command_injection.ifs', text, ifs.index, ifs.index + 32, 'high')
  }
  if ((bits & SEEN_DOLLAR) !== 0 && text.indexOf(';$') !== -1) {
    const run = VARIABLE_RUN.exec(text)
    if (run !== null)
      return finding('command_injection.variable-run', text, run.index, run.index + 40, 'high')
  }
  if ((bits & SEEN_SLASH) !== 0) {
    if (text.indexOf('/dev/') !== -1 || ((bits & SEEN_OPTION) !== 0 && text.indexOf(' -e') !== -1)) {
      const shell = REVERSE_SHELL.exec(text)
      if (shell !== null)
        return finding('command_injection.reverse-shell', text, shell.index, shell.index + 40, 'high')
    }
    if ((bits & SEEN_GLOB) !== 0) {
      const glob = GLOB_PATH.exec(text)
      if (glob !== null)
        return finding('command_injection.glob-path', text, glob.index, glob.index + 32, 'medium')
    }
  }
  if ((bits & SEEN_OPTION) !== 0 && (text.indexOf('sh') !== -1 || text.indexOf('cmd') !== -1)) {
    const shell = SHELL_INVOCATION.exec(text)
    if (shell !== null) {
      const at = shell.index + shell[0].length - (shell[1] as string).length
      return finding('command_injection.shell-invocation', text, at, at + 40, 'medium')
    }
  }
  return findNode(text, bits)
}

/** `() {` at the start of the value, or followed by `:;` anywhere (`() { :;};`). */
function findShellshock(text: string): Finding | undefined {
  SHELLSHOCK.lastIndex = 0
  for (let m = SHELLSHOCK.exec(text); m !== null; m = SHELLSHOCK.exec(text)) {
    const atStart = m.index <= 4 && isFiller(text, 0, m.index)
    SHELLSHOCK_BODY.lastIndex = SHELLSHOCK.lastIndex
    if (atStart || SHELLSHOCK_BODY.test(text))
      return finding('command_injection.shellshock', text, m.index, m.index + 40, 'high')
  }
  return undefined
}

/** Node.js code injection reaching a shell (high), or a value that is only a Node.js expression (low). */
function findNode(text: string, bits: number): Finding | undefined {
  if (
    ((bits & SEEN_UNDERSCORE) !== 0 &&
      (text.indexOf('child_') !== -1 || text.indexOf('_$$') !== -1 || text.indexOf('_load') !== -1)) ||
    ((bits & SEEN_PAREN) !== 0 && text.indexOf('process') !== -1)
  ) {
    const shell = NODE_SHELL.exec(text)
    if (shell !== null)
      return finding('command_injection.node-shell', text, shell.index, shell.index + 40, 'high')
  }
  if (text.length > 160) return undefined
  const value = text.trim()
  // process, console, global, require, module
  const c = value.charCodeAt(0)
  if (c !== 0x70 && c !== 0x63 && c !== 0x67 && c !== 0x72 && c !== 0x6d) return undefined
  if (value.length > 128) return undefined
  const call = value.indexOf('(')
  if (spaceBefore(value, call === -1 ? value.length : call)) return undefined
  if (NODE_PROBE.exec(value) === null) return undefined
  return finding('command_injection.node-probe', value, 0, 40, 'low')
}

/** Only spaces and quotes in `text[from, to)`. */
function isFiller(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x27 && c !== 0x22) return false
  }
  return true
}

/** Whitespace before `to`: more than one expression. */
function spaceBefore(text: string, to: number): boolean {
  for (let i = 0; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) return true
  }
  return false
}

/** A parameter name that starts with a shell separator (`|id`, `;id`): a scanner fuzzing names. */
function findMetacharName(text: string): Finding | undefined {
  const c = text.charCodeAt(0)
  if (c !== 0x7c && c !== 0x3b && c !== 0x60 && c !== 0x26) return undefined
  if (text.length > 64) return undefined
  const i = skipFiller(text, 1)
  const d = text.charCodeAt(i)
  if (!((d >= 0x61 && d <= 0x7a) || d === 0x2f)) return undefined
  return finding('command_injection.separator-name', text, 0, 32, 'low')
}

function finding(rule: string, text: string, from: number, to: number, confidence: Confidence): Finding {
  const end = Math.min(text.length, to, from + 64)
  return { threat: 'command_injection', rule, fragment: text.slice(from, end), confidence }
}
