/**
 * Shared token sources in one test process, each with a Redis connection of its own (several processes, as far as
 * Redis can tell), against a real redis-server and a counting token endpoint.
 */
import { describe, expect, it } from "@effect/vitest"
import { BearerToken, TokenRequest } from "@oauth2/core"
import { TokenSource } from "@oauth2/flows"
import { SharedTokenSource } from "@oauth2/redis"
import { Cause, Duration, Effect, Either, Exit, Fiber, Layer, Option, Redacted, Scope } from "effect"
import * as RedisServer from "./redisServer.js"
import { accessToken, captureLogs, clientLayer, expired, key1, key2, raw, redisLayer } from "./support.js"
import * as TokenEndpoint from "./tokenEndpoint.js"

const grant = TokenRequest.clientCredentials({ scope: "read" })
let keyCounter = 0
const freshKey = () => `test-${++keyCounter}`

/** A shared source, with its own Redis connection and client, built in the current scope. */
const source = (options: Omit<SharedTokenSource.Options<never>, "keys"> & { keys?: SharedTokenSource.Options["keys"] }) =>
  Effect.gen(function* () {
    const server = yield* RedisServer.RedisServer
    const endpoint = yield* TokenEndpoint.TokenEndpoint
    const layer = Layer.merge(redisLayer(server.url), clientLayer(endpoint.url))
    const context = yield* Layer.build(layer)
    return yield* Effect.provide(SharedTokenSource.make({ keys: [key1], ...options }), context)
  })

const entry = (key: string) =>
  Effect.gen(function* () {
    const server = yield* RedisServer.RedisServer
    const redis = yield* raw(server.url)
    const name = `oauth2:token:{${key}}`
    return {
      redis,
      name,
      envelope: Effect.promise(() => redis.hget(name, "e")),
      version: Effect.promise(() => redis.hget(name, "v")),
      pttl: Effect.promise(() => redis.pttl(name))
    }
  })

const TestLayer = Layer.merge(RedisServer.layer, TokenEndpoint.layer)

/** A test on the real clock, with a redis-server and a token endpoint of its own. */
const live = <A, E>(name: string, body: () => Effect.Effect<A, E, RedisServer.RedisServer | TokenEndpoint.TokenEndpoint | Scope.Scope>) =>
  it.live(name, () => Effect.scoped(Effect.provide(body(), TestLayer)), 60_000)

