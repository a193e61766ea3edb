/**
 * A real redis-server for the tests (Debian's `redis-server` package; .ci/run installs it): its own
 * process on a free loopback port, no persistence (`--save '' --appendonly no`), in a temp dir.
 * It can be killed (SIGKILL), hung (SIGSTOP) and resumed (SIGCONT), and restarted on the same port.
 * Every process started here is killed when the test process exits, whatever happened before.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) {
    child.kill('SIGCONT')
    child.kill('SIGKILL')
  }
})

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** SIGKILL, and waits for the process to end: a crash, nothing written. */
  kill(): Promise<void>
  /** Starts a new server on the same port (empty: nothing was persisted). */
  restart(): Promise<void>
  /** SIGSTOP: connections stay open, nothing answers. */
  pause(): void
  /** SIGCONT after pause(). */
  resume(): void
  /** Ends the server (if running) and removes its directory. */
  stop(): Promise<void>
}

/** A port free on loopback now: listen on port 0, read it, close. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port from listen(0)')
  return address.port
}

/** Whether a PING on a fresh connection gets +PONG within `ms`. */
function pong(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    let reply = ''
    const done = (ok: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), ms)
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (data) => {
      reply += data.toString()
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
    socket.on('error', () => done(false))
  })
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

async function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  running.add(child)
  child.once('exit', () => running.delete(child))
  let output = ''
  child.stdout?.on('data', (data) => {
    output += data
  })
  child.stderr?.on('data', (data) => {
    output += data
  })
  const failed = new Promise<Error>((resolve) => {
    child.once('error', (error) =>
      resolve(
        new Error(`redis-server did not start (${error.message}); install it: apt-get install redis-server`),
      ),
    )
    child.once('exit', (code, signal) =>
      resolve(new Error(`redis-server exited (${code ?? signal}) before it answered:\n${output}`)),
    )
  })
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const answer = await Promise.race([pong(port, 500), failed])
    if (answer instanceof Error) throw answer
    if (answer) return child
    await sleep(25)
  }
  child.kill('SIGKILL')
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s:\n${output}`)
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-redis-'))
  let child: ChildProcess | undefined
  try {
    child = await launch(port, dir)
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  const end = async (signal: NodeJS.Signals) => {
    const current = child
    child = undefined
    if (current === undefined) return
    current.kill('SIGCONT') // a stopped process would not act on SIGTERM
    current.kill(signal)
    await exited(current)
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: () => end('SIGKILL'),
    async restart() {
      await end('SIGKILL')
      child = await launch(port, dir)
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async stop() {
      await end('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
