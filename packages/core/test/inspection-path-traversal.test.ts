import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PATTERNS, pathTraversal } from '../src/inspection/rules/path-traversal.js'
import { corpusSuite, expectFinding, matchRaw } from './support/rule-suite.js'

const expectHit = expectFinding.bind(undefined, pathTraversal)

corpusSuite(pathTraversal, 'path_traversal', {
  longInputs: [
    'Please fetch the report from ' + '../'.repeat(8) + 'etc/passwd and send it',
    'x'.repeat(80) + '/proc/self/environ',
    'php://filter/convert.base64-encode/resource=' + 'a'.repeat(80),
  ],
})

describe('path traversal rule', () => {
  it('finds dot-dot steps, in every spelling', () => {
    expectHit('/static/../../etc/passwd', 'path', 'path_traversal.dot-dot', '../../etc/passwd', 'high')
    expectHit('....//....//....//etc/passwd', 'query', 'path_traversal.dot-dot', 'etc/passwd', 'high')
    expectHit('..;/..;/..;/WEB-INF/web.xml', 'query', 'path_traversal.dot-dot', 'web-inf/web.xml', 'high')
    expectHit('..%5c..%5c..%5cwindows%5cwin.ini', 'query', 'path_traversal.dot-dot', 'win.ini', 'high')
    expectHit('../../../../var/www/html/index.php', 'body', 'path_traversal.dot-dot', 'var/www', 'high')
    // Overlong UTF-8 and double encoding: one step is enough.
    expectHit('%c0%ae%c0%ae/secret.txt', 'query', 'path_traversal.dot-dot', '../secret', 'high')
    expectHit('%252e%252e%252fsecret.txt', 'query', 'path_traversal.dot-dot', '../secret', 'high')
    // Deep, without a known target.
    expectHit('../../../../app/data.json', 'body', 'path_traversal.dot-dot', '../../../../', 'medium')
    // In the path one step is already deliberate: clients remove them.
    expectHit('/assets/../admin/config', 'path', 'path_traversal.dot-dot', '../admin', 'medium')
  })

  it('finds steps a lenient decoder reads: hex literals, dots behind a stray UTF-8 lead byte, base64 (fuzzdb)', () => {
    expectHit('/0x2e0x2e/0x2e0x2e/config.php', 'query', 'path_traversal.dot-dot', '0x2e0x2e', 'high')
    expectHit('/0x2e0x2e0x5cconfig.php', 'query', 'path_traversal.dot-dot', '0x2e0x2e0x5c', 'high')
    expectHit('/..0x2fconfig.php', 'query', 'path_traversal.dot-dot', '..0x2f', 'high')
    expectHit('/%c0%2e%c0%2e%c0%2fconfig.php', 'query', 'path_traversal.dot-dot', 'config.php', 'high')
    expectHit('Li4vLi4vZXRjL3Bhc3N3ZA==', 'query', 'path_traversal.base64', 'li4vli4v', 'medium')
    expectHit('Li4vZXRjL3NoYWRvdw==', 'body', 'path_traversal.base64', 'li4vzxrj', 'medium')
    expectHit('Li5cLi5c', 'query', 'path_traversal.base64', 'li5cli5c', 'medium')
    // A separator behind a stray lead byte; separators whose `%` a filter stripped; IIS's `%u`
    // separators; runs of dots Windows trims; `/etc/` in base64.
    expectHit('/..%c0%2f..%c0%2fconfig.php', 'query', 'path_traversal.dot-dot', 'config.php', 'high')
    expectHit('/..%c0%5cconfig.php', 'query', 'path_traversal.dot-dot', 'config.php', 'high')
    expectHit('..2f..2fconfig.php', 'query', 'path_traversal.dot-dot', '..2f..2f', 'high')
    expectHit('..2fetc2fpasswd', 'query', 'path_traversal.dot-dot', '..2fetc2fpasswd', 'high')
    expectHit('/..%uEFC8..%uEFC8config.php', 'query', 'path_traversal.dot-dot', '..', 'high')
    expectHit('/..%uF025config.php', 'query', 'path_traversal.dot-dot', '..', 'high')
    expectHit('/........../config.php', 'query', 'path_traversal.dot-dot', '........../', 'high')
    expectHit('....\\config.ini', 'body', 'path_traversal.dot-dot', '....', 'high')
    expectHit('L2V0Yy9wYXNzd2Q=', 'query', 'path_traversal.base64', 'l2v0yy9', 'medium')
    expectHit('ZXRjL3NoYWRvdyUwMA==', 'query', 'path_traversal.base64', 'zxrjl', 'medium')
    for (const [raw, kind] of [
      ['0x2e is the code of a dot', 'body'],
      ['range 0..0xff', 'query'],
      ['0..0x2f', 'query'],
      ['caf%e9 au lait', 'query'],
      ['%c0%2e.txt', 'query'],
      ['Li4vQmFy', 'query'], // `../Bar`: one step, no target
      ['token=Li4vli4X', 'cookie'],
      ['Wait.... what?', 'body'],
      ['...and so on', 'query'],
      ['see ../2fa/setup', 'body'], // one step, a folder named `2fa`: not a stripped `%2f`
      ['caf\u00e9 ..\uEFC8', 'body'], // a private-use character after an ellipsis, no step
      ['x-L2V0Yy9', 'query'], // not at the start
      ['ZXRjZXRj', 'query'],
    ] as const)
      assert.equal(matchRaw(pathTraversal, raw, kind), undefined, `${kind} ${raw}`)
  })

  it('finds stream wrappers and file URLs', () => {
    expectHit(
      'php://filter/convert.base64-encode/resource=index.php',
      'query',
      'path_traversal.stream-wrapper',
      'php://filter',
      'high',
    )
    expectHit('expect://id', 'cookie', 'path_traversal.stream-wrapper', 'expect://id', 'high')
    expectHit('zip://uploads/a.jpg%23shell.php', 'query', 'path_traversal.stream-wrapper', 'zip://', 'medium')
    expectHit('file:///etc/passwd', 'body', 'path_traversal.file-url', 'file:///etc/passwd', 'high')
    expectHit('file:///srv/app/notes.txt', 'body', 'path_traversal.file-url', 'file:///srv', 'medium')
  })

  it('finds sensitive files named directly', () => {
    expectHit('/etc/passwd', 'body', 'path_traversal.sensitive-file', '/etc/passwd', 'high')
    expectHit('c:\\windows\\win.ini', 'query', 'path_traversal.sensitive-file', 'win.ini', 'high')
    expectHit('/proc/self/environ', 'cookie', 'path_traversal.sensitive-file', 'proc/self/environ', 'high')
    expectHit('/WEB-INF/web.xml', 'path', 'path_traversal.sensitive-file', 'web-inf/web.xml', 'high')
    expectHit('/var/log/apache2/access.log', 'query', 'path_traversal.sensitive-file', 'var/log', 'medium')
    expectHit('.htaccess', 'body', 'path_traversal.sensitive-file', '.htaccess', 'medium')
    // In a sentence, only the classic targets count, and not as high.
    expectHit('cat /root/.ssh/id_rsa', 'header', 'path_traversal.sensitive-file', '.ssh', 'medium')
  })

  it('finds a value that is an absolute path into a system directory', () => {
    expectHit('/etc/netconfig', 'query', 'path_traversal.system-path', '/etc/netconfig', 'medium')
    expectHit('/var/adm/wtmp', 'query', 'path_traversal.system-path', '/var/adm/wtmp', 'medium')
    expectHit('/root/.ksh_history', 'body', 'path_traversal.system-path', '/root/.ksh_history', 'medium')
    expectHit('/.rhosts', 'query', 'path_traversal.system-path', '/.rhosts', 'medium')
    expectHit('d:\\appserv\\mysql', 'query', 'path_traversal.system-path', 'appserv', 'medium')
    expectHit(
      'c:\\program files\\apache group\\apache\\conf\\httpd.conf',
      'query',
      'path_traversal.system-path',
      'program files',
      'medium',
    )
    expectHit('/var/cpanel/cpanel.config', 'query', 'path_traversal.system-path', 'cpanel', 'medium')
    expectHit('/var/lib/mlocate/mlocate.db', 'query', 'path_traversal.system-path', 'mlocate', 'medium')
    expectHit('/usr/etc/pure-ftpd.conf', 'query', 'path_traversal.system-path', '/usr/etc/', 'medium')
    expectHit('/master.passwd', 'query', 'path_traversal.system-path', 'master.passwd', 'medium')
    expectHit('/var/adm', 'query', 'path_traversal.system-path', '/var/adm', 'medium')
    expectHit(
      'c:\\System32\\Inetsrv\\metabase.xml',
      'query',
      'path_traversal.system-path',
      'system32',
      'medium',
    )
    for (const raw of [
      '/var/admin/users',
      '/usr/etcetera',
      '/master.passwd.txt is a file',
      'see /var/lock/x',
    ])
      assert.equal(matchRaw(pathTraversal, raw, 'query'), undefined, raw)
  })

  it('finds one or two steps that no link writes', () => {
    // Above the root, at the start of a value.
    expectHit('/../config.php', 'query', 'path_traversal.dot-dot', '/../', 'medium')
    expectHit('//..\\config.php', 'query', 'path_traversal.dot-dot', '..', 'medium')
    expectHit('/./../config.php', 'query', 'path_traversal.dot-dot', '/./../', 'medium')
    // Separators doubled or mixed around a step.
    expectHit('a/..///..///config.php', 'query', 'path_traversal.dot-dot', '..///', 'medium')
    expectHit('x/..\\\\\\config.php', 'query', 'path_traversal.dot-dot', '..', 'medium')
  })

  it('leaves ordinary paths, file names and relative links alone', () => {
    for (const [raw, kind] of [
      ['/static/app.3f2a1.js', 'path'],
      ['/files/report.v2.final.pdf', 'path'],
      ['/api/v1/files/notes..txt', 'path'],
      ['/docs/v3.2.1/getting-started.html', 'path'],
      ['/.well-known/security.txt', 'path'],
      ['report.v2.final.pdf', 'body'],
      // A relative link in a CMS document, an import path in a developer's post.
      ['../images/a.png', 'body'],
      ["`import { thing } from '../../lib/thing.js'` fails", 'body'],
      ['Why does ../ not work in my import?', 'body'],
      // Configuration files mentioned in prose.
      ['Add the host to /etc/hosts and restart nginx', 'body'],
      ['Logs are in /var/log/app, rotated daily', 'body'],
      ['error.log', 'body'],
      ['etc', 'query'],
      ['passwd command linux', 'query'],
      ['C:\\Users\\Public\\Documents', 'body'],
      ['data:image/png;base64,iVBORw0KGgo', 'body'],
      ['Wait... / what?', 'query'],
      ['https://example.com/a/b/../c', 'header'],
      // An absolute path outside the system directories, or one in a sentence.
      ['/api/v1/users/42', 'query'],
      ['/home/alex/notes.txt', 'body'],
      ['/var/lib/myapp/data', 'body'],
      ['/usr/local/bin/node', 'query'],
      ['See /etc/netconfig for the details', 'body'],
      ['c:\\windowsupdate.log', 'query'],
      ['/etc/', 'query'],
      ['../../lib/thing.js', 'body'],
    ] as const) {
      assert.equal(matchRaw(pathTraversal, raw, kind), undefined, `${kind} ${raw}`)
    }
  })

  it('exports its patterns', () => {
    assert.ok(PATTERNS.length >= 3)
    for (const pattern of PATTERNS) assert.ok(pattern instanceof RegExp)
  })
})
