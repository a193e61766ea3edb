import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { cleanEnv, type RunResult, run, tempDir } from './support/cli.js'

interface ValidateDoc {
  valid: boolean
  file: string | null
  problems: Array<{ path: string; line: number | null; column: number | null; message: string }>
  warnings: Array<{ code: string; message: string }>
}

describe('watchpost validate', () => {
  let tmp: ReturnType<typeof tempDir>
  before(() => {
    tmp = tempDir()
  })
  after(() => tmp.remove())

  function file(name: string, content: string | Buffer): string {
    writeFileSync(join(tmp.dir, name), content)
    return name
  }
  const validate = (...args: string[]) => run(['validate', ...args], { cwd: tmp.dir })
  const validateJson = async (...args: string[]): Promise<{ result: RunResult; doc: ValidateDoc }> => {
    const result = await run(['--json', 'validate', ...args], { cwd: tmp.dir })
    return { result, doc: JSON.parse(result.stdout) as ValidateDoc }
  }
  /** One clear message, never a stack trace. */
  function assertClean(result: RunResult): void {
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at .+:\d+:\d+/)
  }

  it('a valid file: exit 0 and a one-line summary', async () => {
    file('ok.yaml', 'app:\n  name: shop\nmode: monitor\nsinks:\n  - type: file\n    path: logs/e.jsonl\n')
    const result = await validate('ok.yaml')
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'valid ok.yaml: app shop, mode monitor, sinks file, 0 rule(s) of its own\n')
    const { doc } = await validateJson('ok.yaml')
    assert.deepEqual(doc, { valid: true, file: join(tmp.dir, 'ok.yaml'), problems: [], warnings: [] })
  })

  it('prints the warnings of a valid but suspicious file', async () => {
    file('warn.yaml', 'trustProxy: true\n')
    const result = await validate('warn.yaml')
    assert.equal(result.code, 0)
    assert.match(result.stdout, /^warning WATCHPOST_W001: .*trustProxy: true/m)
    assert.match(result.stdout, /valid warn\.yaml: .*1 warning\(s\)/)
    assert.equal(result.stderr, '', 'not printed a second time by Node')
    const { doc } = await validateJson('warn.yaml')
    assert.equal(doc.valid, true)
    assert.deepEqual(
      doc.warnings.map((w) => w.code),
      ['WATCHPOST_W001'],
    )
  })

  it('unknown options (with did-you-mean) and wrong types: every problem with path, line and reason', async () => {
    file('bad.yaml', 'mode: monitr\ntrustProxi: 1\ndetectors:\n  notFound:\n    threshold: ten\n')
    const result = await validate('bad.yaml')
    assert.equal(result.code, 1)
    assertClean(result)
    assert.match(
      result.stdout,
      /^error bad\.yaml:1:7: mode: expected one of "monitor", "protect", got "monitr"; did you mean "monitor"\?$/m,
    )
    assert.match(
      result.stdout,
      /^error bad\.yaml:2:\d+: trustProxi: unknown option; did you mean "trustProxy"\?$/m,
    )
    assert.match(
      result.stdout,
      /^error bad\.yaml:5:16: detectors\.notFound\.threshold: expected a positive integer, got "ten"$/m,
    )
    assert.match(result.stdout, /bad\.yaml is not valid: 3 problem\(s\)/)
    const { result: jsonResult, doc } = await validateJson('bad.yaml')
    assert.equal(jsonResult.code, 1)
    assert.equal(doc.valid, false)
    assert.deepEqual(
      doc.problems.map((p) => [p.path, p.line]),
      [
        ['mode', 1],
        ['trustProxi', 2],
        ['detectors.notFound.threshold', 5],
      ],
    )
    assert.equal(doc.problems[2]?.column, 16)
  })

  it('YAML indented with tabs', async () => {
    file('tabs.yaml', 'sinks:\n\t- type: file\n')
    const result = await validate('tabs.yaml')
    assert.equal(result.code, 1)
    assertClean(result)
    assert.match(result.stdout, /^error tabs\.yaml:2:1: Tabs are not allowed as indentation$/m)
    const { doc } = await validateJson('tabs.yaml')
    assert.deepEqual(doc.problems[0], {
      path: '',
      line: 2,
      column: 1,
      message: 'Tabs are not allowed as indentation',
    })
  })

  it('duplicate keys', async () => {
    file('dup.yaml', 'mode: monitor\nmode: protect\n')
    const result = await validate('dup.yaml')
    assert.equal(result.code, 1)
    assertClean(result)
    assert.match(result.stdout, /^error dup\.yaml:2:1: duplicate key \(map keys must be unique\)$/m)
  })

  it('broken JSON', async () => {
    file('broken.json', '{"mode": "monitor",}')
    const { result, doc } = await validateJson('broken.json')
    assert.equal(result.code, 1)
    assert.equal(doc.problems.length, 1)
    assert.equal(doc.problems[0]?.line, 1)
    assert.match(doc.problems[0]?.message ?? '', /property name/)
  })

  it('a file that is not YAML or JSON', async () => {
    file('words.txt', 'just some words\n')
    const text = await validate('words.txt')
    assert.equal(text.code, 1)
    assert.match(text.stdout, /^error words\.txt:1:1: expected a mapping of options, got "just some words"$/m)
    file('binary.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff]))
    const binary = await validate('binary.yaml')
    assert.equal(binary.code, 1)
    assertClean(binary)
    assert.match(binary.stdout, /^error binary\.yaml: not a YAML or JSON file: it holds binary data$/m)
    const { doc } = await validateJson('binary.yaml')
    assert.deepEqual(doc.problems, [
      { path: '', line: null, column: null, message: 'not a YAML or JSON file: it holds binary data' },
    ])
  })

  it('a missing file: one message, exit 1', async () => {
    const result = await validate('nope.yaml')
    assert.equal(result.code, 1)
    assert.equal(result.stderr, `watchpost: ${join(tmp.dir, 'nope.yaml')} does not exist\n`)
    const { result: json, doc } = await validateJson('nope.yaml')
    assert.equal(json.code, 1)
    assert.deepEqual(doc, {
      valid: false,
      file: join(tmp.dir, 'nope.yaml'),
      problems: [
        { path: '', line: null, column: null, message: `${join(tmp.dir, 'nope.yaml')} does not exist` },
      ],
      warnings: [],
    })
  })

  it('without a file: the lookup core does (WATCHPOST_CONFIG, then watchpost.config.* here)', async () => {
    const { dir, remove } = tempDir()
    try {
      const none = await run(['validate'], { cwd: dir })
      assert.equal(none.code, 1)
      assert.match(
        none.stderr,
        /no configuration file here: looked for watchpost\.config\.yaml, watchpost\.config\.yml, watchpost\.config\.json/,
      )
      const noneJson = await run(['--json', 'validate'], { cwd: dir })
      assert.equal(noneJson.code, 1)
      const noneDoc = JSON.parse(noneJson.stdout) as ValidateDoc
      assert.equal(noneDoc.valid, false)
      assert.equal(noneDoc.file, null)
      assert.match(noneDoc.problems[0]?.message ?? '', /^no configuration file here/)
      writeFileSync(
        join(dir, 'watchpost.config.json'),
        '{"mode":"protect","rules":[{"id":"watchpost.credential-stuffing","response":{"action":"block"}}]}',
      )
      const found = await run(['validate'], { cwd: dir })
      assert.equal(found.code, 0, found.stdout)
      assert.match(found.stdout, /^valid watchpost\.config\.json: .*mode protect/m)
      writeFileSync(join(dir, 'other.yaml'), 'mode: protectt\n')
      const fromEnv = await run(['validate'], { cwd: dir, env: cleanEnv({ WATCHPOST_CONFIG: 'other.yaml' }) })
      assert.equal(fromEnv.code, 1)
      assert.match(fromEnv.stdout, /^error other\.yaml:1:7: mode: /m)
      const missing = await run(['validate'], { cwd: dir, env: cleanEnv({ WATCHPOST_CONFIG: 'gone.yaml' }) })
      assert.equal(missing.code, 1)
      assert.match(missing.stderr, /gone\.yaml does not exist \(from WATCHPOST_CONFIG\)/)
    } finally {
      remove()
    }
  })
})
