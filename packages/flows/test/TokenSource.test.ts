import { Error as PlatformError, KeyValueStore } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { BearerToken, TokenRequest } from "@oauth2/core"
import { Grants, TokenSource } from "@oauth2/flows"
import { FakeHttp } from "@oauth2/testing"
import { DateTime, Deferred, Effect, Either, Exit, Fiber, Layer, Logger, Option, Redacted, Scope, TestClock } from "effect"
import { clientLayer, oauthError, tokenAnswer, tokenRequests } from "./support.js"

const grant = TokenRequest.clientCredentials({ scope: "read" })

/** A source over a fake network answering `respond`; the test gets the source and the requests seen. */
const withSource = <A, E>(
  respond: (seen: FakeHttp.ClientRequest, index: number) => FakeHttp.Answer | Effect.Effect<FakeHttp.Answer>,
  options: TokenSource.Options<never>,
  use: (source: TokenSource.TokenSource, seen: ReadonlyArray<FakeHttp.ClientRequest>) => Effect.Effect<A, E>
) => {
  const http = FakeHttp.make(respond)
  return TokenSource.make(options).pipe(
    Effect.flatMap((source) => use(source, http.seen)),
    Effect.scoped,
    Effect.provide(clientLayer(http))
  )
}

const value = (token: BearerToken.BearerToken) => Redacted.value(token.accessToken)

describe("TokenSource: fetch, cache, renew", () => {
  it.effect("fetches on first use, caches, and renews when the token expires within the leeway (30 s)", () =>
    withSource(
      () => tokenAnswer({ expires_in: 60 }),
      { grant },
      (source, seen) =>
        Effect.gen(function* () {
          expect(seen.length).toBe(0) // nothing before first use
          const first = yield* source.get
          const again = yield* source.get
          expect(value(again)).toBe(value(first))
          yield* TestClock.adjust("29 seconds") // expires in 31 s: outside the leeway
          expect(value(yield* source.get)).toBe(value(first))
          yield* TestClock.adjust("1 second") // expires in 30 s: inside
          const renewed = yield* source.get
          expect(value(renewed)).not.toBe(value(first))
          expect(tokenRequests(seen).length).toBe(2)
          expect(seen[0]!.form.get("grant_type")).toBe("client_credentials")
          expect(seen[0]!.form.get("scope")).toBe("read")
        })
    )
  )

  it.effect("a configurable leeway", () =>
    withSource(
      () => tokenAnswer({ expires_in: 60 }),
      { grant, leeway: "5 seconds" },
      (source, seen) =>
        Effect.gen(function* () {
          yield* source.get
          yield* TestClock.adjust("54 seconds")
          yield* source.get
          expect(seen.length).toBe(1)
          yield* TestClock.adjust("1 second")
          yield* source.get
          expect(seen.length).toBe(2)
        })
    )
  )

  it.effect("a token living less than the leeway is renewed at half its lifetime, not at every call", () =>
    withSource(
      () => tokenAnswer({ expires_in: 20 }),
      { grant },
      (source, seen) =>
        Effect.gen(function* () {
          yield* source.get
          yield* TestClock.adjust("9 seconds")
          yield* source.get
          expect(seen.length).toBe(1)
          yield* TestClock.adjust("1 second")
          yield* source.get
          expect(seen.length).toBe(2)
        })
    )
  )

  it.effect("a token without expires_in is kept until invalidated", () =>
    withSource(
      () => tokenAnswer({ expires_in: undefined }),
      { grant },
      (source, seen) =>
        Effect.gen(function* () {
          yield* source.get
          yield* TestClock.adjust("3650 days")
          yield* source.get
          expect(seen.length).toBe(1)
          yield* source.invalidate()
          yield* source.get
          expect(seen.length).toBe(2)
        })
    )
  )

  it.effect("renew forces a new token; current shows the cached one without renewing", () =>
    withSource(
      () => tokenAnswer(),
      { grant },
      (source, seen) =>
        Effect.gen(function* () {
          expect(Option.isNone(yield* source.current)).toBe(true)
          const first = yield* source.get
          const renewed = yield* source.renew
          expect(value(renewed)).not.toBe(value(first))
          expect(Option.map(yield* source.current, value)).toEqual(Option.some(value(renewed)))
          expect(seen.length).toBe(2)
        })
    )
  )

  it.effect("a grant given as a program marked repeatable is run again for each renewal", () =>
    Effect.gen(function* () {
      let runs = 0
      const program = Effect.flatMap(DateTime.now, (now) =>
        Effect.sync(() => BearerToken.make({ accessToken: `P-${++runs}`, issuedAt: now, expiresAt: DateTime.add(now, { seconds: 40 }) }))
      )
      yield* withSource(
        () => tokenAnswer(),
        { grant: TokenSource.repeatable(program) },
        (source, seen) =>
          Effect.gen(function* () {
            expect(value(yield* source.get)).toBe("P-1")
            yield* TestClock.adjust("19 seconds") // a 40 s token: renewed when less than 20 s (half its life) remain
            expect(value(yield* source.get)).toBe("P-1")
            yield* TestClock.adjust("1 second")
            expect(value(yield* source.get)).toBe("P-2")
            expect(seen.length).toBe(0)
          })
      )
    })
  )

  it.effect("without a grant or a token: TokenUnavailable (NoGrant)", () =>
    withSource(
      () => tokenAnswer(),
      {},
      (source) =>
        Effect.gen(function* () {
          expect(yield* Effect.flip(source.get)).toMatchObject({ _tag: "TokenUnavailable", reason: "NoGrant" })
        })
    )
  )
})

