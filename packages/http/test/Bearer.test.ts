import { describe, expect, it } from "@effect/vitest"
import { HttpClient } from "@effect/platform"
import { BearerToken } from "@oauth2/core"
import { Bearer } from "@oauth2/http"
import { FakeHttp } from "@oauth2/testing"
import { DateTime, Effect } from "effect"

const token = (expiresAtMillis?: number) =>
  BearerToken.make({
    accessToken: "AT-SECRET",
    issuedAt: DateTime.unsafeMake(0),
    ...(expiresAtMillis === undefined ? {} : { expiresAt: DateTime.unsafeMake(expiresAtMillis) })
  })

describe("Bearer.withToken", () => {
  it.effect("adds the Authorization header from the token effect, each request", () =>
    Effect.gen(function* () {
      let calls = 0
      const source = Effect.sync(() => {
        calls++
        return token()
      })
      const fake = FakeHttp.make(() => FakeHttp.json({ ok: true }))
      const api = (yield* Effect.provide(HttpClient.HttpClient, fake.layer)).pipe(Bearer.withToken(source))
      yield* api.get("https://api.example.com/a")
      yield* api.get("https://api.example.com/b")
      expect(fake.seen[0]!.headers.authorization).toBe("Bearer AT-SECRET")
      expect(calls).toBe(2)
    })
  )

  it.effect("refuses an expired token before sending, without leaking it", () =>
    Effect.gen(function* () {
      const fake = FakeHttp.make(() => FakeHttp.json({ ok: true }))
      const base = yield* Effect.provide(HttpClient.HttpClient, fake.layer)
      const api = Bearer.withToken(base, Effect.succeed(token(1000)), { leeway: "5 seconds" })
      // TestClock starts at 0: the token expires at 1 s, within the 5 s leeway
      const error = yield* Effect.flip(api.get("https://api.example.com/me?secret=x"))
      expect(error).toMatchObject({ _tag: "ExpiredAccessToken", request: "GET https://api.example.com/me" })
      expect(JSON.stringify(error)).not.toContain("AT-SECRET")
      expect(fake.seen.length).toBe(0)
    })
  )

  it.effect("fails with the token effect's error", () =>
    Effect.gen(function* () {
      const fake = FakeHttp.make(() => FakeHttp.json({ ok: true }))
      const base = yield* Effect.provide(HttpClient.HttpClient, fake.layer)
      const api = Bearer.withToken(base, Effect.fail({ _tag: "NoToken" as const }))
      const error = yield* Effect.flip(api.get("https://api.example.com/me"))
      expect(error).toEqual({ _tag: "NoToken" })
      expect(fake.seen.length).toBe(0)
    })
  )

  it.effect("refuses to send the token over cleartext http to a non-loopback host (the transport's rule)", () =>
    Effect.gen(function* () {
      const fake = FakeHttp.make(() => FakeHttp.json({ ok: true }))
      const base = yield* Effect.provide(HttpClient.HttpClient, fake.layer)
      const api = Bearer.withToken(base, Effect.succeed(token()))
      const error = yield* Effect.flip(api.get("http://api.example.com/me?secret=x"))
      expect(error).toMatchObject({ _tag: "RequestError", reason: "InvalidUrl" })
      expect(JSON.stringify(error)).not.toContain("AT-SECRET")
      // look-alike hosts are DNS names, not loopback addresses
      for (const url of ["http://127.evil.com/me", "http://127.0.0.1.evil.com/me", "http://localhost.evil.com/me"]) {
        expect(yield* Effect.flip(api.get(url))).toMatchObject({ _tag: "RequestError", reason: "InvalidUrl" })
      }
      expect(fake.seen.length).toBe(0)
    })
  )

  it.effect("a DPoP-bound token is not downgraded to Bearer: without a DPoP key the request fails before sending (RFC 9449 7.1)", () =>
    Effect.gen(function* () {
      const fake = FakeHttp.make(() => FakeHttp.json({ ok: true }))
      const base = yield* Effect.provide(HttpClient.HttpClient, fake.layer)
      for (const tokenType of ["DPoP", "dpop"]) {
        const bound = BearerToken.make({ accessToken: "AT-SECRET", tokenType, issuedAt: DateTime.unsafeMake(0) })
        const error = yield* Effect.flip(Bearer.withToken(base, Effect.succeed(bound)).get("https://api.example.com/me"))
        expect(error).toMatchObject({ _tag: "RequestError", reason: "Encode" })
        expect(String(error.message)).toContain("DPoP proof")
        expect(JSON.stringify(error)).not.toContain("AT-SECRET")
      }
      expect(fake.seen.length).toBe(0)
    })
  )

  it.effect("http is allowed on loopback, and anywhere with allowInsecureHttp", () =>
    Effect.gen(function* () {
      const fake = FakeHttp.make(() => FakeHttp.json({ ok: true }))
      const base = yield* Effect.provide(HttpClient.HttpClient, fake.layer)
      yield* Bearer.withToken(base, Effect.succeed(token())).get("http://127.0.0.1:8080/me")
      yield* Bearer.withToken(base, Effect.succeed(token())).get("http://localhost/me")
      yield* Bearer.withToken(base, Effect.succeed(token()), { allowInsecureHttp: true }).get("http://api.internal/me")
      expect(fake.seen.length).toBe(3)
      expect(fake.seen[2]!.headers.authorization).toBe("Bearer AT-SECRET")
    })
  )
})
