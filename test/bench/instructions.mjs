// Instructions per request of a Fastify server, bare and with Watchpost, counted by callgrind:
// unlike req/s, the count does not move with the machine's load (docs/performance.md).
//   node test/bench/instructions.mjs                       every variant × every traffic
//   node test/bench/instructions.mjs --variants bare,watchpost --traffic hello --requests 2000
//   node test/bench/instructions.mjs --keep                keeps the callgrind files for callgrind_annotate
//   node test/bench/instructions.mjs --traffic hello --mix 5000   counts after 5,000 requests of the attack mix
// The server runs under `valgrind --tool=callgrind`; this process is the client (real HTTP over
// loopback, one keep-alive connection, one request at a time), so only the server is counted.
// After --warmup requests the counters are dumped (`callgrind_control -d`); the next dump holds
// exactly --requests requests, divided by their number. Needs the packages built (`npm run build`).
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import bench from './bench-app.cjs'
import { ready, send, TRAFFIC } from './client.mjs'
import { median } from './median.mjs'

const { addRoutes, expressApp, watchpostOptions } = bench

// Cumulative steps of what the plugin did per request, rebuilt here from
// @watchpost/core so that each one can be counted alone: `decorate` declares the two request slots,
// `onrequest`/`hooks` add empty onRequest/onResponse hooks, `context` opens the context (echo header
// included), `api` sets request.watchpost, `start` runs the requestStart detectors, `finish` the
// responseFinish ones. `watchpost` is the real plugin (defaults: no echo header), `echo` the plugin echoing x-request-id,
// `nosink` the plugin with no sink (events are built and queued, never serialised or written).
const VARIANTS = [
  'bare',
  'decorate',
  'onrequest',
  'hooks',
  'context',
  'api',
  'start',
  'finish',
  'watchpost',
  'echo',
  'nosink',
]

const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    // Express runs only bare, watchpost, echo and nosink (the steps rebuild the Fastify plugin).
    framework: { type: 'string', default: 'fastify' },
    variants: { type: 'string', default: VARIANTS.join(',') },
    traffic: { type: 'string', default: Object.keys(TRAFFIC).join(',') },
    requests: { type: 'string', default: '1000' },
    // Runs every cell this many times, alternating variants, and prints each run and the median:
    // an Express cell moves by tens of thousands between runs (a major GC lands in a window or not).
    rounds: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '10000' },
    // After the warm-up, this many requests of the wall-clock bench's attack mix (traffic.mjs, one
    // connection), then 3,000 more of the cell's own traffic before counting: the state of a server
    // that has seen attack traffic, where code turned polymorphic stays so (docs/performance.md).
    mix: { type: 'string', default: '0' },
    keep: { type: 'boolean', default: false },
    // Names JIT code in the kept files: V8 writes /tmp/perf-<pid>.map, copied next to them.
    'jit-names': { type: 'boolean', default: false },
  },
})

if (values.serve !== undefined) await serve(values.serve)
else await main()

async function serve(variant) {
  if (values.framework === 'express') return serveExpress(variant)
  const { default: Fastify } = await import('fastify')
  const app = Fastify()
  const steps = VARIANTS.indexOf(variant)
  const record = steps >= VARIANTS.indexOf('api')
  if (variant === 'watchpost' || variant === 'echo' || variant === 'nosink') {
    const { default: watchpost } = await import('@watchpost/fastify')
    await app.register(watchpost, optionsFor(variant))
  } else if (variant !== 'bare') {
    const { createAdapterCore } = await import('@watchpost/core/sdk')
    const step = (name) => steps >= VARIANTS.indexOf(name)
    // Decided once: the hooks below must cost only the step they stand for.
    const [context, api, start, finish] = ['context', 'api', 'start', 'finish'].map(step)
    const core = createAdapterCore(watchpostOptions)
    const kContext = Symbol('context')
    app.decorateRequest('watchpost', null)
    app.decorateRequest(kContext, null)
    if (step('onrequest')) {
      app.addHook('onRequest', (request, reply, next) => {
        if (context) {
          const ctx = core.open(request.raw, reply.raw)
          request[kContext] = ctx
          if (api) request.watchpost = core.requestApi(ctx)
          if (start) core.signals.requestStart(ctx)
        }
        next()
      })
    }
    if (step('hooks')) {
      app.addHook('onResponse', (request, reply, next) => {
        if (finish) core.signals.responseFinish(request[kContext], reply.raw)
        next()
      })
    }
  }
  addRoutes(app, record)
  await app.listen({ port: 0, host: '127.0.0.1' })
  // Any line on stdin wakes the event loop so callgrind sees a pending dump request; EOF exits.
  process.stdin.on('data', () => {})
  process.stdin.on('end', () => process.exit(0))
  process.stdout.write(`ready ${app.server.address().port}\n`)
}

