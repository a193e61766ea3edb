import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { loadConfig, validateConfig } from '../src/config/index.js'
import {
  type AttackTools,
  callbackHost,
  compileAttackTools,
  findAttackTool,
  toolInAgent,
} from '../src/detectors/attack-tool.js'
import { USER_AGENTS } from '../src/detectors/data/attack-tools.js'
import type { SecurityEvent } from '../src/index.js'
import { createAdapterCore } from '../src/sdk.js'
import { dirWith, noEnv } from './config-fixtures.js'
import { type CorpusEntry, corpus, headerRecord } from './support/corpus.js'
import { fakeContext } from './support/fake-context.js'
import { harness, statusFromQuery } from './support/harness.js'

const tools = compileAttackTools()

/** What the detector finds: the User-Agent first, then the other headers and the target. */
function detect(t: AttackTools, headers: Record<string, string | undefined>, url: string) {
  const ua = headers['user-agent']
  return (ua === undefined ? undefined : toolInAgent(t, ua)) ?? findAttackTool(t, headers, url)
}

/** The finding for a corpus entry, as the detector sees the request (lower-case header names). */
function inspect(entry: CorpusEntry, t = tools) {
  if (entry.raw === true) return undefined
  return detect(t, headerRecord(entry), entry.path)
}

const agent = (ua: string) => toolInAgent(tools, ua)?.tool

describe('attack tools: corpus', () => {
  test('≥ 95 % of the attack_tool entries are found', () => {
    const entries = corpus('attacks').filter((e) => e.category === 'attack_tool' && e.raw !== true)
    const misses = entries.filter((e) => inspect(e) === undefined)
    const rate = (entries.length - misses.length) / entries.length
    assert.ok(entries.length >= 60, `${entries.length} entries`)
    assert.ok(
      rate >= 0.95,
      `rate ${rate}; missed:\n${misses.map((e) => `${e.id} ${JSON.stringify(e.headers)}`).join('\n')}`,
    )
  })

  test('no benign entry is taken for a tool (browsers, CLIs, libraries, crawlers, referers)', () => {
    const benign = corpus('benign')
    assert.ok(benign.filter((e) => e.kind === 'ua').length >= 200)
    const hits = benign.flatMap((e) => {
      const found = inspect(e)
      return found === undefined
        ? []
        : [`${e.id} ${found.input} ${found.fingerprint}: ${JSON.stringify(e.headers)}`]
    })
    assert.deepEqual(hits, [])
  })
})

describe('attack tools: User-Agent', () => {
  test('default User-Agents of scanners, without regard to case', () => {
    assert.equal(agent('sqlmap/1.8.2#stable (https://sqlmap.org)'), 'sqlmap')
    assert.equal(agent('Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:Port Check)'), 'Nikto')
    assert.equal(
      agent('Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)'),
      'Nmap',
    )
    assert.equal(agent('Fuzz Faster U Fool v2.1.0-dev'), 'ffuf')
    assert.equal(agent('Mozilla/5.0 SF/2.10b'), 'skipfish')
    assert.equal(agent('Mozilla/4.0 (Hydra)'), 'THC Hydra')
    assert.equal(agent('WPSCAN v3.8.25'), 'WPScan')
    assert.equal(agent('httpx - Open-source project (github.com/projectdiscovery/httpx)'), 'ProjectDiscovery')
  })

  test('ordinary clients and crawlers are not tools', () => {
    for (const ua of [
      'curl/8.5.0',
      'Wget/1.21.4',
      'python-requests/2.31.0',
      'python-httpx/0.27.0',
      'Go-http-client/2.0',
      'okhttp/4.12.0',
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      'urlgrabber/3.10 yum/3.4.3', // CRS 913100's negative test: not zgrab
      'mozilla/5.0 ecairn-grabber/1.0 (+http://ecairn.com/grabber)',
    ])
      assert.equal(agent(ua), undefined, ua)
  })

  test('short names count only as whole words', () => {
    assert.equal(agent('Vega/1.0'), 'Vega')
    assert.equal(agent('Mozilla/5.0 (Linux; Android 4.0.4; ko-kr; VEGA Racer)'), undefined, 'a phone')
    assert.equal(agent('Mozilla/5.0 (Metis) x'), 'Metis')
    assert.equal(agent('Mozilla/5.0 Metisse/2.1'), undefined)
    assert.equal(agent('nmap'), 'Nmap')
    assert.equal(agent('Mozilla/5.0 unmapped/1.0'), undefined)
  })

  test('the whole list is lower case and every entry finds itself', () => {
    for (const a of USER_AGENTS) {
      assert.equal(a.match, a.match.toLowerCase(), a.match)
      assert.equal(agent(`Mozilla/5.0 (${a.match}) x`)?.toLowerCase(), a.tool.toLowerCase(), a.match)
    }
  })
})

