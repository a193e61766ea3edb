/**
 * `type: sentinel` is created by `@watchpost/sentinel`, which core loads only when such a sink is
 * configured (core never depends on the Azure packages). Each case runs core in a sandbox whose
 * node_modules either lacks the package or holds a stand-in that registers a `sentinel` sink type, in a
 * child process, so that the monorepo's own `@watchpost/sentinel` cannot be found.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const coreDir = fileURLToPath(new URL('..', import.meta.url))
const rootModules = fileURLToPath(new URL('../../../node_modules', import.meta.url))

const SINK = {
  type: 'sentinel',
  endpoint: 'https://127.0.0.1:8443',
  dcrImmutableId: 'dcr-00000000000000000000000000000000',
}

/** Runs `createWatchpost` with one sentinel sink in the sandbox; prints what happened as JSON. */
function run(sandbox: string): Record<string, unknown> {
  const script = `
    import { createWatchpost } from './core/src/index.ts'
    try {
      const wp = createWatchpost({ config: false, sinks: [${JSON.stringify(SINK)}] })
      wp.record('authz_fail', { userId: 'u', resource: '/admin' })
      await wp.close()
      console.log(JSON.stringify({ sinks: wp.stats().sinks, received: globalThis.__sentinelConfig, sent: globalThis.__sentinelSent }))
    } catch (err) {
      console.log(JSON.stringify({ code: err.code, message: err.message }))
    }`
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: sandbox,
    encoding: 'utf8',
  })
  return JSON.parse(out.trim().split('\n').at(-1) as string)
}

/** Puts a stand-in `@watchpost/sentinel` whose entry module is `indexJs` into the sandbox. */
function installStandIn(sandbox: string, indexJs: string): void {
  const pkg = join(sandbox, 'node_modules', '@watchpost', 'sentinel')
  mkdirSync(pkg, { recursive: true })
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({
      name: '@watchpost/sentinel',
      type: 'module',
      exports: { '.': './index.js', './package.json': './package.json' },
    }),
  )
  writeFileSync(join(pkg, 'index.js'), indexJs)
}

describe('loading @watchpost/sentinel for type: sentinel', () => {
  let sandbox: string
  before(() => {
    sandbox = mkdtempSync(join(tmpdir(), 'watchpost-sentinel-loader-'))
    // A copy of core (not a symlink: Node would resolve it back into the monorepo) and links to
    // every dependency except the @watchpost packages.
    cpSync(join(coreDir, 'src'), join(sandbox, 'core', 'src'), { recursive: true })
    cpSync(join(coreDir, 'package.json'), join(sandbox, 'core', 'package.json'))
    mkdirSync(join(sandbox, 'node_modules'))
    for (const name of readdirSync(rootModules)) {
      if (name === '@watchpost' || name.startsWith('.')) continue
      symlinkSync(join(rootModules, name), join(sandbox, 'node_modules', name))
    }
  })
  after(() => rmSync(sandbox, { recursive: true, force: true }))

  test('not installed: ERR_WATCHPOST_SINK_INVALID naming the install command', () => {
    const result = run(sandbox)
    assert.equal(result.code, 'ERR_WATCHPOST_SINK_INVALID')
    assert.match(String(result.message), /npm install @watchpost\/sentinel/)
  })

  test('installed but registering nothing: ERR_WATCHPOST_SINK_INVALID', () => {
    installStandIn(sandbox, 'export const nothing = 1\n')
    const result = run(sandbox)
    assert.equal(result.code, 'ERR_WATCHPOST_SINK_INVALID')
    assert.match(String(result.message), /did not register the sentinel sink type/)
  })

  test('installed: the sink type it registers gets the validated, defaulted options and is used', () => {
    installStandIn(
      sandbox,
      `import { registerSinkType } from '../../../core/src/sdk.ts'
      registerSinkType({ type: 'sentinel', kind: 'remote', destination(config) {
        globalThis.__sentinelConfig = config
        globalThis.__sentinelSent = 0
        return {
          name: 'sentinel:' + config.dcrImmutableId,
          maxRequestBytes: 1000000,
          prepare: (event) => ({ partition: 'p', row: event }),
          async send(batch) { globalThis.__sentinelSent += batch.count },
          async close() {},
        }
      } })\n`,
    )
    const result = run(sandbox)
    assert.deepEqual(result.received, {
      ...SINK,
      tables: 'asim',
      http: 'undici',
      credential: { type: 'default' },
    })
    assert.equal(result.sent, 1)
    assert.deepEqual(result.sinks, {
      [`sentinel:${SINK.dcrImmutableId}`]: { delivered: 1, failed: 0 },
    })
  })
})
