import { KeyValueStore } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { BearerToken } from "@oauth2/core"
import { KeyedTokenSource, type TokenSource } from "@oauth2/flows"
import { FakeHttp } from "@oauth2/testing"
import { DateTime, Deferred, Effect, Fiber, Layer, Logger, Option, Redacted, type Scope, TestClock } from "effect"
import { clientLayer, endpoints, tokenAnswer, tokenRequests } from "./support.js"

/** The revocations seen: each token and its hint. */
const revocations = (seen: ReadonlyArray<FakeHttp.ClientRequest>) =>
  seen.filter((s) => s.url === endpoints.revocationEndpoint).map((s) => [s.form.get("token"), s.form.get("token_type_hint")])

/** Revocations accepted; a refresh waits for `gate` (when given), then rotates: `RT-<user>` becomes `RT-<user>-2`. */
const rotating = (gate?: Deferred.Deferred<void>) => (seen: FakeHttp.ClientRequest) => {
  if (seen.url === endpoints.revocationEndpoint) return new Response(null, { status: 200 })
  const user = (seen.form.get("refresh_token") ?? "").replace(/^RT-/, "")
  const answer = () => tokenAnswer({ access_token: `AT-${user}-1`, refresh_token: `RT-${user}-2`, expires_in: 3600 })
  return gate === undefined ? answer() : Effect.map(Deferred.await(gate), answer)
}

/** A keyed source over a fake network answering `respond`; the test gets the source and the requests seen. */
const withKeyed = <A, E>(
  respond: (seen: FakeHttp.ClientRequest, index: number) => FakeHttp.Answer | Effect.Effect<FakeHttp.Answer>,
  options: KeyedTokenSource.Options,
  use: (tokens: KeyedTokenSource.KeyedTokenSource, seen: ReadonlyArray<FakeHttp.ClientRequest>) => Effect.Effect<A, E>
) => {
  const http = FakeHttp.make(respond)
  return KeyedTokenSource.make(options).pipe(
    Effect.flatMap((tokens) => use(tokens, http.seen)),
    Effect.scoped,
    Effect.provide(clientLayer(http))
  )
}

const value = (token: BearerToken.BearerToken) => Redacted.value(token.accessToken)

/** A login's token: expires in 10 s, with a refresh token named after its user. */
const loginToken = (user: string) =>
  BearerToken.make({
    accessToken: `AT-${user}-0`,
    tokenType: "Bearer",
    issuedAt: DateTime.unsafeMake(0),
    expiresAt: DateTime.unsafeMake(10_000),
    refreshToken: `RT-${user}`
  })

const many = <A, E>(n: number, effect: Effect.Effect<A, E>) =>
  Effect.all(
    Array.from({ length: n }, () => effect),
    { concurrency: "unbounded" }
  )

/** Answers a refresh with an access token for the refresh token's user; the first `gated` ones wait for the gate. */
const refreshAnswers = (gate?: Deferred.Deferred<void>) => (seen: FakeHttp.ClientRequest) => {
  const user = (seen.form.get("refresh_token") ?? "").replace(/^RT-/, "")
  const answer = () => tokenAnswer({ access_token: `AT-${user}-renewed-${Math.random()}`, expires_in: 3600 })
  return gate === undefined ? answer() : Effect.map(Deferred.await(gate), answer)
}

