import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

// These tests load the BUILT package through its `exports` map, as users do (turbo runs `build` before `test`).
const pkgDir = fileURLToPath(new URL('..', import.meta.url))
const built = join(pkgDir, 'dist', 'index.js')

function run(file: string): string {
  return execFileSync(process.execPath, [file], { cwd: pkgDir, encoding: 'utf8', timeout: 30_000 })
}

describe('package exports', () => {
  test('the package is built (dist/index.js and dist/index.d.ts)', () => {
    assert.ok(existsSync(built), `${built} missing: run \`npm run build\` first`)
    assert.ok(existsSync(join(pkgDir, 'dist', 'index.d.ts')))
  })

  test("require('@watchpost/core') works from CommonJS on this Node", () => {
    const dir = mkdtempSync(join(tmpdir(), 'watchpost-cjs-'))
    const file = join(dir, 'app.cjs')
    writeFileSync(
      file,
      `const path = require.resolve('@watchpost/core', { paths: [${JSON.stringify(pkgDir)}] })
       const core = require(path)
       const wp = core.createWatchpost({ config: false, sinks: [] })
       const e = wp.events.authn.loginFail({ userId: 'bob' })
       console.log(JSON.stringify({ type: typeof core.createWatchpost, name: e.EventOriginalType, path }))
       wp.close()`,
    )
    const out = JSON.parse(run(file))
    assert.equal(out.type, 'function')
    assert.equal(out.name, 'authn_login_fail')
    assert.equal(out.path, built, 'resolved through the exports map to the built ESM entry')
  })

  test("import '@watchpost/core' works from ESM, and the JSON schemas are exported", () => {
    const file = join(pkgDir, 'test', `.esm-probe-${process.pid}.mjs`)
    writeFileSync(
      file,
      `import { createWatchpost, CATALOGUE } from '@watchpost/core'
       import { createRequire } from 'node:module'
       const require = createRequire(import.meta.url)
       const schema = require('@watchpost/core/schema/config.schema.json')
       const event = require('@watchpost/core/schema/event.schema.json')
       console.log(JSON.stringify({ fn: typeof createWatchpost, ns: Object.keys(CATALOGUE).length, s: schema.title, e: event.title }))`,
    )
    try {
      const out = JSON.parse(run(file))
      assert.equal(out.fn, 'function')
      assert.ok(out.ns > 10)
      assert.equal(out.s, 'Watchpost configuration')
      assert.equal(out.e, 'Watchpost security event')
    } finally {
      execFileSync('rm', ['-f', file])
    }
  })
})

/**
 * The names each entry point exports at run time, pinned: a name added to or dropped from the
 * public API is a decision, so it must show up here (and in the docs) rather than by accident.
 */
const ENTRY_POINTS: Readonly<Record<string, readonly string[]>> = {
  '@watchpost/core': [
    'CATALOGUE',
    'CONFIG_FILE_NAMES',
    'ConfigError',
    'DEFAULTS',
    'ERRORS',
    'WARNINGS',
    'WatchpostError',
    'WatchpostTypeError',
    'createWatchpost',
    'currentContext',
    'findConfigFile',
    'loadConfig',
    'validateConfig',
    'verifyWebhookSignature',
  ],
  '@watchpost/core/sdk': [
    'ASIM_PROJECTIONS',
    'ASIM_SCHEMAS',
    'CUSTOM_COLUMNS',
    'CUSTOM_STREAM',
    'CUSTOM_TABLE',
    'DEFAULT_RULES',
    'DeliveryError',
    'ENGINE_EVENTS',
    'FIRING_EVENTS',
    'MemoryStateStore',
    'batchOf',
    'blockKey',
    'compileOriginCheck',
    'createAdapterCore',
    'createHttpPool',
    'dcrStreams',
    'createSpool',
    'kContext',
    'kOwner',
    'observeClientErrors',
    'projectToAsim',
    'propertyStore',
    'readCa',
    'registerSinkType',
    'resolveRules',
    'retryAfterMs',
    'secureContextWithCa',
    'statusError',
    'takesColour',
    'toDeliveryError',
    'warnOnce',
  ],
  '@watchpost/core/testing': ['MemoryStore', 'clientHangUps', 'createDeliverySink', 'hangUp'],
}

describe('public API: the names of each entry point', () => {
  for (const [entry, names] of Object.entries(ENTRY_POINTS)) {
    test(`${entry} exports exactly the pinned names`, () => {
      const file = join(pkgDir, 'test', `.names-probe-${process.pid}.mjs`)
      writeFileSync(file, `console.log(JSON.stringify(Object.keys(await import('${entry}')).sort()))`)
      try {
        assert.deepEqual(JSON.parse(run(file)), [...names].sort())
      } finally {
        execFileSync('rm', ['-f', file])
      }
    })
  }

  test('the Watchpost instance an app gets has exactly its documented members', async () => {
    const { createWatchpost } = await import('../src/index.js')
    const wp = createWatchpost({ config: false, sinks: [] })
    try {
      assert.deepEqual(Object.keys(wp).sort(), [
        'close',
        'config',
        'context',
        'createJwtVerifier',
        'emit',
        'events',
        'flush',
        'health',
        'metrics',
        'record',
        'request',
        'rules',
        'stats',
      ])
    } finally {
      await wp.close()
    }
  })
})
