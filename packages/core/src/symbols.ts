/** Private keys for state Watchpost keeps on objects it does not own (fastify `lib/symbols.js`). */
export const kContext: unique symbol = Symbol('watchpost.context')
