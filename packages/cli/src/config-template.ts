/**
 * The configuration `watchpost init` writes: the options a user decides on first, each commented
 * with what it does and its default (docs/configuration.md has every option). It must load with
 * core's own `loadConfig`; test/init.test.ts checks that for both frameworks.
 */

export type Framework = 'fastify' | 'express'

export const FRAMEWORKS: readonly Framework[] = ['fastify', 'express']

/**
 * A YAML string for a name taken from package.json. Always double-quoted (JSON's string syntax is
 * YAML's): a plain `@shop/api`, `true` or `1.0` would not read back as that string.
 */
function yamlString(value: string): string {
  return JSON.stringify(value)
}

export function configTemplate(framework: Framework, appName: string): string {
  // Core resolves the client address from the socket under this setting alone (trust-proxy.ts).
  const proxyNote =
    framework === 'express'
      ? "# Same values and meaning as Express's `trust proxy` setting, which Watchpost does not read: set both."
      : "# Same values as Express's `trust proxy`; Fastify's own trustProxy is not read: set both alike."
  return `# Watchpost configuration (${framework}). Every option and its default: docs/configuration.md
# of Watchpost. Options given in code override this file. \${VAR} and \${VAR:-default} read
# environment variables: keep secrets out of this file.
# yaml-language-server: $schema=./node_modules/@watchpost/core/schema/config.schema.json
$schema: ./node_modules/@watchpost/core/schema/config.schema.json

# Recorded on every event (default: package.json's name and version, NODE_ENV, the host name).
app:
  name: ${yamlString(appName)}
  environment: \${NODE_ENV:-development}

# monitor: record events and the rules' firings only. protect: also apply the rules' responses
# (block or delay the source, call the app's hook).
mode: monitor

# Which proxies in front of the app to trust for the client address (X-Forwarded-For).
${proxyNote}
# false (the default) uses the socket's address. Behind one reverse proxy: 1, or "loopback".
# Never true in production: any client could then choose its address.
trustProxy: false

# Detectors are all on by default; these are the thresholds most apps tune first.
detectors:
  notFound:
    threshold: 20        # 404s from one source per window that make a scan (malicious_excess_404)
    windowSeconds: 60
  authFailure:
    threshold: 10        # 401/403s from one source per window that make a burst
    windowSeconds: 60
  cors:
    allowedOrigins: []   # e.g. [https://app.example.com]: other origins are reported
  protocol:
    allowedMethods: [GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS]
  # Also on: jwt, rateLimit, malformedBody, injection, attackTool, scannerProbe (docs/detectors.md).

# Requests to record nothing about, and stricter places (first match wins).
routes:
  - match: /health
    ignore: true
  # - match: /admin/*
  #   detectors:
  #     authFailure:
  #       threshold: 3

# The shipped rules (brute force, credential stuffing, password spray, scanning, …) run by default.
# Change one by its id, or add the app's own (docs/rules.md), e.g.:
#   - id: watchpost.credential-stuffing
#     response:
#       action: block          # applied in mode: protect
#       durationSeconds: 900
rules: []

# Where events go. The file sink writes JSON lines (follow them with: npx watchpost tail).
sinks:
  - type: file
    path: logs/security.jsonl
  # Microsoft Sentinel (needs @watchpost/sentinel; docs/sentinel.md). For a local trial,
  # \`npx watchpost emulator\` prints the values to use.
  # - type: sentinel
  #   endpoint: \${WATCHPOST_INGESTION_ENDPOINT}
  #   dcrImmutableId: \${WATCHPOST_DCR_IMMUTABLE_ID}
  #   credential:
  #     type: default          # DefaultAzureCredential: managed identity, workload identity, az login, …
`
}

/** What to do after `init`, for the framework. */
export function nextSteps(framework: Framework, file: string): string[] {
  return framework === 'fastify'
    ? [
        'npm install @watchpost/fastify @watchpost/core',
        'Register the plugin before your routes (it reads the configuration file):',
        "  import watchpost from '@watchpost/fastify'",
        '  await app.register(watchpost)',
        `Check the file after editing it: npx watchpost validate ${file}`,
      ]
    : [
        'npm install @watchpost/express @watchpost/core',
        'Use the middleware first, before your routes (it reads the configuration file):',
        "  import watchpost from '@watchpost/express'",
        '  app.use(watchpost())',
        `Check the file after editing it: npx watchpost validate ${file}`,
      ]
}
