/**
 * Option schemas of each detector, in one place for now so that a later issue can move each one next
 * to its detector (one detector, one file). Defaults are set for real traffic and stated in docs/detectors.md.
 */
import { Type } from '@sinclair/typebox'
import { Default, Section } from './schema-kit.js'

const enabled = (what: string) =>
  Default.Boolean({
    default: true,
    description: `Whether the ${what} detector runs. A disabled detector costs nothing.`,
  })

const windowSeconds = (what: string) =>
  Default.Integer({
    minimum: 1,
    maximum: 86_400,
    default: 60,
    description: `Length of the sliding window, in seconds, over which ${what} are counted.`,
  })

export const authFailureOptions = Section(
  {
    enabled: enabled('authentication-failure'),
    threshold: Default.Integer({
      minimum: 1,
      default: 10,
      description: 'Number of 401/403 responses from one source within the window that makes a burst.',
      examples: [5],
    }),
    windowSeconds: windowSeconds('authentication failures'),
  },
  { description: 'Bursts of 401/403 responses per source (brute force, credential stuffing).' },
)

export const jwtOptions = Section(
  { enabled: enabled('JWT') },
  { description: 'Invalid, expired or tampered JSON Web Tokens (e.g. `alg: none`, bad signature).' },
)

export const notFoundOptions = Section(
  {
    enabled: enabled('not-found'),
    threshold: Default.Integer({
      minimum: 1,
      default: 20,
      description:
        'Number of 404 responses from one source within the window that makes a flood (Aikido: 15 suspicious requests in 60 s).',
      examples: [15],
    }),
    windowSeconds: windowSeconds('404 responses'),
    reportEach: Default.Boolean({
      default: false,
      description: 'Also emit one event per 404, not only the aggregated flood event. Costly on busy apps.',
    }),
    scannerPaths: Default.Boolean({
      default: true,
      description:
        'When the `scannerProbe` detector is off: report at once a 404 for a path only scanners ask for (`/.env`, `/wp-admin`, `/.git/config`; the built-in list), without waiting for the threshold. With `scannerProbe` on (the default), that detector judges the paths and records these 404s, and this option has no effect.',
    }),
  },
  { description: 'Floods of 404 responses per source (path scanning, forced browsing).' },
)

const pathPatterns = (description: string, examples: string[]) =>
  Default.Array(
    Type.String({
      minLength: 2,
      maxLength: 256,
      pattern: '^(\\^/\\*|\\^?/|\\*)[\\x21-\\x23\\x25-\\x29\\x2b-\\x7e]+[*$]?$',
    }),
    {
      default: [],
      description,
      examples: [examples],
    },
  )

export const scannerProbeOptions = Section(
  {
    enabled: enabled('scanner-probe'),
    extraPaths: pathPatterns(
      'Paths to report as probes besides the built-in list. `/name` matches at any `/` of the path up to a segment end (`/name`, `/name/…`); `^/name` only at the start; a trailing `*` lets the name go on (`/.env*`), a trailing `/` makes it a directory, a trailing `$` ends the path; `*.ext` is a suffix in any directory, `^/*.ext` a file right under the root. Compared without case, after percent-decoding, query removed.',
      ['^/internal-backup/', '*.tfvars'],
    ),
    ignorePaths: pathPatterns(
      'Paths the app serves on purpose, never reported even when a built-in pattern matches (same syntax as `extraPaths`), e.g. `^/console` for an app whose own page it is.',
      ['^/console'],
    ),
  },
  {
    description:
      'Requests for paths only scanners ask for (`/.env`, `/.git/config`, `/actuator/env`, backups, other software’s consoles), whatever the app answered: `malicious_scanner_probe`, or `access_not_found` with ScannerProbe for a 404. The list is in docs/detectors.md.',
  },
)

const uaSubstrings = (description: string, examples: string[]) =>
  Default.Array(Type.String({ minLength: 3, maxLength: 128, pattern: '^[\\x20-\\x7e]+$' }), {
    default: [],
    description,
    examples: [examples],
  })

export const attackToolOptions = Section(
  {
    enabled: enabled('attack-tool'),
    extra: uaSubstrings(
      'User-Agent substrings (printable ASCII, compared without case) of more tools to report, besides the built-in list.',
      ['internal-pentest-bot'],
    ),
    ignore: uaSubstrings(
      'Entries of the built-in list to leave out, by their text or their tool (compared without case): a User-Agent substring (`nessus`), a header (`x-scanner`), a header value (`myvar=1234`), a callback domain (`oastify.com`), a tool (`Burp Collaborator`) — e.g. for the organisation’s own scanner.',
      ['nessus'],
    ),
  },
  {
    description:
      'Requests made by attack tools (sqlmap, Nikto, Nuclei, …): their User-Agent, headers of their own (`Acunetix-*`, `X-Scanner`), out-of-band callback hosts in headers or the target (`*.oast.pro`, `*.oastify.com`). Recorded whatever the app answered.',
  },
)

