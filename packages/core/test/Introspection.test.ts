import { assert, describe, it } from "@effect/vitest"
import { Introspection, Params } from "@oauth2/core"
import { DateTime, Effect, Either, Redacted, TestClock } from "effect"
import * as fc from "fast-check"

const active = {
  active: true,
  client_id: "l238j323ds-23ij4",
  username: "jdoe",
  scope: "read write dolphin",
  sub: "Z5O3upPC88QrAjx00dis",
  aud: "https://protected.example.net/resource",
  iss: "https://server.example.com/",
  exp: 1419356238,
  iat: 1419350238,
  nbf: 1419350000,
  jti: "abc",
  token_type: "Bearer",
  extension_field: "twenty-seven",
  cnf: { "x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2" },
  act: { sub: "admin" }
}

describe("Introspection.params", () => {
  it("builds token and hint, token redacted", () => {
    const params = Either.getOrThrow(Introspection.params({ token: "mF_9.B5f-4.1JqM", tokenTypeHint: "access_token", extra: { resource: "r" } }))
    assert.strictEqual(Params.encode(params), "token=mF_9.B5f-4.1JqM&token_type_hint=access_token&resource=r")
    assert.isTrue(Redacted.isRedacted(Params.getAll(params, "token")[0]))
    assert.strictEqual(Params.encode(Either.getOrThrow(Introspection.params({ token: Redacted.make("t") }))), "token=t")
  })

  it("refuses an empty token and extra parameters that redefine standard ones", () => {
    for (const result of [
      Introspection.params({ token: "" }),
      Introspection.params({ token: Redacted.make("") }),
      Introspection.params({ token: "t", extra: { token: "u" } }),
      Introspection.params({ token: "t", extra: { token_type_hint: "u" } }),
      Introspection.params({ token: "t", extra: { client_id: "c" } })
    ])
      assert.isTrue(Either.isLeft(result) && result.left._tag === "InvalidArgument")
  })
})

describe("Introspection.decode", () => {
  it("decodes the RFC 7662 example, keeping every extra member", () => {
    const r = Either.getOrThrow(Introspection.decode(active))
    assert.isTrue(r.active)
    assert.strictEqual(r.clientId, "l238j323ds-23ij4")
    assert.strictEqual(r.username, "jdoe")
    assert.strictEqual(r.scope, "read write dolphin")
    assert.strictEqual(r.tokenType, "Bearer")
    assert.strictEqual(r.sub, "Z5O3upPC88QrAjx00dis")
    assert.deepStrictEqual(r.aud, ["https://protected.example.net/resource"])
    assert.strictEqual(r.iss, "https://server.example.com/")
    assert.strictEqual(r.jti, "abc")
    assert.strictEqual(DateTime.toEpochMillis(r.expiresAt!), 1419356238_000)
    assert.strictEqual(DateTime.toEpochMillis(r.issuedAt!), 1419350238_000)
    assert.strictEqual(DateTime.toEpochMillis(r.notBefore!), 1419350000_000)
    assert.deepStrictEqual(r.extra, { extension_field: "twenty-seven", cnf: active.cnf, act: active.act })
  })

  it("decodes an inactive token as a success", () => {
    const r = Either.getOrThrow(Introspection.decode({ active: false }))
    assert.deepStrictEqual(r, { active: false, extra: {} })
  })

  it("accepts a list audience, fractional and string dates, and null members", () => {
    const r = Either.getOrThrow(Introspection.decode({ active: true, aud: ["a", "b"], exp: 1700000000.5, iat: "1700000000", scope: null }))
    assert.deepStrictEqual(r.aud, ["a", "b"])
    assert.strictEqual(DateTime.toEpochMillis(r.expiresAt!), 1700000000_500)
    assert.strictEqual(DateTime.toEpochMillis(r.issuedAt!), 1700000000_000)
    assert.notProperty(r, "scope")
  })

  it("refuses missing active and wrongly typed members", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{}, "active"],
      [{ active: "true" }, "active"],
      [{ active: 1 }, "active"],
      [{ active: true, exp: -1 }, "exp"],
      [{ active: true, exp: 1e300 }, "exp"],
      [{ active: true, exp: "soon" }, "exp"],
      [{ active: true, iat: {} }, "iat"],
      [{ active: true, aud: [1] }, "aud"],
      [{ active: true, scope: ["a"] }, "scope"],
      [{ active: true, client_id: 5 }, "client_id"]
    ]
    for (const [input, field] of cases) {
      const result = Introspection.decode(input, { status: 200 })
      assert.isTrue(Either.isLeft(result), JSON.stringify(input))
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "UnexpectedResponse")
        assert.strictEqual(result.left.endpoint, "introspection")
        assert.include(result.left.reason, field)
      }
    }
    for (const input of ["<html/>", "", null, [], true]) {
      const result = Introspection.decode(input)
      assert.isTrue(Either.isLeft(result) && result.left._tag === "UnexpectedResponse")
    }
  })

  it.effect("checks exp and nbf against the clock", () =>
    Effect.gen(function* () {
      const r = Either.getOrThrow(Introspection.decode({ active: true, nbf: 100, exp: 200 }))
      yield* TestClock.setTime(99_000)
      assert.isFalse(yield* Introspection.isActiveNow(r))
      yield* TestClock.setTime(100_000)
      assert.isTrue(yield* Introspection.isActiveNow(r))
      yield* TestClock.adjust("99 seconds")
      assert.isTrue(yield* Introspection.isActiveNow(r))
      yield* TestClock.adjust("1 second")
      assert.isFalse(yield* Introspection.isActiveNow(r))
      assert.isFalse(yield* Introspection.isActiveNow(Either.getOrThrow(Introspection.decode({ active: false }))))
      assert.isTrue(yield* Introspection.isActiveNow(Either.getOrThrow(Introspection.decode({ active: true }))))
    })
  )

  it("round-trips through encode", () => {
    assert.deepStrictEqual(Introspection.encode(Either.getOrThrow(Introspection.decode(active))), active)
  })

  it.prop(
    "round-trips generated answers",
    [
      fc.record(
        {
          active: fc.boolean(),
          scope: fc.string(),
          client_id: fc.string(),
          exp: fc.integer({ min: 0, max: 4_000_000_000 }),
          aud: fc.oneof(fc.string(), fc.array(fc.string(), { minLength: 2 })),
          extra_member: fc.jsonValue()
        },
        { requiredKeys: ["active"] }
      )
    ],
    ([body]) => {
      const decoded = Either.getOrThrow(Introspection.decode(body))
      assert.deepStrictEqual(Introspection.encode(decoded), body)
      assert.deepStrictEqual(Either.getOrThrow(Introspection.decode(Introspection.encode(decoded))), decoded)
    }
  )

  it.prop(
    "never throws on any JSON value",
    [
      fc.oneof(
        fc.jsonValue(),
        fc.record({ active: fc.jsonValue(), exp: fc.oneof(fc.double(), fc.jsonValue()), aud: fc.jsonValue() }, { requiredKeys: [] })
      )
    ],
    ([body]) => {
      const result = Introspection.decode(body)
      if (Either.isLeft(result)) assert.strictEqual(result.left._tag, "UnexpectedResponse")
    }
  )
})
