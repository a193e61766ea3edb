import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, test } from 'node:test'
import { compileEvent, createBuilder } from '../src/events/build.js'
import { EVENTS_BY_NAME } from '../src/events/catalogue/index.js'
import { compileRedactor } from '../src/redaction/index.js'
import type { SecurityEvent } from '../src/schema/fields.js'
import { createConsoleSink, formatPretty } from '../src/sinks/console.js'
import { createFileSink } from '../src/sinks/file.js'
import { fakeContext } from './support/fake-context.js'

const build = createBuilder({
  identity: { name: 'a', version: '1', environment: 't', host: 'h' },
  redactor: compileRedactor({}),
  productVersion: '0',
})
const event = (i: number): SecurityEvent =>
  build(
    compileEvent(EVENTS_BY_NAME.get('authn_login_fail')!),
    { userId: `user${i}`, reason: 'bad_password' },
    fakeContext(),
    {
      statusCode: 401,
    },
  )

function collect(stream: PassThrough): () => string {
  let text = ''
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8')
  })
  return () => text
}

describe('console sink', () => {
  test('json format writes one parseable JSON line per event', async () => {
    const stream = new PassThrough()
    const out = collect(stream)
    const sink = createConsoleSink({ format: 'json', stream })
    await sink.send([event(1), event(2)])
    const lines = out().trimEnd().split('\n')
    assert.equal(lines.length, 2)
    assert.equal(JSON.parse(lines[0]!).TargetUsername, 'user1')
    assert.equal(JSON.parse(lines[1]!).EventOriginalType, 'authn_login_fail')
    await sink.close()
  })

  test('pretty format is one readable line, coloured only when asked', async () => {
    const e = event(3)
    const plain = formatPretty(e, false)
    assert.equal(plain.split('\n').length, 2, 'exactly one line')
    assert.match(plain, /MED {2}authn_login_fail Login failed for user3 \(bad_password\)/)
    assert.match(
      plain,
      /src=203\.0\.113\.7 POST \/login\?next=%2Fhome status=401 corr=4bf92f3577b34da6a3ce929d0e0e4736/,
    )
    assert.doesNotMatch(plain, /\x1b\[/)
    assert.match(formatPretty(e, true), /\x1b\[33mMED /)
  })

  test('auto picks JSON on a non-TTY stream', async () => {
    const stream = new PassThrough()
    const out = collect(stream)
    await createConsoleSink({ format: 'auto', stream }).send([event(4)])
    assert.equal(JSON.parse(out()).TargetUsername, 'user4')
  })

  test("on a terminal, pretty lines coloured as the terminal's hasColors() says", async () => {
    for (const takesColour of [true, false]) {
      const stream = Object.assign(new PassThrough(), { isTTY: true, hasColors: () => takesColour })
      const out = collect(stream)
      await createConsoleSink({ stream }).send([event(6)])
      assert.match(out(), /MED .*authn_login_fail Login failed for user6/, 'pretty on a terminal')
      assert.equal(/\x1b\[/.test(out()), takesColour, `hasColors() ${takesColour}`)
    }
  })

  test('a stream error rejects send (the pipeline counts it), it does not throw synchronously', async () => {
    const stream = new PassThrough({ highWaterMark: 1 })
    const sink = createConsoleSink({ format: 'json', stream })
    const sent = sink.send([event(5)])
    stream.destroy(new Error('EPIPE'))
    await assert.rejects(sent)
  })
})

describe('file sink', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'watchpost-file-'))

  test('appends JSON lines and creates missing directories', async () => {
    const path = join(dir(), 'nested', 'events.jsonl')
    const sink = createFileSink({ path })
    await sink.send([event(1)])
    await sink.send([event(2), event(3)])
    await sink.close()
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n')
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).TargetUsername),
      ['user1', 'user2', 'user3'],
    )
    // a second sink on the same file appends, it does not truncate
    const again = createFileSink({ path })
    await again.send([event(4)])
    await again.close()
    assert.equal(readFileSync(path, 'utf8').trimEnd().split('\n').length, 4)
  })

  test('rotates by size and keeps maxFiles files, no line split across files', async () => {
    const d = dir()
    const path = join(d, 'events.jsonl')
    // lines are about the same size (user0 … user19): room for three per file
    const lineBytes = Buffer.byteLength(`${JSON.stringify(event(10))}\n`)
    const maxBytes = lineBytes * 3 + 2
    const sink = createFileSink({ path, maxBytes, maxFiles: 3 })
    for (let i = 0; i < 20; i++) await sink.send([event(i)])
    await sink.close()
    const files = readdirSync(d).sort()
    assert.deepEqual(files, ['events.jsonl', 'events.jsonl.1', 'events.jsonl.2'])
    const users: string[] = []
    for (const f of ['events.jsonl.2', 'events.jsonl.1', 'events.jsonl']) {
      const text = readFileSync(join(d, f), 'utf8')
      assert.ok(statSync(join(d, f)).size <= maxBytes)
      for (const line of text.trimEnd().split('\n')) users.push(JSON.parse(line).TargetUsername)
    }
    // the newest events survive, in order, and rotation dropped only whole older files
    assert.deepEqual(
      users,
      Array.from({ length: users.length }, (_, i) => `user${20 - users.length + i}`),
    )
    assert.ok(users.length >= 7, `kept ${users.length}`)
  })

  test('an unwritable path rejects send instead of throwing', async () => {
    const d = dir()
    writeFileSync(join(d, 'a-file'), '')
    const sink = createFileSink({ path: join(d, 'a-file', 'events.jsonl') })
    await assert.rejects(sink.send([event(1)]))
    await sink.close()
  })
})

describe('file sink on a device', () => {
  test('/dev/null is written to, never rotated or fsync-ed', async () => {
    const sink = createFileSink({ path: '/dev/null', maxBytes: 1024 })
    for (let i = 0; i < 10; i++) await sink.send([event(i), event(i + 1)])
    await sink.flush?.()
    await sink.close()
    assert.ok(statSync('/dev/null').isCharacterDevice(), '/dev/null is still the device')
  })
})
