// How the injection rules do on payload lists they were not built from: fuzzdb's attack lists
// (https://github.com/fuzzdb-project/fuzzdb, read from a local checkout), each payload sent as one
// query parameter the way a tool inserts it (raw, `+` included, which fuzzdb's lists write for a
// space; percent-encoded only `&` and what cannot stand in a URL),
// walked, decoded and shown to every rule as the injection detector does. Placeholders are filled
// (`{FILE}` → `config.php`, a name no list holds, so a traversal is found by its steps; `{cmd}` →
// `id`; `__TIME__` → `5`). A report, not a test: it exits 0 whatever the rates.
//
//   git clone https://github.com/fuzzdb-project/fuzzdb /tmp/fuzzdb
//   npx turbo run build --output-logs=errors-only
//   node test/corpus/fuzzdb.mjs /tmp/fuzzdb [--misses N]
// Any other list, one payload a line, for one class (lines starting with `#` are comments):
//   node test/corpus/fuzzdb.mjs --list payloads.txt --class xss [--misses N]
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { walkDecoded } from '../../packages/core/dist/inspection/decoded.js'
import { DEFAULT_LIMITS } from '../../packages/core/dist/inspection/inputs.js'
import { RULES } from '../../packages/core/dist/inspection/rules/index.js'

const args = process.argv.slice(2)
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined)
const list = option('--list')
const root = list === undefined ? args[0] : ''
if (root === undefined || root.startsWith('--') || (list !== undefined && option('--class') === undefined)) {
  console.error(
    'usage: node test/corpus/fuzzdb.mjs <fuzzdb checkout> [--misses N]\n' +
      '       node test/corpus/fuzzdb.mjs --list FILE --class THREAT [--misses N]',
  )
  process.exit(2)
}
const misses = Number(option('--misses') ?? 0)

const all = (dir) =>
  readdirSync(join(root, dir), { recursive: true })
    .filter((f) => f.endsWith('.txt'))
    .map((f) => join(dir, f))

/** The lists per threat class (the detector's names). */
const LISTS = list !== undefined ? { [option('--class')]: [list] } : fuzzdbLists()

function fuzzdbLists() {
  return {
    sqli: all('attack/sql-injection'),
    xss: ['xss-rsnake.txt', 'xss-other.txt', 'XSSPolyglot.txt', 'xss-uri.txt'].map((f) => `attack/xss/${f}`),
    command_injection: [
      'command-execution-unix.txt',
      'OSCommandInject.Windows.txt',
      'command-injection-template.txt',
      'source-disc-cmd-exec-traversal.txt',
    ].map((f) => `attack/os-cmd-execution/${f}`),
    path_traversal: [...all('attack/path-traversal'), 'attack/lfi/JHADDIX_LFI.txt'],
    nosql_injection: ['attack/no-sql-injection/mongodb.txt'],
  }
}

/** As a tool inserts a payload into a parameter: raw, but a URL cannot hold these. */
const inQuery = (p) =>
  p
    .replace(/%(?![0-9a-fA-F]{2})/g, '%25')
    .replace(/[^\x21-\x7e]|[#&"<>\\^`{|}]/g, (c) => encodeURIComponent(c))

console.log('| class | payloads | found as that class | found as any class |\n|---|---:|---:|---:|')
const missed = []
for (const [threat, files] of Object.entries(LISTS)) {
  const payloads = new Set()
  for (const file of files)
    for (const line of readFileSync(join(root, file), 'latin1').split(/\r?\n/))
      if (line.trim() !== '' && !/^#(?:[\s#]|$)/.test(line))
        payloads.add(
          line.replaceAll('{FILE}', 'config.php').replaceAll('{cmd}', 'id').replaceAll('__TIME__', '5'),
        )
  let right = 0
  let any = 0
  for (const payload of payloads) {
    const found = new Set()
    const input = { url: `/search?q=${inQuery(payload)}`, cookie: undefined, headers: [], body: undefined }
    walkDecoded(input, [], DEFAULT_LIMITS, (_kind, text, anomalies, _raw) => {
      for (const rule of RULES) {
        const finding = rule.match(text, 'query', anomalies)
        if (finding !== undefined) found.add(finding.threat)
      }
      return false
    })
    if (found.has(threat)) right++
    else missed.push(`${threat}: ${[...found].join(',') || '-'}  ${payload.slice(0, 100)}`)
    if (found.size > 0) any++
  }
  const pct = (n) => `${((100 * n) / payloads.size).toFixed(1)} %`
  console.log(`| ${threat} | ${payloads.size} | ${pct(right)} | ${pct(any)} |`)
}
if (misses > 0) console.log(`\nmissed (first ${misses}):\n${missed.slice(0, misses).join('\n')}`)
