import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  CARD_PLACEHOLDER,
  compileRedactor,
  createHasher,
  DEFAULT_REDACTION_OPTIONS,
  isLuhnValid,
  MAX_STRING_LENGTH,
  maskCardNumbers,
  sanitiseString,
  truncateIp,
} from '../src/redaction/index.js'

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

describe('sanitiseString', () => {
  it('returns a short clean string unchanged (same instance)', () => {
    const s = 'GET /api/users/42 — café 😀'
    assert.equal(sanitiseString(s, 100), s)
  })

  it('escapes C0, DEL, C1 and the JavaScript line separators visibly', () => {
    assert.equal(sanitiseString('a\nb\rc\td', 100), 'a\\nb\\rc\\td')
    assert.equal(
      sanitiseString('\u0000\u001b[31m\u007f\u0085\u009f', 100),
      '\\u0000\\u001b[31m\\u007f\\u0085\\u009f',
    )
    assert.equal(sanitiseString('x\u2028y\u2029z', 100), 'x\\u2028y\\u2029z')
  })

  it('replaces lone surrogates by U+FFFD and keeps valid pairs', () => {
    assert.equal(sanitiseString('a\ud800b', 100), 'a\ufffdb')
    assert.equal(sanitiseString('a\udc00', 100), 'a\ufffd')
    assert.equal(sanitiseString('\udbff', 100), '\ufffd')
    assert.equal(sanitiseString('\ud83d\ude00\ude00', 100), '\ud83d\ude00\ufffd')
  })

  it('bounds the result including a visible truncation marker', () => {
    const out = sanitiseString('a'.repeat(100), 40)
    assert.ok(out.length <= 40)
    assert.match(out, /^a+…\[truncated \d+ chars\]$/)
    const kept = out.indexOf('…')
    assert.equal(out, 'a'.repeat(kept) + `…[truncated ${100 - kept} chars]`)
  })

  it('counts escapes against the bound', () => {
    const out = sanitiseString('\n'.repeat(100), 50)
    assert.ok(out.length <= 50, out)
    assert.ok(out.startsWith('\\n\\n'))
  })

  it('never splits a surrogate pair at the cut', () => {
    const s = 'a' + '😀'.repeat(60)
    for (let max = 0; max <= 80; max++) {
      const out = sanitiseString(s, max)
      assert.ok(out.length <= max, `max ${max}: ${out.length}`)
      assert.doesNotMatch(out, LONE_SURROGATE, `max ${max}`)
    }
  })

  it('cuts without a marker when the marker does not fit', () => {
    assert.equal(sanitiseString('abcdefghij', 5), 'abcde')
    assert.equal(sanitiseString('abc', 0), '')
  })

  it('clamps the bound to 65536 and treats NaN/negatives as 0', () => {
    const huge = 'x'.repeat(100_000)
    assert.equal(sanitiseString(huge, Number.POSITIVE_INFINITY).length <= MAX_STRING_LENGTH, true)
    assert.equal(sanitiseString('abc', Number.NaN), '')
    assert.equal(sanitiseString('abc', -1), '')
  })

  it('returns "" for non-strings', () => {
    assert.equal(sanitiseString(undefined as unknown as string, 10), '')
    assert.equal(sanitiseString({} as unknown as string, 10), '')
  })
})

describe('card numbers', () => {
  it('checks Luhn', () => {
    assert.equal(isLuhnValid('4111111111111111'), true)
    assert.equal(isLuhnValid('4111111111111112'), false)
    assert.equal(isLuhnValid('79927398713'), true)
    assert.equal(isLuhnValid(''), false)
  })

  it('masks Luhn-valid numbers of 13–19 digits, with spaces or dashes', () => {
    assert.equal(maskCardNumbers('pay 4111111111111111 now'), `pay ${CARD_PLACEHOLDER} now`)
    assert.equal(maskCardNumbers('4111 1111 1111 1111'), CARD_PLACEHOLDER)
    assert.equal(maskCardNumbers('x4111-1111-1111-1111y'), `x${CARD_PLACEHOLDER}y`)
    assert.equal(maskCardNumbers('amex 378282246310005.'), `amex ${CARD_PLACEHOLDER}.`)
    assert.equal(maskCardNumbers('a 4222222222222 b'), `a ${CARD_PLACEHOLDER} b`) // 13 digits
  })

  it('leaves non-Luhn runs and short numbers alone', () => {
    const s = 'order 4111111111111112, phone 555-123-4567, year 2024'
    assert.equal(maskCardNumbers(s), s)
  })

  it('masks a card that is one separated group among other digits (the whole run)', () => {
    assert.equal(maskCardNumbers('id 99 4111111111111111 7'), `id ${CARD_PLACEHOLDER}`)
    assert.equal(maskCardNumbers('4111 1111 1111 1111-2024'), CARD_PLACEHOLDER)
  })

  it('does not look for cards inside a longer unseparated digit run (ids, hashes)', () => {
    const s = 'trace 994111111111111111 and 12345678901234567890123456789012'
    assert.equal(maskCardNumbers(s), s)
  })

  it('does not join digits across two separators or other characters', () => {
    const s = '4111  1111  1111  1111 / 4111.1111.1111.1111'
    assert.equal(maskCardNumbers(s), s)
  })

  it('returns the same string when there are fewer than 13 digits (fast path)', () => {
    const s = 'nothing to see here 123456789012'
    assert.equal(maskCardNumbers(s), s)
  })
})

