/**
 * Requests made by attack tools, known by what the tools leave in them (data/attack-tools.ts): the
 * User-Agent they send by default (sqlmap, Nikto, Nuclei, …; OWASP CRS rule 913100's list), headers
 * of their own (Acunetix's `Acunetix-*`, `X-Scanner`), and the out-of-band callback hosts they plant
 * in headers or parameters (interactsh's `*.oast.pro`, Burp Collaborator's `*.oastify.com`).
 *
 * Looked at once the response is sent, whatever its status, so that the event carries it
 * (`HttpStatusCode`): a scanner is worth knowing about whether the app answered 200 or 404. One
 * event per request, for the first fingerprint found (User-Agent first, then the headers, then the
 * target); capped per source like the other detectors (a scan is thousands of requests).
 *
 * Cost on every request: the User-Agent goes once through one automaton of all the names and
 * callback domains (no lower-cased copy, detection/literals.ts), and its verdict is remembered (512
 * User-Agents of up to 512 characters; when full the memory starts over): a browser's next request
 * costs a map lookup, ≈ 0.24 µs (it hashes the new string) against ≈ 0.56 µs for the automaton
 * over a desktop Chrome's User-Agent (in-process, 2-core CI box). A header's name is one map
 * lookup; the values of headers not of a fixed form (not Accept*, Sec-*, Cookie, Content-*, …) and
 * the target are searched for a dot followed by a callback domain, hopping from dot to dot with
 * `indexOf`.
 */
import type { DetectorsConfig } from '../config/index.js'
import { headerText } from '../context/header-slots.js'
import type { RequestContext } from '../context/types.js'
import { capPerSource } from '../detection/capped-counter.js'
import { type Accept, compileLiterals, isAlnum, type LiteralMatcher } from '../detection/literals.js'
import type { DetectorDefinition } from '../detection/types.js'
import { BoundedMemo } from '../memo.js'
import {
  CALLBACK_DOMAINS,
  SCANNER_HEADERS,
  SCANNER_VALUES,
  type ToolAgent,
  USER_AGENTS,
} from './data/attack-tools.js'

type Options = DetectorsConfig['attackTool']

/** What named the tool: the tool, the input it was in, and the list entry that matched. */
export interface ToolFinding {
  readonly tool: string
  /** `user-agent`, `header:<name>` or `url`. */
  readonly input: string
  readonly fingerprint: string
}

/** The lists, compiled once per detector instance. */
export interface AttackTools {
  /** What the User-Agent automaton finds, by literal id: agents, then `.<callback domain>`s. */
  readonly agentFindings: readonly ToolFinding[]
  readonly agentMatcher: LiteralMatcher
  /**
   * Takes an occurrence in the User-Agent: an agent at once, or for a whole-word entry only between
   * non-alphanumerics; a callback domain only where the host name ends.
   */
  readonly acceptAgent: Accept
  /**
   * What a header's name says, for the names with a rule: a scanner's own header, a scanner's value
   * to look for, or a value of a fixed form not searched for callback hosts.
   */
  readonly byName: ReadonlyMap<string, HeaderRule>
  /** Scanners' own headers named by a prefix (`acunetix-`). */
  readonly prefixes: ReadonlyArray<{ readonly name: string; readonly tool: string }>
  /** Callback domains by the character code right after their dot (lower case). */
  readonly domainsByFirst: ReadonlyArray<
    ReadonlyArray<{ readonly domain: string; readonly tool: string }> | undefined
  >
}

type HeaderRule =
  | { readonly kind: 'header'; readonly finding: ToolFinding }
  | { readonly kind: 'value'; readonly prefix: string; readonly finding: ToolFinding }
  | { readonly kind: 'fixed' }

/**
 * Headers whose values are tokens of a fixed form (or the app's own data, for `cookie` and
 * `authorization`): not searched for callback hosts. Sec-* headers too (by prefix).
 */
const FIXED_FORM = [
  'accept',
  'accept-encoding',
  'accept-language',
  'authorization',
  'cache-control',
  'connection',
  'content-length',
  'content-type',
  'cookie',
  'dnt',
  'if-modified-since',
  'if-none-match',
  'keep-alive',
  'pragma',
  'priority',
  'te',
  'upgrade-insecure-requests',
  'user-agent', // searched with the tool names (toolInAgent)
]

/** User-Agent verdicts remembered, and the longest User-Agent remembered. */
const AGENTS_REMEMBERED = 512
const AGENT_REMEMBERED_LENGTH = 512
/** Longest User-Agent looked at; the rest of a longer one is not. */
const MAX_AGENT = 1024
/** Longest header value or target searched for callback hosts. */
const MAX_VALUE = 4096