describe('attack tools: headers and callback hosts', () => {
  const find = (headers: Record<string, string>, url = '/', t = tools) => detect(t, headers, url)
  const browser = 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0'

  test("a scanner's own headers", () => {
    assert.deepEqual(find({ 'user-agent': browser, 'acunetix-product': 'WVS/14.0' }), {
      tool: 'Acunetix',
      input: 'header:acunetix-product',
      fingerprint: 'acunetix-',
    })
    assert.equal(find({ 'x-scanner': 'Netsparker' })?.tool, 'Netsparker')
    assert.equal(find({ range: 'bytes=0-,5-0,5-1,5-2,5-3,5-4' })?.tool, 'CVE-2011-3192 scanner')
    assert.equal(find({ range: 'bytes=0-1023' }), undefined)
    assert.equal(find({ 'x-scanner-id': '1' }), undefined, 'the name, not a prefix of it')
  })

  test('callback hosts in any header and in the target, after a dot, ending the host', () => {
    assert.deepEqual(find({ referer: 'http://c8x1q2w3.oast.pro/' }), {
      tool: 'interactsh',
      input: 'header:referer',
      fingerprint: 'oast.pro',
    })
    assert.equal(find({ 'x-wap-profile': 'http://a1b2.OASTIFY.com/wap.xml' })?.tool, 'Burp Collaborator')
    assert.equal(find({ contact: 'root@x9.burpcollaborator.net' })?.tool, 'Burp Collaborator')
    assert.deepEqual(find({}, '/?url=http%3A%2F%2Fab12.oast.online%2F'), {
      tool: 'interactsh',
      input: 'url',
      fingerprint: 'oast.online',
    })
    for (const value of [
      'https://toast.com/menu', // no dot before "oast"
      'https://www.oast.professional.example/', // "oast.pro" goes on
      'https://shop.example/oast.pro', // a path, not a host: no dot before it
      'https://x.oast.pro.example.com/', // the host is example.com
    ])
      assert.equal(callbackHost(tools, value), undefined, value)
  })

  test('the cookie is not searched for hosts, only for the scanner cookie', () => {
    assert.equal(find({ cookie: 'next=https%3A%2F%2Fx.oast.pro' }), undefined)
    assert.equal(find({ cookie: 'myvar=1234' })?.tool, 'Acunetix')
  })

  test('extra adds User-Agent substrings, ignore removes entries by text or tool', () => {
    const t = compileAttackTools(['Internal-Pentest-Bot'], ['nessus', 'Burp Collaborator', 'x-scanner'])
    assert.deepEqual(toolInAgent(t, 'internal-pentest-bot/2.0'), {
      tool: 'Internal-Pentest-Bot',
      input: 'user-agent',
      fingerprint: 'internal-pentest-bot',
    })
    assert.equal(toolInAgent(t, 'Mozilla/4.0 (compatible; Nessus NASL)'), undefined)
    assert.equal(find({ referer: 'http://x.oastify.com/' }, '/', t), undefined)
    assert.equal(find({ 'x-scanner': 'Netsparker' }, '/', t), undefined)
    assert.equal(find({ referer: 'http://x.oast.fun/' }, '/', t)?.tool, 'interactsh', 'the rest stays')
  })

  test('the options: defaults, and substrings of printable ASCII, 3 characters at least', () => {
    const config = loadConfig({ config: false }, { cwd: dirWith(), env: noEnv })
    assert.deepEqual(config.detectors.attackTool, { enabled: true, extra: [], ignore: [] })
    const issues = (raw: unknown) =>
      validateConfig(raw, { cwd: dirWith(), env: noEnv }).issues.map((i) => i.path)
    assert.deepEqual(issues({ detectors: { attackTool: { extra: ['ab', 'bot\u00e9', 'fine-bot'] } } }), [
      'detectors.attackTool.extra[0]',
      'detectors.attackTool.extra[1]',
    ])
  })
})

