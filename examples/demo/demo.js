// `npm run demo`: the whole job with no Azure account. Starts the local stand-in for Azure
// (@watchpost/emulator: the Logs Ingestion API and Entra ID over HTTPS), runs the attacked shop
// (shop.js) pointed at it — the real Azure clients, trusting the emulator's CA through
// NODE_EXTRA_CA_CERTS, which Node reads at start-up — then shows what landed in Sentinel's tables.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { startEmulator } from '@watchpost/emulator'

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
await emulator.close()
process.exitCode = code ?? 1
