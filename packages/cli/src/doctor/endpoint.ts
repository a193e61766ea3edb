/**
 * Step 4: the ingestion endpoint is an origin this process reaches over HTTPS — its name resolves,
 * its port accepts, its certificate is trusted the way the sink trusts (`tls.ca`, else the
 * process's roots) — and has the shape of a logs ingestion endpoint: an origin without a path, and
 * on Azure a `*.ingest.monitor.azure.*` host (spec/azure/logs-ingestion-api.md §1).
 */
import { readCa } from '@watchpost/core/sdk'
import { describeProbe, probeHttps, TRUST_HINT } from './probe.js'
import { failed, ok, type SinkTarget, type StepResult } from './types.js'

const NAME = 'endpoint'
/** The DCR's `endpoints.logsIngestion` and a DCE's `logsIngestion.endpoint` both live here. */
const AZURE_INGEST_HOST = /\.ingest\.monitor\.azure\.(com|us|cn)$/i

export async function checkEndpoint(target: SinkTarget, timeoutMs: number): Promise<StepResult> {
  const url = new URL(target.config.endpoint)
  if (url.pathname !== '/' || url.search !== '') {
    return failed(
      NAME,
      'endpoint-not-ingestion',
      `The endpoint ${target.config.endpoint} has a path or a query; the sink adds /dataCollectionRules/{id}/streams/{stream} itself.`,
      "Use only the origin: the DCR's `endpoints.logsIngestion` (or the DCE's `logsIngestion.endpoint`), e.g. https://my-dcr-a1b2.westeurope-1.ingest.monitor.azure.com.",
    )
  }
  const ca =
    target.config.tls?.ca === undefined ? undefined : readCa(target.config.tls.ca, 'watchpost doctor')
  const probe = await probeHttps(url, ca, timeoutMs)
  if (!probe.ok) {
    const { cause, detail } = describeProbe('The ingestion endpoint', url, probe)
    const hint =
      cause === 'tls-untrusted'
        ? TRUST_HINT
        : "Check `endpoint` against the DCR's `endpoints.logsIngestion` (or the DCE's `logsIngestion.endpoint`), DNS (a private endpoint needs its private DNS zone), and that outbound HTTPS to it is allowed."
    return failed(NAME, cause, detail, hint)
  }
  const shape = AZURE_INGEST_HOST.test(url.hostname)
    ? 'the host name of an Azure Monitor logs ingestion endpoint'
    : 'not an Azure Monitor host name (*.ingest.monitor.azure.com): fine for the local emulator or a proxy, otherwise check that it is the DCR’s `endpoints.logsIngestion`'
  return ok(
    NAME,
    `${url.host} resolves to ${probe.address} and answers over ${probe.protocol} with a trusted certificate; ${shape}.`,
  )
}
