/**
 * The app of the crash scenario (crash-safety.test.ts), run as a child process and killed with
 * SIGKILL. Plain JavaScript on purpose: it starts 20–100 times per run, and a TypeScript loader
 * would add about a second to each start. The parent hands it the whole `createWatchpost` options
 * (sentinel sink with `tls.ca`, the spool directory shared by every run) as JSON.
 *
 * `emit` mode: a steady load, in 10 ms ticks; after each tick's emits, one synchronous append to the
 * log file (`<EventUid> <emit time ms>` per line), so the parent knows every event that existed
 * before the kill — and, from the tick times, how far this process got. `drain` mode: no load;
 * waits until the spool the killed runs left is delivered, closes cleanly, exits 0.
 *
 *   WATCHPOST_CRASH_CHILD='{"options":{…},"rate":500,"log":"…","mode":"emit","drainTimeoutMs":60000}' node crash-child.mjs
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { createWatchpost } from '@watchpost/core'

const config = JSON.parse(process.env.WATCHPOST_CRASH_CHILD ?? '')
const fd = openSync(config.log, 'a')
const write = (text) => writeSync(fd, text)
write(`start ${Date.now()}\n`)

const wp = createWatchpost(config.options)
const health = () => wp.health().sinks[0]

/** One of four event types in turn, one per ASIM table (the same mix as the in-process scenarios). */
function record(i) {
  switch (i & 3) {
    case 0:
      return wp.record('authz_fail', { userId: `user-${i}`, resource: `/orders/${i}` })
    case 1:
      return wp.record('authn_login_fail', { userId: `user-${i}`, reason: 'bad_password' })
    case 2:
      return wp.record('sensitive_read', { userId: `user-${i}`, object: `report-${i}.csv`, records: i })
    default:
      return wp.record('user_created', { userId: 'admin', newUserId: `user-${i}` })
  }
}

if (config.mode === 'emit') {
  const t0 = performance.now()
  let sent = 0
  const tick = () => {
    const due = Math.floor(((performance.now() - t0) * config.rate) / 1000)
    let lines = ''
    while (sent < due) {
      const at = Date.now()
      const before = wp.stats().emitted
      const event = record(sent++)
      // `record` returns the event even when the queue refused it: only accepted ones are logged.
      if (event !== undefined && wp.stats().emitted > before) lines += `${event.EventUid} ${at}\n`
    }
    if (lines !== '') write(lines)
    setTimeout(tick, 10)
  }
  tick()
} else {
  const until = Date.now() + config.drainTimeoutMs
  const poll = async () => {
    const h = health()
    if (wp.stats().queued === 0 && h.queued === 0 && h.inFlight === 0) {
      await wp.close()
      write(`drained ${JSON.stringify(health())}\n`)
      closeSync(fd)
      process.exit(0)
    }
    if (Date.now() > until) {
      write(`timeout ${JSON.stringify(h)}\n`)
      process.exit(1)
    }
    setTimeout(poll, 50)
  }
  setTimeout(poll, 200)
}
