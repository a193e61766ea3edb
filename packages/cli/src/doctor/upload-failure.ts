/**
 * What one failed test upload means, from the status and the Azure error code the client reports
 * (`RestError.statusCode` / `.code`; spec/azure/logs-ingestion-api.md §3). The service documents
 * codes only for 401 (`InvalidAudience`), 403 (`OperationFailed`) and 413
 * (`ContentLengthLimitExceeded`): a 404 is told apart as DCR or stream only when the answer names
 * which (the emulator's `DataCollectionRuleNotFound` / `StreamNotFound`), otherwise by comparing
 * the streams (uploads.ts).
 */
import type { Cause } from './types.js'

export interface UploadError {
  readonly statusCode?: number
  readonly code?: string
  readonly message: string
}

export interface UploadVerdict {
  readonly cause: Cause
  readonly detail: string
  readonly hint: string
}

/** Monitoring Metrics Publisher (spec/azure/logs-ingestion-api.md §6). */
const ROLE = 'Monitoring Metrics Publisher (3913510d-42f4-4e42-8a64-420c390055eb)'

/** What to do about a stream the DCR does not declare. */
export const STREAM_HINT =
  'Fix the stream name in the sink’s `streams` (or remove it to use Watchpost’s names), or redeploy the DCR from `watchpost templates`.'

/** What to do about a DCR id the endpoint does not know. */
export const DCR_HINT =
  "Use the DCR's `immutableId` (dcr-… on its JSON view), not its name or ARM id, with that DCR's own endpoint (or a DCE in its region); or deploy the DCR from `watchpost templates`."

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH'])

export function classifyUpload(err: UploadError, dcr: string, stream: string): UploadVerdict {
  const said = `${err.statusCode ?? ''} ${err.code ?? ''}: ${err.message}`.trim()
  switch (err.statusCode) {
    case 401:
      return err.code === 'InvalidAudience'
        ? {
            cause: 'token-rejected',
            detail: `The service refused the token: it was issued for another audience (401 InvalidAudience). ${err.message}`,
            hint: 'Remove the sink’s `audience`, or set your cloud’s: https://monitor.azure.com (public), https://monitor.azure.us, https://monitor.azure.cn.',
          }
        : {
            cause: 'token-rejected',
            detail: `The service refused the token (${said}): expired, not yet valid, or not for this service.`,
            hint: 'Check this machine’s clock (tokens are time-bound), and that the token comes from the tenant and cloud the DCR lives in.',
          }
    case 403:
      return {
        cause: 'role-missing',
        detail: `The token's principal may not send to DCR ${dcr} (403 ${err.code ?? ''}): it lacks the ${ROLE} role on the DCR — or the role was assigned less than ~30 minutes ago.`,
        hint: `Assign ${ROLE} to the app's service principal or managed identity (the ids in the token step) at the scope of the DCR itself; Owner or Contributor do not grant it. A new assignment takes up to 30 minutes to apply: if it was just made, wait and run doctor again.`,
      }
    case 404:
      if (err.code === 'DataCollectionRuleNotFound')
        return {
          cause: 'dcr-not-found',
          detail: `No data collection rule with immutable id ${dcr} at this endpoint (404 ${err.code}).`,
          hint: DCR_HINT,
        }
      if (err.code === 'StreamNotFound')
        return {
          cause: 'stream-not-found',
          detail: `The DCR exists but declares no stream ${stream} (404 ${err.code}). ${err.message}`,
          hint: STREAM_HINT,
        }
      return {
        cause: 'dcr-or-stream-not-found',
        detail: `Not found (${said}): the DCR immutable id ${dcr} does not exist at this endpoint, or it declares no stream ${stream}; the service's answer does not say which.`,
        hint: "Compare `dcrImmutableId` with the DCR's `immutableId` and the stream names with its `streamDeclarations`; `watchpost templates` makes a DCR with Watchpost's streams.",
      }
    case 413:
      return {
        cause: 'too-large',
        detail: `The service refused the request as too large (${said}), though it held one small event.`,
        hint: 'Something between this process and Azure limits requests below 1 MB (a proxy or gateway): raise its limit, or send directly.',
      }
    case 400:
      return {
        cause: 'dcr-mismatch',
        detail: `The DCR's stream ${stream} does not accept the row Watchpost sends (${said}): a column it does not declare, or of another type — the DCR does not match this Watchpost version.`,
        hint: 'Regenerate the DCR (and, in custom mode, the table) with `watchpost templates` for this version and redeploy it.',
      }
    default:
      break
  }
  const status = err.statusCode
  if (status === 408 || status === 429 || (status !== undefined && status >= 500))
    return {
      cause: 'service-busy',
      detail: `The service is busy or failing (${said}). This is not a configuration problem.`,
      hint: 'Run doctor again in a minute; the app itself retries these and keeps events on disk meanwhile.',
    }
  if (err.code !== undefined && NETWORK.has(err.code))
    return {
      cause: 'unreachable',
      detail: `The upload could not reach the endpoint (${said}).`,
      hint: 'Check the network path to the endpoint (the endpoint step reached it a moment ago: a proxy or a flaky link?).',
    }
  return {
    cause: 'upload-failed',
    detail: `The upload failed: ${said}`,
    hint: 'See the message; the earlier steps passed, so the credential and the endpoint are not the cause.',
  }
}
