/**
 * A one-line progress bar on a terminal's stderr, redrawn at most every 100 ms. Hand-written rather
 * than `cli-progress`: one bar, one format, no multi-bar or theming needed — a dozen lines against a
 * dependency; and it draws nothing when stderr is not a terminal (a log file gets no control codes).
 */
export interface ProgressBar {
  update(done: number, detail: string): void
  stop(): void
}

const WIDTH = 30

export function progressBar(total: number, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (stream.isTTY !== true) return { update() {}, stop() {} }
  let last = 0
  const draw = (done: number, detail: string) => {
    const share = total === 0 ? 1 : Math.min(1, done / total)
    const filled = Math.round(share * WIDTH)
    stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total} ${detail}\x1b[K`)
  }
  return {
    update(done, detail) {
      const now = Date.now()
      if (now - last < 100 && done < total) return
      last = now
      draw(done, detail)
    },
    stop() {
      stream.write('\r\x1b[K')
    },
  }
}
