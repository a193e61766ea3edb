// Request-path overhead under concurrent load, as users feel it: req/s, server CPU per request and p99
// latency of each variant against the bare framework, measured in the same run, alternating.
//   npm run bench                      full run: fastify, express × hello, json, mix × 1, 8, 50
//                                      connections; bare, watchpost, bare2 at every level, the peers at 50
//                                      only; 6 rounds × 4 s, fresh servers every 2 rounds (≈ 32 min)
//   npm run bench -- --smoke           CI: one 0.5-s round of everything (every variant but
//                                      watchpost-redis) at 8 connections (≈ 45 s); it only proves the
//                                      bench runs, its figures are noise
//   npm run bench -- --frameworks fastify --variants bare,watchpost,bare2 --rounds 2 --seconds 2 --connections 8,50
//   npm run bench -- --frameworks fastify,express --traffic hello,json,mix --connections 50 \
//     --variants bare,watchpost-norules,watchpost,watchpost-protect,watchpost-redis,bare2
//                                      the rules' cost on the request path (variants below; not in the
//                                      default run, which they would make about twice as long)
//
// Options: a flag, else its environment variable, else the default (--smoke ignores the variables).
//   --rounds N            BENCH_ROUNDS            rounds (6)
//   --seconds S           BENCH_SECONDS           seconds per measured window (4)
//   --warmup S            BENCH_WARMUP            seconds of each traffic per server before its first round (3)
//   --restart-every N     BENCH_RESTART_EVERY     fresh server processes every N rounds (2; 0: one process per
//                                                 variant for the whole run)
//   --connections LIST    BENCH_CONNECTIONS       connection counts (1,8,50)
//   --peer-connections X  BENCH_PEER_CONNECTIONS  where aikido and datadog run: `max` (the largest
//                                                 connection count; default), `all`, or a list
//   --frameworks LIST     BENCH_FRAMEWORKS        (fastify,express)
//   --variants LIST       BENCH_VARIANTS          (bare,watchpost,bare2,aikido,datadog); bare always runs;
//                                                 also watchpost-nodetectors, watchpost-noinjection,
//                                                 watchpost-norules, watchpost-protect, watchpost-redis,
//                                                 bare-spin
//                         BENCH_SPIN_NS           bare-spin's busy-wait per request, ns (3000)
//   --traffic LIST        BENCH_TRAFFIC           (hello,json,mix; `login` too: an event per request)
//   --json PATH           BENCH_JSON              also write every window's raw figures as JSON lines
//   --smoke                                       1 round × 0.5 s, 0.25 s warm-up, 8 connections, every
//                                                 variant but watchpost-redis (add it with --variants)
//                         BENCH_SETTLE=0          skip the V8 settling step of every server (server.cjs)
//
// Variants: `bare` (the app without security tooling), `watchpost` (`app.register(watchpost, opts)` /
// `app.use(watchpost(opts))`: every default detector, events through the pipeline into a file sink on
// /dev/null), `bare2` (a second bare process: the A/A control; bare2/bare is the noise), and the
// peers `aikido` (Aikido Zen, blocking mode) and `datadog` (Datadog AppSec), both offline (server.cjs).
// The rules' cost, on request: `watchpost-norules` (`defaultRules: false`), against which `watchpost`
// (the shipped rules, monitor mode, memory store) prices the rules; `watchpost-protect` (protect
// mode, credential stuffing given a block response: the adapters' gate checks every request) and
// `watchpost-redis` (the same with the rules' state in Redis, @watchpost/redis over ioredis, on a
// redis-server this script starts on loopback, pinned to CPU 0 with the load generator, emptied for
// every generation of servers and stopped at the end).
// Where Watchpost's cost goes, on request: `watchpost-nodetectors` (every detector switched off: the
// adapter, the request context, the pipeline and the rules, which then see no event) and
// `watchpost-noinjection` (every detector but injection, the one that walks every input).
// The harness's own gain, on request: `bare-spin` (the bare app, every request first held by a
// busy-wait of BENCH_SPIN_NS on the server's thread, server.cjs): what a known few microseconds per
// request cost in this harness's req/s and CPU per request.
// The app, its routes and options are test/bench/bench-app.cjs; the traffic is test/bench/traffic.mjs.
//
// Method. Every variant's server is a long-lived process per framework, all started together and each
// warmed with --warmup seconds of every traffic (at the largest connection count) before its first
// measured window: a window then measures the steady state a running app is in (code optimised,
// detector windows open, heap grown), not a fresh process's start-up and JIT, which a user does not
// feel on each request. Every --restart-every rounds all servers are replaced by fresh, warmed ones:
// each process has its own luck (what V8 optimised and how, where heap and code landed), worth several
// percent of CPU per request, which alternating rounds within one process cannot average out and
// several generations of processes can. Only one server is loaded at a time; the others idle.
// Within a round every traffic × connection cell runs each variant once, back to back, in the order
// of VARIANTS below (bare, watchpost, bare2, aikido, datadog in the default run), and the next round
// reverses it (ABBA), so that drift on the machine hits all variants alike. Servers run on CPU 1
// (`taskset -c 1`), this process — the load generator, autocannon, on loopback — on CPU 0
// (`taskset -a -p`: all its threads); without taskset or a second CPU both share the cores, and the
// output says so. Per window: req/s (responses / elapsed time), the server process's CPU (utime and
// stime from /proc/<pid>/stat, all its threads, in clock ticks of `getconf CLK_TCK`: ±1 tick, 10 ms
// at 100 Hz, per window) divided by the responses, p50/p99 latency of every response (autocannon's
// own histogram rounds to whole milliseconds), and every response's status against what its request
// should get (traffic.mjs): a window with another status or a connection error is flagged in the
// output. For Watchpost, the events it recorded (`stats()` over the server's IPC channel); a window
// in which it dropped events, its rules blocked or delayed requests, or its state store failed or
// answered from local memory is flagged too. Ratios are per round (the variant's window against
// bare's in the same round and cell); the table gives their median and range. Figures are printed,
// never asserted.
import { spawn, spawnSync } from 'node:child_process'
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createConnection, createServer } from 'node:net'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { median } from './median.mjs'
import { DEFAULT_TRAFFIC, requestsFor, TRAFFIC } from './traffic.mjs'

