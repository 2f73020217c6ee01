/**
 * Keyed per-user token sources of `@oauth2/flows` sharing each user's token through `SharedTokenSource.coordinator`:
 * several keyed sources in one test process, each with a Redis connection of its own (several processes, as far as
 * Redis can tell), against a real redis-server and a counting token endpoint.
 */
import { describe, expect, it } from "@effect/vitest"
import { BearerToken } from "@oauth2/core"
import { KeyedTokenSource, TokenSource } from "@oauth2/flows"
import { Redis, SharedTokenSource } from "@oauth2/redis"
import { Context, DateTime, Effect, Either, Fiber, Layer, Redacted, type Scope } from "effect"
import * as RedisServer from "./redisServer.js"
import { accessToken, clientLayer, expired, key1, raw, redisLayer } from "./support.js"
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

  /** A token from a login: valid for an hour, with a refresh token. */
  const login = (name: string) =>
    Effect.map(DateTime.now, (now) =>
      BearerToken.make({ accessToken: `AT-${name}`, issuedAt: now, expiresAt: DateTime.add(now, { hours: 1 }), refreshToken: `RT-${name}` })
    )

  live("a login (`set`) in one process is shared at once; a renewal in progress elsewhere does not store over it", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      const user = freshUser()
      const a = yield* instance()
      const b = yield* instance()
      // `b` knows the user's old session and is refreshing it when the user logs in again through `a`
      endpoint.seed("RT-old")
      yield* b.set(user, expired("RT-old"))
      const n = endpoint.requests.length + 1
      endpoint.settings.hold.add(n)
      const renewing = yield* Effect.fork(b.get(user))
      while (endpoint.requests.length < n) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
      const fresh = yield* login("fresh")
      yield* a.set(user, fresh)
      endpoint.release()
      // the renewal's write is refused (the login came first): `b` answers the login's token
      expect(accessToken(yield* Fiber.join(renewing))).toBe("AT-fresh")
      // a third process, never given the token, takes the login's token: no request
      const c = yield* instance()
      expect(accessToken(yield* c.get(user))).toBe("AT-fresh")
      expect(endpoint.requests.length).toBe(n)
    })
  )

  live("a logout removes the shared token: both copies revoked, no renewal stores it back, other processes get NoGrant", () =>
    Effect.gen(function* () {
      const server = yield* RedisServer.RedisServer
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      const user = freshUser()
      const a = yield* instance()
      const b = yield* instance()
      // `a` holds the login's token; `b` refreshed it since (rotated), so the shared token is newer than `a`'s
      const first = yield* login("first")
      yield* a.set(user, first)
      expect(accessToken(yield* b.get(user))).toBe("AT-first")
      endpoint.seed("RT-first")
      const rotated = yield* b.renew(user)
      expect(accessToken(rotated)).not.toBe("AT-first")
      // `b` is refreshing again when `a` logs the user out
      const n = endpoint.requests.length + 1
      endpoint.settings.hold.add(n)
      const renewing = yield* Effect.fork(Effect.flip(b.renew(user)))
      while (endpoint.requests.length < n) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
      yield* a.logout(user)
      // revoked: the token `a` held and the shared one (rotated by `b`), refresh and access tokens
      const revoked = endpoint.revocations.map((r) => r.token)
      expect(revoked).toEqual(expect.arrayContaining(["RT-first", "AT-first", Redacted.value(rotated.refreshToken!), accessToken(rotated)]))
      // the renewal in progress does not store its token back, nor serve it
      endpoint.release()
      expect(yield* Fiber.join(renewing)).toMatchObject({ _tag: "TokenUnavailable", reason: "NoGrant" })
      const redis = yield* raw(server.url)
      expect(yield* Effect.promise(() => redis.hget(`oauth2:token:{user:${user}}`, "e"))).toBe("-")
      // another process finds no token for the user, and sends nothing
      const count = endpoint.requests.length
      const c = yield* instance()
      const error = yield* Effect.flip(c.get(user))
      expect(TokenSource.isTokenUnavailable(error) && error.reason).toBe("NoGrant")
      expect(endpoint.requests.length).toBe(count)
      // a new login replaces the tombstone
      yield* a.set(user, yield* login("again"))
      expect(accessToken(yield* c.get(user))).toBe("AT-again")
    })
  )

  live("a logout while another process renews: the tokens that renewal obtained are revoked, not served", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      const user = freshUser()
      endpoint.seed("RT-0")
      const a = yield* instance()
      const b = yield* instance()
      yield* a.set(user, expired("RT-0"))
      const n = endpoint.requests.length + 1
      endpoint.settings.hold.add(n)
      const renewing = yield* Effect.fork(Effect.flip(a.get(user)))
      while (endpoint.requests.length < n) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
      yield* b.logout(user)
      endpoint.release()
      expect(yield* Fiber.join(renewing)).toMatchObject({ _tag: "TokenUnavailable", reason: "NoGrant" })
      // the refresh token issued to the renewal (the grant's only live one) and its access token are revoked
      const issued = endpoint.latestRefreshToken()
      expect(endpoint.revocations.map((r) => r.token)).toEqual(expect.arrayContaining([issued, "AT-1"]))
    })
  )

  live("a login made while Redis is down is shared when it is back, even over an earlier logout's tombstone", () =>
    Effect.gen(function* () {
      const server = yield* RedisServer.RedisServer
      const user = freshUser()
      const a = yield* instance()
      yield* a.set(user, yield* login("before"))
      yield* a.logout(user)
      const redis = yield* raw(server.url)
      const name = `oauth2:token:{user:${user}}`
      const version = yield* Effect.promise(() => redis.hget(name, "v"))
      expect(yield* Effect.promise(() => redis.hget(name, "e"))).toBe("-")
      // the user logs in again while Redis is down: the login is kept by this process (and shared at its next renewal)
      yield* server.stop
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      endpoint.seed("RT-during")
      const fresh = yield* login("during")
      yield* a.set(user, fresh)
      expect(accessToken(yield* a.get(user))).toBe("AT-during")
      yield* server.start
      // Redis is back with its data (as with persistence): the tombstone
      const back = yield* raw(server.url)
      yield* Effect.promise(() => back.hset(name, "v", version!, "e", "-"))
      // the next renewal puts the login first (then renews it); another process then takes the user's token
      let shared = false
      for (let i = 0; i < 400 && !shared; i++) {
        yield* Effect.either(a.renew(user))
        shared = (yield* Effect.promise(() => back.hget(name, "e"))) !== "-"
        if (!shared) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 25)))
      }
      expect(shared).toBe(true)
      const c = yield* instance()
      expect(accessToken(yield* c.get(user))).toMatch(/^AT-/)
    })
  )

  live("a login kept while Redis was down does not come back over a logout made after Redis returned: it is revoked", () =>
    Effect.gen(function* () {
      const server = yield* RedisServer.RedisServer
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      const user = freshUser()
      const a = yield* instance()
      const b = yield* instance()
      yield* server.stop
      endpoint.seed("RT-pending")
      yield* a.set(user, yield* login("pending"))
      yield* server.start
      // Redis is back (empty: no persistence); the user logs out through `b`
      const redis = yield* raw(server.url)
      const name = `oauth2:token:{user:${user}}`
      for (let i = 0; i < 400; i++) {
        if (Either.isRight(yield* Effect.either(b.logout(user))) && (yield* Effect.promise(() => redis.hget(name, "e"))) === "-") break
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 25)))
      }
      expect(yield* Effect.promise(() => redis.hget(name, "e"))).toBe("-")
      // `a`'s next renewal finds its pending login superseded: revoked, and the logout stands everywhere
      const error = yield* Effect.flip(a.renew(user))
      expect(TokenSource.isTokenUnavailable(error) && error.reason).toBe("NoGrant")
      expect(yield* Effect.promise(() => redis.hget(name, "e"))).toBe("-")
      expect(endpoint.revocations.map((r) => r.token)).toEqual(expect.arrayContaining(["RT-pending"]))
      const c = yield* instance()
      expect(TokenSource.isTokenUnavailable(yield* Effect.flip(c.get(user)))).toBe(true)
    })
  )

  live("a logout in one process: the others drop the token they hold as soon as the removal is announced", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      const user = freshUser()
      const a = yield* instance()
      const b = yield* instance()
      yield* a.set(user, yield* login("held"))
      expect(accessToken(yield* b.get(user))).toBe("AT-held")
      const count = endpoint.requests.length
      yield* a.logout(user)
      let served = true
      for (let i = 0; i < 200 && served; i++) {
        served = Either.isRight(yield* Effect.either(b.get(user)))
        if (served) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 10)))
      }
      expect(served).toBe(false)
      expect(TokenSource.isTokenUnavailable(yield* Effect.flip(b.get(user)))).toBe(true)
      expect(endpoint.requests.length).toBe(count)
    })
  )
})
