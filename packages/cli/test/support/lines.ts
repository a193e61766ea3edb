/** A child's output, line by line, with waits on conditions rather than on time. */
import type { Readable } from 'node:stream'

export class Lines {
  readonly lines: string[] = []
  #buffered = ''
  #waiters: Array<() => void> = []

  constructor(stream: Readable) {
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      this.#buffered += chunk
      const parts = this.#buffered.split('\n')
      this.#buffered = parts.pop() ?? ''
      this.lines.push(...parts)
      for (const wake of this.#waiters.splice(0)) wake()
    })
  }

  /** Resolves once `test` holds for the lines so far; rejects after `timeoutMs` with what was seen. */
  async until(test: (lines: readonly string[]) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!test(this.lines)) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out; lines so far:\n${this.lines.join('\n')}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }
}
