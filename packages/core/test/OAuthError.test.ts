import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { OAuthError } from "@oauth2/core"
import * as fc from "fast-check"

describe("OAuthError", () => {
  it("maps every standard code allowed at an endpoint to its PascalCase tag", () => {
    for (const [endpoint, codes] of Object.entries(OAuthError.endpointCodes)) {
      for (const code of codes) {
        const e = OAuthError.make(endpoint as OAuthError.Endpoint, { error: code, status: 400 })
        const tag = code
          .split("_")
          .map((p) => p[0]!.toUpperCase() + p.slice(1))
          .join("")
        expect(e._tag).toBe(tag)
        expect(e.error).toBe(code)
        expect(e.endpoint).toBe(endpoint)
        expect(e.status).toBe(400)
      }
    }
  })

  it("names the tags after the design's error contract", () => {
    const tags = [
      "invalid_request",
      "invalid_client",
      "invalid_grant",
      "unauthorized_client",
      "unsupported_grant_type",
      "invalid_scope",
      "invalid_target",
      "access_denied",
      "authorization_pending",
      "slow_down",
      "expired_token",
      "unsupported_token_type",
      "server_error",
      "temporarily_unavailable"
    ].map((code) => OAuthError.make("token", { error: code })._tag)
    expect(tags).toEqual([
      "InvalidRequest",
      "InvalidClient",
      "InvalidGrant",
      "UnauthorizedClient",
      "UnsupportedGrantType",
      "InvalidScope",
      "InvalidTarget",
      "AccessDenied",
      "AuthorizationPending",
      "SlowDown",
      "ExpiredToken",
      "UnknownError",
      "ServerError",
      "TemporarilyUnavailable"
    ])
    expect(OAuthError.make("revocation", { error: "unsupported_token_type" })._tag).toBe("UnsupportedTokenType")
    for (const code of ["login_required", "consent_required", "interaction_required", "account_selection_required"]) {
      expect(OAuthError.make("authorization", { error: code })._tag).toMatch(/Required$/)
    }
  })

  it("gives each endpoint a precise union of tags", () => {
    type TokenTags = OAuthError.ErrorOf<"token">["_tag"]
    expectTypeOf<"InvalidGrant">().toExtend<TokenTags>()
    expectTypeOf<"UnknownError">().toExtend<TokenTags>()
    expectTypeOf<"LoginRequired">().not.toExtend<TokenTags>()
    expectTypeOf<Extract<OAuthError.ErrorOf<"revocation">, { _tag: "UnsupportedTokenType" }>["error"]>().toEqualTypeOf<string>()
    expectTypeOf<"ConsentRequired">().toExtend<OAuthError.ErrorOf<"authorization">["_tag"]>()
  })

  it("keeps an unknown code in UnknownError", () => {
    const e = OAuthError.make("token", { error: "weird_thing", description: "d", uri: "https://e" })
    expect(e).toMatchObject({ _tag: "UnknownError", error: "weird_thing", description: "d", uri: "https://e", endpoint: "token" })
    expect(e.message).toContain("weird_thing")
  })

  it("decodes error bodies, and only error bodies", () => {
    const e = OAuthError.fromBody("token", { error: "invalid_grant", error_description: "expired", error_uri: "https://doc" }, { status: 400 })
    expect(e).toMatchObject({
      _tag: "InvalidGrant",
      error: "invalid_grant",
      description: "expired",
      uri: "https://doc",
      status: 400,
      endpoint: "token"
    })
    expect(OAuthError.fromBody("token", { access_token: "x" })).toBeUndefined()
    expect(OAuthError.fromBody("token", { error: 42 })).toBeUndefined()
    expect(OAuthError.fromBody("token", { error: "" })).toBeUndefined()
    expect(OAuthError.fromBody("token", "<html>")).toBeUndefined()
    expect(OAuthError.fromBody("token", null)).toBeUndefined()
    expect(OAuthError.fromBody("token", [{ error: "invalid_grant" }])).toBeUndefined()
    // wrong types of the optional members are ignored, not fatal
    expect(OAuthError.fromBody("token", { error: "invalid_grant", error_description: 5 })).not.toHaveProperty("description")
  })

  it("bounds the text it keeps", () => {
    const e = OAuthError.fromBody("token", { error: "x".repeat(10_000), error_description: "y".repeat(100_000) })!
    expect(e.error.length).toBeLessThanOrEqual(128)
    expect(e.description!.length).toBeLessThanOrEqual(512)
    expect(e.message.length).toBeLessThan(1024)
  })

  it("keeps an excerpt of at most 1 KiB with secrets masked", () => {
    const body = {
      access_token: "SECRET-AT",
      refresh_token: "SECRET-RT",
      nested: { client_secret: "SECRET-CS" },
      expires_in: -1,
      pad: "z".repeat(5000)
    }
    const e = OAuthError.unexpectedResponse("token", "expires_in is negative", body, { status: 200, contentType: "application/json" })
    expect(e.excerpt.length).toBeLessThanOrEqual(OAuthError.maxExcerptLength)
    expect(JSON.stringify(e)).not.toContain("SECRET")
    const text = OAuthError.unexpectedResponse("token", "not JSON", `{"access_token":"SECRET-AT","x":1}&code=SECRET-CODE&a=b`)
    expect(JSON.stringify(text)).not.toContain("SECRET")
    const shouting = OAuthError.unexpectedResponse("token", "odd", `{"Access_Token":"SECRET-AT"} #access_token=SECRET-FRAGMENT&x=1`)
    expect(JSON.stringify(shouting)).not.toContain("SECRET")
    const html = OAuthError.unexpectedResponse("token", "HTML", "<html>" + "a".repeat(1_000_000), { status: 502, contentType: "text/html" })
    expect(html.excerpt.length).toBeLessThanOrEqual(1024)
    expect(html).toMatchObject({ _tag: "UnexpectedResponse", status: 502, contentType: "text/html", endpoint: "token" })
  })

  it("is a guard for server errors", () => {
    expect(OAuthError.isOAuthError(OAuthError.make("token", { error: "invalid_grant" }))).toBe(true)
    expect(OAuthError.isOAuthError(OAuthError.make("token", { error: "nope" }))).toBe(true)
    expect(OAuthError.isOAuthError(OAuthError.invalidArgument("a", "b"))).toBe(false)
    expect(OAuthError.isOAuthError({ _tag: "InvalidGrant" })).toBe(false)
  })

  it.prop(
    "never throws on any JSON value",
    [fc.jsonValue(), fc.constantFrom(...(Object.keys(OAuthError.endpointCodes) as Array<OAuthError.Endpoint>))],
    ([body, endpoint]) => {
      const e = OAuthError.fromBody(endpoint, body)
      if (e !== undefined) expect(typeof e._tag).toBe("string")
      const u = OAuthError.unexpectedResponse(endpoint, "r", body)
      expect(u.excerpt.length).toBeLessThanOrEqual(1024)
    }
  )
})
