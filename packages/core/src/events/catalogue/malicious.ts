/** Attack-shaped traffic (OWASP malicious_*, mcp_*) plus Watchpost's protocol and traversal events. */
import { defineEvent, p } from '../define.js'

const actor = p.user('ActorUsername', 'The user, when the request was authenticated.')
const web = { schema: 'WebSession', eventType: 'WebServerSession', result: 'Failure' } as const

export const PROTOCOL_VIOLATIONS = [
  'unexpected_method',
  'null_byte_in_path',
  'control_char_in_path',
  'duplicate_header',
  'oversized_header',
  'invalid_header',
  'parse_error',
  'crlf_injection',
  'control_char',
  'null_byte',
  'overlong_utf8',
  'invalid_utf8',
  'percent_u_encoding',
  'broken_escape',
  'double_encoding',
  'request_in_parameter',
  'oversized_input',
  'other',
] as const

/** Whether the app answered a scanner probe with content (2xx) or not. */
export const SCANNER_PROBE_OUTCOMES = ['served', 'not_served'] as const

/** Whether the payload reached the app (it answered 2xx or 3xx) or was refused. */
export const INJECTION_OUTCOMES = ['reached', 'refused'] as const

/**
 * An injection finding (the injection detector, or the app through the event API): which input,
 * which rule, the matched fragment only, and whether the app took it.
 */
function injection<const N extends string>(
  name: N,
  origin: 'owasp' | 'watchpost',
  category: string,
  risk: number,
) {
  return defineEvent({
    name,
    origin,
    level: 'CRITICAL',
    ...web,
    message: `${category} attempt in {parameter}`,
    description: `An input carried ${category.toLowerCase()}.`,
    params: {
      userId: actor,
      parameter: p.required(
        p.string(
          'ThreatField',
          'The input: `path`, `query:<name>`, `body:<key path>`, `cookie:<name>`, `header:<name>`.',
        ),
      ),
      ruleId: p.string('RuleName', 'The rule that matched.'),
      fragment: p.string(
        'AdditionalFields.MatchedFragment',
        'The matched part of the decoded input, at most 64 characters, control characters removed; never the whole input.',
      ),
      outcome: p.enum(
        INJECTION_OUTCOMES,
        'AdditionalFields.Outcome',
        '`reached` when the app answered 2xx/3xx (EventResult Success), `refused` otherwise (Failure).',
      ),
      riskLevel: p.int('ThreatRiskLevel', 'Lower for findings of lower confidence.'),
    },
    fixed: { ThreatCategory: category, ThreatName: category, ThreatRiskLevel: risk },
    byParam: { param: 'outcome', result: { reached: 'Success', refused: 'Failure' } },
  })
}