describe("SharedTokenSource", () => {
  {
    live("three processes of 200 fibers each, on an expired token: one token request, one token for all", () =>
      Effect.gen(function* () {
        const endpoint = yield* TokenEndpoint.TokenEndpoint
        const before = endpoint.requests.length
        const key = freshKey()
        const sources = yield* Effect.all([1, 2, 3].map(() => source({ key, grant, token: expired() })))
        const tokens = yield* Effect.all(
          sources.flatMap((s) => Array.from({ length: 200 }, () => s.get)),
          { concurrency: "unbounded" }
        )
        expect(endpoint.requests.length - before).toBe(1)
        expect(new Set(tokens.map(accessToken)).size).toBe(1)
      })
    )

    live("encrypted at rest (key id in the envelope), with the token's expiry as TTL; another process reads it back", () =>
      Effect.gen(function* () {
        const endpoint = yield* TokenEndpoint.TokenEndpoint
        const key = freshKey()
        const first = yield* source({ key, grant })
        const token = yield* first.get
        const stored = yield* entry(key)
        const envelope = (yield* stored.envelope)!
        expect(envelope.startsWith("v1.k1.")).toBe(true)
        expect(envelope).not.toContain(accessToken(token))
        expect(envelope).not.toContain(Buffer.from(accessToken(token)).toString("base64url"))
        const ttl = yield* stored.pttl
        expect(ttl).toBeGreaterThan(3_500_000)
        expect(ttl).toBeLessThanOrEqual(3_600_000)
        const before = endpoint.requests.length
        const second = yield* source({ key, grant })
        expect(accessToken(yield* second.get)).toBe(accessToken(token))
        expect(endpoint.requests.length).toBe(before)
      })
    )

    live("key rotation: an entry sealed with an older listed key is read; the next renewal seals with the first key", () =>
      Effect.gen(function* () {
        const endpoint = yield* TokenEndpoint.TokenEndpoint
        const key = freshKey()
        const old = yield* source({ key, grant, keys: [key1] })
        const token = yield* old.get
        const before = endpoint.requests.length
        const rotated = yield* source({ key, grant, keys: [key2, key1] })
        expect(accessToken(yield* rotated.get)).toBe(accessToken(token))
        expect(endpoint.requests.length).toBe(before)
        const renewed = yield* rotated.renew
        const stored = yield* entry(key)
        expect((yield* stored.envelope)!.startsWith("v1.k2.")).toBe(true)
        // a process with the new key only reads the new entry
        const next = yield* source({ key, grant, keys: [key2] })
        expect(accessToken(yield* next.get)).toBe(accessToken(renewed))
      })
    )

    live("a corrupt, foreign-keyed or wrongly typed entry, or one with a non-numeric version, is ignored (with a warning) and replaced", () =>
      Effect.gen(function* () {
        const endpoint = yield* TokenEndpoint.TokenEndpoint
        for (const corrupt of ["garbage", "v1.k1.AAAA.BBBB", "v1.k9.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", "string", "version"]) {
          const key = freshKey()
          const stored = yield* entry(key)
          if (corrupt === "string") yield* Effect.promise(() => stored.redis.set(stored.name, "not a hash"))
          // a version that is not a number reads as 0 (not as Redis failing, which would renew locally every time)
          else if (corrupt === "version") yield* Effect.promise(() => stored.redis.hset(stored.name, "v", "x", "e", "garbage"))
          else yield* Effect.promise(() => stored.redis.hset(stored.name, "v", "7", "e", corrupt))
          const logs = captureLogs()
          const before = endpoint.requests.length
          const s = yield* source({ key, grant })
          const token = yield* Effect.provide(s.get, logs.layer)
          expect(endpoint.requests.length).toBe(before + 1)
          expect(logs.lines.join("\n"), corrupt).toContain("does not decrypt to a token")
          const replaced = yield* source({ key, grant })
          expect(accessToken(yield* replaced.get)).toBe(accessToken(token))
          expect(endpoint.requests.length).toBe(before + 1)
        }
        // an entry sealed for another key name (copied) does not decrypt either
        const a = freshKey()
        const b = freshKey()
        yield* (yield* source({ key: a, grant })).get
        const from = yield* entry(a)
        const to = yield* entry(b)
        yield* Effect.promise(() => to.redis.hset(to.name, "v", "1", "e", "x"))
        yield* Effect.promise(async () => to.redis.hset(to.name, "e", (await from.redis.hget(from.name, "e"))!))
        const before = endpoint.requests.length
        yield* (yield* source({ key: b, grant })).get
        expect(endpoint.requests.length).toBe(before + 1)
      })
    )

    live("rotating refresh tokens: one refresh for the fleet, the rotated refresh token stored with the access token", () =>
      Effect.gen(function* () {
        const endpoint = yield* TokenEndpoint.TokenEndpoint
        endpoint.seed("RT-start")
        const key = freshKey()
        const before = endpoint.requests.length
        const sources = yield* Effect.all([1, 2, 3].map(() => source({ key, token: expired("RT-start") })))
        const tokens = yield* Effect.all(
          sources.flatMap((s) => Array.from({ length: 50 }, () => s.get)),
          { concurrency: "unbounded" }
        )
        const made = endpoint.requests.slice(before)
        expect(made.map((r) => [r.grantType, r.refreshToken])).toEqual([["refresh_token", "RT-start"]])
        expect(new Set(tokens.map(accessToken)).size).toBe(1)
        expect(Redacted.value(tokens[0]!.refreshToken!)).toBe(endpoint.latestRefreshToken())
        // the next renewal, by another process, uses the rotated refresh token from the store (a forced renewal
        // first takes a token other than the one in hand: the shared one)
        const other = yield* source({ key, token: expired("RT-start") })
        expect(accessToken(yield* other.renew)).toBe(accessToken(tokens[0]!))
        const renewed = yield* other.renew
        expect(endpoint.requests.slice(before + 1).map((r) => r.refreshToken)).toEqual([Redacted.value(tokens[0]!.refreshToken!)])
        expect(Redacted.value(renewed.refreshToken!)).toBe(endpoint.latestRefreshToken())
      })
    )

    live("invalidating a token marks the shared copy expired: another process renews with its refresh token", () =>
      Effect.gen(function* () {
        const endpoint = yield* TokenEndpoint.TokenEndpoint
        endpoint.seed("RT-inv")
        const key = freshKey()
        const a = yield* source({ key, token: expired("RT-inv") })
        const token = yield* a.get
        yield* a.invalidate(token)
        const b = yield* source({ key })
        const before = endpoint.requests.length
        const renewed = yield* b.get
        expect(accessToken(renewed)).not.toBe(accessToken(token))
        expect(endpoint.requests.slice(before).map((r) => r.refreshToken)).toEqual([Redacted.value(token.refreshToken!)])
      })
    )

    live("a stale holder's late write is refused: the token stored by the next holder stays", () =>
      Effect.gen(function* () {
        const endpoint = yield* TokenEndpoint.TokenEndpoint
        const key = freshKey()
        const stored = yield* entry(key)
        const slow = yield* source({ key, grant })
        const fast = yield* source({ key, grant })
        const n = endpoint.requests.length + 1
        endpoint.settings.hold.add(n)
        const logs = captureLogs()
        const late = yield* Effect.fork(Effect.provide(slow.get, logs.layer))
        // the slow holder's request is in flight; its lock expires (as it would if the process stalled for the TTL)
        while (endpoint.requests.length < n) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
        yield* Effect.promise(() => stored.redis.del(`${stored.name}:lock`))
        const next = yield* fast.get
        expect(yield* stored.version).toBe("1")
        endpoint.release()
        const answered = yield* Fiber.join(late)
        // refused: the entry is still the next holder's, and the slow one answers it too
        expect(yield* stored.version).toBe("1")
        const reader = yield* source({ key, grant })
        expect(accessToken(yield* reader.get)).toBe(accessToken(next))
        expect(accessToken(answered)).toBe(accessToken(next))
        expect(logs.lines.join("\n")).toContain("a newer token was stored")
      })
    )

    live("a holder whose write is refused releases its lock at once (the waiters do not wait for its TTL)", () =>
      Effect.gen(function* () {
        const endpoint = yield* TokenEndpoint.TokenEndpoint
        const key = freshKey()
        const stored = yield* entry(key)
        const slow = yield* source({ key, grant })
        const n = endpoint.requests.length + 1
        endpoint.settings.hold.add(n)
        const late = yield* Effect.fork(slow.get)
        while (endpoint.requests.length < n) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
        // the entry moves on under the holder, which still owns its lock (10 s TTL, extended)
        expect(yield* Effect.promise(() => stored.redis.exists(`${stored.name}:lock`))).toBe(1)
        yield* Effect.promise(() => stored.redis.hset(stored.name, "v", "5", "e", "garbage"))
        // the waiters are told on the channel
        const announcements: Array<string> = []
        const server = yield* RedisServer.RedisServer
        const subscriber = yield* raw(server.url)
        subscriber.on("message", (_channel: string, text: string) => announcements.push(text))
        yield* Effect.promise(() => subscriber.subscribe(`${stored.name}:renewed`))
        endpoint.release()
        yield* Fiber.join(late)
        // refused (the entry is untouched), and the lock is gone at once
        expect(yield* stored.version).toBe("5")
        expect(yield* Effect.promise(() => stored.redis.exists(`${stored.name}:lock`))).toBe(0)
        for (let i = 0; i < 200 && announcements.length === 0; i++) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
        expect(announcements).toEqual(["released"])
      })
    )

    live("invalidating while another process renews leaves the entry to the renewal: its write is not refused", () =>
      Effect.gen(function* () {
        const endpoint = yield* TokenEndpoint.TokenEndpoint
        endpoint.seed("RT-race")
        const key = freshKey()
        const stored = yield* entry(key)
        const a = yield* source({ key, token: expired("RT-race") })
        const b = yield* source({ key })
        const token = yield* a.get
        expect(accessToken(yield* b.get)).toBe(accessToken(token))
        expect(yield* stored.version).toBe("1")
        const n = endpoint.requests.length + 1
        endpoint.settings.hold.add(n)
        const logs = captureLogs()
        const renewing = yield* Effect.fork(Effect.provide(a.renew, logs.layer))
        while (endpoint.requests.length < n) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
        const envelope = yield* stored.envelope
        yield* b.invalidate(token)
        expect(yield* stored.envelope).toBe(envelope)
        endpoint.release()
        const renewed = yield* Fiber.join(renewing)
        expect(yield* stored.version).toBe("2")
        expect(logs.lines.join("\n")).not.toContain("a newer token was stored")
        const before = endpoint.requests.length
        const reader = yield* source({ key })
        expect(accessToken(yield* reader.get)).toBe(accessToken(renewed))
        expect(accessToken(yield* b.get)).toBe(accessToken(renewed))
        expect(endpoint.requests.length).toBe(before)
      })
    )

    live("invalidating keeps the entry's version (only the envelope changes)", () =>
      Effect.gen(function* () {
        const endpoint = yield* TokenEndpoint.TokenEndpoint
        endpoint.seed("RT-keep")
        const key = freshKey()
        const stored = yield* entry(key)
        const a = yield* source({ key, token: expired("RT-keep") })
        const token = yield* a.get
        const [version, envelope, ttl] = [yield* stored.version, yield* stored.envelope, yield* stored.pttl]
        yield* a.invalidate(token)
        expect(yield* stored.version).toBe(version)
        expect(yield* stored.envelope).not.toBe(envelope)
        expect(yield* stored.pttl).toBeGreaterThan(0)
        expect(yield* stored.pttl).toBeLessThanOrEqual(ttl)
      })
    )

    live("a holder that renews for longer than the lock's TTL keeps its lock (extended): no second request", () =>
      Effect.gen(function* () {
        const endpoint = yield* TokenEndpoint.TokenEndpoint
        const key = freshKey()
        const stored = yield* entry(key)
        // a TTL of 3 s, extended every second: only a stall of 2 s (not a busy CI machine) would lose it
        const slow = yield* source({ key, grant, lockTtl: "3 seconds" })
        const other = yield* source({ key, grant, lockTtl: "3 seconds", wait: "50 millis" })
        const n = endpoint.requests.length + 1
        endpoint.settings.hold.add(n)
        const first = yield* Effect.fork(slow.get)
        while (endpoint.requests.length < n) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
        const lock = yield* Effect.promise(() => stored.redis.get(`${stored.name}:lock`))
        const second = yield* Effect.fork(other.get)
        // two TTLs later, the lock is still the holder's (the same owner) and the other process still waits
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 6_500)))
        expect(lock).not.toBeNull()
        expect(yield* Effect.promise(() => stored.redis.get(`${stored.name}:lock`))).toBe(lock)
        expect(endpoint.requests.length).toBe(n)
        endpoint.release()
        const [a, b] = [yield* Fiber.join(first), yield* Fiber.join(second)]
        expect(accessToken(b)).toBe(accessToken(a))
        expect(endpoint.requests.length).toBe(n)
      })
    )

    live("Redis stopped mid-renewal and restarted: no caller fails, one warning, and sharing resumes", () =>
      Effect.gen(function* () {
        const server = yield* RedisServer.RedisServer
        const endpoint = yield* TokenEndpoint.TokenEndpoint
        const key = freshKey()
        const logs = captureLogs()
        const a = yield* source({ key, grant, token: expired() })
        const b = yield* source({ key, grant })
        const n = endpoint.requests.length + 1
        endpoint.settings.hold.add(n)
        const callers = yield* Effect.fork(
          Effect.provide(
            Effect.all(
              Array.from({ length: 100 }, () => a.get),
              { concurrency: "unbounded" }
            ),
            logs.layer
          )
        )
        while (endpoint.requests.length < n) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
        yield* server.stop
        endpoint.release()
        const first = yield* Fiber.join(callers)
        expect(new Set(first.map(accessToken)).size).toBe(1)
        // while Redis is down: cached gets, and renewals made locally, each one request, without errors
        const during = endpoint.requests.length
        const again = yield* Effect.provide(
          Effect.gen(function* () {
            yield* Effect.all(
              Array.from({ length: 100 }, () => a.get),
              { concurrency: "unbounded" }
            )
            yield* a.renew
            return yield* a.renew
          }),
          logs.layer
        )
        expect(endpoint.requests.length).toBe(during + 2)
        expect(logs.lines.filter((l) => l.includes("Redis is unavailable"))).toHaveLength(1)
        // back: the next renewal is shared again (b reads it without a request)
        yield* server.start
        let shared: BearerToken.BearerToken | undefined
        for (let i = 0; i < 400 && shared === undefined; i++) {
          const renewed = yield* Effect.provide(a.renew, logs.layer)
          const stored = yield* entry(key)
          if ((yield* stored.version) !== null) shared = renewed
          else yield* Effect.promise(() => new Promise((r) => setTimeout(r, 25)))
        }
        expect(shared).toBeDefined()
        expect(accessToken(shared!)).not.toBe(accessToken(again))
        const before = endpoint.requests.length
        expect(accessToken(yield* b.get)).toBe(accessToken(shared!))
        expect(endpoint.requests.length).toBe(before)
        expect(logs.lines.join("\n")).toContain("Redis answers again")
      })
    )
  }

  it.live("bad keys are a ConfigError: not 32 bytes, no key, repeated ids, a malformed OAUTH2_REDIS_KEYS", () =>
    Effect.gen(function* () {
      const short = { id: "k", key: Redacted.make(Buffer.alloc(16).toString("base64")) }
      // id and key swapped by the operator: the key (base64url, a valid id) must not be printed as the key's name
      const swapped = { id: Buffer.alloc(32, 7).toString("base64url"), key: Redacted.make("k1") }
      const bad = [[short], [], [key1, { ...key2, id: "k1" }], [{ id: "bad id", key: key1.key }], [key1, swapped]]
      for (const keys of bad) {
        const exit = yield* Effect.exit(
          Effect.scoped(SharedTokenSource.coordinator({ key: "k", keys }).pipe(Effect.provide(redisLayer("redis://127.0.0.1:1"))))
        )
        expect(Exit.isFailure(exit)).toBe(true)
        expect(JSON.stringify(exit)).not.toContain(Redacted.value(short.key))
        expect(JSON.stringify(exit)).not.toContain(swapped.id)
      }
      const swappedExit = yield* Effect.exit(
        Effect.scoped(SharedTokenSource.coordinator({ key: "k", keys: [key1, swapped] }).pipe(Effect.provide(redisLayer("redis://127.0.0.1:1"))))
      )
      expect(JSON.stringify(swappedExit)).toContain("position 2")
      const parsed = SharedTokenSource.keysConfig("KEYS")
      const { ConfigProvider } = yield* Effect.promise(() => import("effect"))
      const ok = yield* Effect.withConfigProvider(
        parsed,
        ConfigProvider.fromMap(new Map([["KEYS", `k2:${Redacted.value(key2.key)}, k1:${Redacted.value(key1.key)}`]]))
      )
      expect(ok.map((k) => k.id)).toEqual(["k2", "k1"])
      const malformed = yield* Effect.either(Effect.withConfigProvider(parsed, ConfigProvider.fromMap(new Map([["KEYS", "nokey"]]))))
      expect(Either.isLeft(malformed)).toBe(true)
    })
  )
})

