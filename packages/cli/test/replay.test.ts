import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createWatchpost, type SecurityEvent } from '@watchpost/core'
import { createSpool } from '@watchpost/core/sdk'
import { requestJson } from '../src/https-json.js'
import { BIN, cleanEnv, finished, run, start, tempDir } from './support/cli.js'
import { type RunningEmulator, startEmulatorCli } from './support/emulator.js'
import { recordEvents, SHOP_EVENTS, type SinkEntry } from './support/events.js'

interface Summary {
  file: string
  input: 'jsonl' | 'spool'
  sink: string
  events: number
  duplicates: number
  sent: number
  deadLettered: number
  failed: number
  skipped: number
  deadLetterFile?: string
  stopped?: string
}

const jsonl = (events: readonly SecurityEvent[]) => events.map((e) => `${JSON.stringify(e)}\n`).join('')
const readJsonl = (path: string) =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as SecurityEvent)

describe('watchpost replay', () => {
  let tmp: ReturnType<typeof tempDir>
  let events: SecurityEvent[]
  let source: string
  before(async () => {
    tmp = tempDir()
    source = join(tmp.dir, 'security.jsonl')
    events = await recordEvents([{ type: 'file', path: source }], SHOP_EVENTS)
    // A file sink's file holds an event twice after a re-send: the copy is skipped by its EventUid.
    writeFileSync(source, jsonl([...events, events[1]!]))
  })
  after(() => tmp.remove())

  const replay = (...args: string[]) => run(['replay', ...args], { cwd: tmp.dir, timeoutMs: 60_000 })
  const replayJson = async (...args: string[]) => {
    const result = await run(['--json', 'replay', ...args], { cwd: tmp.dir, timeoutMs: 60_000 })
    return { result, summary: JSON.parse(result.stdout) as Summary }
  }

  it('JSON Lines to a file sink: the same events, each once, and a summary', async () => {
    const out = join(tmp.dir, 'copy.jsonl')
    const result = await replay('security.jsonl', '--sink', JSON.stringify({ type: 'file', path: out }))
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(readJsonl(out), JSON.parse(JSON.stringify(events)), 'EventUid and every field kept')
    assert.match(result.stdout, /^Replayed 6 event\(s\) from security\.jsonl to file:.*copy\.jsonl$/m)
    assert.match(result.stdout, /^ {2}sent {11}5$/m)
    assert.match(result.stdout, /^ {2}duplicates {5}1 \(skipped: same EventUid\)$/m)

    const again = join(tmp.dir, 'all.jsonl')
    const { result: r2, summary } = await replayJson(
      source,
      '--sink',
      JSON.stringify({ type: 'file', path: again }),
      '--no-dedupe',
    )
    assert.equal(r2.code, 0)
    assert.deepEqual(
      { events: summary.events, sent: summary.sent, duplicates: summary.duplicates, failed: summary.failed },
      { events: 6, sent: 6, duplicates: 0, failed: 0 },
    )
    assert.equal(readJsonl(again).length, 6)
  })

  /** `watchpost replay` of the sample on a pseudo-terminal (script(1)), with `env` on top of a clean one. */
  async function replayOnTerminal(out: string, env: NodeJS.ProcessEnv): Promise<string> {
    const command = [
      process.execPath,
      BIN,
      'replay',
      'security.jsonl',
      '--sink',
      JSON.stringify({ type: 'file', path: out }),
    ]
      .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
      .join(' ')
    // A TERM that takes colour, as a user's terminal has (CI machines often have none).
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: tmp.dir,
      env: cleanEnv({ TERM: 'xterm-256color', ...env }),
    })
    const result = await finished(child, 60_000)
    assert.equal(result.code, 0, result.stdout)
    assert.ok(result.stdout.includes(`\r[${'#'.repeat(30)}] 6/6 sent 5\x1b[K`), JSON.stringify(result.stdout))
    assert.equal(readJsonl(out).length, 5)
    return result.stdout
  }

  it('on a terminal: a progress bar on stderr and a coloured summary (a pseudo-terminal from script(1))', async () => {
    const coloured = await replayOnTerminal(join(tmp.dir, 'tty.jsonl'), {})
    assert.ok(coloured.includes('\x1b[32mReplayed\x1b[39m 6 event(s)'), JSON.stringify(coloured))
  })

  it('on a terminal that takes no colour (NO_COLOR, CI, TERM=dumb): the progress bar, and no colour', async () => {
    for (const [i, env] of [{ NO_COLOR: '1' }, { CI: 'true' }, { TERM: 'dumb' }].entries()) {
      const plain = await replayOnTerminal(join(tmp.dir, `plain-${i}.jsonl`), env)
      assert.ok(plain.includes('\x1b[K\r\x1b[KReplayed 6 event(s)'), JSON.stringify({ env, plain }))
      assert.doesNotMatch(plain, /\x1b\[3\dm/, JSON.stringify(env))
    }
  })

  it('--sink by type or index from --config; unknown names and invalid entries are usage errors', async () => {
    const config = join(tmp.dir, 'watchpost.replay.yaml')
    writeFileSync(config, 'sinks:\n  - type: console\n  - type: file\n    path: named.jsonl\n')
    const byType = await replay(source, '--config', config, '--sink', 'file')
    assert.equal(byType.code, 0, byType.stderr)
    assert.equal(readJsonl(join(tmp.dir, 'named.jsonl')).length, 5)
    const byIndex = await replayJson(source, '--config', config, '--sink', 'sinks[1]')
    assert.equal(byIndex.summary.sent, 5)

    const unknown = await replay(source, '--config', config, '--sink', 'sentinel')
    assert.equal(unknown.code, 2)
    assert.equal(
      unknown.stderr,
      'watchpost: no sink sentinel in watchpost.replay.yaml; its sinks: sinks[0] (console), sinks[1] (file)\n',
    )
    const invalid = await replay(source, '--sink', '{"type":"file"}')
    assert.equal(invalid.code, 2)
    assert.match(invalid.stderr, /^watchpost: the sink cannot be used:\n {2}sinks\[0\]\.path: /)
    const notJson = await replay(source, '--sink', '{type: file}')
    assert.equal(notJson.code, 2)
    assert.match(notJson.stderr, /^watchpost: --sink is not valid JSON: /)
    const missing = await replay('nope.jsonl', '--sink', '{"type":"console"}')
    assert.equal(missing.code, 1)
    assert.equal(missing.stderr, 'watchpost: nope.jsonl does not exist\n')
  })

  describe('to the sentinel sink, on the emulator (the real Azure clients over HTTPS)', () => {
    let emulator: RunningEmulator
    let emDir: ReturnType<typeof tempDir>
    before(async () => {
      emDir = tempDir()
      emulator = await startEmulatorCli(emDir.dir)
    })
    after(async () => {
      await emulator.stop()
      emDir.remove()
    })
    const admin = (method: string, path: string, body?: unknown) =>
      requestJson(new URL(path, emulator.info.url), {
        method,
        ca: readFileSync(emulator.info.caPath),
        ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
      })
    const rowsOf = async (uid: string) =>
      ((await admin('GET', `/admin/rows?eventUid=${uid}`)).json as { rows: Array<Record<string, unknown>> })
        .rows

    it('delivers every event with its EventUid; a second replay makes duplicates with the same id', async () => {
      await admin('DELETE', '/admin/rows')
      const sink = JSON.stringify(emulator.info.sink)
      const { result, summary } = await replayJson(source, '--sink', sink)
      assert.equal(result.code, 0, result.stderr)
      assert.equal(summary.sink, `sentinel:${emulator.info.dcrImmutableId}`)
      assert.deepEqual([summary.sent, summary.duplicates, summary.failed, summary.deadLettered], [5, 1, 0, 0])
      for (const event of events) {
        const rows = await rowsOf(event.EventUid)
        assert.equal(rows.length, 1, event.EventOriginalType)
        assert.equal(rows[0]?.EventOriginalType, event.EventOriginalType)
      }
      const second = await replayJson(source, '--sink', sink)
      assert.equal(second.summary.sent, 5)
      assert.equal((await rowsOf(events[0]!.EventUid)).length, 2, 'at least once: the same EventUid twice')
    })

    it('a row the ingestion API refuses (400) is dead-lettered: exit 1, the others delivered', async () => {
      await admin('DELETE', '/admin/rows')
      const refused = events.find((e) => e.EventOriginalType === 'authz_fail')!
      await admin('POST', '/admin/faults', { reject: { column: 'EventOriginalType', equals: 'authz_fail' } })
      try {
        const { result, summary } = await replayJson(source, '--sink', JSON.stringify(emulator.info.sink))
        assert.equal(result.code, 1)
        assert.deepEqual([summary.sent, summary.deadLettered, summary.failed], [4, 1, 0])
        assert.equal(summary.deadLetterFile, join(tmp.dir, '.watchpost', 'dead-letter.jsonl'))
        assert.match(readFileSync(summary.deadLetterFile, 'utf8'), new RegExp(refused.EventUid))
        assert.equal((await rowsOf(refused.EventUid)).length, 0)
        assert.equal((await rowsOf(events[0]!.EventUid)).length, 1)
      } finally {
        await admin('DELETE', '/admin/faults')
      }
    })

    it('throttling (429 with Retry-After) is waited out by the same retries the app uses', async () => {
      await admin('DELETE', '/admin/rows')
      await admin('DELETE', '/admin/requests')
      await admin('POST', '/admin/faults', { throttle: { retryAfterSeconds: 1 } })
      const child = start(['--json', 'replay', source, '--sink', JSON.stringify(emulator.info.sink)], {
        cwd: tmp.dir,
      })
      const done = finished(child, 60_000)
      try {
        // The throttling lasts until the replay has met it; then the retries deliver.
        const deadline = Date.now() + 30_000
        const throttled = async () => {
          const { json } = await admin('GET', '/admin/requests')
          return (json as { requests: Array<{ status: number | string }> }).requests.some(
            (r) => r.status === 429,
          )
        }
        while (!(await throttled())) {
          assert.ok(Date.now() < deadline, 'the replay met the throttling')
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      } finally {
        await admin('DELETE', '/admin/faults')
      }
      const result = await done
      assert.equal(result.code, 0, result.stdout + result.stderr)
      const summary = JSON.parse(result.stdout) as Summary
      assert.deepEqual([summary.sent, summary.failed], [5, 0])
      for (const event of events) assert.equal((await rowsOf(event.EventUid)).length, 1)
    })

    it("a spool left by an app that could not deliver: read with core's spool, sent, and left in place", async () => {
      await admin('DELETE', '/admin/rows')
      const app = tempDir()
      try {
        // An app whose destination is unreachable keeps its events in its spool.
        const wp = createWatchpost(
          {
            config: false,
            app: { name: 'shop' },
            spool: { directory: join(app.dir, 'spool') },
            sinks: [{ ...emulator.info.sink, endpoint: 'https://127.0.0.1:9' } as SinkEntry],
            delivery: { deadLetter: { path: false } },
          },
          { cwd: app.dir },
        )
        const spooled = [
          wp.record('authn_login_fail', { userId: 'mallory', reason: 'bad_password' })!,
          wp.record('user_created', { userId: 'alice', newUserId: 'carol' })!,
        ]
        await wp.close(300)
        const root = join(app.dir, 'spool')
        const [sinkDir] = readdirSync(root)
        const { result, summary } = await replayJson(root, '--sink', JSON.stringify(emulator.info.sink))
        assert.equal(result.code, 0, result.stderr)
        assert.equal(summary.input, 'spool')
        assert.equal(summary.sent, 2)
        for (const event of spooled) {
          const rows = await rowsOf(event.EventUid)
          assert.equal(rows.length, 1)
          assert.equal(rows[0]?.EventOriginalType, event.EventOriginalType)
        }
        const spool = createSpool({ directory: join(root, sinkDir!) })
        assert.equal(spool.stats().records, 2, 'the spool still holds its events')
        await spool.close()
        assert.ok(existsSync(join(root, sinkDir!, 'ledger')))
      } finally {
        app.remove()
      }
    })

    it('an unreachable destination: gives up after --timeout without a delivery, exit 1, all failed', async () => {
      const sink = { ...emulator.info.sink, endpoint: 'https://127.0.0.1:9' }
      const { result, summary } = await replayJson(source, '--sink', JSON.stringify(sink), '--timeout', '2')
      assert.equal(result.code, 1)
      assert.deepEqual([summary.sent, summary.failed], [0, 5])
      assert.match(summary.stopped ?? '', /^nothing delivered for 2 s/)
    })
  })
})
