import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateConfig } from '../src/config/index.js'
import { SCANNER_PATHS } from '../src/detectors/data/scanner-paths.js'
import { compileScannerPaths, isScannerPath, parsePattern } from '../src/detectors/scanner-paths.js'
import type { SecurityEvent } from '../src/index.js'
import { createAdapterCore } from '../src/sdk.js'
import { dirWith, noEnv } from './config-fixtures.js'
import { corpus } from './support/corpus.js'
import { fakeContext } from './support/fake-context.js'
import { harness, statusFromQuery } from './support/harness.js'

const paths = compileScannerPaths()
const pathOf = (target: string) => target.split('?')[0] as string
/** The family that matched `path` answered with any status (`notFound` false) or with 404. */
const family = (path: string, notFound = false) => paths.match(path, notFound)?.family

describe('scanner paths: corpus', () => {
  const entries = corpus('attacks').filter((e) => e.category === 'scanner_path' && e.raw !== true)

  for (const notFound of [false, true]) {
    test(`≥ 95 % of the scanner_path entries are probes ${notFound ? 'answered 404' : 'whatever the status'}`, () => {
      const misses = entries.filter((e) => paths.match(pathOf(e.path), notFound) === undefined)
      const rate = (entries.length - misses.length) / entries.length
      assert.ok(entries.length >= 140, `${entries.length} entries`)
      assert.ok(rate >= 0.95, `rate ${rate}; missed:\n${misses.map((e) => `${e.id} ${e.path}`).join('\n')}`)
    })
  }

  test('no benign request is a probe, answered 200 or 404', () => {
    const hits = corpus('benign').flatMap((e) =>
      [false, true].flatMap((notFound) => {
        const found = paths.match(pathOf(e.path), notFound)
        return found === undefined ? [] : [`${e.id} ${e.path} (${found.pattern})`]
      }),
    )
    assert.deepEqual(hits, [])
  })
})

