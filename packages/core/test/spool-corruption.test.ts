import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import type { StoredRecord } from '../src/delivery/types.js'
import { createSpool, type Spool } from '../src/spool/index.js'
import { NOW, rec, tempDirs } from './support/spool.js'

const tempDir = tempDirs()
const HEADER = 20
const PAYLOAD = 13
const SIZE = HEADER + PAYLOAD
const ids = (records: readonly StoredRecord[]) => records.map((r) => Number(JSON.parse(r.data).i))
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)
const open = (dir: string): Spool => createSpool({ directory: dir, now: () => NOW })

/** A closed spool directory holding records 0..n-1 of severity 2 in one segment; its file path. */
async function spoolOf(n: number): Promise<{ dir: string; file: string }> {
  const dir = tempDir()
  const spool = open(dir)
  spool.append(range(0, n).map((i) => rec(i, 2)))
  await spool.close()
  return { dir, file: join(dir, 'sev2-000000000001.wal') }
}

function damage(file: string, edit: (buf: Buffer) => Buffer): void {
  fs.writeFileSync(file, edit(fs.readFileSync(file)))
}

describe('spool: torn and corrupt records', () => {
  test('a torn tail, cut at any byte of the last record: the others intact, one region counted', async () => {
    const template = await spoolOf(5)
    assert.equal(fs.statSync(template.file).size, 5 * SIZE)
    for (const cut of [0, 1, 3, 4, 8, 16, 19, 20, 21, 30, 32]) {
      const dir = tempDir()
      fs.cpSync(template.dir, dir, { recursive: true })
      const file = join(dir, 'sev2-000000000001.wal')
      fs.truncateSync(file, 4 * SIZE + cut)
      const spool = open(dir)
      const stats = spool.stats()
      assert.equal(stats.dropped.corrupt, cut === 0 ? 0 : 1, `cut at ${cut}`)
      assert.equal(stats.recovered.corrupt, stats.dropped.corrupt)
      assert.equal(stats.records, 4, `cut at ${cut}`)
      assert.deepEqual(ids(spool.lease(Number.POSITIVE_INFINITY, 100)), [0, 1, 2, 3], `cut at ${cut}`)
      // Counted at start-up, not again when the reader passes the same bytes.
      assert.equal(spool.stats().dropped.corrupt, cut === 0 ? 0 : 1)
      await spool.close()
    }
  })

  test('flipped bytes anywhere in a record in the middle: that record is skipped and counted once', async () => {
    const template = await spoolOf(10)
    // Every byte of record 4: magic, CRC, length, time, payload.
    for (let byte = 0; byte < SIZE; byte++) {
      const dir = tempDir()
      fs.cpSync(template.dir, dir, { recursive: true })
      damage(join(dir, 'sev2-000000000001.wal'), (buf) => {
        buf[4 * SIZE + byte] = buf[4 * SIZE + byte]! ^ 0x5a
        return buf
      })
      const spool = open(dir)
      // Magic and length are checked at start-up; CRC, time and payload when the record is read.
      assert.equal(
        spool.stats().dropped.corrupt,
        byte < 4 || (byte >= 8 && byte < 12) ? 1 : 0,
        `byte ${byte}`,
      )
      assert.deepEqual(ids(spool.lease(Number.POSITIVE_INFINITY, 100)), [0, 1, 2, 3, 5, 6, 7, 8, 9])
      assert.equal(spool.stats().dropped.corrupt, 1, `byte ${byte}`)
      assert.equal(spool.stats().records, 9, `byte ${byte}`)
      await spool.close()
    }
  })

  test('each damaged region counts once: two apart count two, two adjacent count one', async () => {
    const { dir, file } = await spoolOf(10)
    damage(file, (buf) => {
      buf[2 * SIZE + HEADER] = 0 // payload of 2
      buf[6 * SIZE + 10] = 0xff // length of 6
      buf[7 * SIZE] = 0 // magic of 7
      return buf
    })
    const spool = open(dir)
    assert.deepEqual(ids(spool.lease(Number.POSITIVE_INFINITY, 100)), [0, 1, 3, 4, 5, 8, 9])
    assert.equal(spool.stats().dropped.corrupt, 2)
    assert.equal(spool.stats().records, 7)
    await spool.close()
  })

  test('a length that skips exactly one record (headers look intact) is found on reading', async () => {
    const { dir, file } = await spoolOf(8)
    damage(file, (buf) => {
      buf.writeUInt32LE(PAYLOAD + SIZE, 3 * SIZE + 8) // record 3 claims to end where 5 starts
      return buf
    })
    const spool = open(dir)
    assert.deepEqual(ids(spool.lease(Number.POSITIVE_INFINITY, 100)), [0, 1, 2, 4, 5, 6, 7])
    const stats = spool.stats()
    assert.equal(stats.dropped.corrupt, 1)
    assert.equal(stats.records, 7)
    assert.equal(stats.bytes, 7 * SIZE)
    await spool.close()
  })

  test('garbage inserted between records, and a length pointing past the end, are skipped', async () => {
    const { dir, file } = await spoolOf(6)
    damage(file, (buf) => {
      const garbage = Buffer.from([0xca, 0x57, 0x50, 0x01, 0xff, 0xff, 0xff, 0x00, 1, 2, 3])
      return Buffer.concat([buf.subarray(0, 3 * SIZE), garbage, buf.subarray(3 * SIZE)])
    })
    const spool = open(dir)
    assert.equal(spool.stats().dropped.corrupt, 1)
    assert.deepEqual(ids(spool.lease(Number.POSITIVE_INFINITY, 100)), [0, 1, 2, 3, 4, 5])
    await spool.close()
  })

  test('files of pure garbage, empty files and strangers never stop start-up', async () => {
    const dir = tempDir()
    fs.writeFileSync(join(dir, 'sev0-000000000001.wal'), Buffer.alloc(5000, 0xca))
    fs.writeFileSync(join(dir, 'sev1-000000000001.wal'), '')
    fs.writeFileSync(join(dir, 'sev3-000000000007.wal'), 'x'.repeat(7))
    fs.writeFileSync(join(dir, 'notes.txt'), 'hello')
    fs.mkdirSync(join(dir, 'sev2-000000000001.wal'))
    const spool = open(dir)
    const stats = spool.stats()
    assert.equal(stats.records, 0)
    assert.equal(stats.dropped.corrupt, 2)
    // The directory is reported (it cannot be read as a segment), not thrown.
    assert.match(stats.lastError ?? '', /EISDIR/)
    spool.append([rec(1, 2)])
    assert.deepEqual(ids(spool.lease(Number.POSITIVE_INFINITY, 100)), [1])
    await spool.close()
    assert.ok(fs.existsSync(join(dir, 'notes.txt')))
  })

  test('damage after start-up is found by the reader and the lost records are counted', async () => {
    const { dir, file } = await spoolOf(6)
    const spool = open(dir)
    assert.equal(spool.stats().records, 6)
    damage(file, (buf) => {
      buf[3 * SIZE + HEADER + 2] = 0x21
      return buf
    })
    assert.deepEqual(ids(spool.lease(Number.POSITIVE_INFINITY, 100)), [0, 1, 2, 4, 5])
    const stats = spool.stats()
    assert.equal(stats.dropped.corrupt, 1)
    assert.equal(stats.records, 5)
    await spool.close()
  })
})