describe('hashing', () => {
  it('is hmac: + 43 base64url chars, stable per key, keyed', () => {
    const a = createHasher('key-one')
    const b = createHasher('key-two')
    const h = a('alice')
    assert.match(h, /^hmac:[A-Za-z0-9_-]{43}$/)
    assert.equal(h.length, 48)
    assert.equal(a('alice'), h)
    assert.notEqual(b('alice'), h)
    assert.notEqual(a('bob'), h)
  })

  it('matches HMAC-SHA256 from node:crypto', async () => {
    const { createHmac } = await import('node:crypto')
    const expected = 'hmac:' + createHmac('sha256', 'k').update('v').digest('base64url')
    assert.equal(createHasher('k')('v'), expected)
  })

  it('uses a random key when none is given', () => {
    assert.notEqual(createHasher(undefined)('x'), createHasher(undefined)('x'))
  })
})

describe('IP truncation', () => {
  it('IPv4 → /24', () => {
    assert.equal(truncateIp('203.0.113.77'), '203.0.113.0')
  })
  it('IPv6 → /48, RFC 5952 form', () => {
    assert.equal(truncateIp('2001:0db8:85a3:08d3:1319:8a2e:0370:7348'), '2001:db8:85a3::')
    assert.equal(truncateIp('2001:db8::1'), '2001:db8::')
    assert.equal(truncateIp('::1'), '::')
    assert.equal(truncateIp('2001:0:0:1::1'), '2001::')
    assert.equal(truncateIp('fe80::1%eth0'), 'fe80::')
  })
  it('IPv4-mapped IPv6 → the IPv4 /24', () => {
    assert.equal(truncateIp('::ffff:203.0.113.7'), '203.0.113.0')
    assert.equal(truncateIp('::ffff:cb00:7107'), '203.0.113.0')
  })
  it('returns undefined for non-addresses', () => {
    for (const bad of ['', 'localhost', '1.2.3', '203.0.113.7:80', 'x'.repeat(1000), '::ffff:1.2.3.4.5']) {
      assert.equal(truncateIp(bad), undefined, bad)
    }
  })
})

describe('url()', () => {
  const r = compileRedactor({ sensitiveKeys: ['customer_ref'] })

  it('redacts sensitive query values, keeps names and other params', () => {
    assert.equal(
      r.url('/login?user=bob&password=hunter2&a=1&a=2'),
      '/login?user=bob&password=[REDACTED]&a=1&a=2',
    )
    assert.equal(r.url('/x?Access_Token=abc;next=/home'), '/x?Access_Token=[REDACTED];next=/home')
    assert.equal(r.url('/x?customerRef=42'), '/x?customerRef=[REDACTED]')
  })

  it('decodes names for the check, survives malformed percent-encoding', () => {
    assert.equal(r.url('/x?api%5Fkey=s&%E0%A4%A=1&q=%zz'), '/x?api%5Fkey=[REDACTED]&%E0%A4%A=1&q=%zz')
    assert.equal(r.url('/x?pass%20word=1'), '/x?pass%20word=[REDACTED]')
    assert.equal(r.url('/x?%=1&=2&&token'), '/x?%=1&=2&&token')
  })

  it('redacts matrix parameters and query-like fragments', () => {
    assert.equal(r.url('/app;jsessionid=ABC123/page?x=1'), '/app;jsessionid=[REDACTED]/page?x=1')
    assert.equal(r.url('/cb#access_token=abc&state=s'), '/cb#access_token=[REDACTED]&state=s')
    assert.equal(r.url('/doc#section-2'), '/doc#section-2')
  })

  it('masks card numbers and sanitises the rest', () => {
    assert.equal(r.url('/pay/4111111111111111?note=a\nb'), `/pay/${CARD_PLACEHOLDER}?note=a\\nb`)
  })

  it('handles absolute URLs (Referer)', () => {
    assert.equal(
      r.url('https://h.example/cb?page=1&secret=2'),
      'https://h.example/cb?page=1&secret=[REDACTED]',
    )
  })

  it('redacts OAuth, OIDC, SAML and CAS credentials in query strings; `code` stays an ordinary key elsewhere', () => {
    assert.equal(
      r.url(
        '/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz&id_token=eyJ0&code_verifier=dBjf&SAMLResponse=PHNh&ticket=ST-1',
      ),
      '/cb?code=[REDACTED]&state=xyz&id_token=[REDACTED]&code_verifier=[REDACTED]&SAMLResponse=[REDACTED]&ticket=[REDACTED]',
    )
    assert.equal(
      r.url('/token?client_assertion=eyJ&refresh_token=8xLO&client_secret=s3'),
      '/token?client_assertion=[REDACTED]&refresh_token=[REDACTED]&client_secret=[REDACTED]',
    )
    assert.deepEqual(r.value({ code: 'E_BAD', postcode: '69003' }), { code: 'E_BAD', postcode: '69003' })
  })

  it('bounds a huge URL and still redacts', () => {
    const out = r.url('/x?token=' + 'S'.repeat(1_000_000))
    assert.match(out, /^\/x\?token=\[REDACTED\]…\[truncated \d+ chars\]$/)
    const long = r.url('/' + 'a'.repeat(1_000_000))
    assert.ok(long.length <= DEFAULT_REDACTION_OPTIONS.maxStringLength)
  })
})