// Watchpost's variants (options in bench-app.cjs): where its cost goes, and what the rules cost.
const ATTRIBUTION = ['watchpost-nodetectors', 'watchpost-noinjection']
const RULE_VARIANTS = ['watchpost-norules', 'watchpost-protect', 'watchpost-redis']
const WATCHPOST = [...ATTRIBUTION, 'watchpost-norules', 'watchpost', 'watchpost-protect', 'watchpost-redis']
// Every variant, in the order of a round; the default run measures DEFAULT_VARIANTS.
const VARIANTS = ['bare', ...WATCHPOST, 'bare2', 'bare-spin', 'aikido', 'datadog']
const DEFAULT_VARIANTS = ['bare', 'watchpost', 'bare2', 'aikido', 'datadog']
const PEERS = ['aikido', 'datadog']
const LABELS = {
  bare: 'bare',
  'watchpost-nodetectors': 'Watchpost, no detectors',
  'watchpost-noinjection': 'Watchpost, no injection',
  'watchpost-norules': 'Watchpost, no rules',
  watchpost: 'Watchpost',
  'watchpost-protect': 'Watchpost, protect',
  'watchpost-redis': 'Watchpost, protect, Redis',
  bare2: 'bare2 (A/A)',
  'bare-spin': 'bare + busy-wait',
  aikido: 'Aikido Zen',
  datadog: 'Datadog AppSec',
}
const FRAMEWORKS = ['fastify', 'express']
const SERVER = fileURLToPath(new URL('./server.cjs', import.meta.url))
const require = createRequire(import.meta.url)

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    'peer-connections': { type: 'string' },
    frameworks: { type: 'string' },
    variants: { type: 'string' },
    traffic: { type: 'string' },
    json: { type: 'string' },
    'restart-every': { type: 'string' },
  },
})
const smoke = values.smoke
// The smoke run checks every variant runs but watchpost-redis. Measured on the 2-core box (busy):
// ≈ 32 s with the default variants, watchpost-norules and watchpost-protect add ≈ 13 s, and
// watchpost-redis ≈ 8 s more (its windows and Redis's start-up: the store's first probe, ≤ 1 s per
// framework), which would make the rules' variants add over 20 s to CI's run.
const SMOKE = {
  rounds: '1',
  seconds: '0.5',
  warmup: '0.25',
  connections: '8',
  'restart-every': '0',
  variants: VARIANTS.filter((v) => v !== 'watchpost-redis').join(','),
}
const DEFAULTS = {
  rounds: '6',
  seconds: '4',
  warmup: '3',
  connections: '1,8,50',
  'peer-connections': 'max',
  frameworks: FRAMEWORKS.join(','),
  variants: DEFAULT_VARIANTS.join(','),
  traffic: DEFAULT_TRAFFIC.join(','),
  json: '',
  'restart-every': '2',
}
const option = (name) =>
  values[name] ??
  (smoke ? SMOKE[name] : process.env[`BENCH_${name.toUpperCase().replace('-', '_')}`]) ??
  DEFAULTS[name]
const list = (name) =>
  option(name)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
const number = (name) => {
  const n = Number(option(name))
  if (!(n > 0)) throw new Error(`--${name} must be a positive number, not ${option(name)}`)
  return n
}
const oneOf = (name, allowed) => {
  const xs = list(name)
  for (const x of xs)
    if (!allowed.includes(x)) throw new Error(`--${name}: unknown ${x} (${allowed.join(', ')})`)
  return xs
}