/** A core whose events are kept in `events`, and a 200 response to finish requests with. */
function collecting() {
  const events: SecurityEvent[] = []
  const core = createAdapterCore(
    { config: false, sinks: [] },
    { sinks: [{ name: 'm', send: async (b) => void events.push(...b), close: async () => {} }] },
  )
  return {
    events,
    watchpost: core.watchpost,
    signals: core.signals,
    res: { statusCode: 200, getHeader: () => undefined },
  }
}

describe('attack tools: detector', () => {
  test('records the tool, where it showed and the status, on any status', async (t) => {
    const h = await harness({}, statusFromQuery)
    t.after(() => h.close())
    await fetch(`${h.url}/?status=200`, { headers: { 'user-agent': 'sqlmap/1.8 (https://sqlmap.org)' } })
    await fetch(`${h.url}/missing`, { headers: { referer: 'http://abc.oast.fun/' } })
    await fetch(`${h.url}/?status=200`, { headers: { 'user-agent': 'curl/8.5.0' } })
    const events = await h.of('malicious_attack_tool')
    assert.deepEqual(
      events.map((e) => [
        e.ThreatName,
        e.AdditionalFields?.MatchedIn,
        e.AdditionalFields?.Fingerprint,
        e.HttpStatusCode,
        e.ThreatField,
        e.RuleName,
      ]),
      [
        ['sqlmap', 'user-agent', 'sqlmap', 200, 'HttpUserAgent', 'attackTool'],
        ['interactsh', 'header:referer', 'oast.fun', 404, 'HttpUserAgent', 'attackTool'],
      ],
    )
  })

  test('a scan is capped per source: 10 events, then one aggregate', async () => {
    const { events, watchpost: wp, signals, res } = collecting()
    for (let i = 0; i < 500; i++) {
      const ctx = fakeContext({ method: 'GET', url: `/p${i}` })
      ;(ctx.headers as Record<string, string>)['user-agent'] = 'Mozilla/5.0 (compatible; Nuclei)'
      signals.responseFinish(ctx, res)
    }
    await wp.close()
    const tool = events.filter((e) => e.EventOriginalType === 'malicious_attack_tool')
    assert.equal(tool.length, 11)
    assert.equal(
      tool.reduce((n, e) => n + e.EventCount, 0),
      500,
    )
  })

  test('a User-Agent seen before gets the same verdict, a long one too', async () => {
    const { events, watchpost: wp, signals, res } = collecting()
    const chrome =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
    const agents = [
      'sqlmap/1.8',
      chrome,
      `${'x'.repeat(600)} nikto`,
      'sqlmap/1.8',
      chrome,
      `${'x'.repeat(600)} nikto`,
    ]
    agents.forEach((agent, i) => {
      const ctx = fakeContext({ method: 'GET', url: '/', clientIp: `192.0.2.${i + 1}` })
      ;(ctx.headers as Record<string, string>)['user-agent'] = agent
      signals.responseFinish(ctx, res)
    })
    await wp.close()
    const tools = events
      .filter((e) => e.EventOriginalType === 'malicious_attack_tool')
      .map((e) => e.ThreatName)
    assert.deepEqual(tools, ['sqlmap', 'Nikto', 'sqlmap', 'Nikto'])
  })

  test('switched off, it records nothing', async (t) => {
    const h = await harness({ detectors: { attackTool: { enabled: false } } }, statusFromQuery)
    t.after(() => h.close())
    await fetch(`${h.url}/?status=200`, { headers: { 'user-agent': 'sqlmap/1.8' } })
    assert.equal((await h.of('malicious_attack_tool')).length, 0)
  })
})
