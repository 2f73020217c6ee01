/**
 * The Redis connection of `@oauth2/redis`, on ioredis: one connection for commands and one for pub/sub, shared by
 * every shared token source of the application.
 *
 * The connections made by {@link layer} fail a command at once while Redis is down (no offline queue, no retry of a
 * command, a 2 second command timeout), so that a token source serves its own cache instead of waiting; ioredis goes
 * on reconnecting in the background, and sharing resumes when Redis is back. Sentinel is a matter of the client's
 * options (`sentinels` and `name`); a Cluster is made with ioredis' `Cluster` and given to {@link layerClient} (with
 * the options it names there, for the same fail-fast behaviour).
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Cluster, Redis as IORedis, RedisOptions } from "ioredis"
import * as internal from "./internal/redis.js"

/**
 * A Redis connection: the ioredis client for commands, and subscriptions on a connection of their own.
 *
 * @since 0.1.0
 * @category models
 */
export interface Redis {
  /** The client for commands (a single node, a Sentinel-managed primary or a Cluster). */
  readonly client: IORedis | Cluster
  /**
   * Calls `onMessage` with each message published on `channel` while the scope is open. One subscriber connection
   * serves every channel; ioredis subscribes again after a reconnection. While the subscriber is connected, this
   * returns once Redis has confirmed the channel's subscription (waiting at most the command timeout, 2 seconds at
   * most), so that a message published after it returns is delivered; while Redis is down, it returns at once and
   * never fails: the subscription is sent when the connection is back.
   */
  readonly subscribe: (channel: string, onMessage: (message: string) => void) => Effect.Effect<void, never, Scope.Scope>
}

/**
 * The Redis connection service.
 *
 * @since 0.1.0
 * @category tags
 */
export const Redis: Context.Tag<Redis, Redis> = internal.tag

/**
 * Options of {@link layer}: ioredis' own (host, port, password, TLS, `sentinels` and `name` for Sentinel, ...), and
 * a `redis://` or `rediss://` URL.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends RedisOptions {
  /** `redis://[user:password@]host:port[/db]` (`rediss://` for TLS); may hold a password, so it may be `Redacted`. */
  readonly url?: string | Redacted.Redacted<string>
}

/**
 * The options {@link layer} applies under the caller's: commands fail at once while Redis is down
 * (`enableOfflineQueue: false`, `maxRetriesPerRequest: 0`), with a 2 second `commandTimeout` and `connectTimeout`.
 *
 * @since 0.1.0
 * @category models
 */
export const defaults: RedisOptions = internal.defaults

/**
 * A connection to one Redis server (or a Sentinel-managed primary), closed with the layer's scope. Building the layer
 * waits for the first connection attempt only: an application starts while Redis is down, and its token sources work
 * on their own until Redis answers.
 *
 * @example
 * ```ts
 * import { Redis } from "@oauth2/redis"
 * import { Redacted } from "effect"
 *
 * const RedisLive = Redis.layer({ url: Redacted.make("redis://:secret@redis.internal:6379/0") })
 * // Sentinel: ioredis finds the primary named "tokens" through the sentinels
 * const SentinelLive = Redis.layer({ sentinels: [{ host: "sentinel-1", port: 26379 }], name: "tokens" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options?: Options) => Layer.Layer<Redis> = internal.layer

/**
 * A connection made by the caller (a `Cluster`, or a client with options of its own), closed with the layer's scope.
 * Give it {@link defaults} so that commands fail at once while Redis is down. The subscriber connection is a
 * duplicate with an offline queue (subscriptions made while Redis is down are sent when it is back): for one node,
 * `duplicate()` with `enableOfflineQueue: true`, `maxRetriesPerRequest: null` and `autoResubscribe: true`; for a
 * Cluster, `duplicate([], { enableOfflineQueue: true })`.
 *
 * A Cluster takes two levels of options. `enableOfflineQueue: false` at the cluster level is the one that fails
 * commands at once: without it, ioredis queues every command while the cluster is down, without a timeout, until it
 * is back. Under `redisOptions` (the connections to the nodes), {@link defaults} gives the 2 second `commandTimeout`
 * and `connectTimeout` and `maxRetriesPerRequest: 0`; ioredis ignores `enableOfflineQueue` there. While the cluster
 * is still marked ready, a command on a node that just went away is retried by ioredis' failover handling
 * (`retryDelayOnFailover`, 100 ms), then fails once the cluster sees it is down. Keys and scripts need no option: the
 * `{key}` hash tag of the shared token source keeps an entry and its lock in one slot (one script touches both), and
 * its announcements are plain `PUBLISH`es, which a Cluster delivers to subscribers on every node.
 *
 * @example
 * ```ts
 * import { Redis } from "@oauth2/redis"
 * import { Cluster } from "ioredis"
 *
 * const RedisLive = Redis.layerClient(
 *   () => new Cluster([{ host: "redis-1", port: 6379 }], { enableOfflineQueue: false, redisOptions: Redis.defaults })
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient: (connect: () => IORedis | Cluster) => Layer.Layer<Redis> = internal.layerClient

/**
 * The `Config` read by {@link layerConfig}: `REDIS_URL` (redacted), optional (a local Redis on port 6379 without it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<Options> = internal.config

/**
 * A connection from `Config` (environment variables by default).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (config: Config.Config<Options> = internal.config): Layer.Layer<Redis, ConfigError.ConfigError> =>
  internal.layerConfig(config)
