import { describe, expect, it } from "@effect/vitest"
import { AuthorizationResponse, EndSession, IdToken } from "@oauth2/core"
import { Effect, Either, Redacted } from "effect"

const endpoint = "https://as.example.com/session/end"

describe("EndSession.make", () => {
  it.effect("writes every parameter, in order, after the endpoint's own query (pinned)", () =>
    Effect.gen(function* () {
      const request = yield* EndSession.make({
        endSessionEndpoint: `${endpoint}?tenant=t1`,
        idTokenHint: IdToken.make("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"),
        logoutHint: "alice@example.com",
        clientId: "client-1",
        postLogoutRedirectUri: "https://app.example.com/logged-out?x=1",
        state: "af0ifjsldkj",
        uiLocales: ["fr-CA", "en"]
      })
      expect(request.url).toBe(
        "https://as.example.com/session/end?tenant=t1&id_token_hint=eyJhbGciOiJSUzI1NiJ9.e30.c2ln&logout_hint=alice%40example.com" +
          "&client_id=client-1&post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2Flogged-out%3Fx%3D1&state=af0ifjsldkj&ui_locales=fr-CA+en"
      )
      expect(request.state).toBe("af0ifjsldkj")
      expect(request.postLogoutRedirectUri).toBe("https://app.example.com/logged-out?x=1")
    })
  )

  it.effect("generates a state for a redirect back, none without one; state: false sends none", () =>
    Effect.gen(function* () {
      const a = yield* EndSession.make({ endSessionEndpoint: endpoint, clientId: "c", postLogoutRedirectUri: "https://app/out" })
      const b = yield* EndSession.make({ endSessionEndpoint: endpoint, clientId: "c", postLogoutRedirectUri: "https://app/out" })
      expect(a.state).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(a.state).not.toBe(b.state)
      expect(new URL(a.url).searchParams.get("state")).toBe(a.state)
      const bare = yield* EndSession.make({ endSessionEndpoint: endpoint, idTokenHint: Redacted.make("h.p.s") })
      expect(bare).toEqual({ url: `${endpoint}?id_token_hint=h.p.s` })
      const noState = yield* EndSession.make({ endSessionEndpoint: endpoint, clientId: "c", postLogoutRedirectUri: "https://app/out", state: false })
      expect(noState.state).toBeUndefined()
      expect(new URL(noState.url).searchParams.has("state")).toBe(false)
    })
  )

  it.effect("refuses bad options with InvalidArgument naming the option", () =>
    Effect.gen(function* () {
      const bad: ReadonlyArray<readonly [EndSession.Options, string]> = [
        [{ endSessionEndpoint: "/session/end" }, "endSessionEndpoint"],
        [{ endSessionEndpoint: "ftp://as.example.com/end" }, "endSessionEndpoint"],
        [{ endSessionEndpoint: `${endpoint}#x` }, "endSessionEndpoint"],
        [{ endSessionEndpoint: `${endpoint}?state=x` }, "endSessionEndpoint"],
        [{ endSessionEndpoint: endpoint, postLogoutRedirectUri: "https://app/out" }, "postLogoutRedirectUri"],
        [{ endSessionEndpoint: endpoint, clientId: "c", postLogoutRedirectUri: "not a url" }, "postLogoutRedirectUri"],
        [{ endSessionEndpoint: endpoint, state: "s" }, "state"],
        [{ endSessionEndpoint: endpoint, idTokenHint: "" }, "idTokenHint"],
        [{ endSessionEndpoint: endpoint, uiLocales: ["en US"] }, "uiLocales"]
      ]
      for (const [options, argument] of bad) {
        const e = yield* Effect.flip(EndSession.make(options))
        expect(e._tag).toBe("InvalidArgument")
        expect(e.argument).toBe(argument)
      }
    })
  )
})

describe("EndSession.validateCallback", () => {
  it("accepts the state sent, and anything when none was sent", () => {
    expect(Either.isRight(EndSession.validateCallback({ state: "s-1" }, "https://app.example.com/out?state=s-1"))).toBe(true)
    expect(Either.isRight(EndSession.validateCallback({}, "https://app.example.com/out"))).toBe(true)
    expect(Either.isRight(EndSession.validateCallback("?state=s-1")({ state: "s-1" }))).toBe(true)
  })

  it("refuses a missing, different or repeated state", () => {
    const tagOf = (e: Either.Either<void, AuthorizationResponse.CallbackError>) => (Either.isLeft(e) ? e.left._tag : "ok")
    const missing = EndSession.validateCallback({ state: "s-1" }, "https://app.example.com/out")
    expect(tagOf(missing)).toBe("MissingState")
    expect(Either.isLeft(missing) && missing.left.message).toContain("logout callback")
    expect(tagOf(EndSession.validateCallback({ state: "s-1" }, "https://app.example.com/out?state=s-2"))).toBe("MismatchingState")
    expect(tagOf(EndSession.validateCallback({ state: "s-1" }, "https://app.example.com/out?state=s-1&state=s-2"))).toBe("RepeatedParameter")
  })
})
