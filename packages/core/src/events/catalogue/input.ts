/** Input validation and upload events (OWASP input_validation_*, upload_*) plus Watchpost's malformed-body event. */
import { defineEvent, p } from '../define.js'

/** Body failures, classified from fastify `FST_ERR_CTP_*` codes and body-parser `type`s by the adapters. */
export const MALFORMED_BODY_REASONS = [
  'invalid_json',
  'empty_body',
  'unsupported_media_type',
  'too_large',
  'bad_charset',
  'bad_encoding',
  'bad_compression',
  'bad_multipart',
  'invalid_content_length',
  'other',
] as const

export const inputValidation = {
  fail: defineEvent({
    name: 'input_validation_fail',
    origin: 'owasp',
    level: 'WARN',
    schema: 'WebSession',
    eventType: 'WebServerSession',
    result: 'Failure',
    message: 'Input validation failed on {fields}',
    description: 'Server-side validation rejected the request (e.g. a schema validation failure).',
    params: {
      fields: p.strings('AdditionalFields.Fields', 'The fields that failed.'),
      userId: p.user('ActorUsername', 'The user, when known.'),
      reason: p.string('EventOriginalResultDetails', 'Validator message (sanitised).'),
    },
  }),
  discreteFail: defineEvent({
    name: 'input_validation_discrete_fail',
    origin: 'owasp',
    level: 'WARN',
    schema: 'WebSession',
    eventType: 'WebServerSession',
    result: 'Failure',
    message: 'Value of {field} outside its allowed set',
    description: 'A value that should come from a fixed set (a dropdown, a radio) did not.',
    params: {
      field: p.required(p.string('ThreatField', 'The field.')),
      userId: p.user('ActorUsername', 'The user, when known.'),
    },
  }),
  malformedBody: defineEvent({
    name: 'input_validation_malformed_body',
    origin: 'watchpost',
    level: 'WARN',
    severity: 'Low',
    schema: 'WebSession',
    eventType: 'WebServerSession',
    result: 'Failure',
    message: 'Request body rejected: {reason}',
    description:
      'The body could not be parsed: invalid or empty JSON, unsupported media type, too large, bad charset.',
    params: {
      reason: p.required(p.enum(MALFORMED_BODY_REASONS, 'EventOriginalResultDetails', 'What was wrong.')),
      code: p.string(
        'AdditionalFields.ErrorCode',
        'The framework error code (FST_ERR_CTP_*, entity.parse.failed).',
      ),
      contentType: p.string('HttpContentType', 'The Content-Type sent.'),
    },
  }),
}

export const upload = {
  complete: defineEvent({
    name: 'upload_complete',
    origin: 'owasp',
    level: 'INFO',
    schema: 'AuditEvent',
    eventType: 'Create',
    result: 'Success',
    message: 'File {filename} uploaded by {userId}',
    description: 'A file upload finished.',
    params: {
      userId: p.user('ActorUsername', 'Uploader.'),
      filename: p.required(p.string(['Object'], 'File name.')),
      type: p.string('FileContentType', 'Content type.'),
      size: p.int('FileSize', 'Size in bytes.'),
    },
    fixed: { Operation: 'Upload file', ObjectType: 'Other' },
  }),
  stored: defineEvent({
    name: 'upload_stored',
    origin: 'owasp',
    level: 'INFO',
    schema: 'AuditEvent',
    eventType: 'Create',
    result: 'Success',
    message: 'Upload {filename} stored as {to}',
    description: 'An uploaded file was stored (possibly renamed).',
    params: {
      filename: p.required(p.string('Object', 'Original name.')),
      from: p.string('OldValue', 'Where it came from.'),
      to: p.string('NewValue', 'Where it was stored.'),
    },
    fixed: { Operation: 'Store upload', ObjectType: 'Other' },
  }),
  validation: defineEvent({
    name: 'upload_validation',
    origin: 'owasp',
    level: 'INFO',
    schema: 'AuditEvent',
    eventType: 'Execute',
    result: 'Success',
    message: 'Upload {filename} checked by {check}: {outcome}',
    description:
      'An uploaded file went through a check (virus scan, image decoding). A failed check is High.',
    params: {
      filename: p.required(p.string('Object', 'File name.')),
      check: p.string('AdditionalFields.Check', 'The check (virusscan, imagemagick...).'),
      outcome: p.required(
        p.enum(['passed', 'incomplete', 'failed'], 'AdditionalFields.Outcome', 'Result of the check.'),
      ),
    },
    fixed: { Operation: 'Validate upload', ObjectType: 'Other' },
    byParam: {
      param: 'outcome',
      result: { passed: 'Success', incomplete: 'Partial', failed: 'Failure' },
      severity: { passed: 'Informational', incomplete: 'Medium', failed: 'High' },
    },
  }),
  delete: defineEvent({
    name: 'upload_delete',
    origin: 'owasp',
    level: 'INFO',
    schema: 'AuditEvent',
    eventType: 'Delete',
    result: 'Success',
    message: 'Uploaded file {fileId} deleted by {userId}',
    description: 'An uploaded file was deleted.',
    params: {
      userId: p.user('ActorUsername', 'Who deleted it.'),
      fileId: p.required(p.string('ObjectId', 'The file.')),
    },
    fixed: { Operation: 'Delete upload', Object: 'file', ObjectType: 'Other' },
  }),
}