/** Watchpost's options for a variant: `echo` turns the echo header on, `nosink` has no sink. */
function optionsFor(variant) {
  if (variant === 'echo') return { ...watchpostOptions, correlation: { responseHeader: 'x-request-id' } }
  if (variant === 'nosink') return { ...watchpostOptions, sinks: [] }
  return watchpostOptions
}

async function serveExpress(variant) {
  const { default: express } = await import('express')
  let wp
  if (variant !== 'bare') {
    const { default: watchpost } = await import('@watchpost/express')
    wp = watchpost(optionsFor(variant))
  }
  const app = expressApp(express, wp)
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  process.stdin.on('data', () => {})
  process.stdin.on('end', () => process.exit(0))
  process.stdout.write(`ready ${server.address().port}\n`)
}

async function main() {
  const requests = Number(values.requests)
  const warmup = Number(values.warmup)
  const mix = Number(values.mix)
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-instr-'))
  const self = fileURLToPath(import.meta.url)
  const table = []
  const rounds = Number(values.rounds)
  for (let round = 1; round <= rounds; round++)
    for (const trafficName of values.traffic.split(',')) {
      const request = TRAFFIC[trafficName]
      if (request === undefined) throw new Error(`unknown traffic ${trafficName}`)
      for (const variant of values.variants.split(',')) {
        if (!VARIANTS.includes(variant)) throw new Error(`unknown variant ${variant}`)
        if (values.framework === 'express' && !['bare', 'watchpost', 'echo', 'nosink'].includes(variant))
          throw new Error(`variant ${variant} is Fastify only`)
        const out = join(
          dir,
          rounds === 1 ? `${variant}-${trafficName}` : `${variant}-${trafficName}-${round}`,
        )
        const child = spawn(
          'valgrind',
          [
            '--tool=callgrind',
            '--compress-strings=no',
            '--compress-pos=no',
            `--callgrind-out-file=${out}`,
            process.execPath,
            ...(values['jit-names'] ? ['--perf-basic-prof'] : []),
            self,
            '--framework',
            values.framework,
            '--serve',
            variant,
          ],
          { stdio: ['pipe', 'pipe', 'ignore'] },
        )
        const port = await ready(child)
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
        for (let i = 0; i < warmup; i++) await send(agent, port, request)
        if (mix > 0) {
          // Loaded here, by the client only: this file is also the counted server (--serve), whose
          // heap and V8 state must not carry the load generator's modules.
          const { default: autocannon } = await import('autocannon')
          const { requestsFor } = await import('./traffic.mjs')
          await new Promise((resolve) =>
            autocannon(
              {
                url: `http://127.0.0.1:${port}`,
                connections: 1,
                amount: mix,
                requests: requestsFor('mix').requests,
              },
              resolve,
            ),
          )
          for (let i = 0; i < 3000; i++) await send(agent, port, request)
        }
        await dump(child, `${out}.1`)
        for (let i = 0; i < requests; i++) await send(agent, port, request)
        await dump(child, `${out}.2`)
        agent.destroy()
        child.stdin.end()
        await new Promise((resolve) => child.on('exit', resolve))
        if (values['jit-names']) copyFileSync(`/tmp/perf-${child.pid}.map`, `${out}.map`)
        const { total, compiler, gc } = totalOf(`${out}.2`)
        const perRequest = total / requests
        table.push({
          traffic: trafficName,
          variant,
          round,
          perRequest,
          compiler: compiler / requests,
          gc: gc / requests,
        })
        console.error(`${trafficName} ${variant}: ${Math.round(perRequest)} instructions/request`)
      }
    }
  console.log(
    `\n${values.framework}, Node ${process.version}, callgrind, ${warmup} warm-up${mix > 0 ? ` + ${mix} of the attack mix + 3000` : ''} + ${requests} counted requests per cell`,
  )
  printTable(table)
  if (rounds > 1) {
    console.log(`\nmedian of ${rounds} rounds (each column its own median)`)
    printTable(medians(table))
  }
  if (values.keep) console.log(`\ncallgrind files kept in ${dir} (<variant>-<traffic>.2 is the counted part)`)
  else rmSync(dir, { recursive: true, force: true })
}

