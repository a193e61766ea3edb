import { strict as assert } from 'node:assert'
import { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import proxyAddr from 'proxy-addr'
import {
  compileTrustProxy,
  resolveClient,
  resolveClientAddress,
  type TrustProxySetting,
} from '../src/context/trust-proxy.js'

/** A real `IncomingMessage` whose socket peer is `peer`, as Node's HTTP parser would leave it. */
function request(peer: string | undefined, xff?: string, port = 40000): IncomingMessage {
  const socket = { remoteAddress: peer, remotePort: port } as unknown as Socket
  const req = new IncomingMessage(socket)
  req.headers = xff === undefined ? {} : { 'x-forwarded-for': xff }
  return req
}

const ip = (setting: TrustProxySetting, peer: string, xff?: string): string =>
  resolveClientAddress(request(peer, xff), compileTrustProxy(setting))

/** Express's `req.ip`: `proxyaddr(req, compileTrust(setting))`, the oracle for "same semantics". */
function expressIp(setting: TrustProxySetting, req: IncomingMessage): string {
  let trust: (addr: string, hop: number) => boolean
  if (typeof setting === 'function') trust = setting
  else if (setting === true) trust = () => true
  else if (typeof setting === 'number') trust = (_a, i) => i < setting
  else if (typeof setting === 'string') trust = proxyAddr.compile(setting.split(',').map((v) => v.trim()))
  else trust = proxyAddr.compile(setting === false ? [] : [...setting])
  return proxyAddr(req, trust)
}

describe('compileTrustProxy / resolveClientAddress', () => {
  it('trusts nothing by default: a spoofed X-Forwarded-For is ignored', () => {
    assert.equal(ip(false, '203.0.113.9', '1.2.3.4'), '203.0.113.9')
    assert.equal(ip(0, '203.0.113.9', '1.2.3.4'), '203.0.113.9')
    assert.equal(ip([], '203.0.113.9', '1.2.3.4'), '203.0.113.9')
    assert.equal(
      resolveClientAddress(request('203.0.113.9', '1.2.3.4'), compileTrustProxy(undefined)),
      '203.0.113.9',
    )
  })

  it('true trusts every hop: the left-most address', () => {
    assert.equal(ip(true, '10.0.0.1', '1.2.3.4, 10.0.0.2'), '1.2.3.4')
  })

  it('a hop count trusts that many hops nearest the server', () => {
    const xff = '1.1.1.1, 2.2.2.2, 3.3.3.3'
    assert.equal(ip(1, '10.0.0.1', xff), '3.3.3.3')
    assert.equal(ip(2, '10.0.0.1', xff), '2.2.2.2')
    assert.equal(ip(3, '10.0.0.1', xff), '1.1.1.1')
    assert.equal(ip(10, '10.0.0.1', xff), '1.1.1.1')
  })

  it('a CIDR list stops at the first untrusted hop', () => {
    const setting = '10.0.0.0/8, 192.168.1.0/255.255.255.0'
    assert.equal(ip(setting, '10.1.2.3', '1.1.1.1, 6.6.6.6, 192.168.1.20'), '6.6.6.6')
    assert.equal(ip(setting, '203.0.113.9', '1.1.1.1'), '203.0.113.9')
  })

  it('presets loopback, linklocal, uniquelocal, as a string and as an array', () => {
    assert.equal(ip('loopback', '127.0.0.1', '1.2.3.4'), '1.2.3.4')
    assert.equal(ip('loopback', '::1', '1.2.3.4'), '1.2.3.4')
    assert.equal(ip('loopback', '10.0.0.1', '1.2.3.4'), '10.0.0.1')
    assert.equal(ip('linklocal', '169.254.1.1', '1.2.3.4'), '1.2.3.4')
    assert.equal(ip(['loopback', 'uniquelocal'], '127.0.0.1', '1.2.3.4, 172.16.5.5'), '1.2.3.4')
    assert.equal(ip('loopback,uniquelocal', '127.0.0.1', '1.2.3.4, 172.16.5.5'), '1.2.3.4')
  })

  it('a function receives (addr, hop)', () => {
    const calls: Array<[string, number]> = []
    const trust = (addr: string, hop: number) => {
      calls.push([addr, hop])
      return addr.startsWith('10.')
    }
    assert.equal(ip(trust, '10.0.0.1', '1.1.1.1, 10.0.0.2'), '1.1.1.1')
    assert.deepEqual(calls, [
      ['10.0.0.1', 0],
      ['10.0.0.2', 1],
    ])
  })

  it('a trust function that throws falls back to the socket peer', () => {
    const trust = () => {
      throw new Error('user bug')
    }
    assert.equal(ip(trust, '10.0.0.1', '1.1.1.1'), '10.0.0.1')
  })

  it('reports the socket port only when the address is the socket peer', () => {
    assert.deepEqual(resolveClient(request('10.0.0.1', '1.1.1.1', 5555), compileTrustProxy(false)), {
      address: '10.0.0.1',
      port: 5555,
    })
    assert.deepEqual(resolveClient(request('10.0.0.1', '1.1.1.1', 5555), compileTrustProxy(true)), {
      address: '1.1.1.1',
      port: undefined,
    })
    assert.deepEqual(resolveClient(request('10.0.0.1', undefined, 5555), compileTrustProxy(true)), {
      address: '10.0.0.1',
      port: 5555,
    })
  })

  it("returns '' when the socket has no address (closed)", () => {
    assert.equal(ip(false, undefined as unknown as string), '')
  })

  it('matches Express req.ip on a matrix of settings and headers', () => {
    const settings: TrustProxySetting[] = [
      false,
      true,
      0,
      1,
      2,
      'loopback',
      'loopback, 10.0.0.0/8',
      ' uniquelocal ,linklocal',
      ['127.0.0.1', '::1/128'],
      '::ffff:10.0.0.0/104',
      (addr, hop) => hop < 2 && addr !== '6.6.6.6',
    ]
    const peers = ['127.0.0.1', '10.9.9.9', '::1', '::ffff:10.0.0.3', '203.0.113.9']
    const headers = [
      undefined,
      '',
      '1.1.1.1',
      '1.1.1.1, 10.0.0.2',
      'garbage, 127.0.0.1',
      ' 6.6.6.6 ,, 10.1.1.1 ',
    ]
    for (const setting of settings) {
      for (const peer of peers) {
        for (const xff of headers) {
          const req = request(peer, xff)
          assert.equal(
            resolveClientAddress(req, compileTrustProxy(setting)),
            expressIp(setting, req),
            `${String(setting)} ${peer} ${xff}`,
          )
        }
      }
    }
  })

  it('matches Express req.ip on generated X-Forwarded-For headers, one compiled setting reused', () => {
    // The same compiled setting across every run: its remembered answers must never change one.
    const settings: TrustProxySetting[] = [
      'loopback, uniquelocal',
      2,
      true,
      (addr, hop) => hop < 3 && !addr.startsWith('6.'),
    ]
    const compiled = settings.map((setting) => compileTrustProxy(setting))
    const address = fc.constantFrom(
      '127.0.0.1',
      '::1',
      '10.0.0.7',
      '172.16.0.1',
      '6.6.6.6',
      '203.0.113.9',
      '::ffff:10.0.0.3',
      'garbage',
      'unknown',
    )
    const separator = fc.constantFrom(',', ', ', ' ,', ',,', ' , ', ',  ')
    const header = fc
      .tuple(fc.array(fc.tuple(address, separator), { maxLength: 6 }), fc.constantFrom('', ' ', '  '))
      .map(([parts, pad]) => pad + parts.map(([a, sep]) => a + sep).join('') + pad)
    fc.assert(
      fc.property(address, fc.option(header, { nil: undefined }), (peer, xff) => {
        settings.forEach((setting, i) => {
          const req = request(peer, xff)
          assert.equal(
            resolveClientAddress(req, compiled[i]!),
            expressIp(setting, req),
            `${i} ${peer} ${xff}`,
          )
        })
      }),
      { numRuns: 2000 },
    )
  })

  it('throws TypeError for invalid settings', () => {
    const bad: unknown[] = [
      'not-an-ip',
      '10.0.0.0/33',
      'loopback, 1.2.3',
      ['10.0.0.1', 42],
      -1,
      1.5,
      Number.NaN,
      {},
      '',
    ]
    for (const setting of bad) {
      assert.throws(
        () => compileTrustProxy(setting as TrustProxySetting),
        (err: unknown) =>
          err instanceof TypeError &&
          (err as { code?: unknown }).code === 'ERR_WATCHPOST_TRUST_PROXY_INVALID',
        String(setting),
      )
    }
  })
})
