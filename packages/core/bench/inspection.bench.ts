/**
 * What the injection inspection costs per request, and what the alternative engine would: the
 * corpus's requests (test/corpus/, benign and attack) inspected the way the injection detector does
 * (every input walked, decoded and shown to every rule), against libddwaf's libinjection operators
 * (`is_sqli`, `is_xss`, through `@datadog/native-appsec`, the binary Datadog's tracer ships) over
 * the same request's query, body, cookies, headers and target; and the frameworks benchmark's 4 KB
 * JSON order inspected with and without the memory of values the prefilter passed over (as the
 * detector keeps it, across requests). Figures are printed, never asserted.
 *
 *   node --import tsx packages/core/bench/inspection.bench.ts
 *
 * Each case is timed over every entry of a set, ROUNDS times, interleaved with the other cases
 * (so machine noise spreads over all); the figure is the median over rounds of the mean per request.
 * libddwaf is optional: without `@datadog/native-appsec` installed (a development dependency of the
 * benchmark only), its rows are skipped.
 */
import { createRequire } from 'node:module'
// @ts-expect-error: the benchmarks' 4 KB order is plain JavaScript, without declarations
import { ORDER } from '../../../test/bench/order.mjs'
import { Prefilter, walkDecoded } from '../src/inspection/decoded.js'
import { DEFAULT_LIMITS, type RequestInputs } from '../src/inspection/inputs.js'
import { RULES } from '../src/inspection/rules/index.js'
import { BoundedMemo } from '../src/memo.js'
import { type CorpusEntry, corpus, headerRecord, inputsOf, requestInputs } from '../test/support/corpus.js'

const ROUNDS = 30
const HEADERS = ['user-agent', 'referer', 'x-forwarded-for', 'x-forwarded-host', 'x-api-version']

/** As the injection detector inspects; `prefilter` with its memory of short values it passed over. */
function inspect(input: RequestInputs, prefilter?: Prefilter): number {
  let found = 0
  walkDecoded(
    input,
    HEADERS,
    DEFAULT_LIMITS,
    (kind, text, anomalies) => {
      for (const rule of RULES) if (rule.match(text, kind, anomalies) !== undefined) found++
      return false
    },
    undefined,
    prefilter,
  )
  return found
}

/** A request as each engine takes it: Watchpost's walk its inputs, libddwaf every header by name. */
interface Sample {
  readonly inputs: RequestInputs
  readonly headers: Readonly<Record<string, string>>
}

interface Waf {
  run(sample: Sample): number
}

/** libddwaf with two rules, libinjection's SQLi and XSS, over the request's addresses. */
function loadWaf(): Waf | undefined {
  let native: { DDWAF: new (rules: object, path: string) => { createContext(): WafContext } }
  try {
    native = createRequire(import.meta.url)('@datadog/native-appsec')
  } catch {
    return undefined
  }
  const inputs = [
    'server.request.query',
    'server.request.body',
    'server.request.cookies',
    'server.request.headers.no_cookies',
    'server.request.uri.raw',
  ].map((address) => ({ address }))
  const rule = (id: string, operator: string) => ({
    id,
    name: id,
    tags: { type: id, category: 'attack_attempt' },
    conditions: [{ operator, parameters: { inputs } }],
    transformers: ['removeNulls'],
  })
  const waf = new native.DDWAF(
    {
      version: '2.2',
      metadata: { rules_version: '1.0.0' },
      rules: [rule('sqli', 'is_sqli'), rule('xss', 'is_xss')],
    },
    'bench',
  )
  return {
    run({ inputs: input, headers: all }) {
      const q = input.url.indexOf('?')
      const query: Record<string, string[]> = {}
      if (q !== -1)
        for (const [k, v] of new URLSearchParams(input.url.slice(q + 1))) {
          const values = query[k] ?? []
          values.push(v)
          query[k] = values
        }
      const cookies: Record<string, string> = {}
      const cookie = all.cookie
      if (typeof cookie === 'string')
        for (const part of cookie.split(';')) {
          const eq = part.indexOf('=')
          if (eq !== -1) cookies[part.slice(0, eq).trim()] = part.slice(eq + 1)
        }
      const { cookie: _c, ...headers } = all
      const context = waf.createContext()
      const result = context.run(
        {
          ephemeral: {
            'server.request.query': query,
            'server.request.body': input.body ?? {},
            'server.request.cookies': cookies,
            'server.request.headers.no_cookies': headers,
            'server.request.uri.raw': input.url,
          },
        },
        1e6,
      )
      context.dispose()
      return result.events?.length ?? 0
    },
  }
}

interface WafContext {
  run(payload: object, timeoutUs: number): { events?: object[] }
  dispose(): void
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

const sets: Array<[string, Sample[]]> = (['benign', 'attacks'] as const).map((name) => [
  name,
  corpus(name).flatMap((e: CorpusEntry) => {
    const inputs = inputsOf(e, HEADERS)
    return inputs === undefined ? [] : [{ inputs, headers: headerRecord(e) }]
  }),
])
// The frameworks benchmark's POST: its ≈ 4 KB JSON order (312 keys and values), parsed 200 times, as
// a server parses each request's body (new strings and objects each time).
const orderHeaders = { 'content-type': 'application/json' }
const order = (): Sample => ({
  inputs: requestInputs('/json', orderHeaders, HEADERS, JSON.parse(ORDER as string)),
  headers: orderHeaders,
})
sets.push(['4 KB JSON order', Array.from({ length: 200 }, order)])
const waf = loadWaf()
const prefilter = new Prefilter(new BoundedMemo(4096))
const cases: Array<[string, (sample: Sample) => number]> = [
  ['Watchpost rules (JS)', (sample) => inspect(sample.inputs)],
  ['Watchpost rules (JS), passed-over memory', (sample) => inspect(sample.inputs, prefilter)],
]
if (waf !== undefined) cases.push(['libddwaf is_sqli + is_xss', (sample) => waf.run(sample)])

const times = new Map<string, number[]>()
let sink = 0
for (let round = 0; round < ROUNDS + 3; round++) {
  for (const [setName, inputs] of sets) {
    for (const [caseName, run] of cases) {
      const start = process.hrtime.bigint()
      for (const input of inputs) sink += run(input)
      const perRequest = Number(process.hrtime.bigint() - start) / 1000 / inputs.length
      if (round < 3) continue // warm-up
      const key = `${caseName} | ${setName}`
      times.set(key, [...(times.get(key) ?? []), perRequest])
    }
  }
}
console.log(`corpus requests: ${sets.map(([n, i]) => `${n} ${i.length}`).join(', ')}; ${ROUNDS} rounds`)
if (waf === undefined) console.log('(@datadog/native-appsec not installed: libddwaf rows skipped)')
console.log('| engine | requests | µs per request (median of rounds) |\n|---|---|---:|')
for (const [key, values] of times) {
  const [engine, set] = key.split(' | ')
  console.log(`| ${engine} | ${set} | ${median(values).toFixed(2)} |`)
}
if (sink < 0) console.log(sink)