describe("TokenSource: refresh", () => {
  const held = (fields: { readonly expiresAt?: DateTime.Utc; readonly withRefreshToken?: boolean } = {}) =>
    BearerToken.make({
      accessToken: "AT-held",
      ...(fields.withRefreshToken === false ? {} : { refreshToken: "RT-1" }),
      // issued an hour ago, expires at 10 s
      issuedAt: DateTime.unsafeMake(10_000 - 3_600_000),
      expiresAt: fields.expiresAt ?? DateTime.unsafeMake(10_000)
    })

  it.effect("uses the refresh token of an expired token, and keeps it when the answer has none", () =>
    withSource(
      () => tokenAnswer({ expires_in: 60 }),
      { token: held(), refresh: { scope: "read" } },
      (source, seen) =>
        Effect.gen(function* () {
          const renewed = yield* source.get // expires at 10 s: within the 30 s leeway
          expect(seen[0]!.form.get("grant_type")).toBe("refresh_token")
          expect(seen[0]!.form.get("refresh_token")).toBe("RT-1")
          expect(seen[0]!.form.get("scope")).toBe("read")
          expect(Redacted.value(renewed.refreshToken!)).toBe("RT-1")
          yield* TestClock.adjust("31 seconds")
          yield* source.get
          expect(seen[1]!.form.get("refresh_token")).toBe("RT-1")
        })
    )
  )

  it.effect("keeps the refresh token when the answer has none, without ID token validation too (client.token)", () =>
    withSource(
      () => tokenAnswer({ expires_in: 60 }),
      { token: held(), validateIdToken: false },
      (source, seen) =>
        Effect.gen(function* () {
          const renewed = yield* source.get
          expect(Redacted.value(renewed.refreshToken!)).toBe("RT-1")
          yield* TestClock.adjust("31 seconds")
          yield* source.get
          expect(seen.map((s) => s.form.get("refresh_token"))).toEqual(["RT-1", "RT-1"])
        })
    )
  )

  it.effect("Grants.refreshToken keeps the refresh token when the answer has none", () => {
    const http = FakeHttp.make(() => tokenAnswer())
    return Effect.gen(function* () {
      const renewed = yield* Grants.refreshToken({ refreshToken: held() })
      expect(Redacted.value(renewed.refreshToken!)).toBe("RT-1")
      expect(http.seen[0]!.form.get("refresh_token")).toBe("RT-1")
    }).pipe(Effect.provide(clientLayer(http)))
  })

  it.effect("uses a rotated refresh token next time", () =>
    withSource(
      () => tokenAnswer({ expires_in: 60, refresh_token: `RT-${Math.random()}` }),
      { token: held() },
      (source, seen) =>
        Effect.gen(function* () {
          const first = yield* source.get
          yield* TestClock.adjust("31 seconds")
          yield* source.get
          expect(seen[1]!.form.get("refresh_token")).toBe(Redacted.value(first.refreshToken!))
        })
    )
  )

  it.effect("falls back to a repeatable grant when the refresh token is refused (invalid_grant)", () =>
    withSource(
      (s) => (s.form.get("grant_type") === "refresh_token" ? oauthError("invalid_grant") : tokenAnswer()),
      { token: held(), grant },
      (source, seen) =>
        Effect.gen(function* () {
          const token = yield* source.get
          expect(seen.map((s) => s.form.get("grant_type"))).toEqual(["refresh_token", "client_credentials"])
          expect(token.refreshToken).toBeUndefined()
        })
    )
  )

  it.effect("without a repeatable grant, a refused refresh fails with TokenUnavailable (RefreshRefused), then (NotRenewable)", () =>
    withSource(
      () => oauthError("invalid_grant"),
      { token: held(), grant: TokenRequest.authorizationCode({ code: "used" }) },
      (source, seen) =>
        Effect.gen(function* () {
          yield* TestClock.adjust("11 seconds") // the held token is expired
          const first = yield* Effect.flip(source.get)
          expect(first).toMatchObject({ _tag: "TokenUnavailable", reason: "RefreshRefused", cause: { _tag: "InvalidGrant" } })
          // the authorization code is the grant the held token came from: it is not sent again
          expect(seen.map((s) => s.form.get("grant_type"))).toEqual(["refresh_token"])
          const second = yield* Effect.flip(source.get)
          expect(second).toMatchObject({ _tag: "TokenUnavailable", reason: "NotRenewable" })
          expect(seen.length).toBe(1)
        })
    )
  )

  it.effect("a single-use grant is sent once, on first use, then the refresh token takes over", () =>
    withSource(
      (s) => (s.form.get("grant_type") === "authorization_code" ? tokenAnswer({ refresh_token: "RT-code", expires_in: 60 }) : tokenAnswer()),
      { grant: TokenRequest.authorizationCode({ code: "C" }) },
      (source, seen) =>
        Effect.gen(function* () {
          yield* source.get
          yield* TestClock.adjust("31 seconds")
          yield* source.get
          expect(seen.map((s) => s.form.get("grant_type"))).toEqual(["authorization_code", "refresh_token"])
          expect(seen[1]!.form.get("refresh_token")).toBe("RT-code")
        })
    )
  )

  it.effect("a refused refresh while the held token is still valid: the held token is used until it expires", () =>
    withSource(
      () => oauthError("invalid_grant"),
      { token: held() },
      (source, seen) =>
        Effect.gen(function* () {
          expect(value(yield* source.get)).toBe("AT-held") // expires at 10 s: within the leeway, still valid
          expect(seen.length).toBe(1)
          yield* TestClock.adjust("10 seconds")
          expect(yield* Effect.flip(source.get)).toMatchObject({ _tag: "TokenUnavailable", reason: "NoGrant" })
          expect(seen.length).toBe(1)
        })
    )
  )

  it.effect("a token without refresh token and without grant cannot be renewed", () =>
    withSource(
      () => tokenAnswer(),
      { token: held({ withRefreshToken: false }) },
      (source, seen) =>
        Effect.gen(function* () {
          yield* TestClock.adjust("10 seconds")
          expect(yield* Effect.flip(source.get)).toMatchObject({ _tag: "TokenUnavailable", reason: "NoGrant" })
          expect(seen.length).toBe(0)
        })
    )
  )

  it.effect("refresh: false uses the grant even when there is a refresh token", () =>
    withSource(
      () => tokenAnswer(),
      { token: held(), grant, refresh: false },
      (source, seen) =>
        Effect.gen(function* () {
          yield* source.get
          expect(seen[0]!.form.get("grant_type")).toBe("client_credentials")
        })
    )
  )

  it.effect("invalidate: the next get renews with the refresh token; invalidating an old token is a no-op", () =>
    withSource(
      () => tokenAnswer({ refresh_token: "RT-2" }),
      { token: held({ expiresAt: DateTime.unsafeMake(3_600_000) }) },
      (source, seen) =>
        Effect.gen(function* () {
          const old = yield* source.get
          expect(seen.length).toBe(0)
          yield* source.invalidate(old)
          const renewed = yield* source.get
          expect(seen.length).toBe(1)
          yield* source.invalidate(old) // another fiber's late invalidation
          expect(value(yield* source.get)).toBe(value(renewed))
          expect(seen.length).toBe(1)
        })
    )
  )
})