/** The built-in lists with the configuration's `extra` User-Agent substrings added and `ignore`d entries removed. */
export function compileAttackTools(
  extra: readonly string[] = [],
  ignore: readonly string[] = [],
): AttackTools {
  const ignored = new Set(ignore.map((s) => s.toLowerCase()))
  const keep = (...keys: string[]) => !keys.some((k) => ignored.has(k.toLowerCase()))
  const agents: ToolAgent[] = USER_AGENTS.filter((a) => keep(a.match, a.tool))
  for (const s of extra) if (s.length > 0) agents.push({ match: s.toLowerCase(), tool: s })
  const domains = CALLBACK_DOMAINS.filter((d) => keep(d.domain, d.tool))
  const domainsByFirst: Array<Array<{ domain: string; tool: string }> | undefined> = []
  for (const d of domains) {
    const first = d.domain.charCodeAt(0)
    const list = domainsByFirst[first] ?? []
    list.push(d)
    domainsByFirst[first] = list
  }
  // One automaton for the User-Agent: the agents, and the callback domains a scanner may put there.
  const literals = [...agents.map((a) => a.match), ...domains.map((d) => `.${d.domain}`)]
  const agentFindings: ToolFinding[] = [
    ...agents.map((a) => ({ tool: a.tool, input: 'user-agent', fingerprint: a.match })),
    ...domains.map((d) => ({ tool: d.tool, input: 'user-agent', fingerprint: d.domain })),
  ]
  const WORD = 1
  const HOST = 2
  const kind = Uint8Array.from(literals, (_, id) =>
    id >= agents.length ? HOST : agents[id]?.word === true ? WORD : 0,
  )
  const length = Int32Array.from(literals, (l) => l.length)
  return {
    agentFindings,
    agentMatcher: compileLiterals(literals),
    acceptAgent: (id, end, text) => {
      const k = kind[id]
      if (k === 0) return true
      if (k === HOST) return !continuesHost(text.charCodeAt(end))
      return isWord(text, end - (length[id] as number), end)
    },
    byName: headerRules(
      SCANNER_HEADERS.filter((h) => keep(h.name, h.tool) && !h.name.endsWith('-')),
      SCANNER_VALUES.filter((v) => keep(v.prefix, v.tool)),
    ),
    prefixes: SCANNER_HEADERS.filter((h) => keep(h.name, h.tool) && h.name.endsWith('-')),
    domainsByFirst,
  }
}

let builtIn: AttackTools | undefined

/** The built-in lists, compiled once per process. */
function builtInTools(): AttackTools {
  builtIn ??= compileAttackTools()
  return builtIn
}

function headerRules(
  own: ReadonlyArray<{ readonly name: string; readonly tool: string }>,
  values: ReadonlyArray<{ readonly header: string; readonly prefix: string; readonly tool: string }>,
): Map<string, HeaderRule> {
  const rules = new Map<string, HeaderRule>(FIXED_FORM.map((name) => [name, { kind: 'fixed' }]))
  for (const v of values) {
    const finding = { tool: v.tool, input: `header:${v.header}`, fingerprint: v.prefix }
    rules.set(v.header, { kind: 'value', prefix: v.prefix, finding })
  }
  for (const h of own) {
    const finding = { tool: h.tool, input: `header:${h.name}`, fingerprint: h.name }
    rules.set(h.name, { kind: 'header', finding })
  }
  return rules
}

export const attackToolDetector: DetectorDefinition<'attackTool', Options> = {
  id: 'attackTool',
  emits: ['malicious_attack_tool'],
  create(options, { events, now, header }) {
    const agentSlot = header('user-agent')
    const custom = options.extra.length > 0 || options.ignore.length > 0
    const tools = custom ? compileAttackTools(options.extra, options.ignore) : builtInTools()
    const capped = capPerSource((held) =>
      events(undefined).malicious.attackTool(
        { toolName: '(several)' },
        {
          ...held,
          ruleName: 'attackTool',
          message: `${held.count} more requests by attack tools from one source`,
        },
      ),
    )
    // Each User-Agent's verdict (`null`: no tool), by the whole string.
    const agents = new BoundedMemo<string, ToolFinding | null>(AGENTS_REMEMBERED, AGENT_REMEMBERED_LENGTH)
    const inAgent = (agent: string): ToolFinding | undefined => {
      const known = agents.get(agent)
      if (known !== undefined) return known ?? undefined
      const found = toolInAgent(tools, agent)
      agents.set(agent, found ?? null)
      return found
    }
    return {
      responseFinish(ctx: RequestContext, status: number) {
        const agent = headerText(ctx, agentSlot)
        const found =
          (agent === undefined ? undefined : inAgent(agent)) ?? findAttackTool(tools, ctx.headers, ctx.url)
        if (found === undefined || !capped.admit(ctx.clientIp, now())) return
        events(ctx).malicious.attackTool(
          { toolName: found.tool, matchedIn: found.input, fingerprint: found.fingerprint },
          { ruleName: 'attackTool', statusCode: status },
        )
      },
      sweep: (t) => capped.sweep(t),
    }
  },
}

