import { assert, describe, it } from "@effect/vitest"
import { BearerToken } from "@oauth2/core"
import { DateTime, Duration, Effect, Either, Option, pipe, Redacted, TestClock } from "effect"
import * as fc from "fast-check"

const at = (ms: number) => DateTime.unsafeMake(ms)
const body = {
  access_token: "SECRET-AT",
  token_type: "Bearer",
  expires_in: 3600,
  refresh_token: "SECRET-RT",
  scope: "a b",
  id_token: "h.p.s",
  custom: { x: 1 }
}

describe("BearerToken.decode", () => {
  it.effect("tracks the absolute expiry from the Clock and keeps every field", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_000_000)
      const token = yield* BearerToken.decode(body)
      assert.strictEqual(Redacted.value(token.accessToken), "SECRET-AT")
      assert.strictEqual(Redacted.value(token.refreshToken!), "SECRET-RT")
      assert.strictEqual(Redacted.value(token.idToken!), "h.p.s")
      assert.strictEqual(DateTime.toEpochMillis(token.issuedAt), 1_000_000)
      assert.strictEqual(DateTime.toEpochMillis(token.expiresAt!), 1_000_000 + 3_600_000)
      assert.deepStrictEqual(BearerToken.scopes(token), ["a", "b"])
      assert.deepStrictEqual(token.extra, { custom: { x: 1 } })
      assert.notInclude(JSON.stringify(token), "SECRET")
      assert.notInclude(String(token.accessToken), "SECRET")
    })
  )

  it.effect("compares token_type case-insensitively and tolerates a numeric string expires_in", () =>
    Effect.gen(function* () {
      const token = yield* BearerToken.decode({ access_token: "a", token_type: "bEaReR", expires_in: "60" })
      assert.strictEqual(token.tokenType, "bEaReR")
      assert.isTrue(BearerToken.isBearer(token))
      assert.strictEqual(DateTime.toEpochMillis(token.expiresAt!), 60_000)
      const noExpiry = yield* BearerToken.decode({ access_token: "a", token_type: "Bearer", expires_in: null })
      assert.isUndefined(noExpiry.expiresAt)
      const anyType = yield* BearerToken.decode({ access_token: "a", token_type: "N_A" }, { tokenType: null })
      assert.strictEqual(anyType.tokenType, "N_A")
    })
  )

  const rejects: ReadonlyArray<[string, unknown, RegExp]> = [
    ["a non-object body", "<html>oops</html>", /JSON object/],
    ["null", null, /JSON object/],
    ["an array", [body], /JSON object/],
    ["a missing access_token", { token_type: "Bearer" }, /access_token is missing/],
    ["an empty access_token", { access_token: "", token_type: "Bearer" }, /access_token is empty/],
    ["a non-string access_token", { access_token: 12, token_type: "Bearer" }, /access_token is not a string/],
    ["a missing token_type", { access_token: "a" }, /token_type is missing/],
    ["another token_type", { access_token: "a", token_type: "mac" }, /token_type is 'mac'/],
    ["a negative expires_in", { access_token: "a", token_type: "Bearer", expires_in: -1 }, /expires_in/],
    ["a non-finite expires_in", { access_token: "a", token_type: "Bearer", expires_in: "Infinity" }, /expires_in/],
    ["a non-numeric expires_in", { access_token: "a", token_type: "Bearer", expires_in: "soon" }, /expires_in/],
    ["a boolean expires_in", { access_token: "a", token_type: "Bearer", expires_in: true }, /expires_in/],
    ["a huge expires_in", { access_token: "a", token_type: "Bearer", expires_in: 1e300 }, /expires_in/],
    // RFC 6749 A.14: expires-in = 1*DIGIT, the rule of every other endpoint's lifetime (these were accepted before)
    ["a fractional expires_in", { access_token: "a", token_type: "Bearer", expires_in: 59.5 }, /expires_in: expected a whole number of seconds/],
    [
      "a decimal string expires_in",
      { access_token: "a", token_type: "Bearer", expires_in: "59.5" },
      /expires_in: expected a number or a string of digits/
    ],
    [
      "a blank-padded expires_in",
      { access_token: "a", token_type: "Bearer", expires_in: " 60 " },
      /expires_in: expected a number or a string of digits/
    ],
    [
      "an expires_in past the last date",
      { access_token: "a", token_type: "Bearer", expires_in: 9_000_000_000_000 },
      /expires_in: 9000000000000 seconds is out of range/
    ],
    ["a non-string refresh_token", { access_token: "a", token_type: "Bearer", refresh_token: 5 }, /refresh_token/]
  ]
  for (const [name, input, reason] of rejects) {
    it.effect(`rejects ${name} with UnexpectedResponse`, () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(BearerToken.decode(input, { context: { status: 200, contentType: "application/json" } }))
        assert.strictEqual(error._tag, "UnexpectedResponse")
        assert.strictEqual(error.endpoint, "token")
        assert.strictEqual(error.status, 200)
        assert.match(error.reason, reason)
      })
    )
  }

  it.effect("keeps a __proto__ member as a plain extra field", () =>
    Effect.gen(function* () {
      const token = yield* BearerToken.decode(JSON.parse('{"access_token":"a","token_type":"Bearer","__proto__":{"polluted":"yes"}}'))
      assert.deepStrictEqual(Object.keys(token.extra), ["__proto__"])
      assert.isUndefined((token.extra as any).polluted)
      assert.strictEqual(String(token.extra), "[object Object]")
      const nulled = yield* BearerToken.decode(JSON.parse('{"access_token":"a","token_type":"Bearer","__proto__":null}'))
      assert.doesNotThrow(() => String(nulled.extra))
    })
  )

  it.effect("tokens without extra members share one frozen empty extra (no empty object per token)", () =>
    Effect.gen(function* () {
      const { custom: _, ...standard } = body
      const a = yield* BearerToken.decode(standard)
      const b = yield* BearerToken.decode({ ...standard, access_token: "other" })
      const made = BearerToken.make({ accessToken: "x", issuedAt: at(0) })
      const restored = Either.getOrThrow(BearerToken.deserialize(BearerToken.serialize(a)))
      assert.deepStrictEqual(a.extra, {})
      assert.strictEqual(Object.isFrozen(a.extra), true)
      assert.strictEqual(b.extra, a.extra)
      assert.strictEqual(made.extra, a.extra)
      assert.strictEqual(restored.extra, a.extra)
      // with extra members, each token has its own record, unfrozen as before
      const withExtra = yield* BearerToken.decode(body)
      assert.notStrictEqual(withExtra.extra, a.extra)
      assert.strictEqual(Object.isFrozen(withExtra.extra), false)
    })
  )

  it.effect("never puts a token into an error", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(BearerToken.decode({ ...body, expires_in: -5 }))
      assert.notInclude(JSON.stringify(error), "SECRET")
    })
  )

  it.prop("any JSON value decodes or fails with a typed error", [fc.jsonValue()], ([value]) => {
    // runSync throws on a defect, which fails the property
    const result = Effect.runSync(Effect.either(BearerToken.decode(value)))
    if (Either.isLeft(result)) assert.strictEqual(result.left._tag, "UnexpectedResponse")
  })
})

