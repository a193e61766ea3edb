// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax, not a template
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { EXAMPLE_YAML } from '../scripts/config-docs.js'
import { dirWith } from './config-fixtures.js'

// The BUILT package, as apps load it: the configuration's validator was generated at build time,
// so nothing in core may need `eval` or `new Function` when an app starts.
const pkgDir = fileURLToPath(new URL('..', import.meta.url))

/** Runs an ESM snippet in plain Node (from packages/core, so `@watchpost/core` resolves) with code generation off. */
function runWithoutCodegen(source: string, args: string[]): string {
  return execFileSync(
    process.execPath,
    ['--disallow-code-generation-from-strings', '--input-type=module', '-e', source, ...args],
    { cwd: pkgDir, encoding: 'utf8', timeout: 30_000 },
  )
}

/** The last line the child printed (the console sink of the example writes JSON lines before it). */
const result = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) as string)

describe('no code generation from strings', () => {
  test('the flag is in effect in the child: new Function throws', () => {
    const out = result(
      runWithoutCodegen(
        `try { new Function('return 1'); console.log('"allowed"') } catch (err) { console.log(JSON.stringify(err.name)) }`,
        [],
      ),
    )
    assert.equal(out, 'EvalError')
  })

  test('imports @watchpost/core, loads a full configuration file and creates an instance', () => {
    const full = `${EXAMPLE_YAML}  - type: webhook
    url: https://127.0.0.1:9/hooks/watchpost
    secret: \${WEBHOOK_SECRET}
    headers: [{ name: x-api-key, value: "\${SOAR_API_KEY}" }]
delivery: { concurrency: 2 }
`
    const cwd = dirWith({ 'watchpost.config.yaml': full })
    const env = {
      WATCHPOST_HASH_KEY: 'a-key-of-at-least-16-characters',
      WEBHOOK_SECRET: 'another-16-char-secret',
      SOAR_API_KEY: 'k',
      PORT: '8080',
    }
    const child = `
      import { createRequire } from 'node:module'
      import { createWatchpost, DEFAULTS } from '@watchpost/core'
      const [cwd, env] = [process.argv[1], JSON.parse(process.argv[2])]
      const wp = createWatchpost({}, { cwd, env })
      const { config } = wp
      await wp.close()
      console.log(JSON.stringify({
        port: config.app.port,
        sinks: config.sinks.map((s) => s.type),
        rules: config.rules.map((r) => r.id),
        webhookTimeout: config.sinks[2].timeoutMs,
        threshold: config.detectors.notFound.threshold,
        defaultsQueue: DEFAULTS.queue.maxEvents,
        // Ajv is CommonJS: what of it was loaded shows in the require cache.
        ajv: Object.keys(createRequire(import.meta.url).cache)
          .filter((file) => file.includes('/node_modules/ajv/'))
          .map((file) => file.slice(file.indexOf('/node_modules/ajv/') + '/node_modules/ajv/'.length)),
      }))`
    const out = result(runWithoutCodegen(child, [cwd, JSON.stringify(env)]))
    assert.deepEqual(out, {
      port: 8080,
      sinks: ['console', 'file', 'webhook'],
      rules: ['watchpost.credential-stuffing', 'orders.refund-burst'],
      webhookTimeout: 10_000,
      threshold: 15,
      defaultsQueue: 10_000,
      ajv: ['dist/runtime/ucs2length.js'], // its run-time helper, never its compiler
    })
  })
})
