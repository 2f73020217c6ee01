/** Issue 13 item 2: ID tokens that arrive outside the authorization code exchange are validated by default. */
import { describe, expect, it } from "@effect/vitest"
import { BearerToken, TokenRequest } from "@oauth2/core"
import { Grants, TokenSource } from "@oauth2/flows"
import { FakeHttp } from "@oauth2/testing"
import { DateTime, Effect, Fiber, Redacted, TestClock } from "effect"
import { clientLayer, endpoints, tokenAnswer } from "./support.js"

/** An ID token that cannot be valid: unsigned (`alg: none`, not allowed), with another end-user's `sub`. */
const forged = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2FzLmV4YW1wbGUuY29tIiwic3ViIjoibWFsbG9yeSJ9.c2ln"

const deviceServer = () =>
  FakeHttp.make((seen) =>
    seen.url === endpoints.deviceAuthorizationEndpoint
      ? FakeHttp.json({ device_code: "DC", user_code: "U", verification_uri: "https://as.example.com/activate", expires_in: 600, interval: 1 })
      : tokenAnswer({ id_token: forged, refresh_token: "RT" })
  )

describe("ID tokens outside the authorization code exchange", () => {
  it.effect("the device flow validates the ID token of its answer", () =>
    Effect.gen(function* () {
      const http = deviceServer()
      const fiber = yield* Effect.fork(
        Effect.flip(Effect.flatMap(Grants.deviceFlow({ scope: "openid" }), (flow) => flow.token)).pipe(Effect.provide(clientLayer(http)))
      )
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "InvalidIdToken" })
    })
  )

  it.effect("the device flow's validation can be switched off (validateIdToken: false)", () =>
    Effect.gen(function* () {
      const http = deviceServer()
      const fiber = yield* Effect.fork(
        Effect.flatMap(Grants.deviceFlow({ scope: "openid", poll: { validateIdToken: false } }), (flow) => flow.token).pipe(
          Effect.provide(clientLayer(http))
        )
      )
      yield* TestClock.adjust("5 seconds")
      const token = yield* Fiber.join(fiber)
      expect(Redacted.value(token.idToken!)).toBe(forged)
    })
  )

  const held = BearerToken.make({
    accessToken: "AT-held",
    refreshToken: "RT-1",
    idToken: forged,
    issuedAt: DateTime.unsafeMake(0),
    expiresAt: DateTime.unsafeMake(10_000)
  })

  it.effect("a token source validates a refreshed ID token", () =>
    Effect.gen(function* () {
      const http = FakeHttp.make(() => tokenAnswer({ id_token: forged }))
      const error = yield* TokenSource.make({ token: held }).pipe(
        Effect.flatMap((source) => Effect.zipRight(TestClock.adjust("11 seconds"), Effect.flip(source.get))),
        Effect.scoped,
        Effect.provide(clientLayer(http))
      )
      expect(error).toMatchObject({ _tag: "InvalidIdToken" })
    })
  )

  it.effect("a token source validates the ID token of its own grant's answer (a token request with openid)", () =>
    Effect.gen(function* () {
      const grant = TokenRequest.password({ username: "alice", password: Redacted.make("pw"), scope: "openid" })
      const refused = yield* TokenSource.make({ grant }).pipe(
        Effect.flatMap((source) => Effect.flip(source.get)),
        Effect.scoped,
        Effect.provide(clientLayer(FakeHttp.make(() => tokenAnswer({ id_token: forged }))))
      )
      expect(refused).toMatchObject({ _tag: "InvalidIdToken" })
      const token = yield* TokenSource.make({ grant, validateIdToken: false }).pipe(
        Effect.flatMap((source) => source.get),
        Effect.scoped,
        Effect.provide(clientLayer(FakeHttp.make(() => tokenAnswer({ id_token: forged }))))
      )
      expect(Redacted.value(token.idToken!)).toBe(forged)
      // an answer without an ID token needs no validation
      const plain = yield* TokenSource.make({ grant }).pipe(
        Effect.flatMap((source) => source.get),
        Effect.scoped,
        Effect.provide(clientLayer(FakeHttp.make(() => tokenAnswer())))
      )
      expect(plain.idToken).toBeUndefined()
    })
  )

  it.effect("a token source's validation can be switched off (validateIdToken: false)", () =>
    Effect.gen(function* () {
      const http = FakeHttp.make(() => tokenAnswer({ id_token: forged }))
      const token = yield* TokenSource.make({ token: held, validateIdToken: false }).pipe(
        Effect.flatMap((source) => Effect.zipRight(TestClock.adjust("11 seconds"), source.get)),
        Effect.scoped,
        Effect.provide(clientLayer(http))
      )
      expect(Redacted.value(token.accessToken)).toMatch(/^AT-\d+$/)
      expect(http.seen[0]!.form.get("refresh_token")).toBe("RT-1")
    })
  )
})
