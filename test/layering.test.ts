/**
 * `npm run lint:layers` (dependency-cruiser with .dependency-cruiser.cjs) must pass on the tree and
 * fail on a planted import cycle and on a planted import from a higher layer.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const src = join(root, 'packages', 'core', 'src')

function lintLayers(): { status: number | null; out: string } {
  const result = spawnSync('npm', ['run', '--silent', 'lint:layers'], { cwd: root, encoding: 'utf8' })
  return { status: result.status, out: `${result.stdout}${result.stderr}` }
}

/** Writes `files` into core's src for the duration of `fn`. */
function planted(files: Record<string, string>, fn: () => void): void {
  const paths = Object.keys(files).map((name) => join(src, name))
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(src, name), text)
    fn()
  } finally {
    for (const path of paths) rmSync(path, { force: true })
  }
}

describe('layering (dependency-cruiser)', () => {
  test('the tree passes', () => {
    const { status, out } = lintLayers()
    assert.equal(status, 0, out)
  })

  test('a planted import cycle fails it', () => {
    planted(
      {
        'planted-cycle-a.ts': "import { b } from './planted-cycle-b.js'\nexport const a = () => b\n",
        'planted-cycle-b.ts': "import { a } from './planted-cycle-a.js'\nexport const b = () => a\n",
      },
      () => {
        const { status, out } = lintLayers()
        assert.notEqual(status, 0)
        assert.match(out, /no-circular/)
      },
    )
  })

  test('a planted import from a higher layer fails it', () => {
    planted({ 'schema/planted-upward.ts': "export { assemble } from '../instance/assemble.js'\n" }, () => {
      const { status, out } = lintLayers()
      assert.notEqual(status, 0)
      assert.match(out, /core-layer-2/)
    })
  })
})
