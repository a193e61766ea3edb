/**
 * Classifies a body parser's error by its code, never its message: Fastify's
 * `FST_ERR_CTP_*` (lib/errors.js) and body-parser's `type` (as used by Express's `express.json()`).
 * Returns `undefined` for errors that are not about the body — among them the client closing the
 * connection before the body was complete: body-parser's `request.aborted` (raw-body, on the
 * request's `aborted` event) and Node's `ECONNRESET` "aborted" error that Fastify's parser passes on.
 * An aborted upload is not a malformed body.
 */
import type { BodyErrorInfo, MalformedBodyReason } from './types.js'

// A Map, not an object: a code such as `constructor` must not find Object.prototype.
const BY_CODE: ReadonlyMap<string, MalformedBodyReason> = new Map(
  Object.entries({
    // fastify
    FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
    FST_ERR_CTP_BODY_TOO_LARGE: 'too_large',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
    FST_ERR_CTP_EMPTY_TYPE: 'unsupported_media_type',
    FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
    FST_ERR_CTP_INSTANCE_ALREADY_STARTED: 'other',
    // body-parser `type`s
    'entity.parse.failed': 'invalid_json',
    'entity.too.large': 'too_large',
    'entity.verify.failed': 'other',
    'request.size.invalid': 'invalid_content_length',
    'stream.encoding.set': 'other',
    'stream.not.readable': 'other',
    'charset.unsupported': 'bad_charset',
    'encoding.unsupported': 'bad_encoding',
    'parameters.too.many': 'too_large',
    // zlib, passed on by body-parser for a corrupt or truncated gzip or deflate body
    Z_DATA_ERROR: 'bad_compression',
    Z_BUF_ERROR: 'bad_compression',
    Z_NEED_DICT: 'bad_compression',
    // @fastify/multipart (thrown where the route reads the parts)
    FST_INVALID_MULTIPART_CONTENT_TYPE: 'bad_multipart',
    FST_PROTO_VIOLATION: 'bad_multipart',
    FST_INVALID_JSON_FIELD_ERROR: 'invalid_json',
    FST_PARTS_LIMIT: 'too_large',
    FST_FILES_LIMIT: 'too_large',
    FST_FIELDS_LIMIT: 'too_large',
    FST_REQ_FILE_TOO_LARGE: 'too_large',
    // multer's MulterError codes
    LIMIT_PART_COUNT: 'too_large',
    LIMIT_FILE_SIZE: 'too_large',
    LIMIT_FILE_COUNT: 'too_large',
    LIMIT_FIELD_KEY: 'too_large',
    LIMIT_FIELD_VALUE: 'too_large',
    LIMIT_FIELD_COUNT: 'too_large',
    LIMIT_UNEXPECTED_FILE: 'bad_multipart',
    MISSING_FIELD_NAME: 'bad_multipart',
  } satisfies Record<string, MalformedBodyReason>),
)

export function classifyBodyError(err: unknown): BodyErrorInfo | undefined {
  if (err === null || typeof err !== 'object') return undefined
  const e = err as { code?: unknown; type?: unknown }
  for (const code of [e.code, e.type]) {
    if (typeof code !== 'string') continue
    const reason = BY_CODE.get(code)
    if (reason !== undefined) return { reason, code }
  }
  return undefined
}
