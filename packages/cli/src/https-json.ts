/**
 * JSON over HTTPS to the local emulator, trusting the CA it generated (and Node's usual roots):
 * its certificate is not from a public CA, and `NODE_EXTRA_CA_CERTS` is read only at start-up.
 */
import { request } from 'node:https'

export interface JsonResponse {
  readonly status: number
  readonly json: unknown
}

export function requestJson(
  url: URL,
  options: {
    readonly method?: string
    readonly ca?: string | Buffer
    readonly body?: string
    /** Of `body`; default a form (`application/x-www-form-urlencoded`, as a token request is). */
    readonly contentType?: string
    readonly timeoutMs?: number
  } = {},
): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        headers:
          options.body === undefined
            ? {}
            : { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded' },
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: text === '' ? undefined : JSON.parse(text) })
          } catch {
            reject(new Error(`${url.origin} answered ${res.statusCode} with a body that is not JSON`))
          }
        })
      },
    )
    req.on('timeout', () =>
      req.destroy(new Error(`${url.origin} did not answer within ${options.timeoutMs ?? 10_000} ms`)),
    )
    req.on('error', reject)
    req.end(options.body)
  })
}
