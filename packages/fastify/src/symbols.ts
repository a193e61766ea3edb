/** Private request state of the plugin (fastify `lib/symbols.js`). */
export const kContext: unique symbol = Symbol('watchpost.fastify.context')
export const kApi: unique symbol = Symbol('watchpost.fastify.api')
export const kScope: unique symbol = Symbol('watchpost.fastify.scope')
