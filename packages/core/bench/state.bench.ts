/**
 * Cost of the memory state store's `add` (the rules' sliding windows) per call, in steady state:
 * a window full to its cap, so that every `add` also expires the entry at the front. Figures are
 * printed, never asserted.
 *
 *   node --import tsx packages/core/bench/state.bench.ts
 *
 * The cap is a rule's threshold, set by the app; an `add` must not grow with it. Each figure is
 * the per-call mean of a batch of BATCH calls; median and p99 are over ROUNDS batches, GC included.
 */
import { MemoryStateStore } from '../src/state/memory.js'

const BATCH = 256
const ROUNDS = 400
const CAPS = [10, 100, 1000, 10_000]

function measure(cap: number): { median: number; p99: number } {
  const store = new MemoryStateStore()
  let i = 0
  const add = () => {
    store.add('window', { member: `m${i}`, at: 1_700_000_000_000 + i, weight: 1 }, 3_600_000, cap)
    i++
  }
  for (let n = 0; n < cap * 3 + 10_000; n++) add() // full, and past the first rebuilds
  const perCall: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint()
    for (let n = 0; n < BATCH; n++) add()
    perCall.push(Number(process.hrtime.bigint() - start) / BATCH)
  }
  perCall.sort((a, b) => a - b)
  return {
    median: perCall[Math.floor(ROUNDS / 2)] as number,
    p99: perCall[Math.floor(ROUNDS * 0.99)] as number,
  }
}

console.log('MemoryStateStore.add, window full to its cap (each add expires one entry)')
console.log('cap (entries)   median ns/add   p99 ns/add')
for (const cap of CAPS) {
  const { median, p99 } = measure(cap)
  console.log(
    `${String(cap).padStart(13)}   ${median.toFixed(0).padStart(13)}   ${p99.toFixed(0).padStart(10)}`,
  )
}