function printTable(rows) {
  const columns = [
    'traffic',
    'variant',
    'round',
    'instr/req',
    'vs bare',
    'JIT compiler',
    'GC',
    'vs bare w/o JIT+GC',
  ]
  console.log(columns.map((c, i) => (i < 2 ? c.padEnd(8) : c.padStart(c.length + 2))).join(' '))
  for (const row of rows) {
    const bare = rows.find((r) => r.traffic === row.traffic && r.variant === 'bare' && r.round === row.round)
    const pct = (a, b) => `${((100 * a) / b).toFixed(1)} %`
    const rest = (r) => r.perRequest - r.compiler - r.gc
    const cells = [
      row.traffic,
      row.variant,
      String(row.round),
      Math.round(row.perRequest).toString(),
      bare ? pct(row.perRequest, bare.perRequest) : '',
      Math.round(row.compiler).toString(),
      Math.round(row.gc).toString(),
      bare ? pct(rest(row), rest(bare)) : '',
    ]
    console.log(cells.map((c, i) => (i < 2 ? c.padEnd(8) : c.padStart(columns[i].length + 2))).join(' '))
  }
}

/** One row per traffic × variant: the median of each measured column over the rounds. */
function medians(table) {
  const rows = []
  for (const row of table) {
    if (rows.some((r) => r.traffic === row.traffic && r.variant === row.variant)) continue
    const same = table.filter((r) => r.traffic === row.traffic && r.variant === row.variant)
    const of = (key) => median(same.map((r) => r[key]))
    rows.push({ ...row, round: 'med', perRequest: of('perRequest'), compiler: of('compiler'), gc: of('gc') })
  }
  return rows
}

/** Asks callgrind for a dump and nudges the idle server until the file appears. */
async function dump(child, file) {
  const control = spawn('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' })
  while (!existsSync(file)) {
    child.stdin.write('\n')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await new Promise((resolve) => control.on('exit', resolve))
}

function totalOf(file) {
  const GC_FUNCTION = /Marking|Sweep|Scaveng|Evacuat|MarkCompact|Heap::CollectGarbage/
  const text = readFileSync(file, 'utf8')
  const m = text.match(/^(?:totals|summary): (\d+)/m)
  if (!m) throw new Error(`no totals in ${file}`)
  // Self cost of V8's optimizing compiler (TurboFan/Maglev): warm-up work that landed in the counted
  // window. A cell where it is large was not in steady state; run it again or raise --warmup.
  let fn = ''
  let afterCall = false
  // Self cost of the garbage collector's marking, sweeping, scavenging and evacuation (by function
  // name, so approximate): a major GC lands in a short window or not, and moves a cell by 10-40k.
  let compiler = 0
  let gc = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) fn = line
    else if (line.startsWith('calls=')) afterCall = true
    else if (/^[0-9+*-]/.test(line)) {
      if (afterCall) afterCall = false
      else if (fn.includes('::compiler::') || fn.includes('::maglev::'))
        compiler += Number(line.split(' ')[1] ?? 0)
      else if (GC_FUNCTION.test(fn)) gc += Number(line.split(' ')[1] ?? 0)
    }
  }
  return { total: Number(m[1]), compiler, gc }
}
