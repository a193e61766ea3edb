// Request-path overhead of Watchpost against the bare framework and the peers, in the same run.
//   npm run bench                 full run (3 rounds × 8 s per case; ~10 minutes)
//   npm run bench -- --smoke      one short round (CI: checks the bench still runs; figures are noise)
// Variants run alternately, each in a fresh process, loaded by autocannon on loopback only.
// Prints req/s (median of rounds), p99 latency and the ratio to bare. Figures, never assertions.
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const smoke = process.argv.includes('--smoke')
const ROUNDS = smoke ? 1 : Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION = smoke ? 1 : Number(process.env.BENCH_SECONDS ?? 8)
const CONNECTIONS = 32
const server = fileURLToPath(new URL('./server.cjs', import.meta.url))
const frameworks = (process.env.BENCH_FRAMEWORKS ?? 'fastify,express').split(',')
const variants = (process.env.BENCH_VARIANTS ?? 'bare,watchpost,aikido,datadog').split(',')

const traffic = {
  'hello (GET, no event)': { method: 'GET', path: '/hello' },
  'json (POST, no event)': {
    method: 'POST',
    path: '/json',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item: 'book', qty: 2, note: 'gift wrap please' }),
  },
  'attack (failed login, one event per request)': {
    method: 'POST',
    path: '/login',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'guess' }),
  },
}

// On a 2-core machine the load generator and the server compete for the same cores, and the
// server's extra work then shows up as the client's slowness. With taskset (util-linux), the
// generator runs on CPU 0 and the server on CPU 1, so req/s measures the server alone.
const pinned = spawnSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' }).status === 0

async function start(framework, variant) {
  const argv = [process.execPath, server, framework, variant]
  const child = pinned
    ? spawn('taskset', ['-c', '1', ...argv], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  for await (const chunk of child.stdout) {
    out += chunk
    const m = out.match(/ready (\d+)/)
    if (m) return { child, port: Number(m[1]) }
  }
  throw new Error(`${framework}/${variant} did not start`)
}

async function load(port, request) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${request.path}`,
    method: request.method,
    headers: request.headers,
    body: request.body,
    connections: CONNECTIONS,
    duration: DURATION,
  })
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const results = new Map()
for (let round = 0; round < ROUNDS; round++) {
  for (const framework of frameworks) {
    for (const variant of variants) {
      let proc
      try {
        proc = await start(framework, variant)
      } catch (err) {
        console.error(`skipped ${framework}/${variant}: ${err.message}`)
        continue
      }
      for (const [name, request] of Object.entries(traffic)) {
        await load(proc.port, { ...request }) // warm-up, not recorded
        const r = await load(proc.port, request)
        const key = `${framework}|${name}|${variant}`
        if (!results.has(key)) results.set(key, [])
        results.get(key).push(r)
      }
      proc.child.kill()
      await once(proc.child, 'exit')
    }
  }
}

console.log(
  `\nNode ${process.version}, ${ROUNDS} round(s) × ${DURATION} s, ${CONNECTIONS} connections, loopback, ` +
    `${pinned ? 'server on CPU 1, load on CPU 0' : 'not pinned (no taskset): server and load share the cores'}` +
    `${smoke ? ' (SMOKE: figures are noise)' : ''}`,
)
for (const framework of frameworks) {
  for (const name of Object.keys(traffic)) {
    console.log(`\n${framework} — ${name}`)
    console.log(
      'variant'.padEnd(12),
      'req/s'.padStart(10),
      'p99 ms'.padStart(8),
      'vs bare'.padStart(9),
      'per round'.padStart(16),
    )
    const bare = results.get(`${framework}|${name}|bare`)
    const bareRps = bare ? median(bare.map((r) => r.rps)) : undefined
    for (const variant of variants) {
      const rs = results.get(`${framework}|${name}|${variant}`)
      if (!rs) continue
      const rps = median(rs.map((r) => r.rps))
      const p99 = median(rs.map((r) => r.p99))
      const ratio = bareRps ? `${((100 * rps) / bareRps).toFixed(1)} %` : ''
      // Round r of a variant against round r of bare (run minutes apart at most): the spread is the noise.
      const perRound = bare ? rs.map((r, i) => (bare[i] ? (100 * r.rps) / bare[i].rps : Number.NaN)) : []
      const spread =
        perRound.length > 1 ? `${Math.min(...perRound).toFixed(0)}–${Math.max(...perRound).toFixed(0)} %` : ''
      console.log(
        variant.padEnd(12),
        rps.toFixed(0).padStart(10),
        String(p99).padStart(8),
        ratio.padStart(9),
        spread.padStart(16),
      )
    }
  }
}
