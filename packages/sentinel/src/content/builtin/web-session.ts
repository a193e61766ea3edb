/**
 * Microsoft's built-in ASIM Web Session rules, each condition as its file states it
 * (spec/azure/asim-analytics.md: thresholds, bins, filters, the parser's own filters). They read
 * `_Im_WebSession`, whose native-table parser reads every row of ASimWebSessionLogs.
 */
import { contains, has, hasAny, num, type Row, str, toint, urlDecode, urlHost } from './kql.js'
import type { BuiltinAsimRule } from './types.js'
import { UNUSUAL_USER_AGENTS } from './user-agents.js'
import { binned, each, windowed } from './windows.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const SOLUTION = 'Solutions/Web Session Essentials/Analytic Rules'
const SOURCE = ['SrcIpAddr', 'SrcUsername', 'SrcHostname'] as const

/** `_Im_WebSession(eventresult='Success')`: the parser compares with `=~`. */
const succeeded = (row: Row) => str(row, 'EventResult').toLowerCase() === 'success'

const more = (threshold: number) => (rows: readonly Row[]) =>
  rows.length > threshold ? rows.length : undefined

/**
 * The two error-count rules differ only in the status class: `toint(EventResultDetails) between
 * (low .. high)`, then more than 100 rows per source in a 5-minute bin.
 */
function statusClassRule(rule: Pick<BuiltinAsimRule, 'id' | 'name' | 'file'>, low: number): BuiltinAsimRule {
  const inClass = (row: Row) => {
    const status = toint(row, 'EventResultDetails')
    return status !== null && status >= low && status <= low + 99
  }
  return {
    ...rule,
    schema: 'WebSession',
    condition: `more than 100 rows with a ${low / 100}xx EventResultDetails per SrcIpAddr, SrcUsername, SrcHostname in a 5-minute bin`,
    evaluate: (rows) => binned(rows.filter(inClass), SOURCE, 5 * MINUTE, more(100)),
  }
}

export const clientErrors = statusClassRule(
  {
    id: 'faa40333-1e8b-40cc-a003-51ae41fa886f',
    name: 'Detect instances of multiple client errors occurring within a brief period of time (ASIM Web Session)',
    file: `${SOLUTION}/MultipleClientErrorsWithinShortTime.yaml`,
  },
  400,
)

export const serverErrors = statusClassRule(
  {
    id: 'a59ba76c-0205-4966-948e-3d5640140688',
    name: 'Detect instances of multiple server errors occurring within a brief period of time (ASIM Web Session)',
    file: `${SOLUTION}/MultipleServerErrorsWithinShortTime.yaml`,
  },
  500,
)

export const fileEnumeration: BuiltinAsimRule = {
  id: 'b3731ce1-1f04-47c4-95c2-9827408c4375',
  name: 'Potential File Enumeration Activity (ASIM Web Session)',
  file: `${SOLUTION}/PotentionalFileEnumeration.yaml`,
  schema: 'WebSession',
  condition:
    'more than 10 GET rows with EventResultDetails "404" and a "/" in Url per SrcIpAddr in a 1-hour bin',
  evaluate: (rows) =>
    binned(
      rows.filter(
        (row) =>
          has(str(row, 'EventResultDetails'), '404') &&
          str(row, 'HttpRequestMethod').toLowerCase() === 'get' &&
          str(row, 'Url').includes('/'),
      ),
      ['SrcIpAddr'],
      HOUR,
      more(10),
    ),
}

export const excessive403: BuiltinAsimRule = {
  id: 'a1bddaf8-982b-4089-ba9e-6590dfcf80ea',
  name: 'Excessive number of HTTP authentication failures from a source (ASIM Web Session schema)',
  file: 'Detections/ASimWebSession/ExcessiveHTTPFailuresFromSource.yaml',
  schema: 'WebSession',
  condition: 'more than 200 rows with EventResultDetails "403" per host of the Url and SrcIpAddr in one day',
  evaluate: (rows) =>
    windowed(
      rows
        .filter((row) => has(str(row, 'EventResultDetails'), '403'))
        .map((row) => ({ ...row, UrlHost: urlHost(str(row, 'Url')) })),
      ['UrlHost', 'SrcIpAddr'],
      24 * HOUR,
      more(200),
    ),
}

const ALL_AGENTS = UNUSUAL_USER_AGENTS.map((a) => a.userAgent)
const TOOL_AGENTS = UNUSUAL_USER_AGENTS.filter((a) => a.category === 'Hacking Tool').map((a) => a.userAgent)

