// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax, not a template
/**
 * The TypeBox declaration of the `webhook` sink's options (build time only: `options-schema.ts`).
 * What the schema cannot say — `http:` only for loopback hosts, the reserved header names, header
 * values without line breaks — is checked when the destination is created (sinks/webhook.ts), with
 * the same error code as every sink problem.
 */
import { Type } from '@sinclair/typebox'
import { Default, Strict } from './schema-kit.js'
import { sinkTlsSchema } from './tls-options.js'
import { WEBHOOK_DEFAULTS, WEBHOOK_LIMITS } from './webhook-options.js'

/** RFC 9110 token: any case (names are compared case-insensitively and sent lowercase). */
const HEADER_NAME = "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"

export const webhookHeaderSchema = Strict(
  {
    name: Type.String({
      pattern: HEADER_NAME,
      description:
        'Header name (case-insensitive). The headers Watchpost sets (`content-type`, `content-length`, `user-agent`, `idempotency-key`, `x-watchpost-*`) and connection-level ones (`host`, `connection`, `transfer-encoding`, …) cannot be set here.',
      examples: ['authorization', 'x-api-key'],
    }),
    value: Type.String({
      description:
        'Header value, sent as is; no line breaks. Keep credentials out of the file: use `${VAR}`.',
      examples: ['${SOAR_API_KEY}', 'Bearer ${WEBHOOK_TOKEN}'],
    }),
  },
  { description: 'One extra request header.' },
)

export const webhookSinkSchema = Strict(
  {
    type: Type.Literal('webhook', {
      description:
        'Selects the webhook sink: batches of events POSTed as JSON, optionally signed with HMAC-SHA256 (docs/webhook.md).',
    }),
    url: Type.String({
      pattern: '^https?://',
      description:
        'Receiver URL. Must be `https://`; `http://` is accepted only for `localhost`, `127.0.0.1` and `[::1]`; no `user:password@` (send credentials with `headers`). Path and query are sent but never shown: the sink is named `webhook:<origin>#<hash of path and query>` in health, metrics and messages (chat relays keep their secret in the path).',
      examples: ['${WEBHOOK_URL}', 'https://soar.example.com/hooks/watchpost'],
    }),
    secret: Type.Optional(
      Type.String({
        minLength: WEBHOOK_LIMITS.secretMinLength,
        description:
          'HMAC-SHA256 key (at least 16 characters). When set, each request carries `x-watchpost-signature: sha256=<hex HMAC of "<timestamp>.<body>">`, which the receiver checks with `verifyWebhookSignature`. Keep it out of the file: use `${WEBHOOK_SECRET}`.',
        examples: ['${WEBHOOK_SECRET}'],
      }),
    ),
    headers: Type.Optional(
      Type.Array(webhookHeaderSchema, {
        description:
          'Extra static request headers, e.g. an API key the receiver requires. A list of `{ name, value }`; each name at most once.',
        examples: [[{ name: 'x-api-key', value: '${SOAR_API_KEY}' }]],
      }),
    ),
    maxRequestBytes: Default.Integer({
      ...WEBHOOK_LIMITS.maxRequestBytes,
      default: WEBHOOK_DEFAULTS.maxRequestBytes,
      description:
        'Largest request body, in bytes; batches are cut to fit. A receiver that answers 413 gets the batch split in halves.',
    }),
    timeoutMs: Default.Integer({
      ...WEBHOOK_LIMITS.timeoutMs,
      default: WEBHOOK_DEFAULTS.timeoutMs,
      description:
        'Longest time one request may take, connecting included, in milliseconds; a request still running is abandoned and retried. `delivery.timeoutMs` applies too: the shorter wins.',
    }),
    tls: sinkTlsSchema(
      "Extra CA certificate to trust, added to Node's bundled roots for this sink's connections only: a PEM file path, or the PEM text itself. For a receiver behind a private CA. Never disables verification.",
      ['${WEBHOOK_CA_PATH}', '/etc/watchpost/internal-ca.pem'],
    ),
    format: Default.Enum(['array', 'ndjson'], {
      default: WEBHOOK_DEFAULTS.format,
      description:
        '`array`: the body is a JSON array of events (`application/json`). `ndjson`: one event per line, each line ending with `\\n` (`application/x-ndjson`).',
    }),
  },
  {
    description:
      'POSTs batches of events as JSON to an HTTPS endpoint, signed with HMAC-SHA256 when `secret` is set; same retries, spool and dead letters as the Sentinel sink (docs/webhook.md).',
  },
)
