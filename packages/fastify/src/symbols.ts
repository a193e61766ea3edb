/** Private state of the plugin on objects it does not own (fastify `lib/symbols.js`). */
export const kContext: unique symbol = Symbol('watchpost.fastify.context')
export const kScope: unique symbol = Symbol('watchpost.fastify.scope')