export const malicious = {
  excess404: defineEvent({
    name: 'malicious_excess_404',
    origin: 'owasp',
    level: 'WARN',
    ...web,
    message: '{count} not-found responses from one source',
    description:
      'A source requested many paths that do not exist (aggregated over a window, see EventCount).',
    params: {
      userId: actor,
      count: p.int('AdditionalFields.NotFoundCount', 'Misses in the window (also EventCount).'),
      samplePaths: p.strings('AdditionalFields.SamplePaths', 'A few of the paths tried (redacted).'),
      scannerPaths: p.int(
        'AdditionalFields.ScannerPaths',
        'How many looked like scanner probes (/.env, /.git/config...).',
      ),
      riskLevel: p.int('ThreatRiskLevel', 'Raised when scanner paths are among the misses.'),
    },
    fixed: {
      ThreatCategory: 'Reconnaissance',
      ThreatName: 'Path scanning',
      ThreatRiskLevel: 40,
      DvcAction: 'Allow',
    },
  }),
  extraneous: defineEvent({
    name: 'malicious_extraneous',
    origin: 'owasp',
    level: 'CRITICAL',
    ...web,
    message: 'Unexpected input {inputName} supplied',
    description: 'The request carried an input the form or API never offers (tampering).',
    params: { userId: actor, inputName: p.required(p.string('ThreatField', 'The unexpected input.')) },
    fixed: { ThreatCategory: 'Tampering', ThreatRiskLevel: 60 },
  }),
  attackTool: defineEvent({
    name: 'malicious_attack_tool',
    origin: 'owasp',
    level: 'CRITICAL',
    ...web,
    message: 'Attack tool {toolName} detected',
    description: 'The request came from a known attack tool (sqlmap, nikto, ...), e.g. by its User-Agent.',
    params: {
      userId: actor,
      toolName: p.required(p.string('ThreatName', 'The tool.')),
      matchedIn: p.string(
        'AdditionalFields.MatchedIn',
        'Where the tool showed: `user-agent`, `header:<name>` (a header of its own, or a callback host in a value), `url`.',
      ),
      fingerprint: p.string(
        'AdditionalFields.Fingerprint',
        'The list entry that matched: a User-Agent substring, a header name, a callback domain.',
      ),
    },
    fixed: { ThreatCategory: 'Attack tool', ThreatField: 'HttpUserAgent', ThreatRiskLevel: 70 },
  }),
  scannerProbe: defineEvent({
    name: 'malicious_scanner_probe',
    origin: 'watchpost',
    level: 'WARN',
    ...web,
    message: 'Scanner probe for {path}',
    description:
      'A request for a path only scanners ask for (leaked configuration, VCS metadata, backups, other software’s consoles), answered with a status other than 404 — a 404 is `access_not_found` with ScannerProbe. Success (and High) when the app answered 2xx.',
    params: {
      userId: actor,
      path: p.required(
        p.string('AdditionalFields.Path', 'The path requested (redacted); the full target is in Url.'),
      ),
      family: p.string(
        'ThreatName',
        'What the probe was after: `vcs`, `dotfile`, `developer-tool`, `ai-tool`, `backup`, `app-config`, `log-file`, `debug-console`, `admin-console`, `webshell`, `router-admin`, `datastore-api`, `cloud-credentials`, `os-file`, `scanner-marker`, `custom` (detectors.scannerProbe.extraPaths).',
      ),
      pattern: p.string('AdditionalFields.MatchedPattern', 'The list entry that matched.'),
      outcome: p.enum(
        SCANNER_PROBE_OUTCOMES,
        'AdditionalFields.Outcome',
        '`served` when the app answered 2xx (EventResult Success, severity High), `not_served` otherwise (Failure).',
      ),
    },
    fixed: { ThreatCategory: 'Reconnaissance', ThreatRiskLevel: 50 },
    byParam: {
      param: 'outcome',
      result: { served: 'Success', not_served: 'Failure' },
      severity: { served: 'High' },
    },
  }),
  sqli: injection('malicious_sqli', 'owasp', 'SQL injection', 90),
  xss: injection('malicious_xss', 'watchpost', 'Cross-site scripting', 80),
  pathTraversal: injection('malicious_path_traversal', 'watchpost', 'Path traversal', 80),
  commandInjection: injection('malicious_command_injection', 'watchpost', 'Command injection', 90),
  jndi: injection('malicious_jndi_injection', 'watchpost', 'JNDI injection', 90),
  templateInjection: injection('malicious_template_injection', 'watchpost', 'Template injection', 80),
  prototypePollution: injection('malicious_prototype_pollution', 'watchpost', 'Prototype pollution', 70),
  nosqlInjection: injection('malicious_nosql_injection', 'watchpost', 'NoSQL injection', 80),
  ssrf: injection('malicious_ssrf', 'watchpost', 'Server-side request forgery', 70),
  cors: defineEvent({
    name: 'malicious_cors',
    origin: 'owasp',
    level: 'CRITICAL',
    ...web,
    message: 'Cross-origin request from {origin} refused',
    description: 'A cross-origin request came from an origin that is not allowed.',
    params: {
      userId: actor,
      origin: p.required(p.string('AdditionalFields.Origin', 'The Origin header.')),
      referer: p.string('HttpReferrer', 'The Referer header.'),
      preflight: p.boolean('AdditionalFields.Preflight', 'Whether it was a preflight (OPTIONS) request.'),
    },
    fixed: { ThreatCategory: 'CORS violation', ThreatRiskLevel: 50, DvcAction: 'Deny' },
  }),
  directReference: defineEvent({
    name: 'malicious_direct_reference',
    origin: 'owasp',
    level: 'CRITICAL',
    ...web,
    message: 'Direct object reference to {object} by {userId}',
    description: 'A user requested an object they do not own by its identifier (IDOR).',
    params: { userId: actor, object: p.string('AdditionalFields.ObjectReference', 'The object referenced.') },
    fixed: { ThreatCategory: 'Insecure direct object reference', ThreatRiskLevel: 70, DvcAction: 'Deny' },
  }),
  csrf: defineEvent({
    name: 'malicious_csrf',
    origin: 'owasp',
    level: 'WARN',
    ...web,
    message: 'Cross-site request forgery attempt',
    description: 'A state-changing request failed its CSRF check.',
    params: { userId: actor },
    fixed: { ThreatCategory: 'CSRF', ThreatRiskLevel: 60, DvcAction: 'Deny' },
  }),
  cspViolation: defineEvent({
    name: 'malicious_csp_violation',
    origin: 'owasp',
    level: 'WARN',
    ...web,
    message: 'CSP violation: {directive} blocked {blockedUri}',
    description: 'A browser reported a Content-Security-Policy violation.',
    params: {
      userId: actor,
      directive: p.string('AdditionalFields.EffectiveDirective', 'The effective directive.'),
      blockedUri: p.string('AdditionalFields.BlockedUri', 'The blocked URI.'),
    },
    fixed: { ThreatCategory: 'CSP violation', ThreatRiskLevel: 30 },
  }),
  unexpectedMethod: defineEvent({
    name: 'malicious_unexpected_method',
    origin: 'watchpost',
    level: 'WARN',
    ...web,
    message: 'Unexpected HTTP method {method}',
    description:
      'A request used a method the app does not serve (TRACE, TRACK, DEBUG, CONNECT, unknown verbs).',
    params: { method: p.required(p.string('HttpRequestMethod', 'The method sent.')) },
    fixed: { ThreatCategory: 'Protocol violation', ThreatRiskLevel: 30 },
  }),
  protocolViolation: defineEvent({
    name: 'malicious_protocol_violation',
    origin: 'watchpost',
    level: 'WARN',
    ...web,
    message: 'HTTP protocol violation: {reason}',
    description:
      'A request broke HTTP rules in a way attacks do: null bytes or CR/LF in the path, duplicated or absurd headers, a request the HTTP parser refused, an input encoded as no browser encodes (CR/LF before a header, overlong or invalid UTF-8, `%u` or broken `%` escapes, a request line inside a value), or inputs past the inspection bounds (`oversized_input`, Low severity).',
    params: {
      reason: p.required(p.enum(PROTOCOL_VIOLATIONS, 'EventOriginalResultDetails', 'What was wrong.')),
      header: p.string('ThreatField', 'The header or input concerned (`header:<name>`, `query:<name>`, …).'),
      code: p.string('AdditionalFields.ErrorCode', "Node's parser error code (HPE_*)."),
    },
    fixed: { ThreatCategory: 'Protocol violation', ThreatRiskLevel: 40 },
  }),
}

