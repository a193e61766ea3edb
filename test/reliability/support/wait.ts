import { setTimeout as sleep } from 'node:timers/promises'

/** Polls `done` every `everyMs` until it holds; resolves with whether it did before `timeoutMs`. */
export async function waitFor(done: () => boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const until = Date.now() + timeoutMs
  for (;;) {
    if (done()) return true
    if (Date.now() >= until) return false
    await sleep(everyMs)
  }
}

export { sleep }