describe("KeyedTokenSource", () => {
  it.effect("two users: N concurrent callers of one key share one refresh; the other key renews on its own", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      yield* withKeyed(refreshAnswers(gate), {}, (tokens, seen) =>
        Effect.gen(function* () {
          yield* tokens.set("alice", loginToken("alice"))
          yield* tokens.set("bob", loginToken("bob"))
          expect(value(yield* tokens.get("alice"))).toBe("AT-alice-0") // valid: no request
          expect(seen).toHaveLength(0)
          yield* TestClock.adjust("11 seconds") // both expired
          const alices = yield* Effect.fork(many(1_000, tokens.get("alice")))
          yield* TestClock.adjust("1 millis")
          expect(tokenRequests(seen)).toHaveLength(1) // one for alice, however many callers
          const bobs = yield* Effect.fork(many(100, tokens.get("bob")))
          yield* TestClock.adjust("1 millis")
          expect(tokenRequests(seen)).toHaveLength(2) // bob's renewal does not wait for alice's
          yield* Deferred.succeed(gate, undefined)
          const a = yield* Fiber.join(alices)
          const b = yield* Fiber.join(bobs)
          expect(new Set(a.map(value)).size).toBe(1)
          expect(value(a[0]!)).toMatch(/^AT-alice-renewed-/)
          expect(new Set(b.map(value)).size).toBe(1)
          expect(value(b[0]!)).toMatch(/^AT-bob-renewed-/)
          expect(
            tokenRequests(seen)
              .map((s) => s.form.get("refresh_token"))
              .sort()
          ).toEqual(["RT-alice", "RT-bob"])
          expect(tokenRequests(seen).map((s) => s.form.get("grant_type"))).toEqual(["refresh_token", "refresh_token"])
        })
      )
    })
  )

  it.effect("a key without a token is TokenUnavailable (NoGrant), and no source is kept for it", () =>
    withKeyed(refreshAnswers(), {}, (tokens, seen) =>
      Effect.gen(function* () {
        const e = yield* Effect.flip(tokens.get("nobody"))
        expect(e).toMatchObject({ _tag: "TokenUnavailable", reason: "NoGrant" })
        expect(yield* tokens.size).toBe(0)
        expect(seen).toHaveLength(0)
      })
    )
  )

  it.effect("evicts the least recently used key beyond its capacity", () =>
    withKeyed(refreshAnswers(), { capacity: 2 }, (tokens) =>
      Effect.gen(function* () {
        yield* tokens.set("a", loginToken("a"))
        yield* tokens.set("b", loginToken("b"))
        yield* tokens.get("a") // a is now the most recently used
        yield* tokens.set("c", loginToken("c"))
        expect(yield* tokens.keys).toEqual(["a", "c"])
        expect(yield* Effect.flip(tokens.get("b"))).toMatchObject({ reason: "NoGrant" })
      })
    )
  )

  it.effect("evicts a key idle for longer than idleTimeout (Clock)", () =>
    withKeyed(refreshAnswers(), { idleTimeout: "1 minute" }, (tokens) =>
      Effect.gen(function* () {
        yield* tokens.set("a", loginToken("a"))
        yield* tokens.set("b", loginToken("b"))
        yield* TestClock.adjust("40 seconds")
        yield* tokens.get("b")
        yield* TestClock.adjust("30 seconds") // a idle for 70 s, b for 30 s
        expect(yield* Effect.flip(tokens.get("a"))).toMatchObject({ reason: "NoGrant" })
        expect(yield* tokens.keys).toEqual(["b"])
      })
    )
  )

  it.effect("with a store: an evicted key is restored from it, and logout removes it there too", () =>
    Effect.gen(function* () {
      const store = yield* KeyValueStore.KeyValueStore
      yield* withKeyed(
        (seen) => (seen.url === endpoints.revocationEndpoint ? new Response(null, { status: 200 }) : refreshAnswers()(seen)),
        { store, capacity: 1 },
        (tokens, seen) =>
          Effect.gen(function* () {
            yield* tokens.set("a", loginToken("a"))
            expect(Option.isSome(yield* store.get("oauth2:token:a"))).toBe(true)
            yield* tokens.set("b", loginToken("b")) // a leaves memory
            expect(yield* tokens.keys).toEqual(["b"])
            expect(value(yield* tokens.get("a"))).toBe("AT-a-0") // from the store, no request
            expect(seen).toHaveLength(0)
            yield* tokens.logout("a")
            expect(Option.isNone(yield* store.get("oauth2:token:a"))).toBe(true)
            expect(yield* Effect.flip(tokens.get("a"))).toMatchObject({ reason: "NoGrant" })
            expect(yield* tokens.keys).not.toContain("a") // no source is kept for a key without a token
            const revoked = seen.filter((s) => s.url === endpoints.revocationEndpoint)
            expect(revoked.map((s) => [s.form.get("token"), s.form.get("token_type_hint")])).toEqual([
              ["RT-a", "refresh_token"],
              ["AT-a-0", "access_token"]
            ])
          })
      )
    }).pipe(Effect.provide(KeyValueStore.layerMemory))
  )

  it.effect("logout during a renewal: the renewal's token is revoked, not stored, and the key stays logged out", () =>
    Effect.gen(function* () {
      const store = yield* KeyValueStore.KeyValueStore
      const gate = yield* Deferred.make<void>()
      yield* withKeyed(rotating(gate), { store }, (tokens, seen) =>
        Effect.gen(function* () {
          yield* tokens.set("a", loginToken("a"))
          yield* TestClock.adjust("11 seconds") // expired
          const renewing = yield* Effect.fork(tokens.get("a"))
          yield* TestClock.adjust("1 millis")
          expect(tokenRequests(seen)).toHaveLength(1) // the refresh is held open
          const loggingOut = yield* Effect.fork(tokens.logout("a"))
          yield* TestClock.adjust("1 millis")
          expect(Option.isNone(yield* store.get("oauth2:token:a"))).toBe(true)
          yield* Deferred.succeed(gate, undefined) // the refresh answers after the logout
          expect(value(yield* Fiber.join(renewing))).toBe("AT-a-1")
          yield* Fiber.join(loggingOut)
          expect(Option.isNone(yield* store.get("oauth2:token:a"))).toBe(true)
          expect(yield* Effect.flip(tokens.get("a"))).toMatchObject({ reason: "NoGrant" })
          // the rotated refresh token (the live one) is revoked
          expect(revocations(seen)).toEqual([
            ["RT-a-2", "refresh_token"],
            ["AT-a-1", "access_token"]
          ])
          expect(tokenRequests(seen)).toHaveLength(1)
        })
      )
    }).pipe(Effect.provide(KeyValueStore.layerMemory))
  )

  it.effect("logout revokes an invalidated token, and a stored one its source has not read yet", () =>
    Effect.gen(function* () {
      const store = yield* KeyValueStore.KeyValueStore
      yield* withKeyed(rotating(), { store, capacity: 1 }, (tokens, seen) =>
        Effect.gen(function* () {
          yield* tokens.set("a", loginToken("a"))
          yield* tokens.invalidate("a") // a 401: the access token is stale, the refresh token still holds the grant
          expect(yield* tokens.current("a")).toEqual(Option.none())
          yield* tokens.logout("a")
          expect(revocations(seen)).toEqual([
            ["RT-a", "refresh_token"],
            ["AT-a-0", "access_token"]
          ])
          yield* tokens.set("b", loginToken("b"))
          yield* tokens.set("c", loginToken("c")) // b leaves memory
          yield* tokens.source("b") // a source for b, that has not read the store
          yield* tokens.logout("b")
          expect(revocations(seen).slice(2)).toEqual([
            ["RT-b", "refresh_token"],
            ["AT-b-0", "access_token"]
          ])
          expect(Option.isNone(yield* store.get("oauth2:token:b"))).toBe(true)
          expect(tokenRequests(seen)).toHaveLength(0)
        })
      )
    }).pipe(Effect.provide(KeyValueStore.layerMemory))
  )

  it.effect("a key renewing is not evicted to make room: its callers share the one refresh", () =>
    Effect.gen(function* () {
      const store = yield* KeyValueStore.KeyValueStore
      const gate = yield* Deferred.make<void>()
      yield* withKeyed(rotating(gate), { store, capacity: 1 }, (tokens, seen) =>
        Effect.gen(function* () {
          yield* tokens.set("a", loginToken("a"))
          yield* TestClock.adjust("11 seconds")
          const first = yield* Effect.fork(tokens.get("a"))
          yield* TestClock.adjust("1 millis")
          yield* tokens.set("b", loginToken("b")) // over capacity while a renews
          expect(yield* tokens.keys).toEqual(["a", "b"])
          const second = yield* Effect.fork(tokens.get("a"))
          yield* TestClock.adjust("1 millis")
          yield* Deferred.succeed(gate, undefined)
          expect(value(yield* Fiber.join(first))).toBe("AT-a-1")
          expect(value(yield* Fiber.join(second))).toBe("AT-a-1")
          expect(tokenRequests(seen).map((s) => s.form.get("refresh_token"))).toEqual(["RT-a"]) // never reused
          yield* tokens.set("c", loginToken("c")) // a has renewed: it may go now
          expect(yield* tokens.keys).toEqual(["c"])
        })
      )
    }).pipe(Effect.provide(KeyValueStore.layerMemory))
  )

  it.effect("invalidate on a key whose source has not read the store invalidates the stored token", () =>
    Effect.gen(function* () {
      const store = yield* KeyValueStore.KeyValueStore
      yield* withKeyed(rotating(), { store, capacity: 1 }, (tokens, seen) =>
        Effect.gen(function* () {
          yield* tokens.set("a", loginToken("a"))
          yield* tokens.set("b", loginToken("b")) // a leaves memory
          yield* tokens.invalidate("a", loginToken("a")) // the server refused AT-a-0
          expect(value(yield* tokens.get("a"))).toBe("AT-a-1") // refreshed, not the refused token
          expect(tokenRequests(seen).map((s) => s.form.get("refresh_token"))).toEqual(["RT-a"])
        })
      )
    }).pipe(Effect.provide(KeyValueStore.layerMemory))
  )

  it.effect("the logs name a key by a digest, never the key itself (a session id)", () =>
    Effect.gen(function* () {
      const store = yield* KeyValueStore.KeyValueStore
      yield* store.set("oauth2:token:session-SECRET", "not-a-token")
      const logs: Array<string> = []
      const capture = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ annotations, message }) => logs.push(JSON.stringify({ message, annotations: [...annotations] })))
      )
      yield* withKeyed(rotating(), { store }, (tokens) => Effect.flip(tokens.get("session-SECRET"))).pipe(Effect.provide(capture))
      const all = logs.join("\n")
      expect(all).toContain("not a token")
      expect(all).not.toContain("SECRET")
    }).pipe(Effect.provide(KeyValueStore.layerMemory))
  )

  it.effect("a coordinator per key: each key's renewals go to its own, whose scope closes when the key leaves memory", () =>
    Effect.gen(function* () {
      const made: Array<string> = []
      const renewed: Array<string> = []
      const closed = new Map<string, Deferred.Deferred<number>>()
      let generation = 0
      /** A fake coordinator that renews locally, records its key's renewals, and its scope's closing. */
      const coordinator = (key: string): Effect.Effect<TokenSource.Coordinator, never, Scope.Scope> =>
        Effect.gen(function* () {
          made.push(key)
          const done = yield* Deferred.make<number>()
          closed.set(key, done)
          const id = ++generation
          yield* Effect.addFinalizer(() => Deferred.succeed(done, id))
          return {
            renew: (renewal) => Effect.suspend(() => (renewed.push(key), renewal.renew(renewal.current))),
            invalidate: () => Effect.void
          }
        })
      const isClosed = (key: string) => Deferred.isDone(closed.get(key)!)
      yield* withKeyed(rotating(), { coordinator, capacity: 2 }, (tokens, seen) =>
        Effect.gen(function* () {
          yield* tokens.set("alice", loginToken("alice"))
          yield* tokens.set("bob", loginToken("bob"))
          expect(made).toEqual(["alice", "bob"])
          yield* TestClock.adjust("11 seconds") // both expired
          expect(value(yield* tokens.get("alice"))).toBe("AT-alice-1")
          expect(value(yield* tokens.get("bob"))).toBe("AT-bob-1")
          expect(renewed).toEqual(["alice", "bob"])
          expect(tokenRequests(seen).map((s) => s.form.get("refresh_token"))).toEqual(["RT-alice", "RT-bob"])
          expect(yield* isClosed("alice")).toBe(false)

          // evicted: alice's coordinator is released
          const alice = closed.get("alice")!
          yield* tokens.evict("alice")
          yield* Deferred.await(alice)
          expect(yield* isClosed("bob")).toBe(false)

          // the capacity pushes bob out (least recently used): his coordinator is released
          yield* tokens.set("carol", loginToken("carol"))
          yield* tokens.set("dave", loginToken("dave"))
          yield* Deferred.await(closed.get("bob")!)
          expect(yield* tokens.keys).toEqual(["carol", "dave"])
          expect(yield* isClosed("carol")).toBe(false)

          // replaced by a new login: the old coordinator is released, the new one kept
          const carol = closed.get("carol")!
          yield* tokens.set("carol", loginToken("carol"))
          expect(yield* Deferred.await(carol)).toBe(3) // the first carol's (alice 1, bob 2, carol 3, dave 4)
          expect(yield* isClosed("carol")).toBe(false)

          // logged out: released
          yield* tokens.logout("dave")
          yield* Deferred.await(closed.get("dave")!)
          expect(made).toEqual(["alice", "bob", "carol", "dave", "carol"])
        })
      )
      // the keyed source's scope closed: the coordinators still held are released too
      yield* Deferred.await(closed.get("carol")!)
    })
  )

  it.effect("with a coordinator: an idle key's and an unknown key's coordinators are released", () =>
    Effect.gen(function* () {
      const closed = new Map<string, Deferred.Deferred<void>>()
      const coordinator = (key: string): Effect.Effect<TokenSource.Coordinator, never, Scope.Scope> =>
        Effect.gen(function* () {
          const done = yield* Deferred.make<void>()
          closed.set(key, done)
          yield* Effect.addFinalizer(() => Deferred.succeed(done, undefined))
          return { renew: (renewal) => renewal.renew(renewal.current), invalidate: () => Effect.void }
        })
      yield* withKeyed(rotating(), { coordinator, idleTimeout: "1 minute" }, (tokens, seen) =>
        Effect.gen(function* () {
          yield* tokens.set("alice", loginToken("alice"))
          yield* TestClock.adjust("2 minutes")
          // alice is idle: dropped on the next use of any key, her coordinator released
          yield* tokens.set("bob", loginToken("bob"))
          yield* Deferred.await(closed.get("alice")!)
          expect(yield* tokens.keys).toEqual(["bob"])
          // a key nobody holds a token for (here or in the coordinator's shared store): tried, then dropped and released
          const e = yield* Effect.flip(tokens.get("nobody"))
          expect(e).toMatchObject({ _tag: "TokenUnavailable", reason: "NoGrant" })
          yield* Deferred.await(closed.get("nobody")!)
          expect(yield* tokens.keys).toEqual(["bob"])
          expect(yield* Deferred.isDone(closed.get("bob")!)).toBe(false)
          // an idle key used again: its old coordinator is released, a new one made
          yield* TestClock.adjust("2 minutes")
          const bobs = closed.get("bob")!
          yield* Effect.flip(tokens.get("bob")) // the fake coordinator shares nothing: no token once bob's source is gone
          yield* Deferred.await(bobs)
          expect(closed.get("bob")).not.toBe(bobs)
          expect(tokenRequests(seen)).toHaveLength(0)
        })
      )
    })
  )

  it.effect("with a coordinator: a key whose renewal backs off (another process failed) stays in memory, with its token", () =>
    Effect.gen(function* () {
      let backingOff = true
      const coordinator = (): Effect.Effect<TokenSource.Coordinator, never, Scope.Scope> =>
        Effect.succeed({
          renew: (renewal) =>
            backingOff ? Effect.fail(renewal.unavailable("BackingOff", { error: "ServerError" })) : renewal.renew(renewal.current),
          invalidate: () => Effect.void
        })
      yield* withKeyed(rotating(), { coordinator }, (tokens, seen) =>
        Effect.gen(function* () {
          yield* tokens.set("alice", loginToken("alice"))
          const e = yield* Effect.flip(tokens.renew("alice"))
          expect(e).toMatchObject({ _tag: "TokenUnavailable", reason: "BackingOff", cause: { error: "ServerError" } })
          // kept: the back-off ends, and the key's refresh token is still there to renew with
          expect(yield* tokens.keys).toEqual(["alice"])
          backingOff = false
          expect(Redacted.value((yield* tokens.renew("alice")).accessToken)).toBe("AT-alice-1")
          expect(tokenRequests(seen)).toHaveLength(1)
        })
      )
    })
  )
})
