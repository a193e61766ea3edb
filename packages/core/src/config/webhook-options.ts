/**
 * Options of the `webhook` sink: a JSON POST, signed with HMAC-SHA256, to any HTTPS receiver (SOAR,
 * a Teams/Slack relay, a collector). The defaults and limits the sink needs at run time; their
 * schema (webhook-schema.ts) is TypeBox, used at build time only.
 */
import type { Input } from './schema-kit.js'
import type { webhookSinkSchema } from './webhook-schema.js'

const MiB = 1024 * 1024

/** The defaults, shared by the schema (docs, JSON Schema) and the factory (options given in code). */
export const WEBHOOK_DEFAULTS = {
  // The Logs Ingestion API's limit too: one size works for both kinds of destination.
  maxRequestBytes: 1_000_000,
  timeoutMs: 10_000,
  format: 'array',
} as const

export const WEBHOOK_LIMITS = {
  maxRequestBytes: { minimum: 1024, maximum: 10 * MiB },
  timeoutMs: { minimum: 100, maximum: 300_000 },
  secretMinLength: 16,
} as const

/**
 * Options of the `webhook` sink as written in code: defaulted options may be left out. (After
 * validation, with every default applied: `WebhookSinkConfig` in types.ts.)
 */
export type WebhookSinkOptions = Input<typeof webhookSinkSchema>
