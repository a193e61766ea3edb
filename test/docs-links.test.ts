// Every relative link in the README files and docs/ points at a file (and heading) that exists.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const files = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'docs')).map((f) => join(root, 'docs', f)),
  ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'README.md')),
].filter((f) => f.endsWith('.md') && existsSync(f))

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>()
  for (const line of markdown.split('\n')) {
    const m = /^#{1,6}\s+(.*)$/.exec(line)
    if (m)
      out.add(
        m[1]!
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, '')
          .replace(/ /g, '-'),
      )
  }
  return out
}

test('relative links in the docs resolve', () => {
  assert.ok(files.length >= 5)
  const broken: string[] = []
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!) || target!.startsWith('#')) continue
      const [path, hash] = target!.split('#')
      const abs = resolve(dirname(file), path!)
      if (!existsSync(abs)) broken.push(`${file}: ${target}`)
      else if (hash && abs.endsWith('.md') && !anchors(readFileSync(abs, 'utf8')).has(hash))
        broken.push(`${file}: ${target}`)
    }
  }
  assert.deepEqual(broken, [])
})
