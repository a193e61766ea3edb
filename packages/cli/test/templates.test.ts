/**
 * `watchpost templates`, through the real bin (bin/watchpost.js → dist/main.js; build the package
 * first): the files it writes are the renderings of @watchpost/sentinel/content, an existing file is
 * overwritten only with --force, a bad option value is a usage error, and --json prints one document.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { armParameters, armTemplate, bicepTemplate } from '@watchpost/sentinel/content'
import { run } from './support/cli.js'

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url))

const watchpost = (cwd: string, ...args: string[]) => run(args, { cwd })

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>

describe('watchpost templates', () => {
  let cwd: string
  before(() => {
    assert.ok(existsSync(MAIN), 'build the CLI first: npm run build -w packages/cli')
    cwd = mkdtempSync(join(tmpdir(), 'wp-cli-templates-'))
  })
  after(() => rmSync(cwd, { recursive: true, force: true }))

  test('writes the Bicep, the ARM JSON and the parameters file, and prints how to deploy them', async () => {
    const run = await watchpost(cwd, 'templates', '--out', 'infra')
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(readdirSync(join(cwd, 'infra')).sort(), [
      'watchpost.bicep',
      'watchpost.json',
      'watchpost.parameters.json',
    ])
    assert.equal(readFileSync(join(cwd, 'infra/watchpost.bicep'), 'utf8'), bicepTemplate())
    assert.deepEqual(readJson(join(cwd, 'infra/watchpost.json')), armTemplate())
    assert.deepEqual(readJson(join(cwd, 'infra/watchpost.parameters.json')), armParameters('asim'))
    for (const file of ['watchpost.bicep', 'watchpost.json', 'watchpost.parameters.json'])
      assert.ok(run.stdout.includes(join('infra', file)), `lists ${file}`)
    assert.match(run.stdout, /az deployment group create --resource-group <resource-group> --name watchpost/)
    assert.match(
      run.stdout,
      /--template-file infra\/watchpost\.bicep --parameters @infra\/watchpost\.parameters\.json/,
    )
    assert.match(run.stdout, /--query properties\.outputs\.watchpostConfig\.value -o tsv/)
  })

  test('an existing file is kept (exit 1) unless --force', async () => {
    const out = join(cwd, 'again')
    assert.equal((await watchpost(cwd, 'templates', '--out', 'again', '--format', 'bicep')).code, 0)
    writeFileSync(join(out, 'watchpost.bicep'), '// mine\n')

    const refused = await watchpost(cwd, 'templates', '--out', 'again', '--format', 'bicep')
    assert.equal(refused.code, 1)
    assert.match(
      refused.stderr,
      /again\/watchpost\.bicep, again\/watchpost\.parameters\.json already exist; nothing was written \(--force overwrites\)/,
    )
    assert.equal(readFileSync(join(out, 'watchpost.bicep'), 'utf8'), '// mine\n')

    const forced = await watchpost(cwd, 'templates', '--out', 'again', '--format', 'bicep', '--force')
    assert.equal(forced.code, 0, forced.stderr)
    assert.equal(readFileSync(join(out, 'watchpost.bicep'), 'utf8'), bicepTemplate())
  })

  test('a bad or missing option value is a usage error (exit 2) and writes nothing', async () => {
    for (const args of [
      ['--out', 'bad', '--tables', 'both'],
      ['--out', 'bad', '--format', 'terraform'],
      ['--tables', 'asim'],
    ]) {
      const run = await watchpost(cwd, 'templates', ...args)
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`)
      assert.match(run.stderr, /error: (option|required option)/)
      assert.equal(existsSync(join(cwd, 'bad')), false)
    }
  })

  test('--json prints the files and the commands; the custom mode and ARM only', async () => {
    const run = await watchpost(
      cwd,
      '--json',
      'templates',
      '--out',
      'arm',
      '--format',
      'arm',
      '--tables',
      'custom',
    )
    assert.equal(run.code, 0, run.stderr)
    const result = JSON.parse(run.stdout) as Record<string, unknown>
    assert.deepEqual(result.files, [join('arm', 'watchpost.json'), join('arm', 'watchpost.parameters.json')])
    assert.equal(result.ok, true)
    assert.equal(result.tables, 'custom')
    assert.equal(result.format, 'arm')
    const commands = result.commands as { deploy: string; config: string }
    assert.match(
      commands.deploy,
      /^az deployment group create .* --template-file arm\/watchpost\.json --parameters @arm\/watchpost\.parameters\.json --parameters workspaceName=<workspace-name> principalId=<app-identity-object-id>$/,
    )
    assert.match(commands.config, /^az deployment group show .* -o tsv$/)
    assert.equal(existsSync(join(cwd, 'arm/watchpost.bicep')), false)
    assert.deepEqual(readJson(join(cwd, 'arm/watchpost.parameters.json')), armParameters('custom'))

    const again = await watchpost(cwd, '--json', 'templates', '--out', 'arm', '--format', 'arm')
    assert.equal(again.code, 1)
    const failure = JSON.parse(again.stdout) as { ok: boolean; error: string; detail: { existing: string[] } }
    assert.equal(failure.ok, false)
    assert.deepEqual(failure.detail.existing, result.files)
  })
})
