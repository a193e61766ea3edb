import assert from 'node:assert/strict'
import { once } from 'node:events'
import { appendFileSync, mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { SecurityEvent } from '@watchpost/core'
import { run, start, tempDir } from './support/cli.js'
import { startEmulatorCli } from './support/emulator.js'
import { recordEvents, SHOP_EVENTS as SPECS } from './support/events.js'
import { Lines } from './support/lines.js'

const uids = (lines: readonly string[]) => lines.map((line) => (JSON.parse(line) as SecurityEvent).EventUid)

describe('watchpost tail', () => {
  let tmp: ReturnType<typeof tempDir>
  let file: string
  let events: SecurityEvent[]
  before(async () => {
    tmp = tempDir()
    file = join(tmp.dir, 'security.jsonl')
    events = await recordEvents([{ type: 'file', path: file }], SPECS)
    assert.equal(events.length, SPECS.length)
  })
  after(() => tmp.remove())

  const tail = (...args: string[]) => run(['tail', file, ...args], { cwd: tmp.dir })
  const byUid = (uid: string) => events.find((e) => e.EventUid === uid)!

  it('--once: a readable line per event (time, severity, type, source, user, method and URL, correlation id)', async () => {
    const result = await tail('--once')
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stdout.trimEnd().split('\n')
    assert.equal(lines.length, events.length)
    const first = events[0]!
    assert.equal(
      lines[0],
      `${first.TimeGenerated}  Medium         authn_login_fail  src=203.0.113.9  user=mallory  POST /login  corr=req-1`,
    )
  })

  it('--json: one JSON event per line, as written', async () => {
    const result = await tail('--once', '--json')
    assert.equal(result.code, 0)
    const lines = result.stdout.trimEnd().split('\n')
    assert.deepEqual(
      lines.map((line) => JSON.parse(line)),
      events.map((event) => JSON.parse(JSON.stringify(event))),
    )
  })

  it('filters: --type (prefix, comma list, repeated), --severity (minimum), --source, --correlation', async () => {
    const selected = async (...args: string[]) => {
      const result = await tail('--once', '--json', ...args)
      assert.equal(result.code, 0, result.stderr)
      return uids(
        result.stdout
          .trimEnd()
          .split('\n')
          .filter((l) => l !== ''),
      ).map((uid) => byUid(uid!).EventOriginalType)
    }
    assert.deepEqual(await selected('--type', 'authn_*'), ['authn_login_fail', 'authn_login_success'])
    assert.deepEqual(await selected('--type', 'authz_fail,sensitive_read'), ['authz_fail', 'sensitive_read'])
    assert.deepEqual(await selected('--type', 'authz_fail', '--type', 'authn_login_success'), [
      'authn_login_success',
      'authz_fail',
    ])
    const high = events.filter((e) => e.EventSeverity === 'High').map((e) => e.EventOriginalType)
    assert.ok(high.length > 0 && high.length < events.length, 'the fixture mixes severities')
    assert.deepEqual(await selected('--severity', 'high'), high)
    assert.deepEqual(await selected('--source', '203.0.113.9'), ['authn_login_fail', 'authz_fail'])
    assert.deepEqual(await selected('--correlation', 'req-4'), ['sensitive_read'])
    assert.deepEqual(await selected('--source', '203.0.113.9', '--type', 'authz_*'), ['authz_fail'])
    const bad = await tail('--once', '--severity', 'urgent')
    assert.equal(bad.code, 2)
    assert.equal(
      bad.stderr,
      'watchpost: --severity must be one of Informational, Low, Medium, High; got "urgent"\n',
    )
  })

  it('follows a file sink through rotation, truncation and a line written in two parts', async () => {
    const dir = join(tmp.dir, 'follow')
    const path = join(dir, 'rotating.jsonl')
    const child = start(['tail', path, '--json', '--timeout', '60', '--interval', '50'], { cwd: tmp.dir })
    const out = new Lines(child.stdout!)
    const err = new Lines(child.stderr!)
    try {
      await err.until((lines) => lines.some((l) => l.includes(`waiting for ${path} to appear`)))
      // A file sink at its least maxBytes: each new batch rotates the file (renamed away, a new one
      // started) while tail follows it. The next batch waits until tail has shown this one: a file
      // rotated twice between two looks would be missed by tail -F too.
      const written: SecurityEvent[] = []
      for (let batch = 0; batch < 3; batch++) {
        written.push(...(await recordEvents([{ type: 'file', path, maxBytes: 1024, maxFiles: 10 }], SPECS)))
        await out.until((lines) => lines.length >= written.length)
      }
      assert.deepEqual(
        uids(out.lines),
        written.map((e) => e.EventUid),
        'each event once, in order',
      )
      assert.ok(
        err.lines.some((l) => l.includes('was rotated')),
        err.lines.join('\n'),
      )

      truncateSync(path, 0)
      const line = JSON.stringify(events[0])
      appendFileSync(path, line.slice(0, 40))
      await err.until((lines) => lines.some((l) => l.includes('was truncated')))
      await new Promise((resolve) => setTimeout(resolve, 300)) // several polls see the half line
      assert.equal(out.lines.length, written.length, 'a half-written line is held back')
      appendFileSync(path, `${line.slice(40)}\n`)
      await out.until((lines) => lines.length === written.length + 1)
      assert.equal(uids(out.lines).at(-1), events[0]!.EventUid)
      assert.ok(!err.lines.some((l) => l.includes('not a JSON event')), err.lines.join('\n'))
    } finally {
      child.kill('SIGINT')
    }
    const [code] = (await once(child, 'close')) as [number | null]
    assert.equal(code, 0, 'Ctrl-C ends it normally')
  })

  it("without a file: the configuration's file sink, else logs/security.jsonl", async () => {
    const { dir, remove } = tempDir()
    try {
      writeFileSync(
        join(dir, 'watchpost.config.yaml'),
        'sinks:\n  - type: console\n  - type: file\n    path: audit/events.jsonl\n',
      )
      mkdirSync(join(dir, 'audit'))
      writeFileSync(join(dir, 'audit', 'events.jsonl'), `${JSON.stringify(events[2])}\n`)
      const configured = await run(['tail', '--once', '--json'], { cwd: dir })
      assert.equal(configured.code, 0, configured.stderr)
      assert.deepEqual(uids(configured.stdout.trimEnd().split('\n')), [events[2]!.EventUid])

      writeFileSync(join(dir, 'watchpost.config.yaml'), 'sinks:\n  - type: console\n')
      const noFileSink = await run(['tail', '--once'], { cwd: dir })
      assert.equal(noFileSink.code, 2)
      assert.equal(
        noFileSink.stderr,
        'watchpost: watchpost.config.yaml has no file sink; name the file to follow\n',
      )

      rmSync(join(dir, 'watchpost.config.yaml'))
      mkdirSync(join(dir, 'logs'))
      writeFileSync(join(dir, 'logs', 'security.jsonl'), `${JSON.stringify(events[3])}\n`)
      const fallback = await run(['tail', '--once', '--json'], { cwd: dir })
      assert.equal(fallback.code, 0, fallback.stderr)
      assert.deepEqual(uids(fallback.stdout.trimEnd().split('\n')), [events[3]!.EventUid])
    } finally {
      remove()
    }
  })

  it('--timeout stops following; lines that are not events are skipped with a notice', async () => {
    const path = join(tmp.dir, 'mixed.jsonl')
    writeFileSync(path, `not json\n${JSON.stringify(events[1])}\n[1,2]\n`)
    const started = Date.now()
    const result = await run(['tail', path, '--from-start', '--timeout', '1', '--json'], { cwd: tmp.dir })
    assert.equal(result.code, 0)
    assert.ok(Date.now() - started >= 1000)
    assert.deepEqual(uids(result.stdout.trimEnd().split('\n')), [events[1]!.EventUid])
    assert.match(result.stderr, /skipped a line that is not a JSON event: not json/)
    assert.match(result.stderr, /skipped 2 lines that are not JSON events/)
  })

  it('--emulator: the rows the emulator stores, turned back into the events sent', async () => {
    const { dir, remove } = tempDir()
    const emulator = await startEmulatorCli(dir)
    try {
      const { info } = emulator
      const before = await recordEvents([info.sink], SPECS.slice(0, 2))
      const snapshot = await run(['tail', '--emulator', info.url, '--ca', info.caPath, '--once', '--json'], {
        cwd: dir,
      })
      assert.equal(snapshot.code, 0, snapshot.stderr)
      const got = snapshot.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as SecurityEvent)
      assert.deepEqual(got.map((e) => e.EventUid).sort(), before.map((e) => e.EventUid).sort())
      for (const event of got) {
        const sent = before.find((e) => e.EventUid === event.EventUid)!
        for (const field of [
          'EventOriginalType',
          'EventSeverity',
          'SrcIpAddr',
          'CorrelationId',
          'TargetUsername',
          'Url',
          'HttpRequestMethod',
          'EventSchema',
        ] as const)
          assert.equal(event[field], sent[field], field)
      }

      // Following: only rows stored after it started, filtered.
      const child = start(
        [
          'tail',
          '--emulator',
          info.url,
          '--ca',
          info.caPath,
          '--json',
          '--interval',
          '100',
          '--type',
          'authz_*',
        ],
        { cwd: dir },
      )
      const out = new Lines(child.stdout!)
      const err = new Lines(child.stderr!)
      await err.until((lines) => lines.some((l) => l.includes(`following ${info.url}`)))
      const later = await recordEvents([info.sink], SPECS)
      const authz = later.filter((e) => e.EventOriginalType.startsWith('authz_'))
      await out.until((lines) => lines.length >= authz.length)
      child.kill('SIGTERM')
      const [code] = (await once(child, 'close')) as [number | null]
      assert.equal(code, 0)
      assert.deepEqual(
        uids(out.lines),
        authz.map((e) => e.EventUid),
      )
    } finally {
      await emulator.stop()
      remove()
    }
  })

  it('a wrong emulator address: one clear message, exit 1', async () => {
    const result = await run(['tail', '--emulator', 'https://127.0.0.1:9', '--once'])
    assert.equal(result.code, 1)
    assert.match(result.stderr, /^watchpost: connect ECONNREFUSED 127\.0\.0\.1:9\n$/)
  })
})
