/**
 * `npm run test:reliability` (WATCHPOST_RELIABILITY=short, what CI runs) and
 * `npm run test:reliability:long` (=long): runs the scenarios one after another — they measure
 * memory and time, so never in parallel — then prints every scenario's figures as one markdown
 * table (for docs/sentinel.md). The sink trusts the emulator through `tls.ca`, so no
 * NODE_EXTRA_CA_CERTS is needed. Figures pass through a file under the OS temp dir only.
 *
 *   node --import tsx/esm test/reliability/run.ts [file.test.ts …]
 *
 * `tsx/esm`, not `tsx`: core loads `@watchpost/sentinel` with `require` (watchpost.ts), and tsx's CJS
 * hook would compile a second copy of `@watchpost/core` for it, whose `DeliveryError` fails core's
 * `instanceof` — every failure would then look retryable (a 400 retried for ever). With the ESM
 * hook only, `require(esm)` shares Node's module cache, as in an app run with plain `node`.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { profile } from './support/profile.js'
import { type Figures, header, row } from './support/report.js'

const dir = fileURLToPath(new URL('.', import.meta.url))
const p = profile()
const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync(dir)
        .filter((f) => f.endsWith('.test.ts'))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
        .map((f) => join(dir, f))
const out = mkdtempSync(join(tmpdir(), 'watchpost-reliability-results-'))
const results = join(out, 'figures.jsonl')
const t0 = Date.now()
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx/esm', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, WATCHPOST_RELIABILITY: p.name, WATCHPOST_RELIABILITY_RESULTS: results },
  },
)
const figures: Figures[] = existsSync(results)
  ? readFileSync(results, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Figures)
  : []
rmSync(out, { recursive: true, force: true })

const order = (f: Figures) => Number.parseFloat(f.scenario)
figures.sort((a, b) => order(a) - order(b))
console.log(
  `\nReliability figures — WATCHPOST_RELIABILITY=${p.name}, Node ${process.version}, ${cpus().length} CPU(s), ` +
    `${((Date.now() - t0) / 1000).toFixed(0)} s; load ${p.rate} events/s unless stated; ` +
    `delivery.retryMaxDelayMs ${p.retryMaxDelayMs}; spool.syncIntervalMs 200.\n`,
)
console.log(header())
for (const f of figures) console.log(row(f))
process.exit(run.status ?? 1)
