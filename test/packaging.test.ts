/**
 * The packages as a user gets them: every workspace is packed with `npm pack` (its prepack script
 * builds it), each tarball's contents are checked against its package.json, and the tarballs are
 * installed into a fresh app next to fastify and express from the registry (the npm cache first).
 * There a Fastify app and an Express app record an event into a file sink, every main entry is
 * imported, @watchpost/core is required from CommonJS, and the emulator's and the CLI's bins answer `--help`.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type PackageManifest, relativeSpecifiers, tarballProblems } from './support/packaging.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
const PACKAGES = ['core', 'fastify', 'express', 'sentinel', 'emulator', 'redis', 'cli'] as const

interface Manifest extends PackageManifest {
  readonly version: string
  readonly devDependencies?: Record<string, string>
}

const manifests = new Map(
  PACKAGES.map((dir) => [
    dir,
    JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest,
  ]),
)

/**
 * The parent `npm run` exports npm_config_* (its prefix among them: the repository root), which
 * would make the app's npm install into the repository instead of the app.
 */
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)))

function sh(command: string, args: readonly string[], cwd: string, timeout = 120_000) {
  return run(command, args, { cwd, env, timeout, maxBuffer: 16 * 1024 * 1024 })
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1)
}

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? walk(path, base) : [relative(base, path).split('\\').join('/')]
  })
}

function tarballName(manifest: Manifest): string {
  return `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`
}

function isProbe(event: Record<string, unknown>): boolean {
  return JSON.stringify(event).includes('/.env')
}

const FASTIFY_APP = `
import Fastify from 'fastify'
import watchpost from '@watchpost/fastify'

const app = Fastify()
await app.register(watchpost, { config: false, app: { name: 'packaging-fastify' }, sinks: [{ type: 'file', path: process.argv[2] }] })
app.get('/', async () => 'ok')
await app.listen({ port: 0, host: '127.0.0.1' })
const res = await fetch('http://127.0.0.1:' + app.server.address().port + '/.env')
await app.close()
console.log(res.status)
`

const EXPRESS_APP = `
import express from 'express'
import watchpost from '@watchpost/express'

const app = express()
const wp = watchpost({ config: false, app: { name: 'packaging-express' }, sinks: [{ type: 'file', path: process.argv[2] }] })
app.use(wp)
app.get('/', (_req, res) => res.send('ok'))
const server = await new Promise((resolve, reject) => {
  const s = app.listen(0, '127.0.0.1', (err) => (err ? reject(err) : resolve(s)))
})
wp.observe(server)
const res = await fetch('http://127.0.0.1:' + server.address().port + '/.env')
await new Promise((resolve) => server.close(resolve))
await wp.close()
console.log(res.status)
`

const IMPORT_ALL = `
const names = ${JSON.stringify(PACKAGES.map((dir) => manifests.get(dir)!.name))}
const entries = {}
for (const name of names) entries[name] = Object.keys(await import(name)).sort()
const core = await import('@watchpost/core')
console.log(JSON.stringify({ entries, catalogue: Object.keys(core.CATALOGUE).length }))
`

const REQUIRE_CORE = `
const core = require('@watchpost/core')
console.log(JSON.stringify({ keys: Object.keys(core).sort(), catalogue: Object.keys(core.CATALOGUE).length }))
`

