// Self cost per function in callgrind files kept by instructions.mjs (--keep --jit-names), and the
// difference between two of them: what a variant adds per request, by function.
//   node test/bench/callgrind-self.mjs <dir>/watchpost-attack.2 [<dir>/bare-attack.2] [--requests 2000] [--top 40] [--inclusive]
//   ... --callers LoadIC_Miss      who calls functions whose name contains the text, with the calls' inclusive cost
// JIT code has no symbols; with --jit-names, V8's perf map (<file without .2>.map) names it (the
// last entry for an address wins: V8 reuses code space).
import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    requests: { type: 'string', default: '2000' },
    top: { type: 'string', default: '40' },
    inclusive: { type: 'boolean', default: false },
    callers: { type: 'string' },
  },
})
const requests = Number(values.requests)

function perfMap(file) {
  const mapFile = file.replace(/\.\d+$/, '.map')
  if (!existsSync(mapFile)) return undefined
  const entries = []
  for (const line of readFileSync(mapFile, 'utf8').split('\n')) {
    const m = line.match(/^([0-9a-f]+) ([0-9a-f]+) (.*)$/)
    if (m) entries.push([Number.parseInt(m[1], 16), Number.parseInt(m[2], 16), m[3]])
  }
  return entries
}

function nameOf(map, address) {
  if (map === undefined) return undefined
  for (let i = map.length - 1; i >= 0; i--) {
    const [start, size, name] = map[i]
    if (address >= start && address < start + size) return name
  }
  return undefined
}

function selfCosts(file) {
  const map = perfMap(file)
  const costs = new Map()
  let fn = ''
  let cfn = ''
  let afterCall = false
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('fn=')) fn = line.slice(3)
    else if (line.startsWith('cfn=')) cfn = line.slice(4)
    else if (line.startsWith('calls=')) afterCall = true
    else if (/^[0-9+*-]/.test(line)) {
      const cost = Number(line.split(' ')[1] ?? 0)
      if (afterCall) {
        afterCall = false
        // --inclusive: what each function costs with its callees (a recursive call counts twice).
        if (values.inclusive && cfn !== fn) costs.set(cfn, (costs.get(cfn) ?? 0) + cost)
        // --callers: the cost of each call into a matching function, counted for the caller.
        if (values.callers !== undefined && cfn.includes(values.callers) && !fn.includes(values.callers))
          costs.set(fn, (costs.get(fn) ?? 0) + cost)
        continue
      }
      if (values.callers === undefined) costs.set(fn, (costs.get(fn) ?? 0) + cost)
    }
  }
  const named = new Map()
  for (const [fn, cost] of costs) {
    const m = fn.match(/^0x([0-9a-f]+)$/)
    const name = m ? (nameOf(map, Number.parseInt(m[1], 16)) ?? 'JIT ?') : fn
    named.set(name, (named.get(name) ?? 0) + cost)
  }
  return named
}

const [withFile, bareFile] = positionals
const a = selfCosts(withFile)
const b = bareFile === undefined ? new Map() : selfCosts(bareFile)
const rows = []
for (const name of new Set([...a.keys(), ...b.keys()]))
  rows.push([name, ((a.get(name) ?? 0) - (b.get(name) ?? 0)) / requests])
rows.sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]))
const total = rows.reduce((sum, [, d]) => sum + d, 0)
console.log(`${bareFile ? 'difference' : 'self cost'} per request: ${Math.round(total)}`)
for (const [name, d] of rows.slice(0, Number(values.top)))
  console.log(Math.round(d).toString().padStart(8), name.slice(0, 150))
