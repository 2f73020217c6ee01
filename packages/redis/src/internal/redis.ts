/** @internal */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
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
      Effect.sync(() =>
        (client.isCluster ? (client as Cluster).duplicate() : (client as IORedis).duplicate(subscriberOverrides)).on("error", ignore)
      ),
      (subscriber) => Effect.sync(() => subscriber.disconnect())
    )
    const listeners = new Map<string, Set<(message: string) => void>>()
    subscriber.on("message", (channel: string, message: string) => {
      const set = listeners.get(channel)
      if (set !== undefined) for (const listener of set) listener(message)
    })
    yield* Effect.all([settled(client), settled(subscriber)], { concurrency: 2, discard: true })

    const subscribe = (channel: string, onMessage: (message: string) => void): Effect.Effect<void, never, Scope.Scope> =>
      Effect.acquireRelease(
        Effect.sync(() => {
          const set = listeners.get(channel)
          if (set !== undefined) return void set.add(onMessage)
          listeners.set(channel, new Set([onMessage]))
          subscriber.subscribe(channel).catch(ignore)
        }),
        () =>
          Effect.sync(() => {
            const set = listeners.get(channel)
            set?.delete(onMessage)
            if (set === undefined || set.size > 0) return
            listeners.delete(channel)
            subscriber.unsubscribe(channel).catch(ignore)
          })
      )
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