describe('scanner paths: patterns', () => {
  test('the families the list covers', () => {
    const cases: Array<[string, string]> = [
      ['/.git/config', 'vcs'],
      ['/static/.git/HEAD', 'vcs'],
      ['/.env', 'dotfile'],
      ['/.env.production', 'dotfile'],
      ['/%2eenv', 'dotfile'],
      ['/.vscode/sftp.json', 'developer-tool'],
      ['/.idea/workspace.xml', 'developer-tool'],
      ['/.npmrc', 'developer-tool'],
      ['/.pypirc', 'developer-tool'],
      ['/.docker/config.json', 'developer-tool'],
      ['/.github/workflows/deploy.yml', 'developer-tool'],
      ['/.cursor/mcp.json', 'ai-tool'],
      ['/.claude/settings.json', 'ai-tool'],
      ['/.aider.conf.yml', 'ai-tool'],
      ['/backup.zip', 'backup'],
      ['/site.tar.gz', 'backup'],
      ['/db.sql', 'backup'],
      ['/dump.rdb', 'backup'],
      ['/config.inc.php.bak', 'app-config'],
      ['/web.config.old', 'app-config'],
      ['/dbconn.php.bak', 'backup'],
      ['/index.php~', 'backup'],
      ['/config/database.yml', 'app-config'],
      ['/WEB-INF/web.xml', 'app-config'],
      ['/logs/debug.log', 'log-file'],
      ['/wp-content/debug.log', 'log-file'],
      ['/_profiler/phpinfo', 'debug-console'],
      ['/telescope/requests', 'debug-console'],
      ['/__debug__/', 'debug-console'],
      ['/debug/pprof/heap', 'debug-console'],
      ['/actuator/env', 'debug-console'],
      ['/console', 'debug-console'],
      ['/_ignition/execute-solution', 'debug-console'],
      ['/elmah.axd', 'debug-console'],
      ['/Trace.axd', 'debug-console'],
      ['/phpMyAdmin/', 'admin-console'],
      ['/HNAP1/', 'router-admin'],
      ['/boaform/admin/formLogin', 'router-admin'],
      ['/_cat/indices', 'datastore-api'],
      ['/_cluster/health', 'datastore-api'],
      ['/solr/admin/cores', 'datastore-api'],
      ['/v2/keys/', 'datastore-api'],
      ['/.aws/credentials', 'cloud-credentials'],
      ['/terraform.tfstate', 'cloud-credentials'],
      ['/etc/passwd', 'os-file'],
      ['/nessus_is_probing_you_', 'scanner-marker'],
      ['/shell.php', 'webshell'],
    ]
    for (const [path, expected] of cases) assert.equal(family(path), expected, path)
  })

  test('downloads, pages and APIs a Node app serves are not probes', () => {
    for (const path of [
      '/',
      '/files/archive.tar.gz',
      '/downloads/app.zip',
      '/files/db.sql',
      '/files/.hidden-but-harmless.txt',
      '/files/package-lock.json',
      '/files/my.config.backup.json',
      '/.well-known/security.txt',
      '/.well-known/mcp.json',
      '/site.webmanifest',
      '/config.json',
      '/environment',
      '/gitlab',
      '/consoles/ps5',
      '/products/console',
      '/telescopes',
      '/blog/what-is-an-actuator',
      '/api/v1/config/public',
      '/v2/keys',
      '/v2/keys/abc',
      '/settings/credentials',
      '/metrics',
      '/admin',
    ])
      assert.equal(family(path, true), undefined, path)
  })

  test('scripts of other platforms and copies in general count only on a 404', () => {
    for (const path of ['/index.php', '/default.aspx', '/a/b.bak', '/notes.old', '/www2.zip']) {
      assert.equal(family(path, false), undefined, path)
      assert.equal(family(path, true), 'other-platform', path)
    }
    assert.equal(family('/downloads/app.zip', true), undefined)
  })

  test('anchors, segment ends and root files', () => {
    assert.equal(family('/app/console'), undefined, '^/console only at the start')
    assert.equal(family('/.gitignore'), 'vcs', '/.git* goes on')
    assert.equal(family('/.idea'), 'developer-tool')
    assert.equal(family('/.ideas'), undefined, '/.idea ends at a segment')
    assert.equal(family('/files/backup.zip'), undefined, 'backup archives right under the root only')
    assert.equal(family('/x.sql.gz'), 'backup')
    assert.equal(family('/dir/x.sql.gz'), undefined)
  })

  test('every pattern parses, and the syntax is checked', () => {
    for (const list of Object.values(SCANNER_PATHS)) for (const p of list) parsePattern(p)
    assert.deepEqual(parsePattern('^/console'), { literal: '/console', flags: 1 | 2 })
    assert.throws(() => parsePattern('.env'), /starts with/)
    assert.throws(() => parsePattern('/a*b'), /\* only first or last/)
  })

  test('extraPaths adds patterns, ignorePaths removes paths (404s included)', () => {
    const custom = compileScannerPaths(['^/internal-backup/', '*.tfvars'], ['^/console', '/.vscode'])
    assert.deepEqual(custom.match('/internal-backup/x', false), {
      pattern: '^/internal-backup/',
      family: 'custom',
    })
    assert.equal(custom.match('/prod.tfvars', false)?.family, 'custom')
    assert.equal(custom.match('/console', true), undefined)
    assert.equal(custom.match('/.vscode/settings.json', false), undefined)
    assert.equal(custom.match('/.env', false)?.family, 'dotfile', 'the rest stays')
  })

  test('the options accept only the pattern syntax', () => {
    const issues = (raw: unknown) =>
      validateConfig(raw, { cwd: dirWith(), env: noEnv }).issues.map((i) => i.path)
    assert.deepEqual(
      issues({
        detectors: { scannerProbe: { extraPaths: ['^/ok/', '*.tfvars', '/x$', 'no-slash', '/a*b', '^/*'] } },
      }),
      [
        'detectors.scannerProbe.extraPaths[3]',
        'detectors.scannerProbe.extraPaths[4]',
        'detectors.scannerProbe.extraPaths[5]',
      ],
    )
  })

  test('isScannerPath (the not-found detector when scannerProbe is off) keeps the 404 list', () => {
    for (const p of [
      '/.env',
      '/.env.production',
      '/.git/config',
      '/wp-admin/',
      '/backup.zip',
      '/index.php',
      '/db.sql',
    ])
      assert.ok(isScannerPath(p), p)
    for (const p of ['/', '/users/42', '/api/orders', '/environment', '/gitlab'])
      assert.ok(!isScannerPath(p), p)
  })
})