describe('packed and installed packages', { timeout: 300_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'watchpost-packaging-'))
  const tarballs = join(work, 'tarballs')
  const app = join(work, 'app')
  const timings: string[] = []
  const started = performance.now()

  before(async () => {
    mkdirSync(tarballs)
    let since = performance.now()
    await sh(
      'npm',
      ['pack', ...PACKAGES.flatMap((dir) => ['-w', `packages/${dir}`]), '--pack-destination', tarballs],
      root,
    )
    timings.push(`npm pack (with prepack builds) ${seconds(since)} s`)

    mkdirSync(app)
    const dependencies: Record<string, string> = {
      fastify: manifests.get('fastify')!.devDependencies!.fastify!,
      express: manifests.get('express')!.devDependencies!.express!,
    }
    for (const dir of PACKAGES) {
      const manifest = manifests.get(dir)!
      dependencies[manifest.name] = `file:${join(tarballs, tarballName(manifest))}`
    }
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'watchpost-packaging-app',
        private: true,
        type: 'module',
        dependencies,
      }),
    )
    writeFileSync(join(app, 'fastify-app.js'), FASTIFY_APP)
    writeFileSync(join(app, 'express-app.js'), EXPRESS_APP)
    writeFileSync(join(app, 'import-all.js'), IMPORT_ALL)
    writeFileSync(join(app, 'require-core.cjs'), REQUIRE_CORE)
    since = performance.now()
    // --ignore-scripts: none of the Watchpost packages has an install script; the one skipped is
    // better-sqlite3's native build (minutes on a small machine), which only the emulator's store
    // needs when it opens, not its `--help` nor any import here.
    await sh(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        '--ignore-scripts',
        '--loglevel=error',
      ],
      app,
      180_000,
    )
    timings.push(`npm install ${seconds(since)} s`)
  })

  after(() => {
    timings.push(`total ${seconds(started)} s`)
    process.stdout.write(`packaging: ${timings.join(', ')}\n`)
    rmSync(work, { recursive: true, force: true })
  })

  test('each tarball holds what its package.json names, every file its code imports, and nothing else', async () => {
    const problems: string[] = []
    for (const dir of PACKAGES) {
      const manifest = manifests.get(dir)!
      const unpacked = join(work, 'unpacked', dir)
      mkdirSync(unpacked, { recursive: true })
      await sh('tar', ['-xzf', join(tarballs, tarballName(manifest)), '-C', unpacked], root)
      const files = walk(join(unpacked, 'package'))
      const sources = new Map(
        files
          .filter((f) => /\.(?:js|d\.ts)$/.test(f))
          .map((f) => [f, readFileSync(join(unpacked, 'package', f), 'utf8')] as const),
      )
      problems.push(...tarballProblems(manifest, files, sources))
      if (!files.some((f) => f.startsWith('dist/') && f.endsWith('.d.ts')))
        problems.push(`${manifest.name}: ships no type declarations`)
    }
    assert.deepEqual(problems, [])
  })

  /** Runs one of the app's servers, which requests /.env once; returns the events its file sink holds. */
  async function probe(script: string): Promise<Record<string, unknown>[]> {
    const events = join(work, `${script}.jsonl`)
    const { stdout } = await sh(process.execPath, [script, events], app)
    assert.equal(stdout.trim(), '404')
    return readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  }

  test('a Fastify app registering the plugin records a scanner probe into its file sink', async () => {
    const recorded = await probe('fastify-app.js')
    assert.ok(recorded.some(isProbe), `no event for /.env in ${JSON.stringify(recorded)}`)
  })

  test('an Express app using the middleware records a scanner probe into its file sink', async () => {
    const recorded = await probe('express-app.js')
    assert.ok(recorded.some(isProbe), `no event for /.env in ${JSON.stringify(recorded)}`)
  })

  test('every main entry imports as ESM, and @watchpost/core also loads through require()', async () => {
    const esm = JSON.parse((await sh(process.execPath, ['import-all.js'], app)).stdout) as {
      entries: Record<string, string[]>
      catalogue: number
    }
    for (const dir of PACKAGES) {
      const name = manifests.get(dir)!.name
      assert.ok((esm.entries[name] ?? []).length > 0, `${name} exports nothing`)
    }
    assert.ok(esm.catalogue > 10, 'the event catalogue loads')
    const cjs = JSON.parse((await sh(process.execPath, ['require-core.cjs'], app)).stdout) as {
      keys: string[]
      catalogue: number
    }
    assert.deepEqual(cjs.keys, esm.entries['@watchpost/core'])
    assert.equal(cjs.catalogue, esm.catalogue)
  })

  test('the emulator bin runs through npx from the app', async () => {
    const { stdout } = await sh('npx', ['--no-install', 'watchpost-emulator', '--help'], app)
    assert.match(stdout, /^Usage: watchpost-emulator/)
    assert.match(stdout, /--port <n>/)
  })

  test('the watchpost bin runs through npx from the app', async () => {
    const { stdout } = await sh('npx', ['--no-install', 'watchpost', '--help'], app)
    assert.match(stdout, /^Usage: watchpost /)
  })
})

describe('tarball checks', () => {
  const manifest: PackageManifest = {
    name: 'pkg',
    main: './dist/index.js',
    types: './dist/index.d.ts',
    bin: { pkg: './bin/pkg.js' },
    exports: {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './schema/a.schema.json': './schema/a.schema.json',
      './package.json': './package.json',
    },
  }
  const complete = [
    'package.json',
    'README.md',
    'LICENSE',
    'bin/pkg.js',
    'schema/a.schema.json',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/util/a.js',
    'dist/util/a.d.ts',
  ]
  const sources = new Map([
    ['dist/index.js', "import './util/a.js'\nexport { a } from './util/a.js'\n"],
    ['dist/index.d.ts', "export { a } from './util/a.js';\nexport type B = import('./util/a.js').B;\n"],
    ['bin/pkg.js', "await import('../dist/index.js')\n"],
  ])
  const without = (file: string) => complete.filter((f) => f !== file)

  test('a complete tarball passes', () => {
    assert.deepEqual(tarballProblems(manifest, complete, sources), [])
  })

  test('the relative specifiers of compiled code are found in each import form', () => {
    assert.deepEqual(relativeSpecifiers(sources.get('dist/index.d.ts')!), ['./util/a.js', './util/a.js'])
    assert.deepEqual(relativeSpecifiers("import x from 'fastify'\nimport '../y.js'\n"), ['../y.js'])
  })

  test('a file that package.json names but the tarball lacks is reported', () => {
    assert.deepEqual(tarballProblems(manifest, without('schema/a.schema.json'), sources), [
      'pkg: package.json names schema/a.schema.json, which does not ship',
    ])
    assert.deepEqual(tarballProblems(manifest, without('LICENSE'), sources), [
      'pkg: package.json names LICENSE, which does not ship',
    ])
  })

  test('a module or declaration that shipped code imports but the tarball lacks is reported', () => {
    assert.deepEqual(tarballProblems(manifest, without('dist/util/a.js'), sources), [
      'pkg: dist/index.js imports ./util/a.js, which does not ship',
      'pkg: dist/index.js imports ./util/a.js, which does not ship',
    ])
    assert.deepEqual(tarballProblems(manifest, without('dist/util/a.d.ts'), sources), [
      'pkg: dist/index.d.ts imports ./util/a.js, which does not ship',
      'pkg: dist/index.d.ts imports ./util/a.js, which does not ship',
    ])
  })

  test('source maps, build info, tests and sources are junk, and so is a pointer to a missing map', () => {
    const junk = [
      'dist/index.js.map',
      'dist/index.d.ts.map',
      'tsconfig.tsbuildinfo',
      'dist/a.test.js',
      'src/index.ts',
    ]
    assert.deepEqual(
      tarballProblems(manifest, [...complete, ...junk], sources),
      junk.map((file) => `pkg: ships ${file}`),
    )
    const mapped = new Map([['dist/util/a.js', 'export const a = 1\n//# sourceMappingURL=a.js.map\n']])
    assert.deepEqual(tarballProblems(manifest, complete, mapped), [
      'pkg: dist/util/a.js points at a source map, which does not ship',
    ])
  })
})