const ROUNDS = Math.round(number('rounds'))
const SECONDS = number('seconds')
const WARMUP = option('warmup') === '0' ? 0 : number('warmup')
const RESTART_EVERY = option('restart-every') === '0' ? 0 : Math.round(number('restart-every'))
const CONNECTIONS = list('connections').map(Number)
if (CONNECTIONS.some((c) => !Number.isInteger(c) || c < 1))
  throw new Error('--connections: positive integers')
const peerOption = option('peer-connections')
const PEER_CONNECTIONS =
  peerOption === 'max'
    ? [Math.max(...CONNECTIONS)]
    : peerOption === 'all'
      ? CONNECTIONS
      : peerOption.split(',').map(Number)
const frameworks = oneOf('frameworks', FRAMEWORKS)
const trafficNames = oneOf('traffic', Object.keys(TRAFFIC))
const asked = oneOf('variants', VARIANTS)
// Ratios need bare; variants run in the canonical order (the ABBA order of a round).
const variants = VARIANTS.filter((v) => v === 'bare' || asked.includes(v))
const jsonPath = option('json')
const variantsAt = (connections) =>
  variants.filter((v) => !PEERS.includes(v) || PEER_CONNECTIONS.includes(connections))

// --- The machine, and pinning ---------------------------------------------------------------------

const cores = os.cpus().length
const cpuModel =
  /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model
const getconf = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })
const CLK_TCK = Number(getconf.stdout?.trim()) || 100
let pinning
let pinned = false
if (cores < 2) {
  pinning = `NOT PINNED: ${cores} CPU, the servers and the load generator share it`
} else {
  const taskset = spawnSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' })
  pinned = taskset.status === 0
  pinning = pinned
    ? 'servers on CPU 1 (taskset -c 1), load generator (this process, autocannon) on CPU 0'
    : `NOT PINNED (${taskset.error?.code === 'ENOENT' ? 'taskset not found: install util-linux' : 'taskset failed'}): servers and load generator share the cores, so a server's extra work also slows the load generator`
}
if (!pinned) console.error(`warning: ${pinning}`)

/** A package's version, from the package.json above its entry point (not every package exports it). */
function versionOf(name) {
  let dir
  try {
    dir = dirname(require.resolve(name))
  } catch {
    return 'not installed'
  }
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).name === name)
      return JSON.parse(readFileSync(file, 'utf8')).version
  }
  return 'unknown'
}
const git = (...args) => spawnSync('git', args, { encoding: 'utf8' }).stdout?.trim() ?? ''
const commit = `${git('rev-parse', '--short', 'HEAD') || 'unknown'}${git('status', '--porcelain') ? ' (with uncommitted changes)' : ''}`
const started = new Date()

// --- Servers ---------------------------------------------------------------------------------------

/** Starts a server and resolves once it listens: `{ framework, variant, child, pid, port }`. */
function start(framework, variant) {
  const argv = [process.execPath, '--expose-gc', SERVER, framework, variant]
  if (variant === 'watchpost-redis') argv.push(String(redis.port))
  const [command, ...args] = pinned ? ['taskset', '-c', '1', ...argv] : argv
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('did not listen within 60 s')), 60_000)
    const done = () => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    const fail = (err) => {
      done()
      child.kill()
      reject(err)
    }
    const onMessage = (message) => {
      if (message?.ready === undefined) return
      done()
      // taskset execs node, so the pid is the server's; checked, since its CPU is read by pid.
      const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8')
      if (!cmdline.includes(SERVER)) return fail(new Error(`pid ${child.pid} is not the server`))
      resolve({ framework, variant, child, pid: child.pid, port: message.ready })
    }
    const onExit = (code) => fail(new Error(`exited (${code}) before listening`))
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

/** Asks a server over IPC; resolves with the reply's `key` (`stats`: Watchpost's counters, or null). */
function ask(server, message, key) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      server.child.off('message', onMessage)
      reject(new Error(`no answer to '${message}' within 30 s`))
    }, 30_000)
    const onMessage = (reply) => {
      if (reply === null || typeof reply !== 'object' || !(key in reply)) return
      clearTimeout(timer)
      server.child.off('message', onMessage)
      resolve(reply[key])
    }
    if (!server.child.connected) {
      clearTimeout(timer)
      return reject(new Error('the server has exited'))
    }
    server.child.on('message', onMessage)
    server.child.send(message)
  })
}

