/**
 * Keyed per-user token sources of `@oauth2/flows` sharing each user's token through `SharedTokenSource.coordinator`:
 * several keyed sources in one test process, each with a Redis connection of its own (several processes, as far as
 * Redis can tell), against a real redis-server and a counting token endpoint.
 */
import { describe, expect, it } from "@effect/vitest"
import { KeyedTokenSource } from "@oauth2/flows"
import { Redis, SharedTokenSource } from "@oauth2/redis"
import { Context, Effect, Layer, Redacted, type Scope } from "effect"
import * as RedisServer from "./redisServer.js"
import { accessToken, clientLayer, expired, key1, redisLayer } from "./support.js"
import * as TokenEndpoint from "./tokenEndpoint.js"

let userCounter = 0
const freshUser = () => `user-${++userCounter}`

/** A keyed source (a process): its own Redis connection and client, one coordinator per user, built in the current scope. */
const instance = (options: KeyedTokenSource.Options = {}) =>
  Effect.gen(function* () {
    const server = yield* RedisServer.RedisServer
    const endpoint = yield* TokenEndpoint.TokenEndpoint
    const context = yield* Layer.build(Layer.merge(redisLayer(server.url), clientLayer(endpoint.url)))
    const redis = Context.get(context, Redis.Redis)
    return yield* Effect.provide(
      KeyedTokenSource.make({
        ...options,
        coordinator: (user) =>
          SharedTokenSource.coordinator({ key: `user:${user}`, keys: [key1] }).pipe(Effect.orDie, Effect.provideService(Redis.Redis, redis))
      }),
      context
    )
  })

const TestLayer = Layer.merge(RedisServer.layer, TokenEndpoint.layer)

/** A test on the real clock, with a redis-server and a token endpoint of its own. */
const live = <A, E>(name: string, body: () => Effect.Effect<A, E, RedisServer.RedisServer | TokenEndpoint.TokenEndpoint | Scope.Scope>) =>
  it.live(name, () => Effect.scoped(Effect.provide(body(), TestLayer)), 60_000)

describe("KeyedTokenSource with SharedTokenSource.coordinator", () => {
  live("two processes of 200 fibers each, on one user's expired token: one refresh, one token for all", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      const user = freshUser()
      endpoint.seed("RT-start")
      const a = yield* instance()
      const b = yield* instance()
      // the user's session is known to both processes (e.g. restored from the session's cookie)
      yield* a.set(user, expired("RT-start"))
      yield* b.set(user, expired("RT-start"))
      const before = endpoint.requests.length
      const tokens = yield* Effect.all(
        [a, b].flatMap((p) => Array.from({ length: 200 }, () => p.get(user))),
        { concurrency: "unbounded" }
      )
      const made = endpoint.requests.slice(before)
      expect(made.map((r) => [r.grantType, r.refreshToken])).toEqual([["refresh_token", "RT-start"]])
      expect(new Set(tokens.map(accessToken)).size).toBe(1)
      expect(Redacted.value(tokens[0]!.refreshToken!)).toBe(endpoint.latestRefreshToken())

      // a third process, never given the user's token, takes the shared one: no request
      const c = yield* instance()
      const shared = yield* c.get(user)
      expect(accessToken(shared)).toBe(accessToken(tokens[0]!))
      // evicted (its coordinator's scope closed), the user's token comes back from Redis: no request
      yield* a.evict(user)
      expect(yield* a.size).toBe(0)
      expect(accessToken(yield* a.get(user))).toBe(accessToken(tokens[0]!))
      expect(endpoint.requests.length - before).toBe(1)
    })
  )
})
