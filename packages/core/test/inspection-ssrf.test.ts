import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { classifyHost, PATTERNS, parseIpv4, parseIpv6, ssrf } from '../src/inspection/rules/ssrf.js'
import { corpusSuite, expectFinding, matchRaw } from './support/rule-suite.js'

const expectHit = expectFinding.bind(undefined, ssrf)

corpusSuite(ssrf, 'ssrf', {
  longInputs: [
    'https://www.example.org/search?q=' + 'a'.repeat(60) + '&next=http://169.254.169.254/latest/',
    'http://127.0.0.1/' + 'a'.repeat(80),
    'gopher://localhost:6379/_' + 'x'.repeat(80),
  ],
})

describe('SSRF rule', () => {
  it('reads IPv4 addresses the way URL parsers do', () => {
    const dotted = (a: number) => [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.')
    for (const [written, address, unusual] of [
      ['127.0.0.1', '127.0.0.1', false],
      ['2130706433', '127.0.0.1', true],
      ['0x7f000001', '127.0.0.1', true],
      ['0177.0.0.1', '127.0.0.1', true],
      ['127.1', '127.0.0.1', true],
      ['025177524776', '169.254.169.254', true],
      ['0251.0376.0251.0376', '169.254.169.254', true],
      ['00251.16689662', '169.254.169.254', true],
    ] as const) {
      const parsed = parseIpv4(written)
      assert.ok(parsed !== undefined, written)
      assert.equal(dotted(parsed.address), address, written)
      assert.equal(parsed.unusual, unusual, written)
    }
    for (const written of ['256.1.1.1', '1.2.3.4.5', '08.1.1.1', 'example.com', '1.2.3.x', '99999999999']) {
      assert.equal(parseIpv4(written), undefined, written)
    }
    assert.deepEqual(parseIpv6('::1'), [0, 0, 0, 0, 0, 0, 0, 1])
    assert.deepEqual(parseIpv6('::ffff:169.254.169.254'), [0, 0, 0, 0, 0, 0xffff, 0xa9fe, 0xa9fe])
    assert.deepEqual(parseIpv6('fd00:ec2::254'), [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254])
    assert.equal(parseIpv6('1::2::3'), undefined)
    assert.equal(classifyHost('www.example.com'), undefined)
    assert.equal(classifyHost('8.8.8.8'), undefined)
    assert.equal(classifyHost('[2606:4700::1111]'), undefined)
    assert.equal(classifyHost('①②⑦。⓪。⓪。①')?.target, 'loopback')
  })

  it('finds cloud metadata addresses in every form', () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://2852039166/latest/',
      'http://0xa9fea9fe/',
      'http://[::ffff:a9fe:a9fe]/latest/',
      'http://[fd00:ec2::254]/latest/',
      'http://metadata.google.internal/computeMetadata/v1/',
      // Tencent Cloud (cujanovic/SSRF-Testing's cloud-metadata list).
      'http://metadata.tencentyun.com/latest/meta-data/',
      'http://100.100.100.200/latest/meta-data/',
      'http://169.254.169.254.nip.io/latest/',
      'http://169%EF%BD%A1254%EF%BD%A1169%EF%BD%A1254/',
    ]) {
      expectHit(url, 'query', 'ssrf.cloud-metadata', 'http://', 'high')
    }
  })

  it('finds loopback, private and internal targets', () => {
    expectHit('http://127.0.0.1/admin', 'query', 'ssrf.loopback', 'http://127.0.0.1/admin', 'medium')
    expectHit('http://2130706433/', 'query', 'ssrf.loopback', '2130706433', 'high')
    expectHit('http://0177.0.0.1/', 'body', 'ssrf.loopback', '0177.0.0.1', 'high')
    expectHit('http://127.1:6379/', 'body', 'ssrf.loopback', '127.1:6379', 'high')
    expectHit('http://[::1]/', 'body', 'ssrf.loopback', '[::1]', 'medium')
    expectHit('http://[::ffff:127.0.0.1]:80/', 'body', 'ssrf.loopback', '[::ffff:127.0.0.1]', 'high')
    expectHit('http://0.0.0.0:2375/containers/json', 'body', 'ssrf.loopback', '0.0.0.0:2375', 'high')
    expectHit('http://evil.example@127.0.0.1/', 'query', 'ssrf.loopback', '@127.0.0.1', 'medium')
    expectHit('http://10.1.2.3/', 'body', 'ssrf.private-network', '10.1.2.3', 'medium')
    expectHit('http://172.16.0.5:9200/_cat/indices', 'body', 'ssrf.private-network', '172.16.0.5', 'high')
    expectHit('http://192.168.1.1/', 'body', 'ssrf.private-network', '192.168.1.1')
    expectHit('http://localhost:6379/', 'body', 'ssrf.internal-name', 'localhost:6379', 'high')
    expectHit('http://host.docker.internal/', 'body', 'ssrf.internal-name', 'host.docker.internal')
    expectHit('http://kubernetes.default.svc/api', 'body', 'ssrf.internal-name', 'kubernetes.default.svc')
    expectHit('http://127.0.0.1.nip.io/', 'body', 'ssrf.loopback', '127.0.0.1.nip.io', 'high')
    expectHit('http://[dead:beef::1]/', 'body', 'ssrf.reserved-address', 'dead:beef', 'low')
    // A bare host a framework prefixes with http:// itself.
    expectHit('localhost/admin', 'query', 'ssrf.internal-name', 'localhost/admin', 'medium')
    expectHit('127.0.0.1:6379', 'body', 'ssrf.loopback', '127.0.0.1:6379', 'high')
    // What WHATWG parsers accept: one slash, backslashes, a scheme-relative URL.
    expectHit('http:/127.0.0.1/', 'query', 'ssrf.loopback', 'http:/127.0.0.1/')
    expectHit('http:\\\\127.0.0.1\\', 'query', 'ssrf.loopback', '127.0.0.1')
    expectHit('//127.0.0.1/admin', 'query', 'ssrf.loopback', '//127.0.0.1/admin')
  })

  it('finds dangerous schemes', () => {
    expectHit('gopher://localhost:6379/_FLUSHALL', 'body', 'ssrf.dangerous-scheme', 'gopher://', 'high')
    expectHit('dict://127.0.0.1:11211/stats', 'query', 'ssrf.dangerous-scheme', 'dict://', 'high')
    expectHit('file:///etc/passwd', 'query', 'ssrf.dangerous-scheme', 'file:///', 'medium')
    expectHit('jar:http://127.0.0.1!/', 'body', 'ssrf.dangerous-scheme', 'jar:http://', 'high')
    expectHit('netdoc:///etc/passwd', 'body', 'ssrf.dangerous-scheme', 'netdoc:', 'high')
    expectHit('tftp://198.51.100.7/x', 'body', 'ssrf.dangerous-scheme', 'tftp://', 'high')
  })

  it('judges headers by the URLs inside them, not by where the client came from', () => {
    // A developer's browser on a local dev server, an intranet page.
    assert.equal(matchRaw(ssrf, 'http://localhost:3000/', 'header'), undefined)
    assert.equal(matchRaw(ssrf, 'http://localhost/', 'header'), undefined)
    assert.equal(matchRaw(ssrf, 'http://192.168.1.10/intranet/', 'header'), undefined)
    // Proxies' client addresses.
    assert.equal(matchRaw(ssrf, '10.0.0.1, 127.0.0.1', 'header'), undefined)
    assert.equal(matchRaw(ssrf, '169.254.1.7', 'header'), undefined)
    // A metadata address never sends a Referer; a URL in a Referer's query is someone's payload.
    expectHit('http://169.254.169.254/latest/', 'header', 'ssrf.cloud-metadata', '169.254.169.254', 'high')
    expectHit(
      'https://www.example.org/?next=http://127.0.0.1/',
      'header',
      'ssrf.loopback',
      'http://127.0.0.1/',
    )
  })

  it('leaves public URLs, local development and plain addresses alone', () => {
    for (const [raw, kind] of [
      ['https://app.example.com/callback', 'query'],
      ['https%3A%2F%2Faccounts.example.org%2Foauth2%2Fcallback%3Fstate%3Dxyz', 'query'],
      ['https://cdn.example.net/img/banner@2x.png', 'body'],
      ['https://user@example.com/', 'body'],
      ['//cdn.example.com/app.js', 'body'],
      ['// TODO: fetch http://example.com', 'body'],
      ['http://localhost:3000/dashboard', 'body'],
      ['Try `curl -s http://127.0.0.1:8080/health && echo ok`', 'body'],
      ['http://192.168.1.20:8080/', 'body'],
      ['https://1.1.1.1/dns-query', 'query'],
      ['http://[2606:4700:4700::1111]/', 'body'],
      ['mailto:support@example.com', 'query'],
      ['android-app://com.google.android.gm/', 'header'],
      ['10.0.0.1', 'query'],
      ['127.0.0.0/8', 'body'],
      ['localhost', 'query'],
      ['metadata/v1/part-0001.json', 'body'],
      ['Service1.svc/GetData', 'body'],
      ['0:30', 'query'],
      ['1/2', 'query'],
      ['09:30', 'body'],
      ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'header'],
    ] as const) {
      assert.equal(matchRaw(ssrf, raw, kind), undefined, `${kind} ${raw}`)
    }
  })

  it('exports its patterns', () => {
    assert.ok(PATTERNS.length >= 2)
    for (const pattern of PATTERNS) assert.ok(pattern instanceof RegExp)
  })
})