describe("TokenSource: a refused refresh (issue 13)", () => {
  const held = BearerToken.make({
    accessToken: "AT-held",
    refreshToken: "RT-dead",
    issuedAt: DateTime.unsafeMake(10_000 - 3_600_000),
    expiresAt: DateTime.unsafeMake(10_000)
  })

  it.effect("invalid_grant: the first get fails with TokenUnavailable (RefreshRefused) keeping the InvalidGrant as cause", () =>
    withSource(
      () => oauthError("invalid_grant"),
      { token: held },
      (source, seen) =>
        Effect.gen(function* () {
          yield* TestClock.adjust("11 seconds")
          const first = yield* Effect.flip(source.get)
          expect(first).toMatchObject({ _tag: "TokenUnavailable", reason: "RefreshRefused", cause: { _tag: "InvalidGrant" } })
          const second = yield* Effect.flip(source.get)
          expect(second).toMatchObject({ _tag: "TokenUnavailable" })
          expect(seen.length).toBe(1)
        })
    )
  )

  it.effect("a 400 with an empty body to a refresh counts as refused: the dead refresh token is not sent again", () =>
    withSource(
      () => new Response("", { status: 400 }),
      { token: held },
      (source, seen) =>
        Effect.gen(function* () {
          yield* TestClock.adjust("11 seconds")
          expect(yield* Effect.flip(source.get)).toMatchObject({ _tag: "TokenUnavailable", reason: "RefreshRefused" })
          yield* Effect.flip(source.get)
          yield* Effect.flip(source.get)
          expect(seen.length).toBe(1)
        })
    )
  )

  it.effect("a transient answer (503, 429) keeps the refresh token for the next get", () =>
    withSource(
      (_, i) => (i === 0 ? oauthError("temporarily_unavailable", 503) : i === 1 ? new Response("", { status: 429 }) : tokenAnswer()),
      { token: held },
      (source, seen) =>
        Effect.gen(function* () {
          yield* TestClock.adjust("11 seconds")
          yield* Effect.flip(source.get)
          yield* Effect.flip(source.get)
          yield* source.get
          expect(seen.map((s) => s.form.get("refresh_token"))).toEqual(["RT-dead", "RT-dead", "RT-dead"])
        })
    )
  )

  it.effect("a program grant is single-use: a refused refresh does not run it again (a spent device code)", () =>
    Effect.gen(function* () {
      let runs = 0
      const deviceProgram = Effect.flatMap(DateTime.now, (now) =>
        Effect.sync(() =>
          BearerToken.make({ accessToken: `D-${++runs}`, refreshToken: "RT-device", issuedAt: now, expiresAt: DateTime.add(now, { seconds: 60 }) })
        )
      )
      yield* withSource(
        () => oauthError("invalid_grant"),
        { grant: deviceProgram },
        (source, seen) =>
          Effect.gen(function* () {
            expect(value(yield* source.get)).toBe("D-1")
            yield* TestClock.adjust("61 seconds")
            expect(yield* Effect.flip(source.get)).toMatchObject({ _tag: "TokenUnavailable", reason: "RefreshRefused" })
            expect(runs).toBe(1)
            expect(seen.length).toBe(1)
          })
      )
    })
  )

  it.effect("a program marked repeatable (a fresh JWT bearer assertion each time) is run again", () =>
    Effect.gen(function* () {
      let runs = 0
      const program = Effect.flatMap(DateTime.now, (now) =>
        Effect.sync(() => BearerToken.make({ accessToken: `J-${++runs}`, issuedAt: now, expiresAt: DateTime.add(now, { seconds: 60 }) }))
      )
      yield* withSource(
        () => tokenAnswer(),
        { grant: TokenSource.repeatable(program) },
        (source) =>
          Effect.gen(function* () {
            expect(value(yield* source.get)).toBe("J-1")
            yield* TestClock.adjust("61 seconds")
            expect(value(yield* source.get)).toBe("J-2")
          })
      )
    })
  )
})

