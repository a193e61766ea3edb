// Which property reads and writes miss V8's inline caches on every request, and where: the server
// of instructions.mjs runs with --log-ic, this process sends the requests, and the last third of the
// logged misses (in steady state, those of about the last third of the requests) is counted per
// function, position and property name, divided by a third of the requests.
//   node test/bench/ic-misses.mjs --framework express --variant watchpost --traffic hello
// A miss that V8 logs as megamorphic → megamorphic (`N->N`) went to the runtime (≈ 1,800
// instructions under callgrind on Express): Express gives its request and response new hidden
// classes on every request (docs/performance.md), so each property name read from them costs one.
// Needs the packages built (`npm run build`).
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { ready, send, TRAFFIC } from './client.mjs'

const { values } = parseArgs({
  options: {
    framework: { type: 'string', default: 'express' },
    variant: { type: 'string', default: 'watchpost' },
    traffic: { type: 'string', default: 'hello' },
    requests: { type: 'string', default: '3000' },
    // Only misses in code whose name or file contains this (e.g. `watchpost`); default all.
    filter: { type: 'string', default: '' },
    top: { type: 'string', default: '60' },
  },
})

const IC_KINDS = new Set([
  'LoadIC',
  'StoreIC',
  'KeyedLoadIC',
  'KeyedStoreIC',
  'DefineNamedOwnIC',
  'DefineKeyedOwnIC',
])

const request = TRAFFIC[values.traffic]
if (request === undefined) throw new Error(`unknown traffic ${values.traffic}`)
const requests = Number(values.requests)
const dir = mkdtempSync(join(tmpdir(), 'watchpost-ic-'))
const log = join(dir, 'ic.log')
const server = fileURLToPath(new URL('./instructions.mjs', import.meta.url))
const child = spawn(
  process.execPath,
  [
    '--log-ic',
    `--logfile=${log}`,
    '--no-logfile-per-isolate',
    server,
    '--framework',
    values.framework,
    '--serve',
    values.variant,
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
)
try {
  const port = await ready(child)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  for (let i = 0; i < requests; i++) await send(agent, port, request)
  agent.destroy()
} finally {
  child.stdin.end()
  await new Promise((resolve) => child.on('exit', resolve))
}
report(readFileSync(log, 'utf8').split('\n'))
rmSync(dir, { recursive: true, force: true })

function report(lines) {
  const ics = []
  for (let i = 0; i < lines.length; i++)
    if (IC_KINDS.has(lines[i].slice(0, lines[i].indexOf(',')))) ics.push(i)
  const windowStart = ics[Math.floor((ics.length * 2) / 3)] ?? 0
  const counted = Math.round(requests / 3)
  // code-creation,<type>,<kind>,<time>,<start>,<size>,<name>…: the code object a pc lies in.
  const code = new Map()
  let starts = []
  let dirty = false
  const misses = new Map()
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line.startsWith('code-creation,')) {
      const p = line.split(',')
      const start = Number.parseInt(p[4], 16)
      if (!Number.isNaN(start)) {
        code.set(start, [Number(p[5]), p.slice(6).join(',')])
        dirty = true
      }
      continue
    }
    if (i < windowStart) continue
    const p = line.split(',')
    if (!IC_KINDS.has(p[0])) continue
    if (dirty) {
      starts = [...code.keys()].sort((a, b) => a - b)
      dirty = false
    }
    const fn = functionAt(Number.parseInt(p[1], 16))
    if (values.filter !== '' && !fn.includes(values.filter)) continue
    // kind,pc,time,line,column,old state,new state,map,key,…
    const key = `${p[0].padEnd(13)} ${p[8].padEnd(24)} ${p[5]}->${p[6]}  ${fn} @${p[3]}:${p[4]}`
    misses.set(key, (misses.get(key) ?? 0) + 1)
  }
  const rows = [...misses].sort((a, b) => b[1] - a[1])
  const total = rows.reduce((n, [, c]) => n + c, 0)
  console.log(
    `${values.framework} ${values.variant} ${values.traffic}: ${(total / counted).toFixed(1)} logged IC misses per request` +
      `${values.filter === '' ? '' : ` in code matching "${values.filter}"`} (last ${counted} requests)`,
  )
  console.log('per request  kind          property                 state  function @line:column')
  for (const [key, count] of rows.slice(0, Number(values.top)))
    console.log((count / counted).toFixed(2).padStart(11), key.slice(0, 200))

  function functionAt(pc) {
    let lo = 0
    let hi = starts.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (starts[mid] <= pc) lo = mid + 1
      else hi = mid - 1
    }
    const start = starts[hi]
    if (start === undefined) return '?'
    const [size, name] = code.get(start)
    return pc < start + size ? name.replace(/,0x[0-9a-f]+,[*~^+-]?$/, '').replace('file://', '') : '?'
  }
}
