#!/usr/bin/env node
/**
 * `watchpost-emulator`: starts the emulator and prints where it is and the env lines that point an
 * app at it. Stops on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startEmulator } from './emulator.js'
import type { EmulatorOptions, FaultConfig, ValidationMode } from './types.js'

const USAGE = `Usage: watchpost-emulator [options]

  --port <n>        port to listen on (default 8443; 0 = any free port)
  --host <addr>     address to listen on (default 127.0.0.1)
  --tls-dir <dir>   CA, certificate and token key directory (default .watchpost/emulator/tls)
  --db <file>       SQLite file for accepted rows (default: in memory)
  --mode <m>        strict | lenient: undeclared columns are a 400 or dropped (default strict)
  --dcr <file>      DCR JSON (ARM body or its properties) instead of the generated default
  --faults <json>   initial faults, e.g. '{"throttle":{"share":0.5}}'
  --json            print the details as one JSON line instead of text
  -h, --help        this text
`

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8443' },
      host: { type: 'string' },
      'tls-dir': { type: 'string' },
      db: { type: 'string' },
      mode: { type: 'string' },
      dcr: { type: 'string' },
      faults: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(USAGE)
    return
  }
  const options: EmulatorOptions = {
    port: Number(values.port),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values['tls-dir'] === undefined ? {} : { tlsDir: values['tls-dir'] }),
    ...(values.db === undefined ? {} : { dbPath: values.db }),
    ...(values.mode === undefined ? {} : { mode: values.mode as ValidationMode }),
    ...(values.dcr === undefined ? {} : { dcr: JSON.parse(readFileSync(values.dcr, 'utf8')) }),
    ...(values.faults === undefined ? {} : { faults: JSON.parse(values.faults) as FaultConfig }),
  }
  const emulator = await startEmulator(options)
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({
        url: emulator.url,
        caPath: emulator.caPath,
        tenantId: emulator.tenantId,
        clientId: emulator.clientId,
        clientSecret: emulator.clientSecret,
        dcrImmutableId: emulator.dcrImmutableId,
        streams: Object.keys(emulator.streams),
        env: emulator.env,
      })}\n`,
    )
  } else {
    const lines = [
      `Watchpost emulator listening on ${emulator.url}`,
      `  CA certificate   ${emulator.caPath}`,
      `  tenant id        ${emulator.tenantId}`,
      `  client id        ${emulator.clientId}`,
      `  client secret    ${emulator.clientSecret}`,
      `  DCR immutable id ${emulator.dcrImmutableId}`,
      `  mode             ${emulator.mode}`,
      `  streams          ${Object.entries(emulator.streams)
        .map(([name, s]) => `${name} -> ${s.tables.join(', ')}`)
        .join('\n                   ')}`,
      '',
      '# env for the app (NODE_EXTRA_CA_CERTS must be set before the app starts;',
      '# pass disableInstanceDiscovery: true to the credential; IDENTITY_* are for ManagedIdentityCredential)',
      ...Object.entries(emulator.env).map(([k, v]) => `${k}=${v}`),
      '',
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  }
  const stop = () => {
    void emulator.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((err: unknown) => {
  process.stderr.write(`watchpost-emulator: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
})