describe("TokenSource: bad stored data and failing persistence (issue 13)", () => {
  const answering = (value: Option.Option<unknown>) =>
    KeyValueStore.makeStringOnly({
      get: () => Effect.succeed(value as Option.Option<string>),
      set: () => Effect.void,
      remove: () => Effect.void,
      clear: Effect.void,
      size: Effect.succeed(0)
    })

  for (const [name, garbage] of [
    ["Some(null)", null],
    ["Some(42)", 42],
    ["Some({})", {}],
    ["Some('{\"x\":1}')", '{"x":1}']
  ] as const) {
    it.effect(`a store answering ${name} is ignored: the grant is used`, () =>
      withSource(
        () => tokenAnswer(),
        { grant, store: { store: answering(Option.some(garbage)), key: "k" } },
        (source, seen) =>
          Effect.gen(function* () {
            const token = yield* source.get
            expect(value(token)).toMatch(/^AT-/)
            yield* source.get
            expect(seen.length).toBe(1)
          })
      )
    )
  }

  it.effect("a persist that fails or dies (a deeply nested token, a broken store) is logged, and the token in hand is kept", () =>
    Effect.gen(function* () {
      const memory = KeyValueStore.makeStringOnly({
        get: () => Effect.succeed(Option.none()),
        set: () => Effect.die(new RangeError("Maximum call stack size exceeded")),
        remove: () => Effect.void,
        clear: Effect.void,
        size: Effect.succeed(0)
      })
      let deep: Record<string, unknown> = {}
      const root = deep
      for (let i = 0; i < 100_000; i++) {
        const next: Record<string, unknown> = {}
        deep["n"] = next
        deep = next
      }
      const logs: Array<string> = []
      const capture = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ message }) => logs.push(String(message)))
      )
      const program = Effect.flatMap(DateTime.now, (now) =>
        Effect.succeed(BearerToken.make({ accessToken: "AT-deep", issuedAt: now, expiresAt: DateTime.add(now, { hours: 1 }), extra: { deep: root } }))
      )
      const exit = yield* Effect.exit(
        withSource(
          () => tokenAnswer(),
          { grant: program, store: { store: memory, key: "k" } },
          (source) => Effect.zipRight(source.get, Effect.zipRight(TestClock.adjust("1 second"), source.get))
        ).pipe(Effect.provide(capture))
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      if (Exit.isSuccess(exit)) expect(value(exit.value)).toBe("AT-deep")
      expect(logs.join("\n")).toContain("could not store the token")
    })
  )
})

