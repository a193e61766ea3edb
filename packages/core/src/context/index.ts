export { type AsyncContext, createAsyncContext, currentContext } from './async-context.js'
export {
  type ContextFactory,
  type ContextFactoryOptions,
  type ContextStore,
  createContextFactory,
  propertyStore,
} from './request-context.js'
export { generateCorrelationId, validateRequestId } from './request-id.js'
export { parseTraceparent, type Traceparent } from './traceparent.js'
export {
  type ClientAddress,
  compileTrustProxy,
  resolveClient,
  resolveClientAddress,
  type TrustFunction,
  type TrustProxySetting,
} from './trust-proxy.js'
export type { CorrelationSource, RequestContext } from './types.js'
