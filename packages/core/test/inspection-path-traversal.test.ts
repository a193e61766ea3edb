import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_LIMITS, type InputKind, walkInputs } from '../src/inspection/inputs.js'
import { normalise } from '../src/inspection/normalise.js'
import { PATTERNS, pathTraversal } from '../src/inspection/rules/path-traversal.js'
import type { Finding } from '../src/inspection/types.js'
import { corpus, inputsOf, score } from './support/corpus.js'

const HEADERS = ['user-agent', 'referer', 'x-forwarded-for', 'x-forwarded-host']

/** The rule on one raw input, decoded as the detector decodes it. */
function check(raw: string, kind: InputKind = 'query'): Finding | undefined {
  const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
  return pathTraversal.match(text, kind, anomalies)
}

function expectHit(raw: string, kind: InputKind, rule: string, fragment: string, confidence?: string) {
  const found = check(raw, kind)
  assert.ok(found !== undefined, `no finding for ${raw}`)
  assert.equal(found.threat, 'path_traversal')
  assert.equal(found.rule, rule, raw)
  assert.ok(found.fragment.includes(fragment), `fragment ${JSON.stringify(found.fragment)} of ${raw}`)
  assert.ok(found.fragment.length <= 64)
  if (confidence !== undefined) assert.equal(found.confidence, confidence, raw)
}

describe('path traversal rule', () => {
  it('detects at least 95 % of the corpus path_traversal attacks', () => {
    const s = score(pathTraversal, 'path_traversal')
    assert.ok(
      s.rate >= 0.95,
      `rate ${(s.rate * 100).toFixed(1)} %; misses: ${s.misses.map((e) => `${e.id} ${e.path}`).join('\n')}`,
    )
  })

  it('has no false positives on the benign corpus', () => {
    const s = score(pathTraversal, 'path_traversal')
    assert.equal(s.falsePositives.length, 0, s.falsePositives.map((e) => `${e.id} ${e.path}`).join('\n'))
  })

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
    ] as const) {
      assert.equal(check(raw, kind), undefined, `${kind} ${raw}`)
    }
  })

  it('reports a part of a long input, not the whole of it', () => {
    const checkPart = (text: string, found: Finding) => {
      assert.ok(found.fragment.length <= 64, found.fragment)
      assert.notEqual(found.fragment, text)
      assert.ok(text.includes(found.fragment), `${found.fragment} is not a part of ${text}`)
    }
    for (const raw of [
      'Please fetch the report from ' + '../'.repeat(8) + 'etc/passwd and send it',
      'x'.repeat(80) + '/proc/self/environ',
      'php://filter/convert.base64-encode/resource=' + 'a'.repeat(80),
    ]) {
      const found = check(raw, 'body')
      assert.ok(found !== undefined, raw)
      checkPart(normalise(raw, false).text, found)
    }
    for (const entry of [...corpus('attacks'), ...corpus('benign')]) {
      const inputs = inputsOf(entry)
      if (inputs === undefined) continue
      walkInputs(inputs, HEADERS, DEFAULT_LIMITS, (kind, raw) => {
        const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
        const found = pathTraversal.match(text, kind, anomalies)
        if (found !== undefined && text.length > 64) checkPart(text, found)
        return false
      })
    }
  })

  it('exports its patterns', () => {
    assert.ok(PATTERNS.length >= 3)
    for (const pattern of PATTERNS) assert.ok(pattern instanceof RegExp)
  })
})