describe("TokenSource: single flight", () => {
  it.effect("10,000 fibers asking at once for an expired token cause exactly one token request", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      yield* withSource(
        (_, i) => (i === 0 ? Effect.as(Deferred.await(gate), tokenAnswer()) : tokenAnswer()),
        { grant },
        (source, seen) =>
          Effect.gen(function* () {
            const started = performance.now()
            const all = yield* Effect.fork(
              Effect.all(
                Array.from({ length: 10_000 }, () => source.get),
                { concurrency: "unbounded" }
              )
            )
            yield* TestClock.adjust("1 millis") // returns once every fiber is suspended, waiting
            expect(seen.length).toBe(1)
            yield* Deferred.succeed(gate, undefined)
            const tokens = yield* Fiber.join(all)
            const elapsed = performance.now() - started
            expect(seen.length).toBe(1)
            expect(new Set(tokens.map(value)).size).toBe(1)
            console.log(`single flight: 10,000 concurrent get, 1 token request, ${elapsed.toFixed(0)} ms`)
          })
      )
    })
  )

  it.effect("a failed renewal fails every waiting caller with its error, and the next call tries again", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      yield* withSource(
        (_, i) => (i === 0 ? Effect.as(Deferred.await(gate), oauthError("invalid_client", 401)) : tokenAnswer()),
        { grant },
        (source, seen) =>
          Effect.gen(function* () {
            const all = yield* Effect.fork(
              Effect.all(
                Array.from({ length: 10_000 }, () => Effect.flip(source.get)),
                { concurrency: "unbounded" }
              )
            )
            yield* TestClock.adjust("1 millis")
            yield* Deferred.succeed(gate, undefined)
            const errors = yield* Fiber.join(all)
            expect(new Set(errors.map((e) => e._tag))).toEqual(new Set(["InvalidClient"]))
            expect(seen.length).toBe(1)
            yield* source.get
            expect(seen.length).toBe(2)
          })
      )
    })
  )

  it.effect("a failed renewal ahead of expiry keeps the still-valid token; the next call tries again", () =>
    withSource(
      (_, i) => (i === 1 ? oauthError("temporarily_unavailable", 503) : tokenAnswer({ expires_in: 60 })),
      { grant },
      (source, seen) =>
        Effect.gen(function* () {
          const first = yield* source.get
          yield* TestClock.adjust("40 seconds") // within the leeway, still valid for 20 s
          expect(value(yield* source.get)).toBe(value(first))
          expect(seen.length).toBe(2)
          const renewed = yield* source.get
          expect(value(renewed)).not.toBe(value(first))
          expect(seen.length).toBe(3)
        })
    )
  )

  it.effect("a forced renewal that fails reports the error", () =>
    withSource(
      (_, i) => (i === 1 ? oauthError("temporarily_unavailable", 503) : tokenAnswer()),
      { grant },
      (source) =>
        Effect.gen(function* () {
          yield* source.get
          expect((yield* Effect.flip(source.renew))._tag).toBe("TemporarilyUnavailable")
        })
    )
  )

  it.effect("a caller interrupted while waiting does not cancel the renewal others wait for", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      yield* withSource(
        (_, i) => (i === 0 ? Effect.as(Deferred.await(gate), tokenAnswer()) : tokenAnswer()),
        { grant },
        (source, seen) =>
          Effect.gen(function* () {
            const first = yield* Effect.fork(source.get)
            const second = yield* Effect.fork(source.get)
            yield* TestClock.adjust("1 millis")
            yield* Fiber.interrupt(first)
            yield* Deferred.succeed(gate, undefined)
            const token = yield* Fiber.join(second)
            expect(value(token)).toMatch(/^AT-/)
            expect(seen.length).toBe(1)
          })
      )
    })
  )
})

