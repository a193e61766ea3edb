// `@watchpost/redis`: core's StateStore on Redis, shared by every instance of the app (README.md).
export type { IoredisClientLike, NodeRedisClientLike, RedisClientLike } from './connection.js'
export {
  createRedisStateStore,
  DEFAULTS,
  type RedisStateStore,
  type RedisStateStoreHealth,
  type RedisStateStoreOptions,
} from './store.js'
