import fp from 'fastify-plugin'
import { plugin } from './plugin.js'

export type { FastifyWatchpost, WatchpostFastifyOptions, WatchpostRouteConfig } from './types.js'

/** `await app.register(watchpost, options)` — Fastify 4 and 5. */
const watchpost = fp(plugin, { fastify: '4.x || 5.x', name: '@watchpost/fastify' })

export default watchpost
export { watchpost }
