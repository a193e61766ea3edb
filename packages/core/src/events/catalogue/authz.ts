/** Authorization and privilege events (OWASP authz_*, privilege_*). */
import { defineEvent, p } from '../define.js'

export const authz = {
  fail: defineEvent({
    name: 'authz_fail',
    origin: 'owasp',
    level: 'CRITICAL',
    schema: 'WebSession',
    eventType: 'WebServerSession',
    result: 'Failure',
    message: 'Access to {resource} denied for {userId}',
    description: 'A user tried to reach a resource they are not allowed to (e.g. a 403 response).',
    params: {
      userId: p.user('ActorUsername', 'The user denied.'),
      resource: p.string('AdditionalFields.Resource', 'The resource (defaults to the route).'),
      reason: p.string('EventOriginalResultDetails', 'Why, when known.'),
    },
    fixed: { DvcAction: 'Deny' },
  }),
  change: defineEvent({
    name: 'authz_change',
    origin: 'owasp',
    level: 'WARN',
    schema: 'UserManagement',
    eventType: 'UserModified',
    result: 'Success',
    message: 'Access of {userId} changed from {from} to {to}',
    description: "A user's role or entitlements changed.",
    params: {
      userId: p.required(p.user('TargetUsername', 'The user whose access changed.')),
      from: p.string('OldValue', 'Previous role or entitlement.'),
      to: p.string('NewValue', 'New role or entitlement.'),
      actorId: p.user('ActorUsername', 'Who made the change (defaults to the request user).'),
    },
  }),
  admin: defineEvent({
    name: 'authz_admin',
    origin: 'owasp',
    level: 'WARN',
    schema: 'AuditEvent',
    eventType: 'Execute',
    result: 'Success',
    message: 'Administrative action by {userId}: {event}',
    description: 'A privileged user performed an administrative action.',
    params: {
      userId: p.user('ActorUsername', 'The administrator (defaults to the request user).'),
      event: p.required(p.string(['Operation'], 'The action, e.g. "user_privilege_change".')),
      object: p.string('Object', 'What it acted on.'),
    },
    fixed: { Object: 'application', ObjectType: 'Other' },
  }),
}

export const privilege = {
  permissionsChanged: defineEvent({
    name: 'privilege_permissions_changed',
    origin: 'owasp',
    level: 'WARN',
    schema: 'AuditEvent',
    eventType: 'Set',
    result: 'Success',
    message: 'Permissions on {object} changed from {fromLevel} to {toLevel} by {userId}',
    description: 'The permissions of a file or object changed.',
    params: {
      userId: p.user('ActorUsername', 'Who changed them.'),
      object: p.required(p.string('Object', 'The file or object.')),
      fromLevel: p.string('OldValue', 'Previous level.'),
      toLevel: p.string('NewValue', 'New level.'),
    },
    fixed: { Operation: 'Change permissions', ObjectType: 'Other' },
  }),
}

export const access = {
  notFound: defineEvent({
    name: 'access_not_found',
    origin: 'watchpost',
    level: 'INFO',
    schema: 'WebSession',
    eventType: 'WebServerSession',
    result: 'Failure',
    message: 'Not found: {path}',
    description:
      'One 404 response: at once for a path only scanners ask for (ScannerProbe; detectors.scannerProbe), each one with detectors.notFound.reportEach (off by default). Floods are malicious_excess_404.',
    params: {
      path: p.string('AdditionalFields.Path', 'The path requested (redacted); the full target is in Url.'),
      scannerProbe: p.boolean(
        'AdditionalFields.ScannerProbe',
        'Whether the path looks like a scanner probe.',
      ),
    },
  }),
}
