/**
 * One readable line per event, for a person at a terminal: time, severity (coloured), event name,
 * source address, user, method and URL, correlation id. Missing fields are left out, not shown as
 * placeholders; `--json` prints the event itself instead.
 */
import type { SecurityEvent } from '@watchpost/core'
import type { Output, Tone } from './output.js'

const SEVERITY_TONES: Readonly<Record<string, Tone>> = {
  High: 'error',
  Medium: 'warn',
  Low: 'accent',
  Informational: 'dim',
}

export function eventLine(event: Partial<SecurityEvent>, out: Pick<Output, 'paint'>): string {
  const severity = event.EventSeverity ?? '?'
  const user = event.TargetUsername ?? event.ActorUsername
  const request = [event.HttpRequestMethod, event.Url].filter((part) => part !== undefined).join(' ')
  const parts = [
    out.paint('dim', event.TimeGenerated ?? '-'),
    out.paint(SEVERITY_TONES[severity] ?? 'bold', severity.padEnd(13)),
    out.paint('bold', event.EventOriginalType ?? '(no type)'),
    event.SrcIpAddr === undefined ? undefined : `src=${event.SrcIpAddr}`,
    user === undefined ? undefined : `user=${user}`,
    request === '' ? undefined : request,
    event.CorrelationId === undefined ? undefined : out.paint('dim', `corr=${event.CorrelationId}`),
  ]
  return parts.filter((part) => part !== undefined).join('  ')
}
