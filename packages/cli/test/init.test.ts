import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { loadConfig } from '@watchpost/core'
import { run, tempDir } from './support/cli.js'

describe('watchpost init', () => {
  for (const framework of ['fastify', 'express'] as const) {
    it(`detects ${framework} from package.json and writes a configuration core loads`, async () => {
      const { dir, remove } = tempDir()
      try {
        writeFileSync(
          join(dir, 'package.json'),
          JSON.stringify({ name: '@shop/api', dependencies: { [framework]: '^5.0.0' } }),
        )
        const result = await run(['init'], { cwd: dir })
        assert.equal(result.code, 0, result.stderr)
        assert.match(result.stdout, new RegExp(`Wrote watchpost\\.config\\.yaml \\(${framework}\\)`))
        assert.match(result.stdout, new RegExp(`@watchpost/${framework}`))
        assert.match(
          result.stdout,
          framework === 'fastify' ? /app\.register\(watchpost\)/ : /app\.use\(watchpost\(\)\)/,
        )
        const file = join(dir, 'watchpost.config.yaml')
        const text = readFileSync(file, 'utf8')
        assert.match(text, /# - type: sentinel/, 'a commented sentinel sink')
        const config = loadConfig({ config: file }, { cwd: dir, env: {} })
        assert.equal(config.app.name, '@shop/api')
        assert.equal(config.mode, 'monitor')
        assert.equal(config.trustProxy, false)
        assert.deepEqual(
          config.sinks.map((s) => s.type),
          ['file'],
        )
        assert.equal(config.routes[0]?.match, '/health')
      } finally {
        remove()
      }
    })
  }

  it('refuses to overwrite without --force, overwrites with it', async () => {
    const { dir, remove } = tempDir()
    try {
      const file = join(dir, 'custom.yaml')
      writeFileSync(file, 'mode: protect\n')
      const refused = await run(['init', '--framework', 'express', '--out', 'custom.yaml'], { cwd: dir })
      assert.equal(refused.code, 1)
      assert.match(refused.stderr, /custom\.yaml exists already; pass --force/)
      assert.equal(readFileSync(file, 'utf8'), 'mode: protect\n')
      assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace')

      const forced = await run(
        ['--json', 'init', '--framework', 'express', '--out', 'custom.yaml', '--force'],
        {
          cwd: dir,
        },
      )
      assert.equal(forced.code, 0, forced.stderr)
      const doc = JSON.parse(forced.stdout) as { file: string; framework: string; next: string[] }
      assert.equal(doc.file, file)
      assert.equal(doc.framework, 'express')
      assert.ok(doc.next.some((line) => line.includes('app.use(watchpost())')))
      assert.equal(loadConfig({ config: file }, { cwd: dir, env: {} }).app.name, 'app')
    } finally {
      remove()
    }
  })

  it('asks for --framework when package.json names neither or both, exit 2', async () => {
    const { dir, remove } = tempDir()
    try {
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ dependencies: { fastify: '5', express: '5' } }),
      )
      const result = await run(['init'], { cwd: dir })
      assert.equal(result.code, 2)
      assert.match(result.stderr, /pass --framework fastify or --framework express/)
      const wrong = await run(['init', '--framework', 'koa'], { cwd: dir })
      assert.equal(wrong.code, 2)
      assert.match(wrong.stderr, /Allowed choices are fastify, express/)
    } finally {
      remove()
    }
  })
})