describe('headers()', () => {
  it('keeps only allowlisted headers, lowercased, sanitised, arrays joined', () => {
    const r = compileRedactor({})
    const out = r.headers({
      'User-Agent': 'curl/8\r\nX-Injected: 1',
      accept: ['text/html', 'application/json'],
      'content-length': 42 as unknown as string,
      'x-custom': 'nope',
      authorization: 'Bearer abc',
      cookie: 'sid=1',
    })
    assert.deepEqual(out, {
      'user-agent': 'curl/8\\r\\nX-Injected: 1',
      accept: 'text/html, application/json',
      'content-length': '42',
    })
  })

  it('refuses sensitive headers even when allowlisted', () => {
    const r = compileRedactor({
      headerAllowlist: [
        'authorization',
        'Cookie',
        'set-cookie',
        'x-api-key',
        'x-auth-token',
        'x-csrf-token',
        'x-tenant',
      ],
    })
    const out = r.headers({
      authorization: 'Bearer abc',
      cookie: 'a=b',
      'set-cookie': ['a=b'],
      'x-api-key': 'k',
      'x-auth-token': 't',
      'x-csrf-token': 'c',
      'x-tenant': 'acme',
    })
    assert.deepEqual(out, { 'x-tenant': 'acme' })
  })

  it('redacts tokens in Referer and transforms IP-valued headers when IPs are protected', () => {
    const r = compileRedactor({ truncateIps: true })
    const out = r.headers({
      referer: 'https://a.example/?token=x',
      'x-forwarded-for': '203.0.113.9, 2001:db8:1:2::5',
    })
    assert.deepEqual(out, {
      referer: 'https://a.example/?token=[REDACTED]',
      'x-forwarded-for': '203.0.113.0, 2001:db8:1::',
    })
    const plain = compileRedactor({})
    assert.equal(plain.headers({ 'x-forwarded-for': '203.0.113.9' })['x-forwarded-for'], '203.0.113.9')
  })

  it('handles Forwarded (RFC 7239) when IPs are hashed', () => {
    const r = compileRedactor({ hashIps: true, hashKey: 'k', headerAllowlist: ['forwarded'] })
    const out = r.headers({ forwarded: 'for="[2001:db8::1]:4711";proto=https, for=203.0.113.9' })
    assert.match(out.forwarded ?? '', /^for="hmac:[\w-]{43}";proto=https, for="hmac:[\w-]{43}"$/)
    assert.ok(!out.forwarded?.includes('203.0.113'))
  })

  it('never throws on hostile header objects', () => {
    const r = compileRedactor({})
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('x')
        },
      },
    )
    assert.deepEqual(r.headers(hostile), {})
    assert.deepEqual(r.headers(null as unknown as Record<string, string>), {})
    const getter = Object.defineProperty({}, 'accept', {
      enumerable: true,
      get: () => {
        throw new Error('x')
      },
    })
    assert.deepEqual(r.headers(getter), {})
  })
})

