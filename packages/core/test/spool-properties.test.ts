import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import type { SeverityRank, StoredRecord } from '../src/delivery/types.js'
import { createSpool, type Spool } from '../src/spool/index.js'
import { NOW, tempDirs } from './support/spool.js'

const tempDir = tempDirs('watchpost-spool-prop-')

type Step =
  | {
      readonly kind: 'append'
      readonly records: readonly { severity: SeverityRank; age: number; pad: number }[]
    }
  | { readonly kind: 'lease'; readonly maxBytes: number; readonly maxRecords: number }
  | { readonly kind: 'ack' | 'release'; readonly pick: readonly boolean[] }
  | { readonly kind: 'sync' | 'reopen' | 'crash' }

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      records: fc.array(
        fc.record({
          severity: fc.constantFrom<SeverityRank>(0, 1, 2, 3),
          age: fc.integer({ min: 0, max: 1000 }),
          pad: fc.integer({ min: 0, max: 120 }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('lease' as const),
      maxBytes: fc.integer({ min: 0, max: 600 }),
      maxRecords: fc.integer({ min: 1, max: 8 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ack' as const), pick: fc.array(fc.boolean()) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.array(fc.boolean()) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sync' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('reopen' as const, 'crash' as const) }) },
)

/**
 * The model: which records (by payload, all distinct) the store must still hold, which it must
 * never hand out again, and which are out on lease now.
 */
class Model {
  readonly live = new Set<string>()
  readonly acked = new Set<string>()
  /** Acknowledged before the last completed sync: gone for good, even after a crash. */
  readonly committed = new Set<string>()
  readonly leased = new Map<number, StoredRecord>()
  next = 0
}

function check(spool: Spool, model: Model): void {
  const stats = spool.stats()
  assert.equal(stats.records, model.live.size)
  assert.equal(stats.leased, model.leased.size)
  assert.equal(spool.available, model.live.size - model.leased.size)
  assert.deepEqual(stats.dropped, { overflow: 0, expired: 0, corrupt: 0, unwritable: 0 })
}

/** Leases everything and gives it back: the set of records a fresh start holds. */
function drain(spool: Spool): string[] {
  const all = spool.lease(Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER)
  spool.release(all)
  return all.map((r) => r.data)
}

describe('spool properties', () => {
  test('no acknowledged record comes back, no unacknowledged one is lost, across reopen and crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 5, maxLength: 60, size: 'medium' }),
        fc.integer({ min: 40, max: 400 }),
        async (steps, segmentBytes) => {
          const options = { segmentBytes, syncIntervalMs: 3_600_000, now: () => NOW }
          let dir = tempDir()
          let spool = createSpool({ directory: dir, ...options })
          const model = new Model()
          try {
            for (const s of steps) {
              switch (s.kind) {
                case 'append': {
                  const records = s.records.map((r) => ({
                    data: `r${model.next++}${'.'.repeat(r.pad)}`,
                    severity: r.severity,
                    time: NOW - r.age,
                  }))
                  spool.append(records)
                  for (const r of records) model.live.add(r.data)
                  break
                }
                case 'lease': {
                  const got = spool.lease(s.maxBytes, s.maxRecords)
                  assert.ok(got.length <= s.maxRecords)
                  if (got.length > 1) assert.ok(got.reduce((n, r) => n + r.bytes, 0) <= s.maxBytes)
                  const available = model.live.size - model.leased.size
                  assert.equal(got.length > 0, available > 0, 'at least one when any is available')
                  for (const r of got) {
                    assert.ok(!model.acked.has(r.data), `acknowledged ${r.data} came back`)
                    assert.ok(model.live.has(r.data), `unknown ${r.data}`)
                    assert.ok(!model.leased.has(r.id), `${r.data} leased twice`)
                    for (const other of model.leased.values()) assert.notEqual(other.data, r.data)
                    model.leased.set(r.id, r)
                  }
                  break
                }
                case 'ack':
                case 'release': {
                  const chosen = [...model.leased.values()].filter((_, i) => s.pick[i] === true)
                  for (const r of chosen) model.leased.delete(r.id)
                  if (s.kind === 'ack') {
                    spool.ack(chosen)
                    for (const r of chosen) {
                      model.live.delete(r.data)
                      model.acked.add(r.data)
                    }
                  } else {
                    spool.release(chosen)
                  }
                  break
                }
                case 'sync':
                  await spool.sync()
                  for (const data of model.acked) model.committed.add(data)
                  break
                case 'reopen': {
                  await spool.close()
                  for (const data of model.acked) model.committed.add(data)
                  model.leased.clear()
                  spool = createSpool({ directory: dir, ...options })
                  const held = drain(spool)
                  assert.deepEqual(
                    held.sort(),
                    [...model.live].sort(),
                    'after a clean reopen, exactly the unacknowledged',
                  )
                  break
                }
                case 'crash': {
                  // The process dies: the files are what the page cache holds.
                  const copy = tempDir()
                  fs.cpSync(dir, copy, { recursive: true })
                  await spool.close()
                  dir = copy
                  model.leased.clear()
                  spool = createSpool({ directory: dir, ...options })
                  const held = new Set(drain(spool))
                  for (const data of model.live) assert.ok(held.has(data), `unacknowledged ${data} lost`)
                  for (const data of held) {
                    assert.ok(!model.committed.has(data), `${data} was committed, came back`)
                    // Acknowledged after the last sync: a duplicate, allowed; it is live again.
                    model.acked.delete(data)
                    model.live.add(data)
                  }
                  break
                }
              }
              check(spool, model)
            }
          } finally {
            await spool.close()
          }
        },
      ),
      { numRuns: 40 },
    )
  })
})