export const knownMaliciousUserAgent: BuiltinAsimRule = {
  id: '2d50d937-d7f2-4c05-b151-9af7f9ec747e',
  name: 'Known malicious user agent detected (ASIM Web Session)',
  file: `${SOLUTION}/KnownMaliciousUserAgents.yaml`,
  schema: 'WebSession',
  condition:
    'one row whose HttpUserAgent has a term of, and contains, an entry of UnusualUserAgents.csv (15 minutes)',
  evaluate: (rows) =>
    each(
      rows.filter((row) => {
        const agent = str(row, 'HttpUserAgent')
        return hasAny(agent, ALL_AGENTS) && ALL_AGENTS.some((entry) => contains(agent, entry))
      }),
      ['SrcIpAddr', 'Url', 'HttpUserAgent', 'SrcUsername', 'DstIpAddr'],
    ),
}

export const hackingToolUserAgent: BuiltinAsimRule = {
  id: '3f0c20d5-6228-48ef-92f3-9ff7822c1954',
  name: 'A host is potentially running a hacking tool (ASIM Web Session schema)',
  file: 'Detections/ASimWebSession/UnusualUAHackTool.yaml',
  schema: 'WebSession',
  condition: 'one row whose HttpUserAgent has a "Hacking Tool" entry of UnusualUserAgents.csv (15 minutes)',
  evaluate: (rows) =>
    each(
      rows.filter((row) => hasAny(str(row, 'HttpUserAgent'), TOOL_AGENTS)),
      ['SrcIpAddr', 'HttpUserAgent', 'SrcUsername'],
    ),
}

export const threatInfo: BuiltinAsimRule = {
  id: '7d2ed1c7-da26-45fd-b4ea-b6f2bbeccea7',
  name: 'Detect threat information in web requests (ASIM Web Session)',
  file: `${SOLUTION}/ThreatInfoFoundInWebRequests.yaml`,
  schema: 'WebSession',
  condition:
    'one row with ThreatRiskLevel >= 90, ThreatOriginalConfidence >= 90 or EventSeverity "High" (every 5 minutes)',
  evaluate: (rows) =>
    each(
      rows.filter(
        (row) =>
          (num(row, 'ThreatRiskLevel') ?? -1) >= 90 ||
          (toint(row, 'ThreatOriginalConfidence') ?? -1) >= 90 ||
          str(row, 'EventSeverity').toLowerCase() === 'high',
      ),
      [...SOURCE, 'Url', 'DstIpAddr', 'ThreatName', 'ThreatCategory', 'ThreatRiskLevel', 'ThreatField'],
    ),
}

export const manyUserAgents: BuiltinAsimRule = {
  id: '813ccf3b-0321-4622-b0bc-63518fd14454',
  name: 'Identify instances where a single source is observed using multiple user agents (ASIM Web Session)',
  file: `${SOLUTION}/MultipleUAsFromSingleIP.yaml`,
  schema: 'WebSession',
  condition:
    'more than 5 distinct HttpUserAgent on Success rows per SrcIpAddr, SrcUsername, SrcHostname in a 5-minute bin',
  evaluate: (rows) =>
    binned(
      rows.filter((row) => succeeded(row) && str(row, 'HttpUserAgent') !== ''),
      SOURCE,
      5 * MINUTE,
      (group) => {
        // make_set(HttpUserAgent, 100): at most 100 distinct values are kept.
        const agents = Math.min(100, new Set(group.map((row) => str(row, 'HttpUserAgent'))).size)
        return agents > 5 ? agents : undefined
      },
    ),
}

const LFI_TERMS = [
  '/etc/shadow',
  '/etc/passwd',
  '/etc/hosts',
  '/etc/ssh/',
  '..\\',
  '../',
  'proc/self/environ',
]

export const localFileInclusion: BuiltinAsimRule = {
  id: '7bb55d05-ef39-4a40-8079-0bc3c05e7881',
  name: 'Detect Local File Inclusion(LFI) in web requests (ASIM Web Session)',
  file: `${SOLUTION}/LocalFileInclusion-LFI.yaml`,
  schema: 'WebSession',
  condition:
    "one Success row whose url-decoded Url has /etc/passwd, ../ or another of the rule's terms (1 hour)",
  evaluate: (rows) =>
    each(
      rows.filter((row) => succeeded(row) && hasAny(urlDecode(str(row, 'Url')), LFI_TERMS)),
      [...SOURCE, 'Url'],
    ),
}

export const WEB_SESSION_RULES: readonly BuiltinAsimRule[] = [
  clientErrors,
  serverErrors,
  fileEnumeration,
  excessive403,
  knownMaliciousUserAgent,
  hackingToolUserAgent,
  threatInfo,
  manyUserAgents,
  localFileInclusion,
]
