/**
 * The shipped rules (docs/rules.md gives each one's rationale). On unless `defaultRules: false`;
 * changed or switched off one by one through `rules` entries with the same id. Thresholds are set
 * for real traffic: a user who mistypes a password five times, a shared office address with a dozen
 * accounts, a monitoring probe that hits a few 404s do not make one fire.
 */
import { INJECTION_EVENTS } from '../events/catalogue/index.js'
import type { Rule } from './rules.js'

export const DEFAULT_RULES: readonly Rule[] = [
  {
    id: 'watchpost.brute-force',
    enabled: true,
    title: 'Brute force on one account',
    description: 'Many failed logins for one account, from anywhere: someone is guessing its password.',
    events: ['authn_login_fail'],
    groupBy: ['TargetUsername'],
    threshold: 10,
    windowSeconds: 600,
    severity: 'Medium',
  },
  {
    id: 'watchpost.credential-stuffing',
    enabled: true,
    title: 'Credential stuffing from one source',
    description:
      'Failed logins for many different accounts from one address within minutes: a list of stolen credentials being tried.',
    events: ['authn_login_fail'],
    groupBy: ['SrcIpAddr'],
    distinct: 'TargetUsername',
    threshold: 10,
    windowSeconds: 300,
    severity: 'High',
  },
  {
    id: 'watchpost.password-spray',
    enabled: true,
    title: 'Password spray from one source',
    description:
      'Failed logins for many accounts from one address over an hour, a few tries each: common passwords tried slowly enough to stay under per-account lockouts.',
    events: ['authn_login_fail'],
    groupBy: ['SrcIpAddr'],
    distinct: 'TargetUsername',
    threshold: 25,
    windowSeconds: 3600,
    severity: 'Medium',
  },
  {
    id: 'watchpost.scanning',
    enabled: true,
    title: 'Scanning from one source',
    description:
      'Floods of 404s, requests for paths only scanners ask for and attack-tool requests from one address: the app is being mapped for weaknesses.',
    events: ['malicious_excess_404', 'malicious_scanner_probe', 'malicious_attack_tool'],
    groupBy: ['SrcIpAddr'],
    threshold: 30,
    windowSeconds: 600,
    severity: 'Medium',
  },
  {
    id: 'watchpost.jwt-forgery',
    enabled: true,
    title: 'Repeated JWT forgery from one source',
    description:
      'Bearer tokens with a bad signature, a refused algorithm or an unknown key, again and again from one address: someone is forging tokens, not a client with an expired one.',
    events: ['authn_jwt_fail'],
    where: [
      { field: 'EventOriginalResultDetails', in: ['bad_signature', 'alg_not_allowed', 'key_not_found'] },
    ],
    groupBy: ['SrcIpAddr'],
    threshold: 5,
    windowSeconds: 600,
    severity: 'High',
  },
  {
    id: 'watchpost.cors-violations',
    enabled: true,
    title: 'Repeated CORS violations from one source',
    description:
      'Cross-origin requests from origins the app does not allow, again and again from one address: a hostile page probing the API.',
    events: ['malicious_cors'],
    groupBy: ['SrcIpAddr'],
    threshold: 10,
    windowSeconds: 600,
    severity: 'Low',
  },
  {
    id: 'watchpost.injection-burst',
    enabled: true,
    title: 'Injection attempts from one source',
    description:
      'Several injection findings (SQL, XSS, traversal, command, JNDI, template, prototype pollution, NoSQL, SSRF) from one address within minutes: an active attack, not a stray string.',
    events: [...INJECTION_EVENTS],
    groupBy: ['SrcIpAddr'],
    threshold: 5,
    windowSeconds: 300,
    severity: 'High',
  },
  {
    id: 'watchpost.rate-limit-abuse',
    enabled: true,
    title: 'Rate limits hit again and again by one source',
    description:
      'A client that keeps going after the app’s rate limiter answered 429: automation ignoring the limit.',
    events: ['excess_rate_limit_exceeded'],
    groupBy: ['SrcIpAddr'],
    threshold: 50,
    windowSeconds: 600,
    severity: 'Medium',
  },
  {
    id: 'watchpost.admin-off-hours',
    enabled: false,
    title: 'Administration outside working hours',
    description:
      'An administrative action or a permission change outside the organisation’s working hours. Off until switched on, with the organisation’s hours and time zone.',
    events: ['authz_admin', 'privilege_permissions_changed'],
    groupBy: ['ActorUsername'],
    threshold: 1,
    windowSeconds: 3600,
    outsideHours: { from: '08:00', to: '18:00', timezone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
    severity: 'Medium',
  },
]