async function stop(server) {
  const exited = new Promise((resolve) => server.child.once('exit', resolve))
  server.child.disconnect()
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

/** utime and stime of a server, in clock ticks: fields 14 and 15 of /proc/<pid>/stat. */
function cpuTicks({ child, pid }) {
  if (child.exitCode !== null || child.signalCode !== null)
    throw new Error(`the server exited (${child.exitCode ?? child.signalCode})`)
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { user: Number(fields[11]), sys: Number(fields[12]) }
}

// --- Redis, for watchpost-redis -------------------------------------------------------------------

/** A TCP port free on loopback now. */
function freePort() {
  const server = createServer()
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/**
 * Starts the bench's own redis-server: loopback, a free port, nothing persisted, in a temporary
 * directory; pinned to CPU 0, with the load generator, so that CPU 1 stays the measured server's.
 * Resolves once it accepts connections: `{ port, version, stop() }`. Killed if the bench exits first.
 */
async function startRedis() {
  const port = await freePort()
  const dir = mkdtempSync(join(os.tmpdir(), 'watchpost-bench-redis-'))
  const argv = ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '']
  argv.push('--appendonly', 'no', '--dir', dir)
  const [command, ...args] = pinned ? ['taskset', '-c', '0', ...argv] : argv
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const kill = () => {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  process.on('exit', kill)
  let output = ''
  const ready = new Promise((resolve, reject) => {
    const fail = (why) => {
      clearTimeout(timer)
      kill()
      reject(new Error(`redis-server ${why} (apt-get install redis-server, or leave watchpost-redis out)`))
    }
    const timer = setTimeout(() => fail(`did not accept connections within 10 s:\n${output}`), 10_000)
    const onOutput = (data) => {
      output += data
      if (!output.includes('Ready to accept connections')) return
      clearTimeout(timer)
      child.stdout.off('data', onOutput).resume()
      child.off('exit', onExit)
      resolve()
    }
    const onExit = (code) => fail(`exited (${code}) before it accepted connections:\n${output}`)
    child.on('error', (err) => fail(`did not start: ${err.message}`))
    child.on('exit', onExit)
    child.stdout.on('data', onOutput)
    child.stderr.on('data', (data) => {
      output += data
    })
  })
  await ready
  const version = /v=(\S+)/.exec(spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout)?.[1]
  return {
    port,
    version: version ?? 'unknown',
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
      process.off('exit', kill)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Empties the bench's Redis: each generation of servers starts with no rule state, as with the memory store. */
function flushRedis() {
  return new Promise((resolve, reject) => {
    let reply = ''
    const socket = createConnection({ host: '127.0.0.1', port: redis.port }, () =>
      socket.write('FLUSHALL\r\nQUIT\r\n'),
    )
    socket.setEncoding('utf8')
    socket.on('data', (data) => {
      reply += data
    })
    socket.on('error', reject)
    socket.on('close', () =>
      reply.startsWith('+OK')
        ? resolve()
        : reject(new Error(`Redis FLUSHALL: ${reply.trim() || 'no answer'}`)),
    )
  })
}

// --- One window -----------------------------------------------------------------------------------

/** Loads `server` with `traffic` for `seconds` and measures it. Responses are checked, never thrown on. */
async function load(server, traffic, connections, seconds) {
  const { requests, tally } = requestsFor(traffic)
  const latencies = []
  const cpuBefore = cpuTicks(server)
  const clientBefore = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const result = await new Promise((resolve, reject) => {
    const tracker = autocannon(
      { url: `http://127.0.0.1:${server.port}`, connections, duration: seconds, sampleInt: 100, requests },
      (err, res) => (err ? reject(err) : resolve(res)),
    )
    tracker.on('response', (_client, _status, _bytes, ms) => latencies.push(ms))
  })
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9
  const cpuAfter = cpuTicks(server)
  const client = process.cpuUsage(clientBefore)
  const n = latencies.length
  latencies.sort((a, b) => a - b)
  const quantile = (q) => (n === 0 ? Number.NaN : latencies[Math.min(n - 1, Math.floor(q * n))])
  const user = cpuAfter.user - cpuBefore.user
  const sys = cpuAfter.sys - cpuBefore.sys
  const usPerTick = 1e6 / CLK_TCK
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([s, { count }]) => [s, count]),
  )
  const window = {
    seconds: round(elapsed, 3),
    requests: n,
    rps: n / elapsed,
    cpu: {
      userTicks: user,
      sysTicks: sys,
      userUs: (user * usPerTick) / n,
      sysUs: (sys * usPerTick) / n,
      serverBusy: (user + sys) / CLK_TCK / elapsed,
      clientBusy: (client.user + client.system) / 1e6 / elapsed,
    },
    latencyMs: { p50: quantile(0.5), p99: quantile(0.99), max: latencies[n - 1] },
    statuses,
    unexpected: tally.unexpected,
    errors: result.errors,
    timeouts: result.timeouts,
  }
  window.flags = flagsOf(window)
  return window
}

/** What is wrong with a window: statuses its requests should not get, errors, no responses, a busy load generator. */
function flagsOf(w) {
  const flags = []
  const unexpected = Object.entries(w.unexpected).sort((a, b) => b[1] - a[1])
  const count = unexpected.reduce((sum, [, c]) => sum + c, 0)
  if (count > 0) {
    const top = unexpected.slice(0, 3).map(([what, c]) => `${what} ×${c}`)
    flags.push(
      `${count} of ${w.requests} responses not what the traffic gets (${top.join(', ')}${unexpected.length > 3 ? ', …' : ''})`,
    )
  }
  if (w.errors > 0) flags.push(`${w.errors} connection errors (${w.timeouts} timeouts)`)
  if (w.requests === 0) flags.push('no response completed')
  if (w.cpu.clientBusy > 0.95)
    flags.push(`load generator ${Math.round(100 * w.cpu.clientBusy)} % busy: req/s may be its limit`)
  return flags
}

const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits

// --- The run --------------------------------------------------------------------------------------

const windows = []
const serverTotals = [] // per framework: Watchpost's events against the requests of each traffic
const runFlags = [] // warm-up windows and servers that failed

function writeJson(record) {
  if (jsonPath) appendFileSync(jsonPath, `${JSON.stringify(record)}\n`)
}

const windowCount =
  frameworks.length * ROUNDS * trafficNames.length * CONNECTIONS.reduce((s, c) => s + variantsAt(c).length, 0)
const generations = RESTART_EVERY > 0 ? Math.ceil(ROUNDS / RESTART_EVERY) : 1
const warmupCount = generations * frameworks.length * variants.length * trafficNames.length
const estimate =
  windowCount * (SECONDS + 0.15) + warmupCount * (WARMUP + 0.15) + generations * frameworks.length * 5
const redis = variants.includes('watchpost-redis') ? await startRedis() : undefined
if (redis !== undefined)
  pinning += pinned
    ? `; redis-server (watchpost-redis's store, 127.0.0.1:${redis.port}) on CPU 0 with the load generator (taskset -c 0)`
    : "; redis-server (watchpost-redis's store) shares the cores too"
const header = {
  machine: `${cpuModel}, ${cores} cores`,
  node: process.version,
  versions: Object.fromEntries(
    [...frameworks, ...(variants.includes('aikido') ? ['@aikidosec/firewall'] : [])]
      .concat(variants.includes('datadog') ? ['dd-trace'] : [])
      .concat(redis ? ['ioredis'] : [])
      .map((name) => [name, versionOf(name)])
      .concat(redis ? [['redis-server', redis.version]] : []),
  ),
  date: started.toISOString(),
  commit,
  rounds: ROUNDS,
  restartEvery: RESTART_EVERY,
  seconds: SECONDS,
  warmup: WARMUP,
  connections: CONNECTIONS,
  peerConnections: PEER_CONNECTIONS,
  frameworks,
  variants,
  traffic: trafficNames,
  pinning,
  settled: process.env.BENCH_SETTLE !== '0',
  clkTck: CLK_TCK,
  loadAverageAtStart: os.loadavg()[0],
  smoke,
}
if (jsonPath) writeFileSync(jsonPath, '')
writeJson({ type: 'run', ...header })
console.error(
  `${windowCount} windows of ${SECONDS} s and ${warmupCount} warm-ups of ${WARMUP} s: about ${Math.ceil(estimate / 60)} min`,
)

const children = new Set()
process.on('SIGINT', () => {
  for (const child of children) child.kill()
  process.exit(130)
})

const EVENTFUL = ['mix', 'login']

for (const framework of frameworks) {
  let servers = new Map()
  // Per Watchpost variant: requests its servers answered and events they recorded during them, per
  // traffic; events over every generation of servers (each counted from its start to its close()).
  const tallies = new Map(
    variants
      .filter((v) => WATCHPOST.includes(v))
      .map((v) => [v, { requests: {}, events: {}, total: 0, stats: undefined, startupFallbacks: 0 }]),
  )
  /** Loads a server; for Watchpost's, adds the window's events (and flags drops, blocks, store trouble). */
  async function measure(server, traffic, connections, seconds) {
    const tally = tallies.get(server.variant)
    const before = tally === undefined ? undefined : await ask(server, 'stats', 'stats')
    const w = await load(server, traffic, connections, seconds)
    if (before === undefined) return w
    const after = await ask(server, 'stats', 'stats')
    w.events = after.emitted - before.emitted
    tally.requests[traffic] = (tally.requests[traffic] ?? 0) + w.requests
    tally.events[traffic] = (tally.events[traffic] ?? 0) + w.events
    w.flags.push(...watchpostFlags(before, after))
    return w
  }

  /** Starts a fresh server per variant and warms each up. */
  async function launch(generation) {
    servers = new Map()
    const launched = await Promise.allSettled(variants.map((v) => start(framework, v)))
    launched.forEach((s, i) => {
      if (s.status === 'fulfilled') {
        servers.set(variants[i], s.value)
        children.add(s.value.child)
      } else console.error(`skipped ${framework}/${variants[i]}: ${s.reason.message}`)
    })
    if (!servers.has('bare')) throw new Error(`${framework}/bare did not start`)
    for (const [variant, server] of servers)
      if (tallies.has(variant)) server.atStart = await ask(server, 'stats', 'stats')
    if (WARMUP > 0)
      for (const [variant, server] of servers)
        for (const traffic of trafficNames) {
          const w = await measure(server, traffic, Math.max(...CONNECTIONS), WARMUP)
          writeJson({
            type: 'warmup',
            framework,
            generation,
            traffic,
            connections: Math.max(...CONNECTIONS),
            variant,
            ...w,
          })
          for (const flag of w.flags) runFlags.push(`${framework} ${variant} ${traffic} (warm-up): ${flag}`)
          console.error(
            `${framework} ${variant} ${traffic}: warmed up (servers ${generation}), ${Math.round(w.rps)} req/s`,
          )
        }
  }

  /** Closes Watchpost (its detectors report their open windows: every aggregate is counted) and stops every server. */
  async function retire() {
    for (const [variant, server] of servers) {
      const tally = tallies.get(variant)
      if (tally === undefined) continue
      const stats = await ask(server, 'close', 'closed')
      tally.total += stats.emitted - server.atStart.emitted
      tally.startupFallbacks += server.atStart.store.fallbacks
      tally.stats = tally.stats === undefined ? stats : addStats(tally.stats, stats)
    }
    for (const server of servers.values()) {
      await stop(server)
      children.delete(server.child)
    }
  }

  let generation = 0
  for (let r = 0; r < ROUNDS; r++) {
    if (r === 0 || (RESTART_EVERY > 0 && r % RESTART_EVERY === 0)) {
      if (r > 0) await retire()
      if (redis !== undefined) await flushRedis()
      await launch(++generation)
    }
    for (const traffic of trafficNames)
      for (const connections of CONNECTIONS) {
        const order = variantsAt(connections).filter((v) => servers.has(v))
        if (r % 2 === 1) order.reverse()
        for (const [position, variant] of order.entries()) {
          let w
          try {
            w = await measure(servers.get(variant), traffic, connections, SECONDS)
          } catch (err) {
            // A server that died (or stopped answering) leaves the run; without bare there is no run.
            if (variant === 'bare') throw err
            runFlags.push(`${framework} ${variant}: ${err.message}; left out of the rest of the run`)
            console.error(`${framework} ${variant} failed (${err.message}): left out of the rest of the run`)
            servers.get(variant).child.kill('SIGKILL')
            servers.delete(variant)
            continue
          }
          const record = {
            type: 'window',
            framework,
            traffic,
            connections,
            variant,
            round: r + 1,
            generation,
            position,
            ...w,
          }
          windows.push(record)
          writeJson(record)
          console.error(
            `${framework} ${traffic} ×${connections} round ${r + 1} ${variant}: ${Math.round(w.rps)} req/s, ` +
              `CPU ${w.cpu.userUs.toFixed(1)}+${w.cpu.sysUs.toFixed(1)} µs/req (server ${Math.round(100 * w.cpu.serverBusy)} % busy, ` +
              `load generator ${Math.round(100 * w.cpu.clientBusy)} %), p99 ${w.latencyMs.p99.toFixed(2)} ms` +
              `${w.events === undefined ? '' : `, ${w.events} events`}${w.flags.length ? ` ⚠ ${w.flags.join('; ')}` : ''}`,
          )
        }
      }
  }
  await retire()
  for (const [variant, tally] of tallies) {
    if (tally.stats === undefined) continue
    const total = {
      type: 'events',
      framework,
      variant,
      total: tally.total,
      requests: tally.requests,
      events: tally.events,
      stats: tally.stats,
      startupFallbacks: tally.startupFallbacks,
    }
    serverTotals.push(total)
    writeJson(total)
  }
}
await redis?.stop()

/** Watchpost's counters of two server generations, added (the counts the report reads). */
function addStats(a, b) {
  const rules = Object.fromEntries(Object.entries(b.rules).map(([k, n]) => [k, a.rules[k] + n]))
  return {
    ...b,
    emitted: a.emitted + b.emitted,
    buildErrors: a.buildErrors + b.buildErrors,
    detectorErrors: a.detectorErrors + b.detectorErrors,
    rules,
    store: { ...b.store, fallbacks: a.store.fallbacks + b.store.fallbacks },
  }
}

/**
 * What went wrong in a Watchpost server between two of its stats(): dropped events; requests its
 * rules blocked or delayed (the bench's traffic should never make them fire); a state store that
 * failed or answered from local memory (for Redis: unreachable, or slower than its 100-ms timeout).
 */
function watchpostFlags(before, after) {
  const flags = []
  const more = (f) => f(after) - f(before)
  const dropped = more((stats) => Object.values(stats.dropped).reduce((a, b) => a + b, 0))
  if (dropped > 0) flags.push(`Watchpost dropped events: ${JSON.stringify(after.dropped)}`)
  const blocked = more((stats) => stats.rules.blockedRequests)
  const delayed = more((stats) => stats.rules.delayedRequests)
  if (blocked + delayed > 0) flags.push(`the rules blocked ${blocked} and delayed ${delayed} requests`)
  const storeErrors = more((stats) => stats.rules.storeErrors)
  if (storeErrors > 0) flags.push(`${storeErrors} state store errors`)
  const fallbacks = more((stats) => stats.store.fallbacks)
  if (fallbacks > 0)
    flags.push(
      `the state store answered ${fallbacks} calls from local memory (${after.store.state === 'ok' ? 'Redis again by the end of the window' : `still: ${after.store.lastError}`})`,
    )
  return flags
}

// --- The tables -----------------------------------------------------------------------------------

const int = (x) => Math.round(x).toLocaleString('en-US')
const pct = (x) => `${(100 * x).toFixed(1)} %`
const ms = (x) => (Number.isNaN(x) ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(1))
const cpu = (ws) =>
  `${median(ws.map((w) => w.cpu.userUs)).toFixed(1)}+${median(ws.map((w) => w.cpu.sysUs)).toFixed(1)}`
const signed = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)} %`

/** Per-round pairs of a variant's window and bare's in the same cell and round. */
function paired(cell, variant) {
  const measured = cell.filter((w) => w.requests > 0)
  const bare = new Map(measured.filter((w) => w.variant === 'bare').map((w) => [w.round, w]))
  return measured.filter((w) => w.variant === variant && bare.has(w.round)).map((w) => [w, bare.get(w.round)])
}

const ended = new Date()
console.log(
  `\n## Wall clock under load${smoke ? ' — SMOKE RUN: checks the bench runs, the figures are noise' : ''}\n`,
)
console.log(
  `- machine: ${header.machine}; load average ${os.loadavg()[0].toFixed(2)} at the end (${header.loadAverageAtStart.toFixed(2)} at the start)`,
)
console.log(
  `- Node ${process.version}; ${Object.entries(header.versions)
    .map(([n, v]) => `${n} ${v}`)
    .join(', ')}`,
)
console.log(`- ${started.toISOString()}, ${Math.round((ended - started) / 60_000)} min; commit ${commit}`)
console.log(
  `- ${ROUNDS} round(s) of ${SECONDS}-s windows, ${RESTART_EVERY > 0 ? `fresh server processes every ${RESTART_EVERY} rounds (${generations} generations)` : 'one server process per variant'}, each server first warmed up with ${WARMUP} s of every traffic; connections ${CONNECTIONS.join(', ')}` +
    `${variants.some((v) => PEERS.includes(v)) && PEER_CONNECTIONS.join() !== CONNECTIONS.join() ? `; the peers (Aikido Zen, Datadog AppSec) at ${PEER_CONNECTIONS.join(', ')} connections only` : ''}`,
)
console.log(`- pinning: ${pinning}`)
console.log(
  header.settled
    ? '- V8 state: every server queued ticks and ran a full GC before listening (server.cjs `settle`; BENCH_SETTLE=0: off)'
    : '- V8 state: NOT settled (BENCH_SETTLE=0): each server as its start-up left it',
)
console.log(
  `- CPU µs/req: the server process's utime+stime (/proc/<pid>/stat, CLK_TCK ${CLK_TCK}) over a window / its responses`,
)