type Headers = Readonly<Record<string, string | string[] | undefined>>

/**
 * The first fingerprint of an attack tool in a request's headers (lower-case names) and target, the
 * User-Agent's aside: the caller looks at it first (`toolInAgent`, remembered by the detector).
 */
export function findAttackTool(tools: AttackTools, headers: Headers, url: string): ToolFinding | undefined {
  for (const name in headers) {
    const value = headers[name]
    const found = toolInHeader(tools, name, typeof value === 'string' ? value : value?.join(', '))
    if (found !== undefined) return found
  }
  const host = callbackHost(tools, url)
  return host === undefined ? undefined : { tool: host.tool, input: 'url', fingerprint: host.domain }
}

/** A tool named in the User-Agent. */
export function toolInAgent(tools: AttackTools, agent: string): ToolFinding | undefined {
  const id = tools.agentMatcher.find(agent, tools.acceptAgent, MAX_AGENT)
  return id === -1 ? undefined : tools.agentFindings[id]
}

/** `text[start, end)` is a whole word: no letter or digit right before or after it. */
function isWord(text: string, start: number, end: number): boolean {
  return !isAlnum(text.charCodeAt(start - 1)) && !isAlnum(text.charCodeAt(end))
}

/** A scanner's own header, a scanner's value, or a callback host in a header's value. */
function toolInHeader(tools: AttackTools, name: string, value: string | undefined): ToolFinding | undefined {
  const rule = tools.byName.get(name)
  if (rule !== undefined) {
    if (rule.kind === 'header') return rule.finding
    if (rule.kind === 'value' && value !== undefined && startsWithIgnoringCase(value, 0, rule.prefix))
      return rule.finding
    return undefined
  }
  for (const h of tools.prefixes)
    if (name.startsWith(h.name)) return { tool: h.tool, input: `header:${name}`, fingerprint: h.name }
  if (value === undefined || value === '' || name.startsWith('sec-')) return undefined
  const host = callbackHost(tools, value)
  return host === undefined
    ? undefined
    : { tool: host.tool, input: `header:${name}`, fingerprint: host.domain }
}

/**
 * A callback domain right after a dot (`x.oast.pro`), ending the host: followed by nothing or by a
 * character that cannot continue a host name. Hops from dot to dot; most dots in a header (version
 * numbers, `q=0.9`) are followed by a digit and rejected at once.
 */
export function callbackHost(
  tools: AttackTools,
  text: string,
): { readonly domain: string; readonly tool: string } | undefined {
  const n = Math.min(text.length, MAX_VALUE)
  for (let dot = text.indexOf('.'); dot !== -1 && dot < n - 1; dot = text.indexOf('.', dot + 1)) {
    let c = text.charCodeAt(dot + 1)
    if (c >= 65 && c <= 90) c |= 0x20
    const candidates = tools.domainsByFirst[c]
    if (candidates === undefined) continue
    for (const d of candidates) {
      const end = dot + 1 + d.domain.length
      if (startsWithIgnoringCase(text, dot + 1, d.domain) && !continuesHost(text.charCodeAt(end))) return d
    }
  }
  return undefined
}

/** `c` (NaN past the end) could continue a host name: a letter, a digit, `-` or `.`. */
function continuesHost(c: number): boolean {
  return c === 45 || c === 46 || isAlnum(c)
}

/** `text` has the lower-case ASCII `lower` at `at`, ignoring case. */
function startsWithIgnoringCase(text: string, at: number, lower: string): boolean {
  if (at + lower.length > text.length) return false
  for (let i = 0; i < lower.length; i++) {
    let c = text.charCodeAt(at + i)
    if (c >= 65 && c <= 90) c |= 0x20
    if (c !== lower.charCodeAt(i)) return false
  }
  return true
}