describe("TokenSource: single flight, guarantees under concurrency", () => {
  /** A token held since an hour ago, expiring at 10 s, with refresh token RT-1. */
  const held = BearerToken.make({
    accessToken: "AT-held",
    refreshToken: "RT-1",
    issuedAt: DateTime.unsafeMake(10_000 - 3_600_000),
    expiresAt: DateTime.unsafeMake(10_000)
  })
  const many = <A, E>(n: number, effect: Effect.Effect<A, E>) =>
    Effect.all(
      Array.from({ length: n }, () => effect),
      { concurrency: "unbounded" }
    )
  /** A fake network whose first answer waits for `gate`. */
  const gated = (gate: Deferred.Deferred<void>, first: () => FakeHttp.Answer) => (_: FakeHttp.ClientRequest, i: number) =>
    i === 0 ? Effect.zipRight(Deferred.await(gate), Effect.sync(first)) : tokenAnswer()

  it.effect("1,000 concurrent gets of an expired token: one refresh request, and every caller gets the token it answered", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      yield* withSource(
        gated(gate, () => tokenAnswer({ access_token: "AT-renewed" })),
        { token: held },
        (source, seen) =>
          Effect.gen(function* () {
            yield* TestClock.adjust("11 seconds") // the held token is expired
            const all = yield* Effect.fork(many(1_000, source.get))
            yield* TestClock.adjust("1 millis")
            expect(seen.length).toBe(1)
            yield* Deferred.succeed(gate, undefined)
            const tokens = yield* Fiber.join(all)
            expect(new Set(tokens.map(value))).toEqual(new Set(["AT-renewed"]))
            expect(seen.map((s) => s.form.get("grant_type"))).toEqual(["refresh_token"])
            expect(Option.map(yield* source.current, value)).toEqual(Option.some("AT-renewed"))
            // later callers are answered from the cache
            yield* many(1_000, source.get)
            expect(seen.length).toBe(1)
          })
      )
    })
  )

  it.effect("a failed renewal gives every waiter the same error, and keeps the token in hand and its refresh token", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      yield* withSource(
        gated(gate, () => oauthError("server_error", 500)),
        { token: held },
        (source, seen) =>
          Effect.gen(function* () {
            yield* TestClock.adjust("11 seconds")
            const all = yield* Effect.fork(many(1_000, Effect.flip(source.get)))
            yield* TestClock.adjust("1 millis")
            yield* Deferred.succeed(gate, undefined)
            const errors = yield* Fiber.join(all)
            expect(new Set(errors).size).toBe(1) // one renewal, one error value, shared
            expect(errors[0]!._tag).toBe("ServerError")
            expect(seen.length).toBe(1)
            // the expired token is kept, with its refresh token: the next call refreshes with it
            expect(Option.map(yield* source.current, value)).toEqual(Option.some("AT-held"))
            const renewed = yield* source.get
            expect(seen.map((s) => s.form.get("refresh_token"))).toEqual(["RT-1", "RT-1"])
            expect(value(renewed)).toMatch(/^AT-\d/)
          })
      )
    })
  )

  it.effect("a failed renewal ahead of expiry answers every waiter the still-valid token in hand", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      yield* withSource(
        gated(gate, () => oauthError("temporarily_unavailable", 503)),
        { token: held },
        (source, seen) =>
          Effect.gen(function* () {
            // at 0 s the held token expires in 10 s: inside the leeway, so renewed, but still valid
            const all = yield* Effect.fork(many(1_000, source.get))
            yield* TestClock.adjust("1 millis")
            yield* Deferred.succeed(gate, undefined)
            expect(new Set((yield* Fiber.join(all)).map(value))).toEqual(new Set(["AT-held"]))
            expect(seen.length).toBe(1)
          })
      )
    })
  )

  it.effect("interrupting waiters, the one that started the renewal included, does not cancel it for the others", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      yield* withSource(
        gated(gate, () => tokenAnswer({ access_token: "AT-shared" })),
        { grant },
        (source, seen) =>
          Effect.gen(function* () {
            const waiters = yield* Effect.forEach(Array.from({ length: 100 }), () => Effect.fork(source.get))
            yield* TestClock.adjust("1 millis")
            expect(seen.length).toBe(1)
            yield* Fiber.interruptAll(waiters.slice(0, 50)) // the first one started the renewal
            const late = yield* Effect.fork(source.get) // joins the renewal still in progress
            yield* TestClock.adjust("1 millis")
            expect(seen.length).toBe(1)
            yield* Deferred.succeed(gate, undefined)
            const tokens = yield* Effect.forEach([...waiters.slice(50), late], Fiber.join)
            expect(new Set(tokens.map(value))).toEqual(new Set(["AT-shared"]))
            for (const fiber of waiters.slice(0, 50)) expect(Exit.isInterrupted(yield* Fiber.await(fiber))).toBe(true)
            expect(seen.length).toBe(1)
          })
      )
    })
  )

  it.effect("interrupting every waiter does not cancel the renewal: its token is kept for the next caller", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      yield* withSource(
        gated(gate, () => tokenAnswer({ access_token: "AT-kept" })),
        { grant },
        (source, seen) =>
          Effect.gen(function* () {
            const waiters = yield* Effect.forEach(Array.from({ length: 10 }), () => Effect.fork(source.get))
            yield* TestClock.adjust("1 millis")
            yield* Fiber.interruptAll(waiters)
            yield* Deferred.succeed(gate, undefined)
            yield* TestClock.adjust("1 millis")
            expect(Option.map(yield* source.current, value)).toEqual(Option.some("AT-kept"))
            expect(value(yield* source.get)).toBe("AT-kept")
            expect(seen.length).toBe(1)
          })
      )
    })
  )

  it.effect("renew and get at once on an expired token share one renewal", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      yield* withSource(
        gated(gate, () => tokenAnswer()),
        { token: held },
        (source, seen) =>
          Effect.gen(function* () {
            yield* TestClock.adjust("11 seconds")
            const all = yield* Effect.fork(
              Effect.all([source.renew, ...Array.from({ length: 100 }, () => source.get), source.renew], { concurrency: "unbounded" })
            )
            yield* TestClock.adjust("1 millis")
            yield* Deferred.succeed(gate, undefined)
            expect(new Set((yield* Fiber.join(all)).map(value)).size).toBe(1)
            expect(seen.length).toBe(1)
          })
      )
    })
  )

  it.effect("closing the source's scope during a renewal interrupts its waiters instead of leaving them waiting", () => {
    const http = FakeHttp.make(() => Effect.never) // the answer never comes
    return Effect.gen(function* () {
      const scope = yield* Scope.make()
      const source = yield* Scope.extend(TokenSource.make({ grant }), scope)
      const waiters = yield* Effect.forEach(Array.from({ length: 3 }), () => Effect.fork(source.get))
      yield* TestClock.adjust("1 millis")
      expect(http.seen.length).toBe(1)
      yield* Scope.close(scope, Exit.void)
      for (const fiber of waiters) expect(Exit.isInterrupted(yield* Fiber.await(fiber))).toBe(true)
    }).pipe(Effect.provide(clientLayer(http)))
  })
})

