// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax, not a template
/**
 * Start-up cost of the configuration: `loadConfig()` of a full file (every section, every sink type),
 * in process, from the built `dist/` (what apps run; through tsx, every imported module pays the
 * loader's hooks). Prints, over fresh processes, the median import of the configuration module (it
 * derives `DEFAULTS`) and the median first call; then the median of many later calls. Run:
 * `npm run build -w packages/core && node --import tsx scripts/config-startup.ts [dist]`, where
 * `dist` is another build's `dist/` directory to measure (to compare two commits).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const WARM_RUNS = 500
const FRESH_PROCESSES = 15

const env = {
  WATCHPOST_HASH_KEY: 'a-key-of-at-least-16-characters',
  AZURE_CLIENT_SECRET: 'secret',
  WEBHOOK_SECRET: 'another-16-char-secret',
  SOAR_API_KEY: 'k',
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6

const self = fileURLToPath(import.meta.url)
const DIST =
  process.argv[2] === undefined
    ? new URL('../dist/config/index.js', import.meta.url).href
    : pathToFileURL(join(resolve(process.argv[2]), 'config/index.js')).href
/** A fresh plain-Node process (no tsx hooks): import, then one call. */
const CHILD = `
const start = performance.now()
const { loadConfig } = await import(process.argv[1])
const imported = performance.now() - start
const call = performance.now()
loadConfig({}, { cwd: process.argv[2], env: JSON.parse(process.argv[3]) })
process.stdout.write(JSON.stringify({ imported, first: performance.now() - call }))
`

if (process.argv[1] === self) {
  const { loadConfig }: typeof import('../src/config/index.js') = await import(DIST)
  const { EXAMPLE_YAML } = await import('./config-docs.js')
  const full = `${EXAMPLE_YAML}  - type: sentinel
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
  const cwd = mkdtempSync(join(tmpdir(), 'watchpost-startup-'))
  writeFileSync(join(cwd, 'watchpost.config.yaml'), full)
  const fresh: { imported: number; first: number }[] = []
  for (let i = 0; i < FRESH_PROCESSES; i++) {
    const args = ['--input-type=module', '-e', CHILD, DIST, cwd, JSON.stringify(env)]
    fresh.push(JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })))
  }
  const timeOnce = () => {
    const start = process.hrtime.bigint()
    loadConfig({}, { cwd, env })
    return ms(start)
  }
  for (let i = 0; i < 20; i++) timeOnce() // warm-up: JIT, file cache
  const warm = Array.from({ length: WARM_RUNS }, timeOnce)
  console.log(
    `loadConfig() of a full file (${full.split('\n').length - 1} lines), ${DIST}, Node ${process.version}`,
  )
  console.log(`  fresh process, median of ${FRESH_PROCESSES}:`)
  console.log(`    import of the config module: ${median(fresh.map((f) => f.imported)).toFixed(2)} ms`)
  console.log(`    first loadConfig() call:     ${median(fresh.map((f) => f.first)).toFixed(2)} ms`)
  console.log(`  later calls, median of ${WARM_RUNS}:  ${median(warm).toFixed(3)} ms`)
}
