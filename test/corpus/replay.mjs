// Replays the hostile-input corpus (attacks.jsonl, benign.jsonl) against a small Fastify app and a
// small Express app with Watchpost registered, over real HTTP on 127.0.0.1, and reports per category
// how many attacks produced an attack event and which benign requests did (false positives).
//
//   node test/corpus/replay.mjs [--framework fastify|express|both] [--json FILE] [--status 200|404]
//
// Build the packages first (`npx turbo run build --output-logs=errors-only`). A report, not a test:
// it exits 0 whatever the rates.
//
// The apps answer every GET/POST/… with 200 (`--status 404`: with 404, as an app without such a
// route would), except a few paths that always answer 404 (replay-lib.mjs, which also says how
// events are attributed to entries).
import { writeFileSync } from 'node:fs'
import { closeAgent, load, replay, startExpress, startFastify } from './replay-lib.mjs'

const args = process.argv.slice(2)
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const framework = opt('--framework', 'both')
const jsonOut = opt('--json', undefined)
const defaultStatus = Number(opt('--status', '200'))
if (!['fastify', 'express', 'both'].includes(framework) || ![200, 404].includes(defaultStatus)) {
  console.error(
    'usage: node test/corpus/replay.mjs [--framework fastify|express|both] [--json FILE] [--status 200|404]',
  )
  process.exit(2)
}

function pct(a, b) {
  return b === 0 ? '-' : `${((100 * a) / b).toFixed(1)} %`
}

function report(name, { results, unattributed }) {
  console.log(`\n== ${name}`)
  const categories = new Map()
  for (const r of results.filter((r) => r.category !== 'benign')) {
    const c = categories.get(r.category) ?? {
      n: 0,
      detected: 0,
      classified: 0,
      located: 0,
      types: new Map(),
      errors: 0,
      statuses: new Map(),
    }
    c.n++
    if (r.detected) c.detected++
    if (r.classified) c.classified++
    if (r.located) c.located++
    if (r.error) c.errors++
    else c.statuses.set(r.status, (c.statuses.get(r.status) ?? 0) + 1)
    for (const e of r.events) if (e.finding) c.types.set(e.type, (c.types.get(e.type) ?? 0) + 1)
    categories.set(r.category, c)
  }
  console.log(
    'category             entries  detected  rate      as its class  at its input  finding types (events)                      answers',
  )
  let total = 0
  let totalDetected = 0
  for (const [category, c] of categories) {
    total += c.n
    totalDetected += c.detected
    const types = [...c.types].map(([t, k]) => `${t}×${k}`).join(', ') || '-'
    const statuses =
      [...c.statuses].map(([s, k]) => `${s}×${k}`).join(' ') + (c.errors ? ` error×${c.errors}` : '')
    console.log(
      `${category.padEnd(20)} ${String(c.n).padStart(7)}  ${String(c.detected).padStart(8)}  ${pct(c.detected, c.n).padEnd(8)}  ${pct(c.classified, c.n).padEnd(12)}  ${pct(c.located, c.n).padEnd(12)}  ${types.padEnd(42)}  ${statuses}`,
    )
  }
  console.log(
    `${'all attacks'.padEnd(20)} ${String(total).padStart(7)}  ${String(totalDetected).padStart(8)}  ${pct(totalDetected, total)}`,
  )
  const benign = results.filter((r) => r.category === 'benign')
  const fps = benign.filter((r) => r.detected)
  const benignErrors = benign.filter((r) => r.error || r.status !== r.expected)
  console.log(
    `benign               ${String(benign.length).padStart(7)}  false positives ${fps.length} (${pct(fps.length, benign.length)})`,
  )
  for (const r of fps)
    console.log(
      `  FP ${r.id} [${r.kind}, ${r.field}]: ${r.events
        .filter((e) => e.finding)
        .map((e) => e.type)
        .join(', ')}`,
    )
  for (const r of benignErrors)
    console.log(`  benign answered ${r.error ?? r.status}, not ${r.expected}: ${r.id} [${r.kind}]`)
  const errors = results.filter((r) => r.error && r.category !== 'benign')
  for (const r of errors) console.log(`  no answer: ${r.id} (${r.error})`)
  if (unattributed.length) console.log(`  events attributed to no entry: ${unattributed.join(', ')}`)
}

const entries = [...load('attacks.jsonl'), ...load('benign.jsonl')]
const runs = []
if (framework !== 'express') runs.push(['fastify', startFastify])
if (framework !== 'fastify') runs.push(['express', startExpress])
const all = []
console.log(
  `${entries.length} entries; catch-all answers ${defaultStatus}; detection: malicious_*, mcp_*, input_validation_*, scanner-probe access_not_found`,
)
for (const [name, start] of runs) {
  const outcome = await replay(name, start, entries, defaultStatus)
  report(name, outcome)
  all.push(...outcome.results)
}
closeAgent()
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify(all, null, 1))
  console.log(`\nper-entry results written to ${jsonOut}`)
}