describe("SharedTokenSource review", () => {
  live("a refused refresh token is dropped from the shared entry: no process sends it again, and each fails as a source alone", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      endpoint.seed("RT-live")
      const key = freshKey()
      const stored = yield* entry(key)
      // a source alone, for the reference: refused once (RefreshRefused), then nothing to renew with (no request)
      const plainContext = yield* Layer.build(clientLayer(endpoint.url))
      const plain = yield* Effect.provide(TokenSource.make({ token: expired("RT-dead") }), plainContext)
      const plainBefore = endpoint.requests.length
      const plainFirst = yield* Effect.flip(plain.get)
      const plainNext = yield* Effect.flip(plain.get)
      expect(endpoint.requests.length - plainBefore).toBe(1)
      // two processes holding the same refresh token, which the server refuses
      const a = yield* source({ key, token: expired("RT-dead") })
      const b = yield* source({ key, token: expired("RT-dead") })
      const before = endpoint.requests.length
      const first = yield* Effect.flip(a.get)
      expect(endpoint.requests.slice(before).map((r) => r.refreshToken)).toEqual(["RT-dead"])
      expect(first).toMatchObject({ _tag: "TokenUnavailable", reason: "RefreshRefused" })
      expect(plainFirst).toMatchObject({ _tag: "TokenUnavailable", reason: (plainFirst as TokenSource.TokenUnavailable).reason })
      // the entry was rewritten (a new version) and the lock released
      expect(yield* stored.version).toBe("1")
      expect(yield* Effect.promise(() => stored.redis.exists(`${stored.name}:lock`))).toBe(0)
      expect(yield* stored.pttl).toBeGreaterThan(60_000)
      const later = yield* Effect.all([Effect.flip(b.get), Effect.flip(a.get), Effect.flip(b.get), Effect.flip(b.renew)])
      expect(endpoint.requests.length - before).toBe(1)
      for (const error of later) {
        expect(TokenSource.isTokenUnavailable(error)).toBe(true)
        expect((error as TokenSource.TokenUnavailable).reason).toBe((plainNext as TokenSource.TokenUnavailable).reason)
      }
    })
  )

  live("a refused refresh token with a grant to fall back on: the grant's token is shared, the dead refresh token never sent again", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      endpoint.seed("RT-live")
      const key = freshKey()
      const a = yield* source({ key, grant, token: expired("RT-dead") })
      const b = yield* source({ key, grant, token: expired("RT-dead") })
      const before = endpoint.requests.length
      const token = yield* a.get
      expect(accessToken(yield* b.get)).toBe(accessToken(token))
      expect(endpoint.requests.slice(before).map((r) => [r.grantType, r.refreshToken])).toEqual([
        ["refresh_token", "RT-dead"],
        ["client_credentials", null]
      ])
    })
  )

  it.live("an infinite lockTtl, wait, refreshTokenRetention or failureBackoff, or an empty key, is a ConfigError at construction", () =>
    Effect.gen(function* () {
      const bad: Array<Partial<SharedTokenSource.CoordinatorOptions>> = [
        { lockTtl: Duration.infinity },
        { wait: Duration.infinity },
        { refreshTokenRetention: Duration.infinity },
        { failureBackoff: Duration.infinity },
        { lockTtl: Duration.zero },
        { key: "" }
      ]
      for (const options of bad) {
        const exit = yield* Effect.exit(
          Effect.scoped(SharedTokenSource.coordinator({ key: "k", keys: [key1], ...options }).pipe(Effect.provide(redisLayer("redis://127.0.0.1:1"))))
        )
        expect(Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined).toMatchObject({ _op: "InvalidData" })
      }
    })
  )
})

