/**
 * `Redis.subscribe` against a real redis-server: each registration counts, so that releasing one of two registrations
 * of the same function keeps the channel subscribed for the other.
 */
import { describe, expect, it } from "@effect/vitest"
import { Redis } from "@oauth2/redis"
import { Effect, Exit, Layer, Queue, Scope } from "effect"
import * as RedisServer from "./redisServer.js"

const TestLayer = Layer.provideMerge(
  Layer.unwrapEffect(Effect.map(RedisServer.RedisServer, (server) => Redis.layer({ host: "127.0.0.1", port: server.port }))),
  RedisServer.layer
)

describe("Redis.subscribe", () => {
  it.live(
    "the same function registered twice: releasing one registration keeps the other listening",
    () =>
      Effect.gen(function* () {
        const redis = yield* Redis.Redis
        const received = yield* Queue.unbounded<string>()
        const onMessage = (message: string) => Queue.unsafeOffer(received, message)
        const first = yield* Scope.make()
        yield* Scope.extend(redis.subscribe("channel", onMessage), first)
        yield* redis.subscribe("channel", onMessage)
        yield* Scope.close(first, Exit.void)
        const subscribers = yield* Effect.promise(() => redis.client.call("PUBSUB", "NUMSUB", "channel") as Promise<[string, number]>)
        expect(subscribers[1]).toBe(1)
        yield* Effect.promise(() => redis.client.publish("channel", "after"))
        const message = yield* Queue.take(received).pipe(Effect.timeout("5 seconds"), Effect.option)
        expect(message._tag === "Some" ? message.value : "none (unsubscribed)").toBe("after")
        // once, not once per registration
        yield* Effect.promise(() => redis.client.publish("channel", "second"))
        expect(yield* Queue.take(received)).toBe("second")
        expect(yield* Queue.size(received)).toBe(0)
      }).pipe(Effect.scoped, Effect.provide(TestLayer)),
    20_000
  )
})
