/**
 * 404s. Per source: optionally each miss (`access_not_found`, capped), at once for paths only
 * scanners ask for (recorded by the scanner-probe detector when it is on; this one then only counts
 * them), and a `malicious_excess_404` when `threshold` misses fall in one window —
 * reported at the crossing (EventCount = threshold) and, for the rest of that window, once when it
 * closes (EventCount = the misses after the crossing). At most 2 flood rows per source and window.
 *
 * Not every 404 is a miss: frameworks answer 404 to a method they do not route (Fastify and
 * Express to TRACE) and to a CORS preflight nobody granted (`@fastify/cors` hands a refused one to
 * the not-found handler; Express has no OPTIONS route for it). Those ask nothing about which paths
 * exist; the protocol and CORS detectors report them, and they are not counted here.
 */

import type { DetectorsConfig } from '../config/index.js'
import { headerOf } from '../context/header-slots.js'
import type { RequestContext } from '../context/types.js'
import { CappedCounter, DEFAULT_CAP } from '../detection/capped-counter.js'
import {
  FLAG_NOT_FOUND,
  FLAG_PATH_JUDGED,
  FLAG_SCANNER_PROBE,
  FLAG_UNEXPECTED_METHOD,
  flagged,
  mark,
} from '../detection/flags.js'
import type { DetectorDefinition } from '../detection/types.js'
import { WindowCounter } from '../detection/window-counter.js'
import { isScannerPath } from './scanner-paths.js'

const SAMPLE_PATHS = 5

interface Misses {
  scanner: number
  readonly samples: string[]
}

export const notFoundDetector: DetectorDefinition<'notFound', DetectorsConfig['notFound']> = {
  id: 'notFound',
  emits: ['access_not_found', 'malicious_excess_404'],
  create(options, { events, now, header }) {
    const originSlot = header('origin')
    const requestMethodSlot = header('access-control-request-method')
    /** A browser's CORS preflight: OPTIONS with `Origin` and `Access-Control-Request-Method`. */
    const isPreflight = (ctx: RequestContext) =>
      ctx.method === 'OPTIONS' &&
      headerOf(ctx, originSlot) !== undefined &&
      headerOf(ctx, requestMethodSlot) !== undefined
    const windowMs = options.windowSeconds * 1000
    const each = new CappedCounter({
      windowMs,
      cap: DEFAULT_CAP,
      onAggregate: (ip, count, start, end) =>
        events(undefined).access.notFound(
          {},
          { count, startTime: start, endTime: end, srcIp: ip, ruleName: 'notFound', statusCode: 404 },
        ),
    })
    const floods = new WindowCounter<Misses>({
      windowMs,
      create: () => ({ scanner: 0, samples: [] }),
      onClose(ip, entry) {
        const rest = entry.count - options.threshold
        if (entry.emitted === 0 || rest <= 0) return
        events(undefined).malicious.excess404(
          {
            count: rest,
            samplePaths: entry.data.samples,
            scannerPaths: entry.data.scanner,
            riskLevel: risk(entry.data),
          },
          {
            count: rest,
            startTime: entry.start,
            endTime: entry.last,
            srcIp: ip,
            ruleName: 'notFound',
            statusCode: 404,
            message: `${rest} more not-found responses from one source`,
          },
        )
      },
    })
    return {
      responseFinish(ctx, status) {
        if (status !== 404 || flagged(ctx, FLAG_NOT_FOUND | FLAG_UNEXPECTED_METHOD)) return
        if (isPreflight(ctx)) return
        mark(ctx, FLAG_NOT_FOUND)
        const t = now()
        const ip = ctx.clientIp
        const path = pathOf(ctx.url)
        // The scanner-probe detector, when on, judged the path and recorded a probe itself.
        const judged = flagged(ctx, FLAG_PATH_JUDGED)
        const recorded = flagged(ctx, FLAG_SCANNER_PROBE)
        const scanner = judged ? recorded : options.scannerPaths && isScannerPath(path)
        const entry = floods.hit(ip, t)
        if (scanner) entry.data.scanner++
        if (entry.data.samples.length < SAMPLE_PATHS) entry.data.samples.push(path)
        if ((options.reportEach || scanner) && !recorded && each.admit(ip, t)) {
          events(ctx).access.notFound(
            { path, scannerProbe: scanner },
            { statusCode: 404, ruleName: 'notFound', ...(scanner ? { severity: 'Medium' as const } : {}) },
          )
        }
        if (entry.count === options.threshold) {
          entry.emitted++
          events(ctx).malicious.excess404(
            {
              count: entry.count,
              samplePaths: entry.data.samples,
              scannerPaths: entry.data.scanner,
              riskLevel: risk(entry.data),
            },
            { count: entry.count, startTime: entry.start, endTime: t, ruleName: 'notFound', statusCode: 404 },
          )
        }
      },
      sweep(t) {
        each.sweep(t)
        floods.sweep(t)
      },
    }
  },
}

/** Scanner probes among the misses raise the risk (the 40 of the catalogue otherwise). */
function risk(misses: Misses): number {
  return misses.scanner > 0 ? 70 : 40
}

function pathOf(url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}
