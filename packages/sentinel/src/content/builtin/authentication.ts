/**
 * Microsoft's built-in ASIM Authentication rules (`Detections/ASimAuthentication`), each condition as
 * its file states it (spec/azure/asim-analytics.md). They read `imAuthentication`; some group by the
 * legacy `SrcDvcIpAddr` or count `TargetUserId`, which the native table's rows read as `""`.
 */
import { type Row, str } from './kql.js'
import type { BuiltinAsimRule } from './types.js'
import { binned, windowed } from './windows.js'

const MINUTE = 60_000
const DIR = 'Detections/ASimAuthentication'

const failed = (row: Row) => str(row, 'EventResult') === 'Failure'
const succeeded = (row: Row) => str(row, 'EventResult') === 'Success'

export const bruteForce: BuiltinAsimRule = {
  id: 'a6c435a2-b1a0-466d-b730-9f8af69262e8',
  name: 'Brute force attack against user credentials (Uses Authentication Normalization)',
  file: `${DIR}/imAuthBruteForce.yaml`,
  schema: 'Authentication',
  condition:
    'at least 10 Failure and 1 Success rows per TargetUserId, TargetUsername, TargetUserType within 20 minutes (TargetUserType not NonInteractive)',
  evaluate: (rows) =>
    windowed(
      rows.filter((row) => str(row, 'TargetUserType') !== 'NonInteractive'),
      ['TargetUserId', 'TargetUsername', 'TargetUserType'],
      20 * MINUTE,
      (group) => {
        const failures = group.filter(failed).length
        return failures >= 10 && group.some(succeeded) ? failures : undefined
      },
    ),
}

const SPRAY_DETAILS = new Set(['No such user or password', 'Incorrect password'])

export const passwordSpray: BuiltinAsimRule = {
  id: '6a2e2ff4-5568-475e-bef2-b95f12b9367b',
  name: 'Potential Password Spray Attack (Uses Authentication Normalization)',
  file: `${DIR}/imAuthPasswordSpray.yaml`,
  schema: 'Authentication',
  condition:
    'more than 15 distinct TargetUserId on failed Logon rows ("No such user or password" / "Incorrect password") per SrcDvcIpAddr, SrcGeoCountry in a 5-minute bin',
  evaluate: (rows) =>
    binned(
      rows.filter(
        (row) =>
          str(row, 'EventType') === 'Logon' &&
          failed(row) &&
          SPRAY_DETAILS.has(str(row, 'EventResultDetails')),
      ),
      ['SrcDvcIpAddr', 'SrcGeoCountry'],
      5 * MINUTE,
      (group) => {
        const users = new Set(group.map((row) => str(row, 'TargetUserId'))).size
        return users > 15 ? users : undefined
      },
    ),
}

const DAY = 24 * 60 * MINUTE

export const disabledAccounts: BuiltinAsimRule = {
  id: '95002681-4ecb-4da3-9ece-26d7e5feaa33',
  name: 'Sign-ins from IPs that attempt sign-ins to disabled accounts (Uses Authentication Normalization)',
  file: `${DIR}/imSigninAttemptsByIPviaDisabledAccounts.yaml`,
  schema: 'Authentication',
  condition:
    'within one day, a SrcDvcIpAddr with a Failure row "User disabled" and Success rows for fewer than 100 distinct TargetUsername',
  // Two summaries joined on SrcDvcIpAddr within one run: the disabled-account failures and the
  // successes (`successfulAccountSigninCount < 100`: a source signing in 100+ users is assumed safe).
  evaluate: (rows) =>
    windowed(
      rows.filter(
        (row) => succeeded(row) || (failed(row) && str(row, 'EventResultDetails') === 'User disabled'),
      ),
      ['SrcDvcIpAddr'],
      DAY,
      (group) => {
        const attempts = group.filter(failed).length
        const users = new Set(group.filter(succeeded).map((row) => str(row, 'TargetUsername'))).size
        return attempts > 0 && users > 0 && users < 100 ? attempts : undefined
      },
    ),
}

export const AUTHENTICATION_RULES: readonly BuiltinAsimRule[] = [bruteForce, passwordSpray, disabledAccounts]