void TokenSource

describe("SharedTokenSource, second review", () => {
  const poll = <A>(what: string, probe: Effect.Effect<A | undefined>) =>
    Effect.gen(function* () {
      for (let i = 0; i < 400; i++) {
        const found = yield* probe
        if (found !== undefined) return found
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 10)))
      }
      return yield* Effect.die(new Error(`timed out waiting for ${what}`))
    })

  live("a failed renewal is not retried by each process in turn: the others back off (BackingOff) until the failure's marker ends", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      const key = freshKey()
      const stored = yield* entry(key)
      const sources = yield* Effect.all([1, 2, 3].map(() => source({ key, grant, token: expired(), failureBackoff: "1 minute" })))
      endpoint.settings.failWith = { status: 503, body: { error: "temporarily_unavailable" } }
      const before = endpoint.requests.length
      const errors = yield* Effect.all(
        sources.flatMap((s) => Array.from({ length: 50 }, () => Effect.flip(s.get))),
        { concurrency: "unbounded" }
      )
      endpoint.settings.failWith = undefined
      // one request for the fleet: the holder's 50 fibers get its error, the 100 others back off without a request
      expect(endpoint.requests.length - before).toBe(1)
      const backingOff = errors.filter((e) => TokenSource.isTokenUnavailable(e) && e.reason === "BackingOff")
      expect(backingOff).toHaveLength(100)
      const holderErrors = errors.filter((e) => !TokenSource.isTokenUnavailable(e))
      expect(holderErrors).toHaveLength(50)
      // what the others are told is the holder's error tag, nothing more
      expect((backingOff[0] as TokenSource.TokenUnavailable).cause).toMatchObject({ error: holderErrors[0]!._tag })
      // a later caller backs off too, while the marker lasts (its TTL is the back-off)
      const marker = yield* Effect.promise(() => stored.redis.pttl(`${stored.name}:failed`))
      expect(marker).toBeGreaterThan(0)
      expect(marker).toBeLessThanOrEqual(60_000)
      expect(yield* Effect.flip(sources[1]!.get)).toMatchObject({ _tag: "TokenUnavailable", reason: "BackingOff" })
      expect(endpoint.requests.length - before).toBe(1)
      // the back-off ends (the marker expires: removed here rather than waited for); the next renewal is one request
      yield* Effect.promise(() => stored.redis.del(`${stored.name}:failed`))
      const tokens = yield* Effect.all(
        sources.flatMap((s) => Array.from({ length: 10 }, () => s.get)),
        { concurrency: "unbounded" }
      )
      expect(endpoint.requests.length - before).toBe(2)
      expect(new Set(tokens.map(accessToken)).size).toBe(1)
      expect(yield* Effect.promise(() => stored.redis.exists(`${stored.name}:failed`))).toBe(0)
    })
  )

  live("the entry outlives a renewal in progress: an entry about to expire is kept for the lock's TTL, and the holder's write is taken", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      const key = freshKey()
      const stored = yield* entry(key)
      const a = yield* source({ key, grant })
      yield* a.get
      // the shared token expires in 200 ms (as an access token without a refresh token does, and its entry with it)
      yield* Effect.promise(() => stored.redis.pexpire(stored.name, 200))
      const n = endpoint.requests.length + 1
      endpoint.settings.hold.add(n)
      const logs = captureLogs()
      const renewing = yield* Effect.fork(Effect.provide(a.renew, logs.layer))
      yield* poll(
        "the request",
        Effect.sync(() => (endpoint.requests.length >= n ? true : undefined))
      )
      // the lock was taken: the entry now lasts as long as the lock (10 s), not 200 ms
      expect(yield* stored.pttl).toBeGreaterThan(5_000)
      endpoint.release()
      const renewed = yield* Fiber.join(renewing)
      expect(yield* stored.version).toBe("2")
      expect(logs.lines.join("\n")).not.toContain("a newer token was stored")
      const reader = yield* source({ key, grant })
      expect(accessToken(yield* reader.get)).toBe(accessToken(renewed))
    })
  )

  live("a holder that stalls past its lock's TTL takes the lock back when nobody took it; when another did, it stops extending it", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      const key = freshKey()
      const stored = yield* entry(key)
      const lock = `${stored.name}:lock`
      const a = yield* source({ key, grant, lockTtl: "600 millis" })
      const n = endpoint.requests.length + 1
      endpoint.settings.hold.add(n)
      const logs = captureLogs()
      const renewing = yield* Effect.fork(Effect.provide(a.get, logs.layer))
      yield* poll(
        "the request",
        Effect.sync(() => (endpoint.requests.length >= n ? true : undefined))
      )
      const owner = yield* Effect.promise(() => stored.redis.get(lock))
      expect(owner).not.toBeNull()
      // the lock lapses (as after a stall) and nobody takes it: the next extension takes it back
      yield* Effect.promise(() => stored.redis.del(lock))
      yield* poll(
        "the lock taken back",
        Effect.map(
          Effect.promise(() => stored.redis.get(lock)),
          (value) => (value === owner ? true : undefined)
        )
      )
      // another process takes it: the holder notices, says so once, and leaves it alone
      yield* Effect.promise(() => stored.redis.set(lock, "another-process", "PX", 60_000))
      yield* poll(
        "the warning",
        Effect.sync(() => (logs.lines.some((l) => l.includes("lost its lock")) ? true : undefined))
      )
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 400)))
      expect(yield* Effect.promise(() => stored.redis.get(lock))).toBe("another-process")
      expect(logs.lines.filter((l) => l.includes("lost its lock"))).toHaveLength(1)
      endpoint.release()
      // nobody stored a newer token: its fenced write is taken; the other process' lock is not its to release
      const token = yield* Fiber.join(renewing)
      expect(yield* stored.version).toBe("1")
      expect(yield* Effect.promise(() => stored.redis.get(lock))).toBe("another-process")
      const reader = yield* source({ key, grant })
      expect(accessToken(yield* reader.get)).toBe(accessToken(token))
    })
  )

  live("after an outage, the refresh token rotated alone is newer than the shared one: it is used, and shared again", () =>
    Effect.gen(function* () {
      const server = yield* RedisServer.RedisServer
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      endpoint.seed("RT-outage")
      const key = freshKey()
      const stored = yield* entry(key)
      const a = yield* source({ key, token: expired("RT-outage") })
      const b = yield* source({ key })
      const before = endpoint.requests.length
      const first = yield* a.get
      expect(yield* stored.version).toBe("1")
      // Redis goes away: `a` renews on its own, rotating the refresh token; the shared entry keeps the spent one
      const [version, envelope] = [yield* stored.version, yield* stored.envelope]
      yield* server.stop
      const alone = yield* a.renew
      expect(Redacted.value(alone.refreshToken!)).toBe(endpoint.latestRefreshToken())
      yield* server.start
      // it comes back with its data (as with persistence: the test server has none, so the entry is put back)
      const reconnected = yield* entry(key)
      yield* Effect.promise(() => reconnected.redis.hset(reconnected.name, "v", version!, "e", envelope!))
      // `a`'s next renewals use its own refresh token (not the entry's valid-looking but older token and its spent
      // refresh token) until one is shared
      for (let i = 0; i < 400 && (yield* reconnected.version) === "1"; i++) {
        yield* a.renew
        if ((yield* reconnected.version) === "1") yield* Effect.promise(() => new Promise((r) => setTimeout(r, 25)))
      }
      expect(yield* reconnected.version).toBe("2")
      const made = endpoint.requests.slice(before)
      // every refresh sent the latest refresh token: none was refused
      expect(made.filter((r) => r.status !== 200)).toEqual([])
      expect(made[0]!.refreshToken).toBe("RT-outage")
      expect(made[1]!.refreshToken).toBe(Redacted.value(first.refreshToken!))
      const latest = yield* a.current
      const count = endpoint.requests.length
      expect(accessToken(yield* b.get)).toBe(accessToken(Option.getOrThrow(latest)))
      expect(endpoint.requests.length).toBe(count)
    })
  )

  live(
    "round trips: a renewal from the shared token in hand takes the lock at the first look; a waiter takes the announced token without reading",
    () =>
      Effect.gen(function* () {
        const endpoint = yield* TokenEndpoint.TokenEndpoint
        const key = freshKey()
        const stored = yield* entry(key)
        const scriptCalls = Effect.map(
          Effect.promise(() => stored.redis.info("commandstats")),
          (text) => [...text.matchAll(/cmdstat_eval(?:sha)?:calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0)
        )
        const a = yield* source({ key, grant })
        const b = yield* source({ key, grant })
        const first = yield* a.get
        expect(accessToken(yield* b.get)).toBe(accessToken(first))
        // `a` renews (forced) from the token it holds, which is the shared one: one call takes the lock, one stores
        const n = endpoint.requests.length + 1
        endpoint.settings.hold.add(n)
        const before = yield* scriptCalls
        const renewing = yield* Effect.fork(a.renew)
        yield* poll(
          "the request",
          Effect.sync(() => (endpoint.requests.length >= n ? true : undefined))
        )
        expect((yield* scriptCalls) - before).toBe(1)
        // `b` renews too: one call finds the lock taken, then it waits
        const waiting = yield* Effect.fork(b.renew)
        yield* poll(
          "b's look",
          Effect.map(scriptCalls, (calls) => (calls - before >= 2 ? true : undefined))
        )
        endpoint.release()
        const renewed = yield* Fiber.join(renewing)
        // the announcement carries the stored token: `b` has it without another call
        expect(accessToken(yield* Fiber.join(waiting))).toBe(accessToken(renewed))
        expect((yield* scriptCalls) - before).toBe(3)
        expect(endpoint.requests.length).toBe(n)
      })
  )

  live("an entry whose envelope cannot be sent back as read (not UTF-8) is taken for corrupt and replaced, not looped on", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      const key = freshKey()
      const stored = yield* entry(key)
      yield* Effect.promise(() => stored.redis.hset(stored.name, "v", "3", "e", Buffer.from([0x76, 0x31, 0xff, 0xfe])))
      const before = endpoint.requests.length
      const s = yield* source({ key, grant })
      const token = yield* Effect.timeoutFail(s.get, { duration: "5 seconds", onTimeout: () => "looped" })
      expect(endpoint.requests.length - before).toBe(1)
      expect(yield* stored.version).toBe("4")
      const reader = yield* source({ key, grant })
      expect(accessToken(yield* reader.get)).toBe(accessToken(token))
    })
  )

  live("a lock left without a TTL (written by hand) gets the lock's TTL from the first process that finds it", () =>
    Effect.gen(function* () {
      const key = freshKey()
      const stored = yield* entry(key)
      yield* Effect.promise(() => stored.redis.set(`${stored.name}:lock`, "someone"))
      const s = yield* source({ key, grant, token: expired(), lockTtl: "300 millis" })
      const waiting = yield* Effect.fork(s.get)
      yield* poll(
        "a TTL on the lock",
        Effect.map(
          Effect.promise(() => stored.redis.pttl(`${stored.name}:lock`)),
          (ttl) => (ttl > 0 ? true : undefined)
        )
      )
      // it expires, and the waiter renews
      const token = yield* Effect.timeoutFail(Fiber.join(waiting), { duration: "5 seconds", onTimeout: () => "hung" })
      expect(accessToken(token)).toMatch(/^AT-/)
    })
  )

  live("Redis lost during the holder's write: the refresh token it rotated is kept, and used when Redis is back", () =>
    Effect.gen(function* () {
      const server = yield* RedisServer.RedisServer
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      endpoint.seed("RT-write")
      const key = freshKey()
      const stored = yield* entry(key)
      const a = yield* source({ key, token: expired("RT-write") })
      yield* a.get
      const [version, envelope] = [yield* stored.version, yield* stored.envelope]
      // a forced renewal takes the lock; Redis goes away while its refresh is in flight
      const n = endpoint.requests.length + 1
      endpoint.settings.hold.add(n)
      const renewing = yield* Effect.fork(a.renew)
      yield* poll(
        "the request",
        Effect.sync(() => (endpoint.requests.length >= n ? true : undefined))
      )
      yield* server.stop
      endpoint.release()
      const rotated = yield* Fiber.join(renewing)
      expect(Redacted.value(rotated.refreshToken!)).toBe(endpoint.latestRefreshToken())
      yield* server.start
      // back with its data (as with persistence): the entry still holds the refresh token spent by that renewal
      const back = yield* entry(key)
      yield* Effect.promise(() => back.redis.hset(back.name, "v", version!, "e", envelope!))
      const before = endpoint.requests.length
      for (let i = 0; i < 400 && (yield* back.version) === version; i++) {
        yield* Effect.either(a.renew)
        if ((yield* back.version) === version) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 25)))
      }
      expect(yield* back.version).not.toBe(version)
      expect(endpoint.requests.slice(before).filter((r) => r.status !== 200)).toEqual([])
    })
  )

  live("a renewal interrupted (its source's scope closed, e.g. at shutdown) releases its lock at once: no one waits for the TTL", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      const key = freshKey()
      const stored = yield* entry(key)
      const scope = yield* Scope.make()
      const a = yield* Scope.extend(source({ key, grant, token: expired() }), scope)
      const n = endpoint.requests.length + 1
      endpoint.settings.hold.add(n)
      yield* Effect.fork(Effect.either(a.renew))
      yield* poll(
        "the request",
        Effect.sync(() => (endpoint.requests.length >= n ? true : undefined))
      )
      expect(yield* Effect.promise(() => stored.redis.exists(`${stored.name}:lock`))).toBe(1)
      yield* Scope.close(scope, Exit.void)
      expect(yield* Effect.promise(() => stored.redis.exists(`${stored.name}:lock`))).toBe(0)
      endpoint.release()
    })
  )

  live("logs name the key by a digest unless `logKey` names it (a key may be a session id)", () =>
    Effect.gen(function* () {
      const key = `session-${freshKey()}-secret`
      const logs = captureLogs()
      // entries that do not decrypt: each source says so, naming its key
      for (const name of [key, `${key}-2`]) {
        const stored = yield* entry(name)
        yield* Effect.promise(() => stored.redis.hset(stored.name, "v", "1", "e", "v1.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA"))
      }
      const s = yield* source({ key, grant })
      const named = yield* source({ key: `${key}-2`, grant, logKey: "billing:read" })
      yield* Effect.provide(Effect.all([s.get, named.get]), logs.layer)
      const text = logs.lines.join("\n")
      expect(text).toContain("does not decrypt")
      expect(text).not.toContain(key)
      expect(text).toMatch(/"key":"#[0-9a-f]{8}"/)
      expect(text).toContain('"key":"billing:read"')
    })
  )
})