describe('scannerProbe detector', () => {
  const get = (url: string) => fetch(url).then((r) => r.status)

  test('any status but 404: malicious_scanner_probe, Success and High when served', async (t) => {
    const h = await harness({}, statusFromQuery)
    t.after(() => h.close())
    assert.equal(await get(`${h.url}/.env?status=200`), 200)
    await get(`${h.url}/.git/config?status=403`)
    await get(`${h.url}/index.php?status=200`) // another platform's script the app serves: not a probe
    await get(`${h.url}/users/42?status=200`)
    const probes = await h.of('malicious_scanner_probe')
    assert.deepEqual(
      probes.map((e) => [
        e.AdditionalFields?.Path,
        e.ThreatName,
        e.AdditionalFields?.MatchedPattern,
        e.HttpStatusCode,
        e.EventResult,
        e.EventSeverity,
        e.ThreatCategory,
      ]),
      [
        ['/.env', 'dotfile', '/.env*', 200, 'Success', 'High', 'Reconnaissance'],
        ['/.git/config', 'vcs', '/.git*', 403, 'Failure', 'Medium', 'Reconnaissance'],
      ],
    )
  })

  test('a 404 is recorded once, as access_not_found, and counted in the flood', async (t) => {
    const h = await harness({ detectors: { notFound: { threshold: 3, reportEach: true } } }, statusFromQuery)
    t.after(() => h.close())
    await get(`${h.url}/.env`)
    await get(`${h.url}/index.php`)
    await get(`${h.url}/nothing-here`)
    const misses = await h.of('access_not_found')
    assert.deepEqual(
      misses.map((e) => [
        e.AdditionalFields?.Path,
        e.AdditionalFields?.ScannerProbe,
        e.EventSeverity,
        e.RuleName,
      ]),
      [
        ['/.env', true, 'Medium', 'scannerProbe'],
        ['/index.php', true, 'Medium', 'scannerProbe'],
        ['/nothing-here', false, 'Informational', 'notFound'],
      ],
    )
    assert.equal((await h.of('malicious_scanner_probe')).length, 0)
    const [flood] = await h.of('malicious_excess_404')
    assert.equal(flood?.AdditionalFields?.ScannerPaths, 2)
    assert.equal(flood?.ThreatRiskLevel, 70)
  })

  test('ignorePaths holds for 404s too; switched off, the not-found detector judges as before', async (t) => {
    const ignoring = await harness(
      { detectors: { scannerProbe: { ignorePaths: ['^/console'] } } },
      statusFromQuery,
    )
    t.after(() => ignoring.close())
    await get(`${ignoring.url}/console`)
    assert.equal((await ignoring.of('access_not_found')).length, 0)

    const off = await harness({ detectors: { scannerProbe: { enabled: false } } }, statusFromQuery)
    t.after(() => off.close())
    await get(`${off.url}/.env?status=200`)
    await get(`${off.url}/.env`)
    assert.equal((await off.of('malicious_scanner_probe')).length, 0)
    const [miss] = await off.of('access_not_found')
    assert.equal(miss?.RuleName, 'notFound')
    assert.equal(miss?.AdditionalFields?.ScannerProbe, true)
  })

  test('capped per source: 10 events, then one aggregate', async () => {
    const events: SecurityEvent[] = []
    const { watchpost: wp, signals } = createAdapterCore(
      { config: false, sinks: [] },
      { sinks: [{ name: 'm', send: async (b) => void events.push(...b), close: async () => {} }] },
    )
    const res = { statusCode: 200, getHeader: () => undefined }
    for (let i = 0; i < 300; i++)
      signals.responseFinish(fakeContext({ method: 'GET', url: `/.git/${i}` }), res)
    await wp.close()
    const probes = events.filter((e) => e.EventOriginalType === 'malicious_scanner_probe')
    assert.equal(probes.length, 11)
    assert.equal(
      probes.reduce((n, e) => n + e.EventCount, 0),
      300,
    )
  })
})
