/**
 * `/admin/*`: fault switches, the store and the request log over HTTP, for tests in other processes
 * and for curl. No authentication: the emulator listens on loopback for local use only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readBody, sendJson } from './http.js'
import type { Emulator, FaultConfig } from './types.js'

/** Functions (a `reject` predicate set from code) cannot travel as JSON. */
export function faultsToJson(faults: FaultConfig): unknown {
  return typeof faults.reject === 'function' ? { ...faults, reject: '[function]' } : faults
}

export function createAdminHandler(emulator: () => Emulator) {
  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith('/admin/')) return false
    const em = emulator()
    const route = `${req.method ?? 'GET'} ${url.pathname}`
    switch (route) {
      case 'GET /admin/faults':
        sendJson(res, 200, faultsToJson(em.faults()))
        return true
      case 'POST /admin/faults': {
        const { body } = await readBody(req, 64 * 1024)
        const faults = parseFaults(body)
        if (faults === undefined) {
          sendJson(res, 400, {
            error: { code: 'InvalidJson', message: 'The body must be a JSON fault object.' },
          })
          return true
        }
        try {
          if (faults.down !== undefined) {
            // Answer first: going down closes this very connection.
            sendJson(res, 200, faultsToJson(faults))
            res.on('finish', () => void em.setFaults(faults).catch(() => {}))
            return true
          }
          await em.setFaults(faults)
        } catch (err) {
          sendJson(res, 400, { error: { code: 'InvalidFaults', message: (err as Error).message } })
          return true
        }
        sendJson(res, 200, faultsToJson(em.faults()))
        return true
      }
      case 'DELETE /admin/faults':
        await em.clearFaults()
        res.writeHead(204).end()
        return true
      case 'GET /admin/rows': {
        const table = url.searchParams.get('table') ?? undefined
        const eventUid = url.searchParams.get('eventUid') ?? undefined
        if (table !== undefined && !em.store.tables.includes(table)) {
          sendJson(res, 404, {
            error: {
              code: 'TableNotFound',
              message: `No table '${table}'. Tables: ${em.store.tables.join(', ')}.`,
            },
          })
          return true
        }
        sendJson(res, 200, {
          rows: em.store.rows({
            ...(table === undefined ? {} : { table }),
            ...(eventUid === undefined ? {} : { eventUid }),
          }),
        })
        return true
      }
      case 'DELETE /admin/rows':
        em.store.clear()
        res.writeHead(204).end()
        return true
      case 'GET /admin/counts':
        sendJson(res, 200, em.store.counts())
        return true
      case 'GET /admin/requests':
        sendJson(res, 200, { requests: em.requests() })
        return true
      case 'DELETE /admin/requests':
        em.clearRequests()
        res.writeHead(204).end()
        return true
      case 'GET /admin/info':
        sendJson(res, 200, {
          url: em.url,
          caPath: em.caPath,
          tenantId: em.tenantId,
          clientId: em.clientId,
          clientSecret: em.clientSecret,
          dcrImmutableId: em.dcrImmutableId,
          mode: em.mode,
          streams: em.streams,
          env: em.env,
        })
        return true
      default:
        sendJson(res, 404, { error: { code: 'NotFound', message: `No admin route ${route}.` } })
        return true
    }
  }
}

/** The body as a fault object; `undefined` when it is not JSON, or `null` (which has no fields to read). */
function parseFaults(body: Buffer): FaultConfig | undefined {
  try {
    const value = JSON.parse(body.toString('utf8')) as FaultConfig | null
    return value === null ? undefined : value
  } catch {
    return undefined
  }
}
