/**
 * @oauth2/redis: one token for a whole fleet, shared through Redis by the token sources of `@oauth2/flows`.
 *
 * @since 0.1.0
 */

/** The Redis connection (ioredis): a single node, Sentinel or Cluster. @since 0.1.0 */
export * as Redis from "./Redis.js"
/** Token sources sharing one token and its renewals through Redis. @since 0.1.0 */
export * as SharedTokenSource from "./SharedTokenSource.js"