export const mcp = {
  promptInjection: defineEvent({
    name: 'mcp_prompt_injection',
    origin: 'owasp',
    level: 'WARN',
    ...web,
    message: 'Prompt injection attempt by {userId}',
    description: 'An MCP/LLM input carried a prompt injection.',
    params: { userId: actor, parameter: p.string('ThreatField', 'The input.') },
    fixed: { ThreatCategory: 'Prompt injection', ThreatRiskLevel: 60 },
  }),
  resourceExhaustion: defineEvent({
    name: 'mcp_resource_exhaustion',
    origin: 'owasp',
    level: 'WARN',
    ...web,
    message: 'MCP resource exhaustion by {userId}',
    description: 'An MCP client consumed resources beyond its limits.',
    params: { userId: actor },
    fixed: { ThreatCategory: 'Resource exhaustion', ThreatRiskLevel: 50 },
  }),
  toolPoisoning: defineEvent({
    name: 'mcp_tool_poisoning',
    origin: 'owasp',
    level: 'WARN',
    ...web,
    message: 'MCP tool poisoning attempt by {userId}',
    description: 'An MCP tool description or result carried hidden instructions.',
    params: { userId: actor, tool: p.string('AdditionalFields.Tool', 'The tool.') },
    fixed: { ThreatCategory: 'Tool poisoning', ThreatRiskLevel: 60 },
  }),
}

/** The events of the injection detector's classes, one per class (the rules count them together). */
export const INJECTION_EVENTS = [
  'malicious_sqli',
  'malicious_xss',
  'malicious_path_traversal',
  'malicious_command_injection',
  'malicious_jndi_injection',
  'malicious_template_injection',
  'malicious_prototype_pollution',
  'malicious_nosql_injection',
  'malicious_ssrf',
] as const
