/** Per-test spool and dead-letter paths under the OS temp directory, so tests never write into the repo. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TempDelivery {
  readonly dir: string
  /** `spool` + `delivery` options for createWatchpost; quick retries so tests do not wait long. */
  readonly options: {
    readonly spool: { readonly directory: string }
    readonly delivery: {
      readonly retryBaseMs: number
      readonly retryMaxDelayMs: number
      readonly deadLetter: { readonly path: string }
    }
  }
  /** The dead-letter file's entries (none when it was never written). */
  deadLetters(): Array<{ sink: string; status: number | null; error: string; record: string }>
  remove(): void
}

export function tempDelivery(retryMaxDelayMs = 300): TempDelivery {
  const dir = mkdtempSync(join(tmpdir(), 'wp-sentinel-'))
  const deadLetter = join(dir, 'dead-letter.jsonl')
  return {
    dir,
    options: {
      spool: { directory: join(dir, 'spool') },
      delivery: { retryBaseMs: 20, retryMaxDelayMs, deadLetter: { path: deadLetter } },
    },
    deadLetters() {
      let text: string
      try {
        text = readFileSync(deadLetter, 'utf8')
      } catch {
        return []
      }
      return text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
