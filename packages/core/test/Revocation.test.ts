import { assert, describe, it } from "@effect/vitest"
import { Params, Revocation } from "@oauth2/core"
import { Either, Redacted } from "effect"
import * as fc from "fast-check"

describe("Revocation", () => {
  it("builds token and hint parameters, token redacted", () => {
    const params = Either.getOrThrow(Revocation.params({ token: Redacted.make("45ghiukldjahdnhzdauz"), tokenTypeHint: "refresh_token" }))
    assert.strictEqual(Params.encode(params), "token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token")
    assert.isTrue(Redacted.isRedacted(Params.getAll(params, "token")[0]))
    assert.notInclude(String(params), "45ghiukldjahdnhzdauz")
  })

  it("wraps a plain string token in Redacted", () => {
    const params = Either.getOrThrow(Revocation.params({ token: "abc" }))
    assert.isTrue(Redacted.isRedacted(Params.getAll(params, "token")[0]))
    assert.strictEqual(Params.encode(params), "token=abc")
  })

  it("has helpers for access and refresh tokens", () => {
    assert.strictEqual(Params.encode(Either.getOrThrow(Revocation.accessToken(Redacted.make("a")))), "token=a&token_type_hint=access_token")
    assert.strictEqual(
      Params.encode(Either.getOrThrow(Revocation.refreshToken("r", { lang: "fr" }))),
      "token=r&token_type_hint=refresh_token&lang=fr"
    )
  })

  it("accepts any other hint", () => {
    assert.strictEqual(
      Params.encode(Either.getOrThrow(Revocation.params({ token: "t", tokenTypeHint: "urn:example:custom" }))),
      "token=t&token_type_hint=urn%3Aexample%3Acustom"
    )
  })

  it("refuses an empty token and redefined parameters", () => {
    const cases = [
      [Revocation.params({ token: "" }), "token"],
      [Revocation.accessToken(Redacted.make("")), "token"],
      [Revocation.params({ token: "t", extra: { token_type_hint: "x" } }), "extra.token_type_hint"],
      [Revocation.refreshToken("t", { client_assertion_type: "x" }), "extra.client_assertion_type"]
    ] as const
    for (const [result, argument] of cases) {
      assert.isTrue(Either.isLeft(result) && result.left._tag === "InvalidArgument" && result.left.argument === argument, argument)
    }
  })

  it.prop(
    "round-trips any token through the form encoding",
    [fc.string({ minLength: 1 }), fc.option(fc.string({ minLength: 1 }), { nil: undefined })],
    ([token, hint]) => {
      const encoded = Params.encode(Either.getOrThrow(Revocation.params({ token: Redacted.make(token), tokenTypeHint: hint })))
      const parsed = new URLSearchParams(encoded)
      assert.strictEqual(parsed.get("token"), token)
      assert.strictEqual(parsed.get("token_type_hint") ?? undefined, hint)
    }
  )
})
