/** @internal */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Redis as IORedis } from "ioredis"
import type { Cluster, RedisOptions } from "ioredis"
import type * as Redis from "../Redis.js"

/** @internal */
export const tag = Context.GenericTag<Redis.Redis>("@oauth2/redis/Redis")

/**
 * Commands fail at once while the connection is down (no offline queue, no retry of a command): the token source
 * then serves its own cache and renews on its own, instead of waiting for Redis.
 *
 * @internal
 */
export const defaults: RedisOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 2_000, connectTimeout: 2_000 }

/** The subscriber waits for the connection (its subscriptions are queued, and renewed after a reconnection). */
const subscriberOverrides: Partial<RedisOptions> = { enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: true }

/**
 * The subscriber of a Cluster: a `duplicate` with the cluster-level offline queue on, so that a SUBSCRIBE made while
 * the cluster is not ready is queued (with the command client's `enableOfflineQueue: false`, ioredis would reject it
 * and the channel would never be subscribed). The Cluster sends SUBSCRIBE on a connection of its own, which has no
 * retry strategy of its own: when it ends, ioredis picks a node again and subscribes its channels again there, so
 * `redisOptions` (which ioredis does not apply to that connection) need no override.
 */
const subscriberOf = (client: IORedis | Cluster): IORedis | Cluster =>
  client.isCluster ? (client as Cluster).duplicate([], { enableOfflineQueue: true }) : (client as IORedis).duplicate(subscriberOverrides)

/** The longest a `subscribe` waits for Redis' confirmation: the command timeout, at most 2 seconds. */
const confirmationBound = (client: IORedis | Cluster): Duration.Duration => {
  const timeout = client.isCluster ? (client as Cluster).options.redisOptions?.commandTimeout : (client as IORedis).options.commandTimeout
  return Duration.millis(typeof timeout === "number" && timeout > 0 ? Math.min(timeout, 2_000) : 2_000)
}

const ignore = () => {}

/** Waits until the connection is ready, or has failed once (then ioredis goes on reconnecting in the background). */
const settled = (client: IORedis | Cluster): Effect.Effect<void> =>
  client.status === "ready"
    ? Effect.void
    : Effect.async<void>((resume) => {
        const done = () => {
          client.off("ready", done)
          client.off("error", done)
          client.off("end", done)
          resume(Effect.void)
        }
        client.once("ready", done)
        client.once("error", done)
        client.once("end", done)
        return Effect.sync(() => {
          client.off("ready", done)
          client.off("error", done)
          client.off("end", done)
        })
      })

/** @internal */
export const make = (connect: () => IORedis | Cluster): Effect.Effect<Redis.Redis, never, Scope.Scope> =>
  Effect.gen(function* () {
    const client = yield* Effect.acquireRelease(
      Effect.sync(() => connect().on("error", ignore)),
      (client) => Effect.sync(() => client.disconnect())
    )
    const subscriber = yield* Effect.acquireRelease(
      Effect.sync(() => subscriberOf(client).on("error", ignore)),
      (subscriber) => Effect.sync(() => subscriber.disconnect())
    )
    const bound = confirmationBound(subscriber)
    /** Per channel, one entry per registration (an object of its own: the same function registered twice counts twice). */
    const listeners = new Map<string, Set<{ readonly onMessage: (message: string) => void }>>()
    /** Per subscribed channel (kept with its listeners), Redis' confirmation of its SUBSCRIBE (done on failure too). */
    const confirmations = new Map<string, Deferred.Deferred<void>>()
    subscriber.on("message", (channel: string, message: string) => {
      const set = listeners.get(channel)
      if (set !== undefined) for (const listener of set) listener.onMessage(message)
    })
    yield* Effect.all([settled(client), settled(subscriber)], { concurrency: 2, discard: true })

    /**
     * Registers the listener, then waits for Redis to confirm the channel's SUBSCRIBE (the first listener's, which a
     * second listener of the same channel waits for too) when the subscriber is ready, for at most the bound. While
     * Redis is down it does not wait: ioredis subscribes when the connection is back (offline queue, resubscription).
     */
    const subscribe = (channel: string, onMessage: (message: string) => void): Effect.Effect<void, never, Scope.Scope> => {
      const registration = { onMessage }
      return Effect.acquireRelease(
        Effect.sync(() => {
          const pending = confirmations.get(channel)
          if (pending !== undefined) {
            listeners.get(channel)?.add(registration)
            return pending
          }
          listeners.set(channel, new Set([registration]))
          const confirmed = Deferred.unsafeMake<void>(FiberId.none)
          confirmations.set(channel, confirmed)
          const done = () => Deferred.unsafeDone(confirmed, Exit.void)
          subscriber.subscribe(channel).then(done, done)
          return confirmed
        }),
        () =>
          Effect.sync(() => {
            const set = listeners.get(channel)
            set?.delete(registration)
            if (set === undefined || set.size > 0) return
            listeners.delete(channel)
            confirmations.delete(channel)
            subscriber.unsubscribe(channel).catch(ignore)
          })
      ).pipe(
        // outside the acquisition, so that the wait stays interruptible
        Effect.flatMap((confirmed) => (subscriber.status === "ready" ? Effect.ignore(Effect.timeout(Deferred.await(confirmed), bound)) : Effect.void))
      )
    }
    return { client, subscribe }
  })

/** @internal */
export const layerClient = (connect: () => IORedis | Cluster): Layer.Layer<Redis.Redis> => Layer.scoped(tag, make(connect))

/** @internal */
export const layer = (options: Redis.Options = {}): Layer.Layer<Redis.Redis> => {
  const { url, ...rest } = options
  const merged: RedisOptions = { ...defaults, ...rest }
  return layerClient(() => (url === undefined ? new IORedis(merged) : new IORedis(Redacted.isRedacted(url) ? Redacted.value(url) : url, merged)))
}

/** @internal */
export const config: Config.Config<Redis.Options> = Config.map(Config.option(Config.redacted("REDIS_URL")), (url) =>
  Option.isSome(url) ? { url: url.value } : {}
)

/** @internal */
export const layerConfig = (config: Config.Config<Redis.Options>) => Layer.unwrapEffect(Effect.map(config, layer))