describe('redactor identities', () => {
  it('sessionId is always hashed; userId and ip follow the options', () => {
    const plain = compileRedactor({ hashKey: 'k' })
    assert.match(plain.sessionId('s-1'), /^hmac:/)
    assert.equal(plain.userId('alice\n'), 'alice\\n')
    assert.equal(plain.ip('203.0.113.7'), '203.0.113.7')

    const strict = compileRedactor({ hashKey: 'k', hashUserIds: true, hashIps: true, truncateIps: true })
    assert.equal(strict.userId('alice'), plain.hash('alice'))
    // Truncated first, then hashed: every address of the /24 hashes alike.
    assert.equal(strict.ip('203.0.113.7'), strict.ip('203.0.113.200'))
    assert.equal(strict.ip('203.0.113.7'), plain.hash('203.0.113.0'))

    const truncating = compileRedactor({ truncateIps: true })
    assert.equal(truncating.ip('not-an-ip'), '[InvalidIp]')
    assert.equal(truncating.ip(''), '')
  })

  it('non-string arguments give safe values', () => {
    const r = compileRedactor({})
    const bad = 42 as unknown as string
    assert.equal(r.string(bad), '')
    assert.equal(r.text(bad), '')
    assert.equal(r.url(bad), '')
    assert.equal(r.userId(bad), '')
    assert.equal(r.ip(bad), '')
    assert.equal(r.sessionId(bad), '')
    assert.equal(r.isSensitiveKey(bad), false)
  })

  it('text() masks cards, string() does not', () => {
    const r = compileRedactor({})
    assert.equal(r.text('card 4111111111111111'), `card ${CARD_PLACEHOLDER}`)
    assert.equal(r.string('card 4111111111111111'), 'card 4111111111111111')
    const off = compileRedactor({ redactCardNumbers: false })
    assert.equal(off.text('card 4111111111111111'), 'card 4111111111111111')
  })

  it('text() on a huge string masks what it shows and reports the full dropped count', () => {
    const r = compileRedactor({ maxStringLength: 100 })
    const out = r.text('x'.repeat(90) + '4111111111111111' + 'y'.repeat(1_000_000))
    assert.ok(out.length <= 100)
    assert.ok(!out.includes('4111'))
    assert.match(out, /…\[truncated 10000\d\d chars\]$/)
  })
})

describe('compileRedactor options', () => {
  it('has the documented defaults', () => {
    const r = compileRedactor()
    assert.equal(r.options.maxStringLength, 8192)
    assert.equal(r.options.maxDepth, 8)
    assert.equal(r.options.maxKeys, 100)
    assert.equal(r.options.redactCardNumbers, true)
    assert.equal(r.options.hashUserIds, false)
    assert.ok(r.options.headerAllowlist.includes('traceparent'))
    assert.deepEqual(DEFAULT_REDACTION_OPTIONS.headerAllowlist, r.options.headerAllowlist)
  })

  it('clamps maxStringLength to 65536 and never exposes hashKey', () => {
    const r = compileRedactor({ maxStringLength: 10_000_000, hashKey: 'top-secret-key' })
    assert.equal(r.options.maxStringLength, 65536)
    assert.equal('hashKey' in r.options, false)
    assert.ok(!JSON.stringify(r.options).includes('top-secret-key'))
  })

  it('throws a TypeError for misuse at start-up', () => {
    const REDACTION_MISUSE = { name: 'WatchpostTypeError', code: 'ERR_WATCHPOST_REDACTION_OPTIONS_INVALID' }
    assert.throws(() => compileRedactor({ maxDepth: 0 }), REDACTION_MISUSE)
    assert.throws(() => compileRedactor({ maxKeys: 1.5 }), REDACTION_MISUSE)
    assert.throws(() => compileRedactor({ hashKey: '' }), REDACTION_MISUSE)
    assert.throws(() => compileRedactor({ hashIps: 'yes' as unknown as boolean }), REDACTION_MISUSE)
    assert.throws(() => compileRedactor({ sensitiveKeys: [1] as unknown as string[] }), /@watchpost\/core/)
  })

  it('matches sensitive keys case-insensitively, separators ignored', () => {
    const r = compileRedactor({ sensitiveKeys: ['tenant-secret-ref', 'MFA'] })
    for (const k of [
      'password',
      'PassWord',
      'user_password',
      'passwd',
      'pwd',
      'client_secret',
      'access_token',
      'refreshToken',
      'id_token',
      'X-CSRF-Token',
      'apiKey',
      'api_key',
      'x-api-key',
      'Authorization',
      'cookie',
      'Set-Cookie',
      'session',
      'sessionId',
      'sid',
      'connect.sid',
      'PHPSESSID',
      'private_key',
      'credentials',
      'card_number',
      'cardNumber',
      'cc',
      'pan',
      'cvv',
      'cvc',
      'ssn',
      'otp',
      'pin',
      'tenantSecretRef',
      'mfa',
    ]) {
      assert.equal(r.isSensitiveKey(k), true, k)
    }
    for (const k of [
      'user',
      'email',
      'company',
      'shipping',
      'classname',
      'id',
      'name',
      'spanId',
      '',
      '---',
    ]) {
      assert.equal(r.isSensitiveKey(k), false, k)
    }
  })
})