describe("BearerToken expiry", () => {
  const token = BearerToken.make({ accessToken: "a", issuedAt: at(0), expiresAt: at(60_000) })

  it.effect("is expired past expiry, or within the leeway, under TestClock", () =>
    Effect.gen(function* () {
      assert.isFalse(yield* BearerToken.isExpired(token))
      assert.isFalse(yield* BearerToken.isExpired(token, "30 seconds"))
      yield* TestClock.adjust("30 seconds")
      assert.isTrue(yield* BearerToken.isExpired(token, "30 seconds"))
      assert.isFalse(yield* BearerToken.isExpired(token))
      assert.deepStrictEqual(yield* BearerToken.remainingLifetime(token), Option.some(Duration.seconds(30)))
      yield* TestClock.adjust("31 seconds")
      assert.isTrue(yield* BearerToken.isExpired(token))
      assert.deepStrictEqual(yield* BearerToken.remainingLifetime(token), Option.some(Duration.zero))
    })
  )

  it.effect("never expires without expires_in", () =>
    Effect.gen(function* () {
      const forever = BearerToken.make({ accessToken: "a", issuedAt: at(0) })
      yield* TestClock.adjust("3650 days")
      assert.isFalse(yield* BearerToken.isExpired(forever, "1 hour"))
      assert.deepStrictEqual(yield* BearerToken.remainingLifetime(forever), Option.none())
    })
  )

  it.effect("isExpired, isExpiredAt, remainingLifetimeAt and toJson work data-first and data-last", () =>
    Effect.gen(function* () {
      const now = at(45_000)
      assert.isFalse(BearerToken.isExpiredAt(token, now))
      assert.isFalse(pipe(token, BearerToken.isExpiredAt(now)))
      assert.isTrue(BearerToken.isExpiredAt(token, now, "15 seconds"))
      assert.isTrue(pipe(token, BearerToken.isExpiredAt(now, "15 seconds")))
      assert.isTrue(pipe(token, BearerToken.isExpiredAt(at(60_000))))
      assert.deepStrictEqual(BearerToken.remainingLifetimeAt(token, now), Option.some(Duration.seconds(15)))
      assert.deepStrictEqual(pipe(token, BearerToken.remainingLifetimeAt(now)), Option.some(Duration.seconds(15)))
      assert.deepStrictEqual(BearerToken.toJson(token, now), pipe(token, BearerToken.toJson(now)))
      assert.strictEqual(pipe(token, BearerToken.toJson(now)).expires_in, 15)
      yield* TestClock.setTime(45_000)
      assert.isFalse(yield* BearerToken.isExpired(token))
      assert.isFalse(yield* pipe(token, BearerToken.isExpired()))
      assert.isTrue(yield* BearerToken.isExpired(token, "15 seconds"))
      assert.isTrue(yield* pipe(token, BearerToken.isExpired("15 seconds")))
      assert.isTrue(yield* Effect.succeed(token).pipe(Effect.flatMap(BearerToken.isExpired(Duration.seconds(20)))))
      // point-free, as a callback given the token only
      assert.isFalse(yield* Effect.flatMap(Effect.succeed(token), BearerToken.isExpired))
      // a token told apart from the other arguments by its tag alone (one revived by hand keeps the data-first path)
      const revived = { ...token, accessToken: "at" } as unknown as BearerToken.BearerToken
      assert.isTrue(Effect.isEffect(BearerToken.isExpired(revived)))
      assert.isFalse(BearerToken.isExpiredAt(revived, now))
      const forever = BearerToken.make({ accessToken: "a", issuedAt: at(0) })
      assert.isFalse(pipe(forever, BearerToken.isExpiredAt(at(Number.MAX_SAFE_INTEGER / 1000), "1 hour")))
      assert.isFalse(yield* pipe(forever, BearerToken.isExpired("1 hour")))
    })
  )

  it("builds the Authorization header and the wire JSON", () => {
    const t = BearerToken.make({ accessToken: "AT", issuedAt: at(0), expiresAt: at(60_000), refreshToken: "RT", scope: "s" })
    assert.strictEqual(Redacted.value(BearerToken.authorizationHeader(t)), "Bearer AT")
    assert.deepStrictEqual(BearerToken.toJson(t, at(10_500)), {
      access_token: "AT",
      token_type: "Bearer",
      expires_in: 49,
      refresh_token: "RT",
      scope: "s"
    })
  })
})

