/**
 * Every detector, in the order their handlers run on a signal. Adding a detector touches its own
 * file, this list and its options in config/detector-options.ts (docs/architecture.md).
 */
import type { DetectorsConfig } from '../config/index.js'
import type { DetectorDefinition } from '../detection/types.js'
import { attackToolDetector } from './attack-tool.js'
import { authFailureDetector } from './auth-failure.js'
import { corsDetector } from './cors.js'
import { injectionDetector } from './injection.js'
import { jwtDetector } from './jwt.js'
import { malformedBodyDetector } from './malformed-body.js'
import { notFoundDetector } from './not-found.js'
import { protocolDetector } from './protocol.js'
import { rateLimitDetector } from './rate-limit.js'
import { scannerProbeDetector } from './scanner-probe.js'

export const DETECTORS = [
  protocolDetector,
  malformedBodyDetector,
  jwtDetector,
  authFailureDetector,
  rateLimitDetector,
  corsDetector,
  // Before notFound: it judges the path of a 404 for it (FLAG_PATH_JUDGED).
  scannerProbeDetector,
  notFoundDetector,
  injectionDetector,
  attackToolDetector,
] as const satisfies ReadonlyArray<DetectorDefinition<keyof DetectorsConfig, never>>