const allFlags = [...runFlags]
for (const framework of frameworks) {
  const shown = variants.filter(
    (v) => v !== 'bare' && windows.some((w) => w.framework === framework && w.variant === v),
  )
  console.log(`\n### ${framework} ${header.versions[framework]}\n`)
  const columns = [
    'traffic',
    'conn.',
    'bare req/s',
    ...shown.map((v) => `${LABELS[v]} req/s (ratio; range)`),
    ...shown.map((v) => `CPU µs/req user+sys: bare → ${LABELS[v]}`),
    `p99 ms: ${['bare', ...shown].map((v) => LABELS[v]).join(' / ')}`,
  ]
  console.log(`| ${columns.join(' | ')} |`)
  console.log(`|${columns.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`)
  for (const traffic of trafficNames)
    for (const connections of CONNECTIONS) {
      const cell = windows.filter(
        (w) => w.framework === framework && w.traffic === traffic && w.connections === connections,
      )
      const bare = cell.filter((w) => w.variant === 'bare')
      if (bare.length === 0) continue
      const mark = (ws) => (ws.some((w) => w.flags.length > 0) ? ' ⚠' : '')
      const row = [
        TRAFFIC[traffic].label,
        String(connections),
        `${int(median(bare.map((w) => w.rps)))}${mark(bare)}`,
      ]
      const cpuCells = []
      for (const variant of shown) {
        const pairs = paired(cell, variant)
        if (pairs.length === 0) {
          row.push('—')
          cpuCells.push('—')
          continue
        }
        const ws = pairs.map(([w]) => w)
        const ratios = pairs.map(([w, b]) => w.rps / b.rps)
        const cpuRatios = pairs.map(
          ([w, b]) => (w.cpu.userUs + w.cpu.sysUs) / (b.cpu.userUs + b.cpu.sysUs) - 1,
        )
        const range =
          ratios.length > 1
            ? `; ${(100 * Math.min(...ratios)).toFixed(0)}–${(100 * Math.max(...ratios)).toFixed(0)} %`
            : ''
        row.push(`${int(median(ws.map((w) => w.rps)))} (${pct(median(ratios))}${range})${mark(ws)}`)
        cpuCells.push(`${cpu(pairs.map(([, b]) => b))} → ${cpu(ws)} (${signed(median(cpuRatios))})`)
      }
      const p99 = ['bare', ...shown].map((v) => {
        const ws = cell.filter((w) => w.variant === v)
        return ws.length ? ms(median(ws.map((w) => w.latencyMs.p99))) : '—'
      })
      console.log(`| ${[...row, ...cpuCells, p99.join(' / ')].join(' | ')} |`)
      for (const w of cell)
        for (const flag of w.flags)
          allFlags.push(
            `${framework} ${TRAFFIC[traffic].label} ×${connections} round ${w.round} ${w.variant}: ${flag}`,
          )
    }
  for (const total of serverTotals.filter((t) => t.framework === framework)) {
    const perK = (events, requests) => (requests > 0 ? ((1000 * events) / requests).toFixed(1) : '—')
    const during = trafficNames.map((t) => `${TRAFFIC[t].label} ${perK(total.events[t], total.requests[t])}`)
    const eventful = trafficNames.filter((t) => EVENTFUL.includes(t))
    const requests = eventful.reduce((sum, t) => sum + (total.requests[t] ?? 0), 0)
    const { rules, store } = total.stats
    const fallbacks = store.fallbacks - total.startupFallbacks
    const trouble = rules.blockedRequests + rules.delayedRequests + rules.storeErrors + fallbacks > 0
    console.log(
      `\nWatchpost's events per 1,000 requests${total.variant === 'watchpost' ? '' : ` (${LABELS[total.variant]})`}, during the windows of each traffic: ${during.join(', ')}.`,
    )
    console.log(
      `Over the whole run (warm-up included, the detectors' open windows closed at the end): ${int(total.total)} events` +
        (requests > 0
          ? ` for ${int(requests)} requests of ${eventful.map((t) => TRAFFIC[t].label).join(' and ')}, ${perK(total.total, requests)} per 1,000`
          : '') +
        '.' +
        (total.stats.buildErrors + total.stats.detectorErrors > 0
          ? ` ⚠ build errors ${total.stats.buildErrors}, detector errors ${total.stats.detectorErrors}`
          : '') +
        ` Rules: ${int(rules.firings)} firings, ${int(rules.blockedRequests)} requests blocked, ${int(rules.delayedRequests)} delayed;` +
        ` state store: ${int(rules.storeErrors)} errors, ${int(fallbacks)} calls answered from local memory` +
        (total.startupFallbacks > 0
          ? ` (and ${int(total.startupFallbacks)} at start-up, before the server was ready)`
          : '') +
        `.${trouble ? ' ⚠' : ''}`,
    )
  }
}
const legend = [
  'req/s: median over rounds; ratio: median of the per-round ratios to bare (each window against bare in the same' +
    ' round and cell), range: their lowest and highest.',
  variants.includes('bare2') &&
    'bare2 is a second bare server: bare2/bare is the A/A control, its range the noise of this machine.',
  'CPU µs/req: medians; in brackets the median per-round change of user+sys. p99: median over rounds.',
  trafficNames.includes('mix') &&
    'Attack mix: test/bench/traffic.mjs (50 sources via X-Forwarded-For, a trusted loopback proxy).',
  variants.some((v) => ATTRIBUTION.includes(v)) &&
    'Attribution: Watchpost, no detectors has every detector switched off (the adapter, the request context, the' +
      ' pipeline and the rules, which then see no event); Watchpost, no injection every detector but injection.',
  variants.some((v) => RULE_VARIANTS.includes(v)) &&
    'The rules: Watchpost, no rules has `defaultRules: false`; Watchpost runs the shipped rules (monitor mode,' +
      ' memory store: the defaults); Watchpost, protect runs them in protect mode with credential stuffing given a' +
      " block response, so the adapters' gate checks every request (the traffic never makes that rule fire: nothing" +
      ' is blocked), memory store; Watchpost, protect, Redis is the same with the state in Redis (@watchpost/redis' +
      " over ioredis) on loopback, whose server runs beside the load generator: its CPU is not in the server's.",
  variants.some((v) => WATCHPOST.includes(v)) &&
    "Events: Watchpost's stats().emitted; an aggregate is reported when its detector window (60 s) closes, so it" +
      ' may land in a window of another traffic.',
]
console.log(`\n${legend.filter(Boolean).join(' ')}`)
if (allFlags.length > 0) {
  console.log(`\n⚠ flagged windows (${allFlags.length}):`)
  for (const flag of allFlags) console.log(`- ${flag}`)
}
if (jsonPath) console.log(`\nraw windows: ${jsonPath} (JSON lines)`)
