// Every relative link in the README files and docs/ points at a file (and heading) that exists.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
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
 * What user docs must not mention: documents the repository does not hold (a mentioned `*.md`
 * that exists neither beside the doc nor from the repository's root), paths that climb out of the
 * repository, issue numbers, working sessions. History and reasoning belong in commit messages and
 * test/bench/NOTES.md.
 */
const WORDING: readonly { readonly pattern: RegExp; readonly why: string }[] = [
  { pattern: /\bissue[\s-]*#?\d+/i, why: 'an issue number' },
  { pattern: /\bsession[\s-]*#?\d+/i, why: 'a working session' },
]

/** Path-like mentions: `../x/y`, `dir/file.md`, `FILE.md` — not URLs, not package names. */
const PATH = /(?<![\w@/.:-])((?:\.\.?\/)*[\w-][\w./-]*)/g

/** `file:line: why` for every forbidden mention in `text`, `file` being where the text lives. */
function forbiddenMentions(file: string, text: string): string[] {
  const found: string[] = []
  const here = dirname(file)
  text.split('\n').forEach((line, i) => {
    for (const { pattern, why } of WORDING) if (pattern.test(line)) found.push(`${file}:${i + 1}: ${why}`)
    for (const [, token] of line.matchAll(PATH)) {
      const path = token!.replace(/[.,;:]+$/, '')
      const inside = (p: string) => !relative(root, p).startsWith('..')
      if (path.startsWith('..') && !inside(resolve(here, path)))
        found.push(`${file}:${i + 1}: ${path} climbs out of the repository`)
      else if (path.endsWith('.md') && !existsSync(resolve(here, path)) && !existsSync(resolve(root, path)))
        found.push(`${file}:${i + 1}: ${path} is not a document of this repository`)
    }
  })
  return found
}

test('docs and READMEs mention no outside files, issues or sessions', () => {
  const found = files.flatMap((file) => forbiddenMentions(file, readFileSync(file, 'utf8')))
  assert.deepEqual(found, [])
})

test('the wording check catches a planted mention', () => {
  const doc = join(root, 'docs', 'planted.md')
  for (const planted of [
    'The facts come from `outside/azure/ingestion-api.md`.',
    'See ../../elsewhere/peers.json.',
    'Defaults follow PLAN.md § Detection.',
    'Fixed for issue #12.',
    `What changed for issue ${5}.`,
    'Session 4 figures',
    'the session-3 run below',
  ]) {
    assert.equal(forbiddenMentions(doc, `ok\n${planted}\n`).length, 1, planted)
  }
  for (const fine of [
    '`err.issues` lists every problem',
    'session ids are hashed',
    'ActorSessionId',
    'see [pipeline](pipeline.md) and ../README.md',
    'the facts are in spec/azure/logs-ingestion-api.md',
    'https://learn.example/docs/overview.md',
  ]) {
    assert.deepEqual(forbiddenMentions(doc, fine), [], fine)
  }
})
