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

/**
 * What user docs must not mention: files outside the repository (`../shared/…`, design and style
 * notes), issue numbers, working sessions. History and reasoning belong in commit messages and
 * test/bench/NOTES.md.
 */
const FORBIDDEN: readonly { readonly pattern: RegExp; readonly why: string }[] = [
  {
    pattern: /(?:\.\.\/)+shared\/|(?:^|[\s`'"(])shared\/[\w-]+\//m,
    why: 'a file outside the repository (shared/)',
  },
  { pattern: /\bDESIGN\.md\b/, why: 'DESIGN.md, outside the repository' },
  { pattern: /\bSTYLE\.md\b/, why: 'STYLE.md, outside the repository' },
  { pattern: /\bissue[\s-]*#?\d+/i, why: 'an issue number' },
  { pattern: /\bsession[\s-]*#?\d+/i, why: 'a working session' },
]

/** `file:line: why` for every forbidden mention in `text`. */
function forbiddenMentions(file: string, text: string): string[] {
  const found: string[] = []
  text.split('\n').forEach((line, i) => {
    for (const { pattern, why } of FORBIDDEN) if (pattern.test(line)) found.push(`${file}:${i + 1}: ${why}`)
  })
  return found
}

test('docs and READMEs mention no outside files, issues or sessions', () => {
  const found = files.flatMap((file) => forbiddenMentions(file, readFileSync(file, 'utf8')))
  assert.deepEqual(found, [])
})

test('the wording check catches a planted mention', () => {
  for (const planted of [
    'The facts come from `shared/azure/logs-ingestion-api.md`.',
    'See ../shared/peers.md.',
    'Defaults follow DESIGN.md § Detection.',
    'Never by message (STYLE.md).',
    'Fixed for issue #12.',
    'What changed for issue 5.',
    'Session 4 figures',
    'the session-3 run below',
  ]) {
    assert.equal(forbiddenMentions('planted.md', `ok\n${planted}\n`).length, 1, planted)
  }
  for (const fine of ['`err.issues` lists every problem', 'session ids are hashed', 'ActorSessionId']) {
    assert.deepEqual(forbiddenMentions('fine.md', fine), [], fine)
  }
})
