import { readFileSync } from 'node:fs'
import { walkDecoded } from './src/inspection/decoded.ts'
import { DEFAULT_LIMITS } from './src/inspection/inputs.ts'
import { RULES } from './src/inspection/rules/index.ts'
const [file, cls, nMiss = '0', kindArg = 'query'] = process.argv.slice(2)
const raw = (p: string) => p.replace(/%(?![0-9a-fA-F]{2})/g, '%25').replace(/[^\x21-\x7e]|[#&"<>\\^`{|}]/g, (c) => encodeURIComponent(c))
const payloads = new Set(readFileSync(file, 'latin1').split(/\r?\n/).filter((l) => l.trim() !== ''))
let right = 0, any = 0; const misses: string[] = []; const rules = new Map<string, number>()
for (const p of payloads) {
  const found = new Set<string>()
  const input = kindArg === 'body' ? { url: '/x', cookie: undefined, headers: [], body: { comment: p } } : { url: `/search?q=${raw(p)}`, cookie: undefined, headers: [], body: undefined }
  walkDecoded(input, [], DEFAULT_LIMITS, (kind, text, anomalies) => { for (const r of RULES) { const f = r.match(text, kind, anomalies); if (f) { found.add(f.threat); if (f.threat === cls) rules.set(f.rule, (rules.get(f.rule) ?? 0) + 1) } } return false })
  if (found.has(cls)) right++; else misses.push(`${[...found].join(',') || '-'}  ${p.slice(0, 120)}`)
  if (found.size) any++
}
console.log(`${cls}: ${payloads.size}; right ${(100 * right / payloads.size).toFixed(1)} %, any ${(100 * any / payloads.size).toFixed(1)} %`, JSON.stringify(Object.fromEntries(rules)))
for (const m of misses.slice(0, +nMiss)) console.log('  ', m)
