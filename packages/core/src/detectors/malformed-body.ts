/**
 * Bodies the app's parser refused: invalid or empty JSON, unsupported media type, too large, bad
 * charset or encoding. The adapters pass the parser's error; `classifyBodyError` (body-errors.ts)
 * maps Fastify's `FST_ERR_CTP_*` codes and body-parser's `type`s to one reason. Capped per source.
 */

import type { DetectorsConfig } from '../config/index.js'
import { capPerSource } from '../detection/capped-counter.js'
import { FLAG_BODY, flagged, mark } from '../detection/flags.js'
import type { DetectorDefinition } from '../detection/types.js'

export const malformedBodyDetector: DetectorDefinition<'malformedBody', DetectorsConfig['malformedBody']> = {
  id: 'malformedBody',
  emits: ['input_validation_malformed_body'],
  create(_options, { events, now }) {
    const capped = capPerSource((held) =>
      events(undefined).inputValidation.malformedBody(
        { reason: 'other' },
        {
          ...held,
          ruleName: 'malformedBody',
          message: `${held.count} more malformed bodies from one source`,
        },
      ),
    )
    return {
      bodyError(ctx, info) {
        if (flagged(ctx, FLAG_BODY)) return
        mark(ctx, FLAG_BODY)
        if (!capped.admit(ctx.clientIp, now())) return
        const contentType = ctx.headers['content-type']
        events(ctx).inputValidation.malformedBody(
          { reason: info.reason, code: info.code, contentType },
          { ruleName: 'malformedBody' },
        )
      },
      sweep: (t) => capped.sweep(t),
    }
  },
}