describe("TokenSource: persistence in a KeyValueStore", () => {
  const StoreLive = KeyValueStore.layerMemory

  it.effect("stores the token with its absolute expiry; a new source reads it back without a request", () =>
    Effect.gen(function* () {
      const store = yield* KeyValueStore.KeyValueStore
      const options = { grant, store: { store, key: "api" } }
      const first = yield* withSource(
        () => tokenAnswer({ expires_in: 120, refresh_token: "RT" }),
        options,
        (source) => source.get
      )
      const stored = yield* store.get("api")
      expect(Option.isSome(stored)).toBe(true)
      const restored = Either.getOrThrow(BearerToken.deserialize(Option.getOrThrow(stored)))
      expect(DateTime.toEpochMillis(restored.expiresAt!)).toBe(DateTime.toEpochMillis(first.expiresAt!))
      yield* TestClock.adjust("60 seconds")
      const again = yield* withSource(
        () => tokenAnswer(),
        options,
        (source, seen) => Effect.map(source.get, (token) => ({ token, requests: seen.length }))
      )
      expect(again.requests).toBe(0)
      expect(value(again.token)).toBe(value(first))
      // expired by now (within the leeway): a third source refreshes it with the stored refresh token
      yield* TestClock.adjust("40 seconds")
      const third = yield* withSource(
        () => tokenAnswer(),
        options,
        (source, seen) => Effect.as(source.get, seen)
      )
      expect(third[0]!.form.get("grant_type")).toBe("refresh_token")
      expect(third[0]!.form.get("refresh_token")).toBe("RT")
    }).pipe(Effect.provide(StoreLive))
  )

  it.effect("an invalidated token is stored as expired (keeping its refresh token), or removed", () =>
    Effect.gen(function* () {
      const store = yield* KeyValueStore.KeyValueStore
      yield* withSource(
        () => tokenAnswer({ refresh_token: "RT" }),
        { grant, store: { store, key: "k" } },
        (source) => Effect.zipRight(source.get, source.invalidate())
      )
      const stored = Either.getOrThrow(BearerToken.deserialize(Option.getOrThrow(yield* store.get("k"))))
      expect(yield* BearerToken.isExpired(stored)).toBe(true)
      expect(Redacted.value(stored.refreshToken!)).toBe("RT")
      yield* withSource(
        () => tokenAnswer(),
        { grant, store: { store, key: "k2" } },
        (source) => Effect.zipRight(source.get, source.invalidate())
      )
      expect(Option.isNone(yield* store.get("k2"))).toBe(true)
    }).pipe(Effect.provide(StoreLive))
  )

  it.effect("a stored value that is not a token is ignored; tokens and secrets never appear in the logs", () =>
    Effect.gen(function* () {
      const store = yield* KeyValueStore.KeyValueStore
      yield* store.set("k", "not-a-token")
      const logs: Array<string> = []
      const capture = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ message, annotations }) => logs.push(JSON.stringify({ message, annotations: [...annotations] })))
      )
      const token = yield* withSource(
        (_, i) => (i === 1 ? oauthError("server_error", 500) : tokenAnswer({ refresh_token: "RT-SECRET", expires_in: 60 })),
        { grant, store: { store, key: "k" } },
        (source) => Effect.zipLeft(source.get, Effect.zipRight(TestClock.adjust("40 seconds"), source.get))
      ).pipe(Effect.provide(capture))
      const all = logs.join("\n")
      expect(all).toContain("not a token")
      expect(all).toContain("renewal failed")
      expect(all).not.toContain(value(token))
      expect(all).not.toContain("RT-SECRET")
      expect(all).not.toContain(Option.getOrThrow(yield* store.get("k")))
    }).pipe(Effect.provide(StoreLive))
  )

  it.effect("concurrent first calls read the store once, and are answered from it", () =>
    Effect.gen(function* () {
      const memory = yield* KeyValueStore.KeyValueStore
      let reads = 0
      const counting = KeyValueStore.makeStringOnly({
        get: (key) => Effect.suspend(() => (reads++, memory.get(key))),
        set: (key, value) => memory.set(key, value),
        remove: (key) => memory.remove(key),
        clear: memory.clear,
        size: memory.size
      })
      const options = { grant, store: { store: counting, key: "k" } }
      const first = yield* withSource(
        () => tokenAnswer(),
        options,
        (source, seen) =>
          Effect.map(
            Effect.all(
              Array.from({ length: 1_000 }, () => source.get),
              { concurrency: "unbounded" }
            ),
            (tokens) => ({ tokens, requests: seen.length })
          )
      )
      expect(reads).toBe(1)
      expect(first.requests).toBe(1)
      expect(new Set(first.tokens.map(value)).size).toBe(1)
      const second = yield* withSource(
        () => tokenAnswer(),
        options,
        (source, seen) =>
          Effect.map(
            Effect.all(
              Array.from({ length: 1_000 }, () => source.get),
              { concurrency: "unbounded" }
            ),
            (tokens) => ({ tokens, requests: seen.length })
          )
      )
      expect(reads).toBe(2)
      expect(second.requests).toBe(0)
      expect(new Set(second.tokens.map(value))).toEqual(new Set(first.tokens.map(value)))
    }).pipe(Effect.provide(StoreLive))
  )

  it.effect("a failing store does not fail the source", () =>
    Effect.gen(function* () {
      const down = (method: string) => new PlatformError.SystemError({ reason: "Unknown", module: "KeyValueStore", method })
      const failing = KeyValueStore.makeStringOnly({
        get: () => Effect.fail(down("get")),
        set: () => Effect.fail(down("set")),
        remove: () => Effect.fail(down("remove")),
        clear: Effect.fail(down("clear")),
        size: Effect.fail(down("size"))
      })
      const exit = yield* Effect.exit(
        withSource(
          () => tokenAnswer(),
          { grant, store: { store: failing, key: "k" } },
          (source) => source.get
        )
      )
      expect(Exit.isSuccess(exit)).toBe(true)
    })
  )
})

describe("TokenSource.layer", () => {
  it.effect("provides a token source on the client in context", () =>
    Effect.gen(function* () {
      const http = FakeHttp.make(() => tokenAnswer())
      const Live = TokenSource.layer({ grant }).pipe(Layer.provide(clientLayer(http)))
      const token = yield* Effect.flatMap(TokenSource.TokenSource, (source) => source.get).pipe(Effect.provide(Live))
      expect(value(token)).toMatch(/^AT-/)
    })
  )
})
