import type { Writable } from 'node:stream'

/** Writes a chunk and resolves once the stream can take more (honours backpressure), or rejects on error. */
export function writeWithBackpressure(stream: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false
    const done = (err?: Error | null) => {
      if (settled) return
      settled = true
      stream.off('error', done)
      if (err) reject(err)
      else resolve()
    }
    stream.once('error', done)
    if (stream.write(chunk)) done()
    else stream.once('drain', () => done())
  })
}
