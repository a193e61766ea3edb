/** Small HTTP helpers: the Azure Core error envelope, JSON answers, bounded body reading. */
import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Azure Core error envelope plus `x-ms-error-code` (logs-ingestion-api.md §3): the JS client turns
 * `error.code` into `RestError.code` and `error.message` into `RestError.message`.
 */
export function sendAzureError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: { code, message } })
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-ms-error-code': code,
    ...headers,
  })
  res.end(body)
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
}

export interface BodyResult {
  readonly body: Buffer
  /** True when more than `limit` bytes arrived (the rest was read and discarded). */
  readonly overLimit: boolean
  readonly length: number
}

/** Reads the whole body, keeping at most `limit` bytes but counting all of them. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let length = 0
    req.on('data', (chunk: Buffer) => {
      length += chunk.length
      if (length <= limit) chunks.push(chunk)
    })
    req.on('end', () => resolve({ body: Buffer.concat(chunks), overLimit: length > limit, length }))
    req.on('error', reject)
  })
}
