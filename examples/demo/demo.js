// `npm run demo`: the whole job with no Azure account. Starts the local stand-in for Azure
// (@watchpost/emulator: the Logs Ingestion API and Entra ID over HTTPS), runs the attacked shop
// (shop.js) pointed at it — the real Azure clients, trusting the emulator's CA through
// NODE_EXTRA_CA_CERTS, which Node reads at start-up — then shows what landed in Sentinel's tables.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '@watchpost/core'
import { ASIM_PROJECTIONS, ASIM_SCHEMAS, FIRING_EVENTS, resolveRules } from '@watchpost/core/sdk'
import { startEmulator } from '@watchpost/emulator'
import { matchBuiltinAsimRules, sentinelRuleNames } from '@watchpost/sentinel/content'

const emulator = await startEmulator()
console.log(
  `Local Azure stand-in on ${emulator.url} (Logs Ingestion API, Entra ID), DCR ${emulator.dcrImmutableId}`,
)

const shop = spawn(process.execPath, [fileURLToPath(new URL('shop.js', import.meta.url))], {
  stdio: 'inherit',
  env: { ...process.env, ...emulator.env },
})
const [code] = await once(shop, 'exit')

console.log('\nRows in the workspace (as Sentinel would query them):')
for (const [table, count] of Object.entries(emulator.store.counts())) {
  if (count > 0) console.log(`  ${table.padEnd(32)} ${count}`)
}
const [flood] = emulator.store
  .rows({ table: 'ASimWebSessionLogs' })
  .filter((r) => r.EventOriginalType === 'malicious_excess_404')
if (flood) {
  console.log('\nOne of them, ASimWebSessionLogs:')
  for (const key of [
    'EventOriginalType',
    'EventSeverity',
    'EventCount',
    'SrcIpAddr',
    'ThreatRiskLevel',
    'EventResultDetails',
    'EventOriginalUid',
  ]) {
    console.log(`  ${key.padEnd(20)} ${JSON.stringify(flood[key])}`)
  }
}

// The Sentinel analytics rules these rows would make fire. Watchpost's own (`watchpost rules`
// compiles the app's rules into them): the rules that fired in the app, on the same thresholds.
// Microsoft's built-in ASIM rules: their conditions evaluated on the rows, offline.
const rows = ASIM_SCHEMAS.flatMap((schema) =>
  emulator.store
    .rows({ table: ASIM_PROJECTIONS[schema].table })
    .map((row) => ({ projection: { schema }, row })),
)
const config = loadConfig({}, { env: { ...process.env, ...emulator.env } })
const names = sentinelRuleNames(resolveRules(config), 'asim')
const fired = new Set(
  rows.filter(({ row }) => FIRING_EVENTS.includes(row.EventOriginalType)).map(({ row }) => row.RuleName),
)
console.log('\nSentinel analytics rules whose conditions these events meet:')
for (const id of fired) console.log(`  ${names.get(id) ?? id}   (Watchpost's, from \`watchpost rules\`)`)
for (const { rule, hits } of matchBuiltinAsimRules(rows))
  console.log(`  ${rule.name}   (Microsoft's, built in: ${hits.length} alert${hits.length === 1 ? '' : 's'})`)
await emulator.close()
process.exitCode = code ?? 1
