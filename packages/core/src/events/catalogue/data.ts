/** Data, crypto, sequence and excess events (OWASP sensitive_*, crypt_*, sequence_fail, excess_*). */
import { defineEvent, p } from '../define.js'

const actor = p.user('ActorUsername', 'The user (defaults to the request user).')
const objectParam = p.required(p.string('Object', 'The file or object.'))

function sensitive<const N extends string>(
  name: N,
  eventType: 'Create' | 'Read' | 'Set' | 'Delete',
  verb: string,
  operation: string,
) {
  return defineEvent({
    name,
    origin: 'owasp',
    level: 'WARN',
    schema: 'AuditEvent',
    eventType,
    result: 'Success',
    message: `Sensitive {object} ${verb} by {userId}`,
    description: `Sensitive data was ${verb}.`,
    params: {
      userId: actor,
      object: objectParam,
      records: p.int('AdditionalFields.Records', 'How many records (for reads and exports).'),
    },
    fixed: { Operation: operation, ObjectType: 'Other' },
  })
}

export const sensitiveData = {
  create: sensitive('sensitive_create', 'Create', 'created', 'Create sensitive data'),
  read: sensitive('sensitive_read', 'Read', 'read', 'Read sensitive data'),
  update: sensitive('sensitive_update', 'Set', 'updated', 'Update sensitive data'),
  delete: sensitive('sensitive_delete', 'Delete', 'deleted', 'Delete sensitive data'),
  export: defineEvent({
    name: 'sensitive_export',
    origin: 'watchpost',
    level: 'WARN',
    schema: 'AuditEvent',
    eventType: 'Read',
    result: 'Success',
    message: 'Sensitive {object} exported by {userId} ({records} records)',
    description: 'Sensitive data left the app in bulk (a download, a report). Not in the OWASP vocabulary.',
    params: {
      userId: actor,
      object: objectParam,
      records: p.int('AdditionalFields.Records', 'How many records.'),
      format: p.string('AdditionalFields.Format', 'csv, xlsx, json...'),
    },
    fixed: { Operation: 'Export sensitive data', ObjectType: 'Other' },
  }),
}

export const crypt = {
  decryptFail: defineEvent({
    name: 'crypt_decrypt_fail',
    origin: 'owasp',
    level: 'WARN',
    schema: 'AuditEvent',
    eventType: 'Other',
    result: 'Failure',
    message: 'Decryption failed for {userId}',
    description: 'Decrypting data failed (tampered ciphertext, wrong key).',
    params: { userId: actor, object: p.string('Object', 'What was being decrypted.') },
    fixed: { Operation: 'Decrypt', Object: 'data', ObjectType: 'Other' },
  }),
  encryptFail: defineEvent({
    name: 'crypt_encrypt_fail',
    origin: 'owasp',
    level: 'WARN',
    schema: 'AuditEvent',
    eventType: 'Other',
    result: 'Failure',
    message: 'Encryption failed for {userId}',
    description: 'Encrypting data failed.',
    params: { userId: actor, object: p.string('Object', 'What was being encrypted.') },
    fixed: { Operation: 'Encrypt', Object: 'data', ObjectType: 'Other' },
  }),
}

export const sequence = {
  fail: defineEvent({
    name: 'sequence_fail',
    origin: 'owasp',
    level: 'CRITICAL',
    schema: 'WebSession',
    eventType: 'WebServerSession',
    result: 'Failure',
    message: 'Business flow step out of sequence for {userId}: {step}',
    description: 'A user skipped or repeated a step of a business flow (e.g. paid after shipping).',
    params: { userId: actor, step: p.string('AdditionalFields.Step', 'The step reached out of order.') },
    fixed: { ThreatCategory: 'Business logic abuse', ThreatRiskLevel: 70 },
  }),
}

export const excess = {
  rateLimitExceeded: defineEvent({
    name: 'excess_rate_limit_exceeded',
    origin: 'owasp',
    level: 'WARN',
    schema: 'WebSession',
    eventType: 'WebServerSession',
    result: 'Failure',
    message: 'Rate limit of {max} exceeded',
    description: 'A client exceeded a rate limit (from the rate limiter hook or an inferred 429).',
    params: {
      userId: actor,
      max: p.int('AdditionalFields.Max', 'The limit.'),
      windowSeconds: p.int('AdditionalFields.WindowSeconds', "The limiter's window."),
      banned: p.boolean('AdditionalFields.Banned', 'Whether the client reached the ban threshold.'),
    },
    fixed: { DvcAction: 'Deny', ThreatCategory: 'Abuse', ThreatRiskLevel: 30 },
  }),
  sessionsExceeded: defineEvent({
    name: 'excess_sessions_exceeded',
    origin: 'owasp',
    level: 'WARN',
    schema: 'Authentication',
    eventType: 'Logon',
    eventSubType: 'Remote',
    result: 'Failure',
    resultDetails: 'Logon violates policy',
    message: 'User {userId} exceeded {max} concurrent sessions',
    description: 'A user exceeded the allowed number of concurrent sessions.',
    params: {
      userId: p.user('TargetUsername', 'The user.'),
      max: p.int('AdditionalFields.Max', 'The limit.'),
    },
  }),
}
