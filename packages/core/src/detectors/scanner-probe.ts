/**
 * Requests for paths only scanners ask for (scanner-paths.ts; the list and its sources in
 * data/scanner-paths.ts), whatever the app answered: a `/.env` answered 200 is worse than one
 * answered 404. Looked at once the response is sent, for its status:
 *
 * - 404: `access_not_found` with `ScannerProbe: true` (Medium) — the event the not-found detector
 *   records for such a miss when this detector is off. This detector runs before that one and marks
 *   the request (FLAG_PATH_JUDGED, FLAG_SCANNER_PROBE): the not-found detector then takes this
 *   detector's verdict (so `extraPaths` and `ignorePaths` apply to its flood count too), counts the
 *   probe in its flood and does not record it a second time.
 * - any other status: `malicious_scanner_probe`, Success and High when the app answered 2xx.
 *
 * Scripts of other platforms and leftover copies in general (`*.php`, `*.bak`) count only on a
 * 404: an app that answers them serves them on purpose. Capped per source.
 */
import type { DetectorsConfig } from '../config/index.js'
import { capPerSource } from '../detection/capped-counter.js'
import { FLAG_PATH_JUDGED, FLAG_SCANNER_PROBE, mark } from '../detection/flags.js'
import type { DetectorDefinition } from '../detection/types.js'
import { BoundedMemo } from '../memo.js'
import { compileScannerPaths } from './scanner-paths.js'

type Options = DetectorsConfig['scannerProbe']

/** Paths that matched nothing on a status other than 404, remembered, and the longest one remembered. */
const UNMATCHED_PATHS = 1024
const UNMATCHED_PATH_LENGTH = 128

export const scannerProbeDetector: DetectorDefinition<'scannerProbe', Options> = {
  id: 'scannerProbe',
  emits: ['malicious_scanner_probe', 'access_not_found'],
  create(options, { events, now }) {
    const paths = compileScannerPaths(options.extraPaths, options.ignorePaths)
    // The app's own paths come back request after request; a lookup costs a fraction of the matcher
    // (≈ 480 instructions on `/hello`, test/bench/instructions.mjs). A 404 is always matched: the
    // list of paths that count only then is not in this memory's answer.
    const unmatched = new BoundedMemo<string, true>(UNMATCHED_PATHS, UNMATCHED_PATH_LENGTH)
    // One cap per source for both events: a scan is a scan, whatever the app answered.
    const capped = capPerSource((held) =>
      events(undefined).malicious.scannerProbe(
        { path: '(several)' },
        { ...held, ruleName: 'scannerProbe', message: `${held.count} more scanner probes from one source` },
      ),
    )
    return {
      responseFinish(ctx, status) {
        const path = pathOf(ctx.url)
        const remembered = status !== 404
        if (remembered && unmatched.get(path) === true) {
          mark(ctx, FLAG_PATH_JUDGED)
          return
        }
        const found = paths.match(path, status === 404)
        if (found === undefined) {
          if (remembered) unmatched.set(path, true)
          mark(ctx, FLAG_PATH_JUDGED)
          return
        }
        mark(ctx, FLAG_PATH_JUDGED | FLAG_SCANNER_PROBE)
        if (!capped.admit(ctx.clientIp, now())) return
        if (status === 404) {
          events(ctx).access.notFound(
            { path, scannerProbe: true },
            { statusCode: 404, ruleName: 'scannerProbe', severity: 'Medium' },
          )
          return
        }
        events(ctx).malicious.scannerProbe(
          {
            path,
            family: found.family,
            pattern: found.pattern,
            outcome: status >= 200 && status < 300 ? 'served' : 'not_served',
          },
          { statusCode: status, ruleName: 'scannerProbe' },
        )
      },
      sweep: (t) => capped.sweep(t),
    }
  },
}

function pathOf(url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}
