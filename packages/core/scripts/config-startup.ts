// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax, not a template
/**
 * Start-up cost of the configuration: `loadConfig()` of a full file (every section, every sink type),
 * in process. Prints the median of many warm calls, and the median first call of fresh processes
 * (the one that pays for compiling the validator).
 * Run: `node --import tsx scripts/config-startup.ts` (from packages/core).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../src/config/index.js'
import { EXAMPLE_YAML } from '../src/config/render.js'

const WARM_RUNS = 500
const FRESH_PROCESSES = 15

const FULL_YAML = `${EXAMPLE_YAML}  - type: sentinel
    endpoint: https://dce.westeurope-1.ingest.monitor.azure.com
    dcrImmutableId: dcr-0123456789abcdef0123456789abcdef
    credential: { type: clientSecret, tenantId: t, clientId: c, clientSecret: "\${AZURE_CLIENT_SECRET}" }
  - type: webhook
    url: https://soar.example.com/hooks/watchpost
    secret: \${WEBHOOK_SECRET}
    headers: [{ name: x-api-key, value: "\${SOAR_API_KEY}" }]
queue: { batchSize: 1000 }
spool: { maxAgeHours: 24 }
delivery: { concurrency: 2, deadLetter: { path: false } }
shutdown: { deadlineMs: 2000 }
`

const env = {
  WATCHPOST_HASH_KEY: 'a-key-of-at-least-16-characters',
  AZURE_CLIENT_SECRET: 'secret',
  WEBHOOK_SECRET: 'another-16-char-secret',
  SOAR_API_KEY: 'k',
}

function fixture(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'watchpost-startup-'))
  writeFileSync(join(cwd, 'watchpost.config.yaml'), FULL_YAML)
  return cwd
}

function timeOnce(cwd: string): number {
  const start = process.hrtime.bigint()
  loadConfig({}, { cwd, env })
  return Number(process.hrtime.bigint() - start) / 1e6
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

const self = fileURLToPath(import.meta.url)
if (process.argv[2] === '--first') {
  // Child: one call, in a process that has not validated anything yet.
  process.stdout.write(String(timeOnce(fixture())))
} else if (process.argv[1] === self) {
  const first: number[] = []
  for (let i = 0; i < FRESH_PROCESSES; i++) {
    const out = execFileSync(process.execPath, [...process.execArgv, self, '--first'], { encoding: 'utf8' })
    first.push(Number(out))
  }
  const cwd = fixture()
  for (let i = 0; i < 20; i++) timeOnce(cwd) // warm-up: JIT, file cache
  const warm = Array.from({ length: WARM_RUNS }, () => timeOnce(cwd))
  console.log(
    `loadConfig() of a full file (${FULL_YAML.split('\n').length - 1} lines), Node ${process.version}`,
  )
  console.log(`  first call (fresh process, median of ${FRESH_PROCESSES}): ${median(first).toFixed(2)} ms`)
  console.log(`  later calls (median of ${WARM_RUNS}):               ${median(warm).toFixed(3)} ms`)
}