describe("BearerToken serialization", () => {
  const arbitraryToken = fc
    .record({
      accessToken: fc.string({ minLength: 1 }),
      tokenType: fc.constantFrom("Bearer", "bearer", "DPoP"),
      issuedAt: fc.integer({ min: 0, max: 4_000_000_000_000 }),
      lifetime: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
      refreshToken: fc.option(fc.string(), { nil: undefined }),
      idToken: fc.option(fc.string(), { nil: undefined }),
      scope: fc.option(fc.string(), { nil: undefined }),
      extra: fc.dictionary(
        fc.string().filter((k) => k !== "__proto__"),
        fc.jsonValue()
      )
    })
    .map((r) =>
      BearerToken.make({
        accessToken: r.accessToken,
        tokenType: r.tokenType,
        issuedAt: at(r.issuedAt),
        ...(r.lifetime === undefined ? {} : { expiresAt: at(r.issuedAt + r.lifetime) }),
        ...(r.refreshToken === undefined ? {} : { refreshToken: r.refreshToken }),
        ...(r.idToken === undefined ? {} : { idToken: r.idToken }),
        ...(r.scope === undefined ? {} : { scope: r.scope }),
        extra: JSON.parse(JSON.stringify(r.extra))
      })
    )

  it.prop("restores what it serialized, absolute expiry included", [arbitraryToken], ([token]) => {
    const s = BearerToken.serialize(token)
    assert.match(s, /^[A-Za-z0-9_-]*$/)
    const restored = Either.getOrThrow(BearerToken.deserialize(s))
    assert.strictEqual(BearerToken.serialize(restored), s)
    assert.strictEqual(Redacted.value(restored.accessToken), Redacted.value(token.accessToken))
    assert.strictEqual(
      restored.expiresAt === undefined ? undefined : DateTime.toEpochMillis(restored.expiresAt),
      token.expiresAt === undefined ? undefined : DateTime.toEpochMillis(token.expiresAt)
    )
    assert.deepStrictEqual(restored.extra, token.extra)
  })

  it.prop("refuses garbage with InvalidArgument", [fc.string()], ([garbage]) => {
    const result = BearerToken.deserialize(garbage)
    if (Either.isLeft(result)) assert.strictEqual(result.left._tag, "InvalidArgument")
  })

  it("refuses a serialized value of the wrong shape", () => {
    const wrong = Buffer.from(JSON.stringify({ v: 2, access_token: "a" })).toString("base64url")
    assert.strictEqual(Either.isLeft(BearerToken.deserialize(wrong)), true)
    assert.strictEqual(Either.isLeft(BearerToken.deserialize("!!!")), true)
  })
})
