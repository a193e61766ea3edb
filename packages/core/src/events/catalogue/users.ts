/** User management events (OWASP user_*). */
import { defineEvent, p } from '../define.js'

const actor = p.user('ActorUsername', 'Who did it (defaults to the request user).')
const attributes = p.strings(
  'AdditionalFields.Attributes',
  'Names of the attributes set (never their values).',
)
const um = { origin: 'owasp', level: 'WARN', schema: 'UserManagement', result: 'Success' } as const

export const user = {
  created: defineEvent({
    ...um,
    name: 'user_created',
    eventType: 'UserCreated',
    message: 'User {newUserId} created by {userId}',
    description: 'A user account was created.',
    params: {
      userId: actor,
      newUserId: p.required(p.user('TargetUsername', 'The new account.')),
      attributes,
    },
  }),
  updated: defineEvent({
    ...um,
    name: 'user_updated',
    eventType: 'UserModified',
    message: 'User {onUserId} updated by {userId}',
    description: 'A user account was changed.',
    params: {
      userId: actor,
      onUserId: p.required(p.user('TargetUsername', 'The account changed.')),
      attributes,
    },
  }),
  archived: defineEvent({
    ...um,
    name: 'user_archived',
    eventType: 'UserDisabled',
    message: 'User {onUserId} archived by {userId}',
    description: 'A user account was archived (disabled).',
    params: { userId: actor, onUserId: p.required(p.user('TargetUsername', 'The account archived.')) },
  }),
  deleted: defineEvent({
    ...um,
    name: 'user_deleted',
    eventType: 'UserDeleted',
    message: 'User {onUserId} deleted by {userId}',
    description: 'A user account was deleted.',
    params: { userId: actor, onUserId: p.required(p.user('TargetUsername', 'The account deleted.')) },
  }),
}