export const corsOptions = Section(
  {
    enabled: enabled('CORS'),
    allowedOrigins: Default.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        'Origins (`https://app.example.com`) the app allows cross-origin requests from. When set, a cross-origin request from any other origin that the response does not grant is reported. When empty, the answer is inferred only once the app has shown a CORS policy of its own: its cors options go through `corsDelegator()` / `wp.cors()`, or it granted some cross-origin request with `Access-Control-Allow-Origin`. An app without a CORS policy gets no CORS events.',
      examples: [['https://app.example.com', 'https://admin.example.com']],
    }),
  },
  { description: 'Cross-origin requests from an origin the app does not allow.' },
)

export const rateLimitOptions = Section(
  { enabled: enabled('rate-limit') },
  {
    description: 'Requests rejected by the app’s rate limiter (`@fastify/rate-limit`, `express-rate-limit`).',
  },
)

export const malformedBodyOptions = Section(
  { enabled: enabled('malformed-body') },
  { description: 'Request bodies the body parser rejected (invalid JSON, too large, wrong content type).' },
)

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

export const protocolOptions = Section(
  {
    enabled: enabled('protocol'),
    allowedMethods: Default.Array(Type.String({ minLength: 1, pattern: '^[A-Z][A-Z0-9_-]*$' }), {
      default: [...HTTP_METHODS],
      description: 'HTTP methods the app serves (uppercase); any other method (e.g. `TRACE`) is reported.',
      examples: [['GET', 'POST']],
    }),
  },
  { description: 'Protocol anomalies: unexpected HTTP methods and malformed requests.' },
)

const threat = (what: string, def = true) =>
  Default.Boolean({ default: def, description: `Whether ${what} is looked for.` })

export const injectionOptions = Section(
  {
    enabled: enabled('injection'),
    sqli: threat('SQL injection'),
    xss: threat('cross-site scripting'),
    pathTraversal: threat('path traversal and local file inclusion'),
    commandInjection: threat('OS command injection'),
    jndi: threat('JNDI / Log4Shell lookups'),
    templateInjection: threat('template and expression-language injection'),
    prototypePollution: threat('prototype pollution'),
    nosqlInjection: threat('NoSQL operator injection'),
    ssrf: threat('server-side request forgery probes'),
    encodingAnomalies: Default.Boolean({
      default: true,
      description:
        'Report inputs whose encoding no browser sends (CR/LF before a header, NUL and control characters, overlong or invalid UTF-8, `%u` escapes, broken `%` escapes, a request line inside a value) as `malicious_protocol_violation`.',
    }),
    headers: Default.Array(Type.String({ minLength: 1, pattern: "^[a-z0-9!#$%&'*+.^_`|~-]+$" }), {
      default: ['user-agent', 'referer', 'x-forwarded-for', 'x-forwarded-host', 'x-api-version'],
      description:
        'Request headers (lowercase) whose values are inspected, besides the path, query, cookies and body.',
      examples: [['user-agent', 'referer', 'x-api-version']],
    }),
    maxValueLength: Default.Integer({
      minimum: 64,
      maximum: 1_048_576,
      default: 8192,
      description: 'Characters of one input inspected; the rest of a longer input is not.',
    }),
    maxTotalLength: Default.Integer({
      minimum: 256,
      maximum: 16_777_216,
      default: 65_536,
      description: 'Characters inspected per request, over all its inputs.',
    }),
    maxDepth: Default.Integer({
      minimum: 1,
      maximum: 1024,
      default: 32,
      description: 'Nesting of the parsed body inspected.',
    }),
    maxValues: Default.Integer({
      minimum: 1,
      maximum: 100_000,
      default: 1024,
      description: 'Keys and values inspected per request.',
    }),
  },
  {
    description:
      'Injection in the path, query, cookies, selected headers and parsed body, after decoding (docs/detection.md).',
  },
)

export const detectorsSchema = Section(
  {
    authFailure: authFailureOptions,
    jwt: jwtOptions,
    notFound: notFoundOptions,
    cors: corsOptions,
    rateLimit: rateLimitOptions,
    malformedBody: malformedBodyOptions,
    protocol: protocolOptions,
    injection: injectionOptions,
    attackTool: attackToolOptions,
    scannerProbe: scannerProbeOptions,
  },
  {
    description:
      'Each detector can be switched off and tuned. They run on what the framework adapters (`@watchpost/fastify`, `@watchpost/express`) observe; what each records is in docs/detectors.md.',
  },
)
