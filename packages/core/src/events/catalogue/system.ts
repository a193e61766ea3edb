/** App lifecycle and monitoring events (OWASP sys_*). */
import { defineEvent, p } from '../define.js'

const actor = p.user('ActorUsername', 'Who started it, when known.')
const audit = { origin: 'owasp', level: 'WARN', schema: 'AuditEvent', result: 'Success' } as const
const app = { Object: 'application', ObjectType: 'Service' } as const
const monitorParam = p.string('Object', 'The monitor (e.g. "sentinel-sink").')

export const sys = {
  startup: defineEvent({
    ...audit,
    name: 'sys_startup',
    eventType: 'Start',
    message: 'Application started',
    description: 'The app started.',
    params: { userId: actor },
    fixed: { Operation: 'Start', ...app },
  }),
  shutdown: defineEvent({
    ...audit,
    name: 'sys_shutdown',
    eventType: 'Stop',
    message: 'Application stopped',
    description: 'The app stopped.',
    params: { userId: actor },
    fixed: { Operation: 'Stop', ...app },
  }),
  restart: defineEvent({
    ...audit,
    name: 'sys_restart',
    eventType: 'Start',
    message: 'Application restarted',
    description: 'The app restarted.',
    params: { userId: actor },
    fixed: { Operation: 'Restart', ...app },
  }),
  crash: defineEvent({
    ...audit,
    name: 'sys_crash',
    eventType: 'Stop',
    result: 'Failure',
    message: 'Application crashed: {reason}',
    description: 'The app crashed.',
    params: { reason: p.string('EventOriginalResultDetails', 'Why (sanitised error message).') },
    fixed: { Operation: 'Crash', ...app },
  }),
  monitorDisabled: defineEvent({
    ...audit,
    name: 'sys_monitor_disabled',
    eventType: 'Disable',
    message: 'Monitor {monitor} disabled: {reason}',
    description: 'A monitor stopped working (e.g. delivery to Sentinel is failing).',
    params: {
      userId: actor,
      monitor: p.required(monitorParam),
      reason: p.string('EventOriginalResultDetails', 'Why.'),
    },
    fixed: { Operation: 'Disable monitor', ObjectType: 'Service' },
  }),
  monitorEnabled: defineEvent({
    ...audit,
    name: 'sys_monitor_enabled',
    eventType: 'Enable',
    message: 'Monitor {monitor} enabled',
    description: 'A monitor started or recovered.',
    params: { userId: actor, monitor: p.required(monitorParam) },
    fixed: { Operation: 'Enable monitor', ObjectType: 'Service' },
  }),
  eventsDropped: defineEvent({
    ...audit,
    name: 'sys_monitor_events_dropped',
    origin: 'watchpost',
    eventType: 'Other',
    result: 'Partial',
    message: '{dropped} events dropped by {monitor} ({reason})',
    description:
      'Events were dropped (queue full, spool full, too old, rejected); reported once delivery recovers.',
    params: {
      monitor: p.required(monitorParam),
      reason: p.required(p.string('EventOriginalResultDetails', 'Why they were dropped.')),
      dropped: p.required(p.int('AdditionalFields.Dropped', 'How many.')),
    },
    fixed: { Operation: 'Drop events', ObjectType: 'Service' },
  }),
}
